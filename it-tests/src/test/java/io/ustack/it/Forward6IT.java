package io.ustack.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.testing.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * The daemon as an IPv6 router (ip6_forward) between two TAPs, each TAP's host side in a namespace of its own
 * with IPv6 on: the left host fd00:N:1::2 and the right host fd00:N:2::2 (MTU 1280 on that link) reach each
 * other only through the stack at fd00:N:1::1 and fd00:N:2::1, with Linux's ping -6, traceroute -6 and
 * tracepath -6; routes are added with {@code ustack route} and resolved by ND.
 *
 * <p>The order matters where the left host learns a path MTU: the router's Packet Too Big is seen before
 * tracepath (which learns it too) and anything after it meets the learnt 1280.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class Forward6IT {
    private RouterOnTaps router;
    private NetNs leftNs;
    private NetNs rightNs;
    private Daemon daemon;

    @BeforeAll
    void up() throws Exception {
        RootRequirement.require("ip", "ping", "traceroute", "tracepath");
        router = RouterOnTaps.startDualStack("u6", ",mtu=1280", "--backlog-threads", "2");
        leftNs = router.leftNs;
        rightNs = router.rightNs;
        daemon = router.daemon;
    }

    /** Stops the daemon (exit 0, both TAPs removed) and takes the namespaces down. */
    @AfterAll
    void down() throws Exception {
        if (router != null) {
            router.close();
        }
    }

    private String leftHost() {
        return router.net6 + ":1::2";
    }

    private String rightHost() {
        return router.net6 + ":2::2";
    }

    /** The router's address on the left link: where its answers to the left host come from. */
    private String routerLeft() {
        return router.net6 + ":1::1";
    }

    /** Everything worth seeing when a test fails: the daemon's log and tables, both hosts' views. */
    private String diagnostics(Cmd failed) {
        return failed.output() + "\n---- daemon log ----\n" + daemon.log()
                + "---- ustack addr / route -6 / neigh / stats ----\n" + daemon.ustack("addr").output()
                + daemon.ustack("route", "-6").output() + daemon.ustack("neigh").output() + nonZero(daemon.stats())
                + "\n---- left ----\n" + leftNs.exec("ip", "-6", "route").output() + leftNs.exec("ip", "-6", "neigh").output()
                + "---- right ----\n" + rightNs.exec("ip", "-6", "addr").output() + rightNs.exec("ip", "-6", "neigh").output();
    }

    /**
     * ping -6 in {@code ns}. A ping that should be answered is given a deadline ({@code -w}): once replies
     * come, -W no longer counts and ping waits only two round trips for the last one, too short on a loaded box.
     */
    private Cmd ping6(NetNs ns, String... args) {
        List<String> argv = new ArrayList<>(List.of("ping", "-6"));
        argv.addAll(List.of(args));
        return ns.exec(argv.toArray(String[]::new));
    }

    private static Map<String, Long> nonZero(Map<String, Long> stats) {
        Map<String, Long> out = new java.util.LinkedHashMap<>(stats);
        out.values().removeIf(v -> v == 0);
        return out;
    }

    /** A counter of /proc/net/snmp6 in {@code ns}: what that side's kernel saw. */
    private static long snmp6(NetNs ns, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "\\s+(\\d+)$").matcher(ns.exec("cat", "/proc/net/snmp6").ok().output());
        assertTrue(m.find(), name + " in /proc/net/snmp6");
        return Long.parseLong(m.group(1));
    }

    @Test
    @Order(1)
    void ping6GoesThroughTheRouterBothWays() {
        // the daemon's addresses take packets once DAD has passed: wait for the first answer through it
        Cmd first = Await.until("the left host reaching the right one through the router", Duration.ofSeconds(60),
                () -> ping6(leftNs, "-c", "1", "-W", "1", rightHost()), c -> TapPingIT.received(c.output()) == 1);
        assertTrue(first.output().contains("ttl=63"), "one router hop on the way back: " + first.output());
        Cmd c = ping6(leftNs, "-c", "3", "-i", "0.2", "-w", "10", rightHost());
        assertEquals(3, TapPingIT.received(c.output()), diagnostics(c));
        Cmd back = ping6(rightNs, "-c", "2", "-i", "0.2", "-w", "10", leftHost());
        assertEquals(2, TapPingIT.received(back.output()), diagnostics(back));
        assertTrue(back.output().contains("ttl=63"), back.output());
        Map<String, Long> s = daemon.stats();
        assertTrue(s.get("Ip6OutForwDatagrams") >= 12, "4 + 2 requests and their replies: " + s);
        assertEquals("net.ipv6.conf.all.forwarding = 1\n", daemon.ustack("sysctl", "net.ipv6.conf.all.forwarding").ok().output(),
                "--forward turns IPv6 forwarding on beside IPv4's");
    }

    @Test
    @Order(2)
    void hopLimitOneGetsTimeExceededFromTheRouter() {
        Cmd c = ping6(leftNs, "-c", "1", "-t", "1", "-W", "2", rightHost());
        assertTrue(c.output().contains("From " + routerLeft()) && c.output().contains("Time exceeded: Hop limit"),
                diagnostics(c));
        assertTrue(daemon.stats().get("Icmp6OutTimeExcds") >= 1);
    }

    @Test
    @Order(3)
    void overTheSmallerMtuThePacketGetsPacketTooBigAndTheSenderLearnsIt() {
        Map<String, Long> before = daemon.stats();
        // 1400 bytes of data make a 1448-byte packet: over the right link's 1280, and a router never fragments
        Cmd c = ping6(leftNs, "-c", "2", "-i", "0.3", "-W", "2", "-M", "do", "-s", "1400", rightHost());
        assertEquals(0, TapPingIT.received(c.output()), diagnostics(c));
        assertTrue(c.output().contains("From " + routerLeft()) && c.output().contains("Packet too big: mtu=1280"),
                diagnostics(c));
        Map<String, Long> after = daemon.stats();
        assertTrue(after.get("Ip6InTooBigErrors") > before.getOrDefault("Ip6InTooBigErrors", 0L), after.toString());
        assertTrue(after.get("Icmp6OutPktTooBigs") > before.getOrDefault("Icmp6OutPktTooBigs", 0L), after.toString());
        Cmd route = leftNs.exec("ip", "-6", "route", "get", rightHost()).ok();
        assertTrue(route.output().contains("mtu 1280"), "the left host's kernel learnt the path MTU: " + route.output());
        Cmd again = ping6(leftNs, "-c", "1", "-W", "2", "-M", "do", "-s", "1400", rightHost());
        assertTrue(again.output().contains("message too long, mtu: 1280"), diagnostics(again));
        Cmd fits = ping6(leftNs, "-c", "2", "-i", "0.3", "-w", "10", "-s", "1232", rightHost());
        assertEquals(2, TapPingIT.received(fits.output()), "1280 bytes pass: " + diagnostics(fits));
    }

    @Test
    @Order(4)
    void traceroute6ShowsTheRouterAsTheFirstHop() {
        Cmd c = leftNs.exec("traceroute", "-6", "-n", "-q", "1", "-N", "1", "-w", "2", "-m", "5", rightHost());
        assertEquals(0, c.exit(), diagnostics(c));
        assertTrue(Pattern.compile("(?m)^\\s*1\\s+" + Pattern.quote(routerLeft()) + "\\s").matcher(c.output()).find(),
                diagnostics(c));
        assertTrue(Pattern.compile("(?m)^\\s*2\\s+" + Pattern.quote(rightHost()) + "\\s").matcher(c.output()).find(),
                diagnostics(c));
    }

    @Test
    @Order(5)
    void tracepath6FindsTheRouterThePathMtuAndTheFarSide() {
        leftNs.exec("ip", "-6", "route", "flush", "cache"); // forget the learnt MTU: tracepath learns it itself
        Cmd c = leftNs.execWithin(60, "tracepath", "-6", "-n", rightHost());
        assertTrue(c.output().contains(routerLeft()), diagnostics(c));
        assertTrue(c.output().contains("pmtu 1280"), diagnostics(c));
        assertTrue(Pattern.compile("(?m)^\\s*2:\\s+" + Pattern.quote(rightHost()) + "\\s.*reached").matcher(c.output()).find(),
                diagnostics(c));
    }

    /**
     * A packet to the right host's link-local address, which the left host is made to send to the router (a
     * neighbour entry giving that address the router's MAC), stays on the left link: ip6_route_input matches a
     * link-local destination on the link it came in by alone.
     */
    @Test
    @Order(6)
    void aLinkLocalAddressOfTheFarSideIsNotForwarded() {
        String rightLl = linkLocal(rightNs, router.right);
        Matcher mac = Pattern.compile("lladdr (\\S+)").matcher(
                leftNs.exec("ip", "-6", "neigh", "show", routerLeft(), "dev", router.left).ok().output());
        assertTrue(mac.find(), "the left host knows the router's MAC after the pings");
        leftNs.exec("ip", "-6", "neigh", "replace", rightLl, "lladdr", mac.group(1), "dev", router.left, "nud", "permanent").ok();
        long echosBefore = snmp6(rightNs, "Icmp6InEchos");
        long receivedBefore = daemon.stats().get("Ip6InReceives");
        Cmd c = ping6(leftNs, "-c", "2", "-i", "0.3", "-W", "1", rightLl + "%" + router.left);
        assertEquals(0, TapPingIT.received(c.output()), diagnostics(c));
        assertTrue(daemon.stats().get("Ip6InReceives") >= receivedBefore + 2, "the router got them");
        assertEquals(echosBefore, snmp6(rightNs, "Icmp6InEchos"), "and the right host never did");
    }

    /** {@code dev}'s link-local address in {@code ns}. */
    private static String linkLocal(NetNs ns, String dev) {
        Matcher m = Pattern.compile("inet6 (fe80::[0-9a-f:]+)/64 scope link").matcher(
                ns.exec("ip", "-6", "addr", "show", "dev", dev).ok().output());
        assertTrue(m.find(), "a link-local address on " + dev);
        return m.group(1);
    }

    @Test
    @Order(7)
    void routesAddedWithUstackRouteAreResolvedByNd() {
        String far = router.net6 + ":9::1";
        rightNs.exec("ip", "-6", "addr", "add", far + "/128", "dev", "lo").ok();
        Cmd noRoute = ping6(leftNs, "-c", "1", "-W", "2", far);
        assertTrue(noRoute.output().contains("From " + routerLeft()) && noRoute.output().contains("No route"),
                diagnostics(noRoute));

        Cmd add = daemon.ustack("route", "add", router.net6 + ":9::/64", "via", rightHost());
        assertEquals(0, add.exit(), add.output());
        Cmd routes = daemon.ustack("route", "-6");
        System.out.println("$ ustack route -6\n" + routes.output());
        assertTrue(routes.output().contains(router.net6 + ":9::/64 via " + rightHost() + " dev " + router.right + "\n"),
                routes.output());
        Cmd c = ping6(leftNs, "-c", "2", "-i", "0.2", "-w", "10", far);
        assertEquals(2, TapPingIT.received(c.output()), diagnostics(c));
        assertEquals(0, daemon.ustack("route", "del", router.net6 + ":9::/64").exit());

        // the same through the right host's link-local address, named with its device as ip -6 route wants it
        String rightLl = linkLocal(rightNs, router.right);
        Cmd viaLl = daemon.ustack("route", "add", router.net6 + ":9::/64", "via", rightLl, "dev", router.right);
        assertEquals(0, viaLl.exit(), viaLl.output());
        c = ping6(leftNs, "-c", "2", "-i", "0.2", "-w", "10", far);
        assertEquals(2, TapPingIT.received(c.output()), diagnostics(c));
        assertEquals(0, daemon.ustack("route", "del", router.net6 + ":9::/64").exit());
        c = ping6(leftNs, "-c", "1", "-W", "2", far);
        assertEquals(0, TapPingIT.received(c.output()), diagnostics(c));

        Cmd refused = daemon.ustack("route", "add", router.net6 + ":9::/64", "via", "fe80::1");
        assertEquals(1, refused.exit());
        assertEquals("ustack: a link-local gateway needs its device: via fe80::1 dev NAME\n", refused.output());
    }

    /**
     * TCP over IPv6 through the router: 8 MiB from the left host to the right one arrive intact, the hosts'
     * checksums (partial ones on a TAP with offloads) surviving the hop.
     */
    @Test
    @Order(8)
    void tcpCrossesTheRouterIntact() {
        RootRequirement.require("nc", "sha256sum", "ss");
        String shell = "f=$(mktemp); head -c 8M /dev/urandom > $f; sha256sum < $f;"
                + " ip netns exec " + rightNs.name + " sh -c 'nc -6 -l -N -p 5556 | sha256sum' & s=$!;"
                + " i=0; until ip netns exec " + rightNs.name + " ss -ltn | grep -q :5556; do"
                + " i=$((i+1)); [ $i -gt 300 ] && exit 3; sleep 0.1; done;"
                + " ip netns exec " + leftNs.name + " nc -6 -N -w 30 " + rightHost() + " 5556 < $f; wait $s; rm -f $f";
        Cmd c = Cmd.run(300, List.of("sh", "-c", shell));
        String[] lines = c.output().strip().split("\n");
        assertEquals(2, lines.length, "two digests: " + diagnostics(c));
        assertEquals(lines[0], lines[1], "the stream changed on its way through the router");
    }

    /**
     * ip6tables' FORWARD chain sits on ip6_forward's hook: a DROP of the left host's echo requests to the right
     * one stops ping -6 through the router, counts each request, and leaves the router's own address answering;
     * deleting the rule lets them through again.
     */
    @Test
    @Order(9)
    void ip6tablesForwardDropStopsForwardedPingsAndCountsThem() {
        String[] rule = {"-p", "ipv6-icmp", "--icmpv6-type", "echo-request", "-s", leftHost(), "-d", rightHost(), "-j", "DROP"};
        List<String> add = new ArrayList<>(List.of("ip6tables", "-A", "FORWARD"));
        add.addAll(List.of(rule));
        daemon.ustack(add.toArray(String[]::new)).ok();
        try {
            Cmd dropped = ping6(leftNs, "-c", "3", "-i", "0.2", "-W", "1", rightHost());
            assertEquals(0, TapPingIT.received(dropped.output()), diagnostics(dropped));
            Cmd router = ping6(leftNs, "-c", "2", "-i", "0.2", "-w", "10", routerLeft());
            assertEquals(2, TapPingIT.received(router.output()), "the router itself still answers: " + diagnostics(router));
            String listed = daemon.ustack("ip6tables", "-v", "-x", "-n", "-L", "FORWARD").ok().output();
            assertTrue(Pattern.compile("(?m)^\\s+3\\s+312\\s+DROP").matcher(listed).find(),
                    "the rule counted the 3 requests of 104 bytes: " + listed);
        } finally {
            List<String> del = new ArrayList<>(List.of("ip6tables", "-D", "FORWARD"));
            del.addAll(List.of(rule));
            daemon.ustack(del.toArray(String[]::new)).ok();
        }
        Cmd again = ping6(leftNs, "-c", "2", "-i", "0.2", "-w", "10", rightHost());
        assertEquals(2, TapPingIT.received(again.output()), diagnostics(again));
    }
}
