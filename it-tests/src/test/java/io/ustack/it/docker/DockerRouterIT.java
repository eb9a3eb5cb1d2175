package io.ustack.it.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * ustack as a router inside one container: the daemon with two TAPs and --forward, a client namespace on
 * each side (left 10.1.0.2, right 10.2.0.2, the stack at 10.1.0.1 and 10.2.0.1), which reach each other only
 * through it. Then `ustack iptables` inside the container: a DROP rule and its counter, and MASQUERADE letting the
 * left reach a right host that has lost its route back (last: it leaves the right host without that route).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith({DockerImages.class, DiagnoseOnFailure.class})
class DockerRouterIT implements ContainerScenario {
    private UstackContainer box;
    private InnerNetNs left;
    private InnerNetNs right;

    @BeforeAll
    void up(DaemonImage image) throws Exception {
        box = UstackContainer.idle(image, UstackContainer.uniquePrefix("router") + "-box").withNetnsSupport();
        box.up();
        box.startDaemon("--iface", "tapl,addr=10.1.0.1/24", "--iface", "tapr,addr=10.2.0.1/24", "--forward");
        left = InnerNetNs.hostOn(box, "left", "tapl", "10.1.0.2/24", "10.1.0.1");
        right = InnerNetNs.hostOn(box, "right", "tapr", "10.2.0.2/24", "10.2.0.1");
    }

    @AfterAll
    void down() {
        if (box != null) {
            box.stop();
        }
    }

    @Override
    public List<UstackContainer> containers() {
        return List.of(box);
    }

    /**
     * argv: PORT. A TCP server for the right host: prints "listening", then answers each connection with
     * "peer ADDR", the source address it saw, and closes it.
     */
    private static final String PEER_SERVER = String.join("\n",
            "import socket, sys",
            "s = socket.socket()",
            "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
            "s.bind(('0.0.0.0', int(sys.argv[1])))",
            "s.listen(16)",
            "print('listening', flush=True)",
            "while True:",
            "    c, a = s.accept()",
            "    c.sendall(('peer %s\\n' % a[0]).encode())",
            "    c.close()");

    /** argv: HOST PORT. Prints the server's line, or "timeout", "refused" or the error. */
    private static final String CONNECT = String.join("\n",
            "import socket, sys",
            "try:",
            "    c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)",
            "    print(c.recv(100).decode().strip())",
            "except socket.timeout:",
            "    print('timeout')",
            "except ConnectionRefusedError:",
            "    print('refused')",
            "except OSError as e:",
            "    print('error %s' % e)");

    private static final int PEER_PORT = 7000;
    private static final String PEER_LOG = "/tmp/right-peer.log";

    private String report(Exec failed) {
        return failed.output() + "\n" + left.diagnostics() + right.diagnostics()
                + "---- ustack iptables-save -c / conntrack ----\n" + box.exec("ustack", "iptables-save", "-c").output()
                + box.exec("ustack", "conntrack").output();
    }

    @Test
    @Order(1)
    void pingCrossesTheRouterBothWays() {
        long before = box.stats().get("IpForwDatagrams");
        Exec there = left.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", "10.2.0.2");
        assertEquals(3, Ping.received(there.output()), report(there));
        assertTrue(there.output().contains("ttl=63"), "one router hop on the way back: " + there.output());
        Exec back = right.exec("ping", "-c", "2", "-i", "0.2", "-W", "2", "10.1.0.2");
        assertEquals(2, Ping.received(back.output()), report(back));
        assertTrue(box.stats().get("IpForwDatagrams") - before >= 10, "3 + 2 requests and their replies forwarded");
    }

    @Test
    @Order(2)
    void tracerouteShowsTheStackAsTheOneHop() {
        // one probe at a time (-N 1): sent together, the probes cross the stack's backlog threads in any
        // order (RPS hashes each probe's ports to its own flow), and the right host answers only the first
        // six with port unreachable (Linux's per-destination ICMP rate limit), so hop 2 could be lost
        Exec trace = left.exec("traceroute", "-n", "-q", "1", "-N", "1", "-w", "2", "-m", "5", "10.2.0.2");
        assertEquals(0, trace.exit(), report(trace));
        assertTrue(trace.output().matches("(?s).*\\n\\s*1\\s+10\\.1\\.0\\.1\\s.*\\n\\s*2\\s+10\\.2\\.0\\.2\\s.*"),
                "hop 1 the stack, hop 2 the right host:\n" + trace.output());
    }

    @Test
    @Order(3)
    void aDropRuleStopsPingsAndIptablesListsThem() {
        Exec ping = left.exec("ping", "-c", "1", "-W", "2", "10.2.0.2");
        assertEquals(1, Ping.received(ping.output()), report(ping));

        box.exec("ustack", "iptables", "-A", "FORWARD", "-p", "icmp", "-j", "DROP").ok();
        ping = left.exec("ping", "-c", "3", "-i", "0.2", "-W", "1", "10.2.0.2");
        assertEquals(0, Ping.received(ping.output()), "the rule drops the requests: " + report(ping));
        Exec list = box.exec("ustack", "iptables", "-L", "FORWARD", "-v", "-x", "--line-numbers").ok();
        System.out.println("$ ustack iptables -L FORWARD -v -x --line-numbers\n" + list.output());
        // three requests of 84 bytes (56 of data, 8 of ICMP, 20 of IP)
        assertTrue(Pattern.compile("(?m)^1\\s+3\\s+252 DROP\\s+icmp ").matcher(list.output()).find(), list.output());
        assertTrue(box.stats().get("DropReasonNETFILTER_DROP") >= 3, "the drops counted by reason");

        box.exec("ustack", "iptables", "-D", "FORWARD", "1").ok();
        ping = left.exec("ping", "-c", "1", "-W", "2", "10.2.0.2");
        assertEquals(1, Ping.received(ping.output()), "the rule is gone: " + report(ping));
    }

    @Test
    @Order(4)
    void masqueradeLetsASideWithNoRouteBackReachTheOther() throws InterruptedException {
        box.exec("sh", "-c", "setsid ip netns exec right python3 -u -c \"$0\" " + PEER_PORT + " >" + PEER_LOG
                + " 2>&1 </dev/null &", PEER_SERVER).ok();
        box.exec("sh", "-c", "until grep -q listening " + PEER_LOG + "; do sleep 0.1; done").ok();
        Exec c = left.exec("python3", "-c", CONNECT, "10.2.0.2", Integer.toString(PEER_PORT));
        assertEquals("peer 10.1.0.2", c.output().trim(), "no NAT yet: the server sees the left host: " + report(c));

        right.exec("ip", "route", "del", "default").ok();
        c = left.exec("python3", "-c", CONNECT, "10.2.0.2", Integer.toString(PEER_PORT));
        assertEquals("timeout", c.output().trim(), "without a route back the answer never comes: " + report(c));

        box.exec("ustack", "iptables", "-t", "nat", "-A", "POSTROUTING", "-o", "tapr", "-j", "MASQUERADE").ok();
        c = left.exec("python3", "-c", CONNECT, "10.2.0.2", Integer.toString(PEER_PORT));
        assertEquals("peer 10.2.0.1", c.output().trim(), "the server saw the router's address: " + report(c));
        Exec ping = left.exec("ping", "-c", "2", "-i", "0.2", "-W", "2", "10.2.0.2");
        assertEquals(2, Ping.received(ping.output()), "ICMP echo is masqueraded too: " + report(ping));

        Exec ct = box.exec("ustack", "conntrack").ok();
        System.out.println("$ ustack conntrack\n" + ct.output());
        assertTrue(Pattern.compile("(?m)^tcp\\s+6 \\d+ \\w+ src=10\\.1\\.0\\.2 dst=10\\.2\\.0\\.2 sport=\\d+ dport="
                + PEER_PORT + " src=10\\.2\\.0\\.2 dst=10\\.2\\.0\\.1 ").matcher(ct.output()).find(), ct.output());
        Exec list = box.exec("ustack", "iptables", "-t", "nat", "-L", "-v").ok();
        assertTrue(list.output().contains("MASQUERADE  all  --  *      tapr"), list.output());
    }
}
