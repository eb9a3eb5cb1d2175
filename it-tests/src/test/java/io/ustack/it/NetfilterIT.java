package io.ustack.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The daemon as a firewall and NAT router between two namespaces, driven with {@code ustack iptables} and read with
 * {@code ustack conntrack}: the left host 10.N.1.2 and the right host 10.N.2.2 reach each other through the
 * stack (10.N.1.1, 10.N.2.1), Linux on both ends, a Python TCP server on the right that says whom it saw.
 *
 * <p>In order: DROP and its counters, REJECT (a reset, and ICMP port unreachable) refusing a TCP connection
 * to a port that is listening, then the right host loses its route back and MASQUERADE lets the left reach
 * it anyway, then DNAT forwards a port of the router to the right host, a stateful firewall passes a bulk
 * transfer, and last the router's right address is replaced with {@code ustack addr del} and {@code addr add}:
 * the flows masqueraded to the old address go, new ones are masqueraded to the new address.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NetfilterIT {
    private static final int PORT = 7000;
    private static final int OTHER_PORT = 7001;
    private static final int BULK_PORT = 7002;

    private String left;
    private String right;
    private String net;
    private NetNs leftNs;
    private NetNs rightNs;
    private Daemon daemon;
    private RouterOnTaps router;
    private NfPeer peer;

    @BeforeAll
    void up() throws Exception {
        RootRequirement.require("ip", "ping", "python3");
        router = RouterOnTaps.start("un", "", "--backlog-threads", "2", "--serve", "none", "--conntrack-max", "4096");
        left = router.left;
        right = router.right;
        net = router.net;
        leftNs = router.leftNs;
        rightNs = router.rightNs;
        daemon = router.daemon;
        peer = new NfPeer(router.work, rightNs, leftNs);
        peer.start("serve", PORT);
        peer.start("serve", OTHER_PORT);
    }

    /** Stops the servers, then the daemon (exit 0, both TAPs removed), and takes the namespaces down. */
    @AfterAll
    void down() throws Exception {
        try {
            if (peer != null) {
                peer.close();
            }
        } finally {
            if (router != null) {
                router.close();
            }
        }
    }

    private String serverLog() {
        return peer.log();
    }

    /** The addresses of the peers the server reported, oldest first. */
    private List<String> peers() {
        return peer.peers().stream().map(p -> p[1]).toList();
    }

    private Cmd connect(String host, int port) {
        return peer.connect(host, port);
    }

    private static double elapsed(Cmd c) {
        Matcher m = Pattern.compile("elapsed ([0-9.]+)").matcher(c.output());
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    /** A ustack control command against the daemon. */
    private Cmd ustack(String... args) {
        List<String> argv = new ArrayList<>(List.of(args));
        argv.addAll(List.of("--control", daemon.control.toString()));
        return Cmd.run(60, Daemon.command(argv.toArray(String[]::new)));
    }

    private Cmd ok(String... args) {
        Cmd c = ustack(args);
        assertEquals(0, c.exit(), String.join(" ", args) + ": " + c.output());
        return c;
    }

    private String diagnostics(Cmd failed) {
        return failed.output() + "\n---- daemon log ----\n" + daemon.log() + "---- ustack iptables-save -c / conntrack ----\n"
                + ustack("iptables-save", "-c").output() + ustack("conntrack").output() + "---- server ----\n" + serverLog()
                + "---- left ----\n" + leftNs.exec("ip", "route").output() + leftNs.exec("ip", "neigh").output()
                + "---- right ----\n" + rightNs.exec("ip", "route").output() + rightNs.exec("ip", "neigh").output();
    }

    private static int received(String pingOutput) {
        Matcher m = Pattern.compile("(\\d+) (packets )?received").matcher(pingOutput);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    private String leftHost() {
        return net + ".1.2";
    }

    private String rightHost() {
        return net + ".2.2";
    }

    @Test
    @Order(1)
    void aDropRuleStopsPingsAndItsCounterShowsThem() {
        Cmd c = leftNs.exec("ping", "-c", "1", "-W", "2", rightHost());
        assertEquals(1, received(c.output()), diagnostics(c));

        ok("iptables", "-A", "FORWARD", "-p", "icmp", "-d", rightHost(), "-j", "DROP");
        c = leftNs.exec("ping", "-c", "3", "-i", "0.2", "-W", "1", rightHost());
        assertEquals(0, received(c.output()), diagnostics(c));
        Cmd list = ok("iptables", "-L", "FORWARD", "-v", "-n", "-x", "--line-numbers");
        System.out.println("$ ustack iptables -L FORWARD -v -n -x --line-numbers\n" + list.output());
        // three requests of 84 bytes (56 of data, 8 of ICMP, 20 of IP)
        assertTrue(Pattern.compile("(?m)^1\\s+3\\s+252 DROP\\s+1\\s+--  \\*\\s+\\*\\s+0\\.0\\.0\\.0/0\\s+"
                + Pattern.quote(rightHost()) + "\\s*$").matcher(list.output()).find(), list.output());
        assertTrue(daemon.stats().get("DropReasonNETFILTER_DROP") >= 3);

        ok("iptables", "-D", "FORWARD", "1");
        c = leftNs.exec("ping", "-c", "1", "-W", "2", rightHost());
        assertEquals(1, received(c.output()), "the rule is gone: " + diagnostics(c));
    }

    @Test
    @Order(2)
    void rejectRefusesATcpConnectionAtOnce() {
        Cmd c = connect(rightHost(), PORT);
        assertTrue(c.output().startsWith("hello"), "the server answers: " + diagnostics(c));
        assertEquals(leftHost(), peers().get(peers().size() - 1), "no NAT yet: the server sees the left host");

        ok("iptables", "-A", "FORWARD", "-p", "tcp", "--dport", Integer.toString(PORT), "-j", "REJECT", "--reject-with", "tcp-reset");
        ok("iptables", "-A", "FORWARD", "-p", "tcp", "--dport", Integer.toString(OTHER_PORT), "-j", "REJECT");
        int served = peers().size();
        c = connect(rightHost(), PORT);
        assertTrue(c.output().startsWith("refused"), "a RST from the router: " + diagnostics(c));
        assertTrue(elapsed(c) < 1.0, "at once, not after retries: " + c.output());
        c = connect(rightHost(), OTHER_PORT);
        assertTrue(c.output().startsWith("refused"), "ICMP port unreachable refuses a SYN too: " + diagnostics(c));
        assertTrue(elapsed(c) < 1.0, c.output());
        assertEquals(served, peers().size(), "nothing reached the server");
        Cmd list = ok("iptables", "-L", "FORWARD", "-n");
        assertTrue(list.output().contains("tcp dpt:" + PORT + " reject-with tcp-reset\n"), list.output());
        assertTrue(list.output().contains("tcp dpt:" + OTHER_PORT + " reject-with icmp-port-unreachable\n"), list.output());
        ok("iptables", "-F", "FORWARD");
    }

    @Test
    @Order(3)
    void masqueradeLetsASideWithNoRouteBackReachTheOther() {
        rightNs.exec("ip", "route", "del", "default").ok();
        Cmd c = connect(rightHost(), PORT);
        assertFalse(c.output().startsWith("hello"), "without a route back the answer never comes: " + c.output());

        ok("iptables", "-t", "nat", "-A", "POSTROUTING", "-o", right, "-j", "MASQUERADE");
        c = connect(rightHost(), PORT);
        assertTrue(c.output().startsWith("hello"), diagnostics(c));
        assertEquals(net + ".2.1", peers().get(peers().size() - 1), "the server saw the router's address");
        Cmd ping = leftNs.exec("ping", "-c", "2", "-i", "0.2", "-W", "2", rightHost());
        assertEquals(2, received(ping.output()), "ICMP echo is masqueraded too: " + diagnostics(ping));

        Cmd ct = ok("conntrack");
        System.out.println("$ ustack conntrack\n" + ct.output());
        assertTrue(Pattern.compile("(?m)^tcp\\s+6 \\d+ \\w+ src=" + Pattern.quote(leftHost()) + " dst=" + Pattern.quote(rightHost())
                + " sport=\\d+ dport=" + PORT + " src=" + Pattern.quote(rightHost()) + " dst=" + Pattern.quote(net + ".2.1")
                + " sport=" + PORT + " dport=\\d+( \\[ASSURED\\])?$").matcher(ct.output()).find(), ct.output());
        assertTrue(Pattern.compile("(?m)^icmp\\s+1 \\d+ src=" + Pattern.quote(leftHost()) + " dst=" + Pattern.quote(rightHost())
                + " type=8 code=0 id=\\d+ src=" + Pattern.quote(rightHost()) + " dst=" + Pattern.quote(net + ".2.1")
                + " type=0 code=0 id=\\d+$").matcher(ct.output()).find(), ct.output());
        assertTrue(ct.output().contains("conntrack: on, "), ct.output());
        assertTrue(ct.output().contains(" flow entries (max 4096), "), "--conntrack-max reached the table: " + ct.output());
    }

    @Test
    @Order(4)
    void dnatForwardsAPortOfTheRouter() {
        String router = net + ".1.1";
        Cmd c = connect(router, 8080);
        assertTrue(c.output().startsWith("refused"), "nobody listens on the router's 8080: " + c.output());
        ok("iptables", "-t", "nat", "-A", "PREROUTING", "-i", left, "-p", "tcp", "--dport", "8080", "-j", "DNAT",
                "--to-destination", rightHost() + ":" + PORT);
        c = connect(router, 8080);
        assertTrue(c.output().startsWith("hello"), diagnostics(c));
        assertEquals(net + ".2.1", peers().get(peers().size() - 1), "masqueraded on the way, as the route back needs");
        Cmd ct = ok("conntrack");
        assertTrue(ct.output().contains(" dst=" + router + " sport="), ct.output());
        assertTrue(ct.output().contains(" dport=8080 src=" + rightHost() + " dst=" + net + ".2.1 sport=" + PORT + " "), ct.output());

        Cmd list = ok("iptables", "-t", "nat", "-L", "-v", "-n");
        System.out.println("$ ustack iptables -t nat -L -v -n\n" + list.output());
        assertTrue(list.output().contains("DNAT       6    --  " + left), list.output());
        assertTrue(list.output().contains("tcp dpt:8080 to:" + rightHost() + ":" + PORT + "\n"), list.output());
        assertTrue(list.output().contains("MASQUERADE  0    --  *      " + right), list.output());
    }

    @Test
    @Order(5)
    void aStatefulFirewallPassesABulkTransferWithNothingInvalid() throws Exception {
        ok("iptables", "-I", "FORWARD", "1", "-m", "state", "--state", "INVALID", "-j", "DROP");
        long invalidBefore = conntrackInvalid();
        peer.start("sink", BULK_PORT);
        int bytes = 20 << 20;
        // Linux to Linux with window scaling, SACK and timestamps, masqueraded on the way (Order 3)
        Cmd c = leftNs.execWithin(120, "python3", peer.script.toString(), "send", rightHost(), Integer.toString(BULK_PORT),
                Integer.toString(bytes));
        assertEquals("sent " + bytes, c.output().strip(), diagnostics(c));
        assertTrue(serverLog().contains("got " + bytes + "\n"), diagnostics(c));
        assertEquals(invalidBefore, conntrackInvalid(),
                "window tracking found every segment inside the windows: " + diagnostics(c));
    }

    /** The invalid counter of `ustack conntrack` (conntrack -S). */
    private long conntrackInvalid() {
        Matcher m = Pattern.compile(", invalid (\\d+),").matcher(ok("conntrack").output());
        assertTrue(m.find());
        return Long.parseLong(m.group(1));
    }

    @Test
    @Order(6)
    void replacingTheEgressAddressMovesMasqueradeToTheNewOne() {
        String old = net + ".2.1";
        String fresh = net + ".2.3";
        Cmd c = connect(rightHost(), PORT);
        assertTrue(c.output().startsWith("hello"), diagnostics(c));
        assertEquals(old, peers().get(peers().size() - 1));
        assertTrue(ok("conntrack").output().contains(" dst=" + old + " "), "a flow masqueraded to " + old);

        ok("addr", "del", old + "/24", "dev", right);
        ok("addr", "add", fresh + "/24", "dev", right);
        Cmd addr = ok("addr", "show");
        System.out.println("$ ustack addr show\n" + addr.output());
        assertTrue(addr.output().contains("    inet " + fresh + "/24 brd " + net + ".2.255 scope global " + right + "\n"),
                addr.output());
        assertFalse(addr.output().contains(" " + old + "/"), addr.output());
        Cmd ct = ok("conntrack");
        assertFalse(ct.output().contains(" dst=" + old + " "), "the flows masqueraded to " + old + " went with it: "
                + ct.output());

        c = connect(rightHost(), PORT);
        assertTrue(c.output().startsWith("hello"), diagnostics(c));
        assertEquals(fresh, peers().get(peers().size() - 1), "the server sees the new address");
        assertTrue(ok("conntrack").output().contains(" dst=" + fresh + " "));

        // the right host forgets both MACs, so each ping asks ARP anew: only the address the stack has answers
        rightNs.exec("ip", "neigh", "flush", "dev", right).ok();
        Cmd ping = rightNs.exec("ping", "-c", "1", "-W", "2", fresh);
        assertEquals(1, received(ping.output()), diagnostics(ping));
        ping = rightNs.exec("ping", "-c", "1", "-W", "2", old);
        assertEquals(0, received(ping.output()), "the old address is gone: " + ping.output());
        String neigh = rightNs.exec("ip", "neigh", "show", old).output();
        assertFalse(neigh.contains("lladdr"), "nobody answered ARP for " + old + ": " + neigh);
    }
}
