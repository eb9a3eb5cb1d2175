package io.ustack.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * The daemon as a router between two TAPs, each TAP's host side in a namespace of its own: the left host
 * 10.N.1.2 and the right host 10.N.2.2 (MTU 1280 on that link) reach each other only through the stack at
 * 10.N.1.1 and 10.N.2.1, with Linux's ping, traceroute and tracepath, and the router is driven with
 * {@code ustack route}, {@code addr} and {@code neigh}.
 *
 * <p>The order matters where the left host learns a path MTU: the router fragments only while the left
 * host still believes in 1500, so fragmentation is tested before anything teaches it 1280.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ForwardIT {
    private String left;
    private String right;
    private String net;
    private NetNs leftNs;
    private NetNs rightNs;
    private Daemon daemon;
    private RouterOnTaps router;

    @BeforeAll
    void up() throws Exception {
        RootRequirement.require("ip", "ping", "traceroute", "tracepath");
        router = RouterOnTaps.start("ut", ",mtu=1280", "--backlog-threads", "2");
        left = router.left;
        right = router.right;
        net = router.net;
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
        return net + ".1.2";
    }

    private String rightHost() {
        return net + ".2.2";
    }

    private String router() {
        return net + ".1.1";
    }

    /** Everything worth seeing when a test fails: the daemon's log and tables, both hosts' views. */
    private String diagnostics(Cmd failed) {
        return failed.output() + "\n---- daemon log ----\n" + daemon.log()
                + "---- ustack addr / route / neigh ----\n" + daemon.ustack("addr").output() + daemon.ustack("route").output()
                + daemon.ustack("neigh").output()
                + "---- left ----\n" + leftNs.exec("ip", "route").output() + leftNs.exec("ip", "neigh").output()
                + "---- right ----\n" + rightNs.exec("ip", "addr").output() + rightNs.exec("ip", "neigh").output();
    }

    private static int received(String pingOutput) {
        Matcher m = Pattern.compile("(\\d+) (packets )?received").matcher(pingOutput);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    @Test
    @Order(1)
    void pingGoesThroughTheRouter() {
        Cmd c = leftNs.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", rightHost());
        assertEquals(3, received(c.output()), diagnostics(c));
        assertTrue(c.output().contains("ttl=63"), "one router hop on the way back: " + c.output());
        Cmd back = rightNs.exec("ping", "-c", "2", "-i", "0.2", "-W", "2", leftHost());
        assertEquals(2, received(back.output()), diagnostics(back));
        assertTrue(daemon.stats().get("IpForwDatagrams") >= 10, "3 + 2 requests and their replies");
    }

    @Test
    @Order(2)
    void ttlOneGetsTimeExceededFromTheRouter() {
        Cmd c = leftNs.exec("ping", "-c", "1", "-t", "1", "-W", "2", rightHost());
        assertTrue(c.output().contains("From " + router()) && c.output().contains("Time to live exceeded"), diagnostics(c));
    }

    @Test
    @Order(3)
    void withoutDfTheRouterFragmentsForTheSmallerMtu() {
        Map<String, Long> before = daemon.stats();
        Cmd c = leftNs.exec("ping", "-c", "2", "-i", "0.3", "-W", "2", "-M", "dont", "-s", "1400", rightHost());
        assertEquals(2, received(c.output()), diagnostics(c));
        assertTrue(c.output().contains("1408 bytes from " + rightHost()), c.output());
        Map<String, Long> after = daemon.stats();
        // 1428 bytes over a 1280 link: two fragments per request
        assertTrue(after.get("IpFragCreates") - before.getOrDefault("IpFragCreates", 0L) >= 4, after.toString());
        assertTrue(after.get("IpFragOKs") - before.getOrDefault("IpFragOKs", 0L) >= 2, after.toString());
    }

    @Test
    @Order(4)
    void dfOverTheSmallerMtuGetsFragNeededWithThatMtu() {
        Cmd c = leftNs.exec("ping", "-c", "1", "-W", "2", "-M", "do", "-s", "1400", rightHost());
        assertEquals(0, received(c.output()), diagnostics(c));
        assertTrue(c.output().contains("From " + router()) && c.output().contains("mtu = 1280"), diagnostics(c));
        assertTrue(daemon.stats().get("IpFragFails") >= 1);
    }

    @Test
    @Order(5)
    void tracerouteShowsTheRouterAsTheFirstHop() {
        Cmd c = leftNs.exec("traceroute", "-n", "-q", "1", "-N", "1", "-w", "2", "-m", "5", rightHost());
        assertEquals(0, c.exit(), diagnostics(c));
        assertTrue(Pattern.compile("(?m)^\\s*1\\s+" + Pattern.quote(router()) + "\\s").matcher(c.output()).find(), diagnostics(c));
        assertTrue(Pattern.compile("(?m)^\\s*2\\s+" + Pattern.quote(rightHost()) + "\\s").matcher(c.output()).find(), diagnostics(c));
    }

    @Test
    @Order(6)
    void tracepathFindsTheRouterThePathMtuAndTheFarSide() {
        Cmd c = leftNs.execWithin(60, "tracepath", "-n", rightHost());
        assertTrue(c.output().contains(router()), diagnostics(c));
        assertTrue(c.output().contains("pmtu 1280"), diagnostics(c));
        assertTrue(Pattern.compile("(?m)^\\s*2:\\s+" + Pattern.quote(rightHost()) + "\\s.*reached").matcher(c.output()).find(),
                diagnostics(c));
    }

    @Test
    @Order(7)
    void routesAddedAndDeletedWithUstackRouteChangeWhereTrafficGoes() {
        String far = net + ".9.1";
        rightNs.exec("ip", "addr", "add", far + "/32", "dev", "lo").ok();
        Cmd unreachable = leftNs.exec("ping", "-c", "1", "-W", "2", far);
        assertTrue(unreachable.output().contains("From " + router()) && unreachable.output().contains("Destination Net Unreachable"),
                diagnostics(unreachable));

        Cmd add = daemon.ustack("route", "add", net + ".9.0/24", "via", rightHost());
        assertEquals(0, add.exit(), add.output());
        Cmd routes = daemon.ustack("route");
        assertEquals(net + ".1.0/24 dev " + left + " proto kernel scope link src " + net + ".1.1\n"
                + net + ".2.0/24 dev " + right + " proto kernel scope link src " + net + ".2.1\n"
                + net + ".9.0/24 via " + rightHost() + " dev " + right + " src " + net + ".2.1\n", routes.output());
        System.out.println("$ ustack route\n" + routes.output());
        Cmd c = leftNs.exec("ping", "-c", "2", "-i", "0.2", "-W", "2", far);
        assertEquals(2, received(c.output()), diagnostics(c));

        assertEquals(0, daemon.ustack("route", "del", net + ".9.0/24").exit());
        c = leftNs.exec("ping", "-c", "1", "-W", "2", far);
        assertEquals(0, received(c.output()), diagnostics(c));

        Cmd refused = daemon.ustack("route", "add", net + ".9.0/24", "via", "192.0.2.1");
        assertEquals(1, refused.exit());
        assertEquals("ustack: gateway 192.0.2.1 is not on a connected network\n", refused.output());
    }

    @Test
    @Order(8)
    void addrAndNeighShowTheLiveRouter() {
        Cmd addr = daemon.ustack("addr");
        assertEquals(0, addr.exit(), addr.output());
        System.out.println("$ ustack addr\n" + addr.output());
        assertTrue(Pattern.compile("(?m)^\\d+: " + right + ": <BROADCAST,UP,LOWER_UP> mtu 1280 state UP$").matcher(addr.output()).find(),
                addr.output());
        assertTrue(addr.output().contains("    inet " + net + ".1.1/24 brd " + net + ".1.255 scope global " + left + "\n"),
                addr.output());
        assertTrue(addr.output().contains("    inet " + net + ".2.1/24 brd " + net + ".2.255 scope global " + right + "\n"),
                addr.output());

        String rightMac = rightNs.exec("cat", "/sys/class/net/" + right + "/address").ok().output().strip();
        Cmd neigh = daemon.ustack("neigh");
        assertTrue(neigh.output().contains(rightHost() + " dev " + right + " lladdr " + rightMac + " "), neigh.output());
        assertEquals(0, daemon.ustack("neigh", "flush").exit());
        Cmd c = leftNs.exec("ping", "-c", "1", "-W", "2", rightHost());
        assertEquals(1, received(c.output()), "the router ARPs again after a flush: " + diagnostics(c));
    }
}
