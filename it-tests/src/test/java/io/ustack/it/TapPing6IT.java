package io.ustack.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * IPv6, first step of #12, end to end: the host's own `ping -6` in a namespace with IPv6 on reaches the
 * daemon's global address and its link-local one over a real TAP, every reply is checked (from the address
 * asked, hop limit 64, in order, no duplicates, data intact), and the Neighbour Discovery exchange both ways
 * shows in both sides' views: the host's neighbour table and the stack's counters.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(TapPing6IT.LogOnFailure.class)
class TapPing6IT {
    private static final Pattern REPLY = Pattern.compile(
            "^\\d+ bytes from (\\S+?): icmp_seq=(\\d+) ttl=(\\d+) time=([\\d.]+) ms$", Pattern.MULTILINE);

    private StackOnTap env;

    @BeforeAll
    void up() throws Exception {
        RootRequirement.require("ip", "ping");
        if (!Files.exists(Path.of("/proc/sys/net/ipv6"))) {
            throw new AssertionError("this kernel has no IPv6 (/proc/sys/net/ipv6 is missing)");
        }
        env = StackOnTap.startDualStack("--backlog-threads", "2");
    }

    @AfterAll
    void down() throws Exception {
        if (env != null) {
            env.close();
        }
    }

    /**
     * Runs `ping -6 -c COUNT` at {@code target} and checks every reply: one per request, in order, from
     * {@code from}, hop limit 64 (ping prints it as ttl), no duplicates or corrupted data.
     */
    private List<Double> pingAndCheck(String target, String from, int count, String... extra) {
        List<String> argv = new ArrayList<>(List.of("ping", "-6", "-c", String.valueOf(count), "-i", "0.2", "-W", "2"));
        argv.addAll(List.of(extra));
        argv.add(target);
        Cmd c = env.ns.exec(argv.toArray(String[]::new));
        String out = c.output();
        assertEquals(count, TapPingIT.received(out), out);
        assertFalse(out.contains("DUP!"), "no duplicates: " + out);
        assertFalse(out.contains("wrong data"), "the data came back as sent: " + out);
        Matcher m = REPLY.matcher(out);
        List<Double> rtts = new ArrayList<>();
        int seq = 0;
        while (m.find()) {
            seq++;
            assertEquals(from, m.group(1), out);
            assertEquals(seq, Integer.parseInt(m.group(2)), "replies in order: " + out);
            assertEquals(64, Integer.parseInt(m.group(3)), "hop limit 64, as Linux answers: " + out);
            rtts.add(Double.parseDouble(m.group(4)));
        }
        assertEquals(count, seq, out);
        System.out.println("ping -6 " + target + ": " + count + "/" + count + " replies, RTTs (ms) " + rtts);
        return rtts;
    }

    /** The stack's link-local address as `ustack addr` lists it, after checking the global one is listed too. */
    private String stackLinkLocal() {
        Cmd c = Cmd.run(60, Daemon.command("addr", "--control", env.daemon.control.toString())).ok();
        assertTrue(c.output().contains("inet6 " + env.stackIp6 + "/64 scope global\n"), c.output());
        Matcher m = Pattern.compile("inet6 (fe80::[0-9a-f:]+)/64 scope link\n").matcher(c.output());
        assertTrue(m.find(), "a link-local address: " + c.output());
        return m.group(1);
    }

    @Test
    @Order(1)
    void pingToTheGlobalAddress() {
        pingAndCheck(env.stackIp6, env.stackIp6, 5);
        pingAndCheck(env.stackIp6, env.stackIp6, 3, "-s", "1452"); // the most one 1500-byte frame holds
        Map<String, Long> s = env.daemon.stats();
        assertTrue(s.get("Icmp6InNeighborSolicits") >= 1, "the host asked for our address: " + s);
        assertTrue(s.get("Icmp6OutNeighborAdvertisements") >= 1, "and we answered: " + s);
        assertEquals(s.get("Icmp6InEchos"), s.get("Icmp6OutEchoReplies"), "every request answered: " + s);
        assertTrue(s.get("Icmp6InEchos") >= 8, s.toString());
        assertEquals(0, s.getOrDefault("Icmp6InCsumErrors", 0L));
    }

    @Test
    @Order(2)
    void pingToTheLinkLocalAddress() {
        String ll = stackLinkLocal();
        pingAndCheck(ll + "%" + env.tap, ll + "%" + env.tap, 5);
    }

    /**
     * Both directions of ND: the host learnt our MAC for both addresses, and we, having learnt the host's from
     * its solicitations, confirm it with probes of our own (NUD: the entry goes DELAY, then PROBE after 5 s)
     * that the host answers.
     */
    @Test
    @Order(3)
    void neighbourDiscoveryBothWays() {
        Map<String, Long> seen = Await.until("the stack probing the host's address and the host answering",
                Duration.ofSeconds(60), () -> {
                    env.ns.exec("ping", "-6", "-c", "1", "-W", "1", env.stackIp6);
                    return env.daemon.stats();
                }, s -> s.get("Icmp6OutNeighborSolicits") >= 1 && s.get("Icmp6InNeighborAdvertisements") >= 1);
        assertTrue(seen.get("Icmp6OutType135") >= 1 && seen.get("Icmp6InType136") >= 1, seen.toString());
        String neigh = env.ns.exec("ip", "-6", "neigh", "show", "dev", env.tap).ok().output();
        String mac = stackMac();
        assertTrue(neigh.contains(env.stackIp6 + " lladdr " + mac), neigh);
        assertTrue(neigh.contains(stackLinkLocal() + " lladdr " + mac), neigh);
        assertEquals(0, seen.getOrDefault("NdiscResFailed", 0L), seen.toString());
    }

    /** What the host's own IPv6 chatter (MLD reports, router solicitations) costs: counted, never answered. */
    @Test
    @Order(4)
    void theHostsOtherIpv6IsCountedAndIgnored() {
        // asked until no packet is half-way through the stack between two counters
        Await.until("every IPv6 packet received delivered or dropped with a reason", Duration.ofSeconds(30),
                env.daemon::stats, s -> s.get("Ip6InReceives") == s.get("Ip6InDelivers")
                        + s.getOrDefault("DropReasonIPV6_MC_NOT_JOINED", 0L)
                        + s.get("Ip6InHdrErrors") + s.get("Ip6InAddrErrors") + s.get("Ip6InNoRoutes")
                        + s.get("Ip6InTruncatedPkts") + s.get("Ip6InUnknownProtos"));
        pingAndCheck(env.stackIp6, env.stackIp6, 2);
    }

    /**
     * A burst of hostile IPv6 frames from the namespace, each kind 200 times (inject_frames6.py lists them: ND
     * that may have crossed a router, malformed ND options, an NA nobody asked for, an RS from :: with a
     * link-layer address, a bad ICMPv6 checksum, a payload length past the frame, a multicast source, bad
     * extension headers (a type 0 routing header, an option to discard, too much padding, a Jumbo Payload
     * option beside a payload length, hop-by-hop after another header, an unknown next header), overlapping
     * fragments, a ragged fragment, a tiny first fragment without the upper layer's header): every frame
     * counted under its drop reason and its snmp6 counter, the parameter problems owed sent within the rate
     * limit, no buffer or fragment kept, nothing learnt, and ping -6 still answered.
     */
    @Test
    @Order(5)
    void hostileIpv6FramesAreCountedAndPingStillAnswers() throws Exception {
        RootRequirement.require("python3");
        Path script = env.work.resolve("inject_frames6.py");
        for (String name : List.of("inject_frames.py", "inject_frames6.py")) { // the first holds the shared helpers
            try (java.io.InputStream in = TapPing6IT.class.getResourceAsStream("/" + name)) {
                Files.copy(in, env.work.resolve(name));
            }
        }
        Map<String, Long> before = env.daemon.stats();
        int count = 200;
        Cmd c = env.ns.exec("python3", script.toString(), env.tap, stackMac(), env.hostIp6, env.stackIp6,
                String.valueOf(count)).ok();
        pingAndCheck(env.stackIp6, env.stackIp6, 3);
        Map<String, Long> after = env.daemon.stats();
        // each line is "REASON/kind FRAMES", every frame one drop of REASON; kinds may share a reason
        Map<String, Long> dropsByReason = new java.util.TreeMap<>();
        for (String line : c.output().trim().split("\n")) {
            String[] kindAndFrames = line.split(" ");
            dropsByReason.merge(kindAndFrames[0].split("/")[0], Long.parseLong(kindAndFrames[1]), Long::sum);
        }
        assertEquals(17L * count, dropsByReason.values().stream().mapToLong(Long::longValue).sum(),
                "sixteen kinds, one of them a pair of fragments: " + c.output());
        dropsByReason.forEach((reason, drops) -> assertEquals(drops, delta(before, after, "DropReason" + reason),
                "drops counted as " + reason + ": " + after));
        assertEquals(count, delta(before, after, "Icmp6InCsumErrors"));
        assertEquals(count, delta(before, after, "Ip6InTruncatedPkts"));
        // a multicast source, a type 0 routing header, an option to discard, too much padding, the jumbo
        // option, the ragged fragment, the tiny first fragment
        assertEquals(7 * count, delta(before, after, "Ip6InHdrErrors"), after.toString());
        // hop-by-hop after another header is no header where it stands, as an unknown next header is not
        assertEquals(2 * count, delta(before, after, "Ip6InUnknownProtos"), after.toString());
        // each pair of overlapping fragments discards its datagram (RFC 5722)
        assertEquals(count, delta(before, after, "Ip6ReasmOverlaps"), after.toString());
        assertEquals(count, delta(before, after, "Ip6ReasmFails"), after.toString());
        assertEquals(0L, after.get("BufferReasm6Memory"), "no fragment held");
        assertEquals(count, delta(before, after, "Icmp6InRouterSolicits"), after.toString());
        assertEquals(0, delta(before, after, "Icmp6OutRouterAdvertisements"), "a host answers no RS: " + after);
        assertTrue(after.get("Icmp6OutParmProblems") > before.get("Icmp6OutParmProblems"), "parameter problems sent");
        assertTrue(after.get("Icmp6OutRateLimitHost") > before.get("Icmp6OutRateLimitHost"), "and rate limited");
        assertEquals(before.get("BufferOutstanding"), after.get("BufferOutstanding"), "no buffer held after the burst");
        assertFalse(env.ns.exec("ip", "-6", "neigh", "show", "dev", env.tap).output().contains("dead"),
                "and nothing learnt from the NA nobody asked for");
    }

    private static long delta(Map<String, Long> before, Map<String, Long> after, String counter) {
        return after.getOrDefault(counter, 0L) - before.getOrDefault(counter, 0L);
    }

    /**
     * ping -6 -s 8000, -s 20000 and -s 65000 (the sizes; the last near the most an IPv6 datagram
     * holds) to the global address, and -s 8000 and -s 65000 to the link-local one: the host's kernel fragments
     * each request to the link's 1500 bytes, the stack reassembles it and fragments its reply, which the
     * host's kernel reassembles and ping checks.
     */
    @Test
    @Order(7)
    void largePingsAreFragmentedBothWays() {
        Map<String, Long> before = env.daemon.stats();
        pingAndCheck(env.stackIp6, env.stackIp6, 3, "-s", "8000");
        pingAndCheck(env.stackIp6, env.stackIp6, 3, "-s", "20000");
        pingAndCheck(env.stackIp6, env.stackIp6, 2, "-s", "65000");
        String ll = stackLinkLocal() + "%" + env.tap;
        pingAndCheck(ll, ll, 2, "-s", "8000");
        pingAndCheck(ll, ll, 2, "-s", "65000");
        Map<String, Long> after = env.daemon.stats();
        assertEquals(12, after.get("Ip6ReasmOKs") - before.get("Ip6ReasmOKs"), "twelve requests reassembled: " + after);
        assertEquals(12, after.get("Ip6FragOKs") - before.get("Ip6FragOKs"), "twelve replies fragmented: " + after);
        // ICMPv6 messages of 8008, 20008 and 65008 bytes in 1448-byte pieces are 6, 14 and 45 fragments
        assertEquals(5 * 6 + 3 * 14 + 4 * 45, after.get("Ip6FragCreates") - before.get("Ip6FragCreates"), after.toString());
        assertEquals(0, after.get("Ip6ReasmFails") - before.get("Ip6ReasmFails"));
        assertEquals(0L, after.get("BufferReasm6Memory"), "nothing left held");
    }

    /**
     * UDP over IPv6 with Linux as the peer: the host's `nc -6 -u` gets its line back from the built-in echo, a
     * 20000-byte datagram comes back whole (fragmented both ways), and a connected socket's send to a closed
     * port meets ICMPv6 port unreachable (ECONNREFUSED on the host), each counted under its snmp6 name.
     */
    @Test
    @Order(8)
    void udpEchoOverIpv6() throws Exception {
        RootRequirement.require("nc", "python3");
        Path probe = env.work.resolve("udp_probe.py");
        try (java.io.InputStream in = TapPing6IT.class.getResourceAsStream("/udp_probe.py")) {
            Files.copy(in, probe, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Map<String, Long> before = env.daemon.stats();
        Cmd nc = env.ns.exec("sh", "-c", "echo hello6 | nc -6 -u -w1 " + env.stackIp6 + " 7");
        assertEquals("hello6", nc.output().strip(), nc.output());
        Cmd big = env.ns.exec("python3", probe.toString(), "echo", env.stackIp6, "7", "20000");
        assertEquals("same", big.output().strip(), big.output());
        Cmd refused = env.ns.exec("python3", probe.toString(), "refused", env.stackIp6, "4444");
        assertEquals("refused", refused.output().strip(), refused.output());
        Map<String, Long> after = env.daemon.stats();
        assertEquals(2, after.get("Udp6InDatagrams") - before.get("Udp6InDatagrams"), after.toString());
        assertEquals(2, after.get("Udp6OutDatagrams") - before.get("Udp6OutDatagrams"), after.toString());
        assertEquals(1, after.get("Udp6NoPorts") - before.get("Udp6NoPorts"), after.toString());
        assertEquals(0, after.get("Udp6InCsumErrors"), "the host's checksums, offloaded or not, all good: " + after);
        System.out.println("nc -6 -u to echo: " + nc.output().strip() + "; 20000 bytes: " + big.output().strip()
                + "; closed port: " + refused.output().strip());
    }

    /**
     * TCP over IPv6 with Linux as the peer, the user story: the host's `curl -6` gets the status page
     * and a megabyte from the built-in http service, and `nc -6` gets its line back from TCP echo; no
     * checksum error on either side's segments, and the connections counted as IPv4's are.
     */
    @Test
    @Order(9)
    void tcpOverIpv6() throws Exception {
        RootRequirement.require("curl", "nc");
        Map<String, Long> before = env.daemon.stats();
        String url = "http://[" + env.stackIp6 + "]";
        Cmd page = env.ns.exec("curl", "-6", "-sS", "--max-time", "10", url + "/");
        assertTrue(page.output().contains("<h2>Interfaces</h2>"), page.output());
        Cmd bytes = env.ns.exec("sh", "-c", "curl -6 -sS --max-time 20 " + url + "/bytes/1000000 | wc -c");
        assertEquals("1000000", bytes.output().strip(), bytes.output());
        Cmd echo = env.ns.exec("sh", "-c", "echo hello-tcp6 | nc -6 -N -w5 " + env.stackIp6 + " 7");
        assertEquals("hello-tcp6", echo.output().strip(), echo.output());
        Map<String, Long> after = env.daemon.stats();
        assertEquals(3, after.get("TcpPassiveOpens") - before.get("TcpPassiveOpens"), after.toString());
        assertEquals(0, after.get("TcpInCsumErrors"), "the host's checksums, offloaded or not, all good: " + after);
        System.out.println("curl -6 over TCP/IPv6: the status page, " + bytes.output().strip() + " bytes; nc -6 to echo: "
                + echo.output().strip());
    }

    private String stackMac() {
        Cmd c = Cmd.run(60, Daemon.command("addr", "--control", env.daemon.control.toString())).ok();
        Matcher m = Pattern.compile("link/ether ([0-9a-f:]{17})").matcher(c.output());
        assertTrue(m.find(), c.output());
        return m.group(1);
    }

    /**
     * The daemon's own host side (host=), as the default daemon has it: started inside a namespace of its own,
     * it gives its TAP's host side an IPv6 address beside the IPv4 one, and that address reaches the stack.
     */
    @Test
    @Order(6)
    void theDaemonGivesTheHostSideItsIpv6Address() throws Exception {
        String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
        String tap = "uh" + id;
        Path work = Files.createTempDirectory("ustack-it-");
        try (NetNs ns = new NetNs("ustack-it-" + id, true)) {
            hostSideInNamespace(ns, tap, work);
        } finally {
            Cmd.run("ip", "link", "del", tap); // only if a failure left it behind
        }
    }

    private void hostSideInNamespace(NetNs ns, String tap, Path work) throws Exception {
        Daemon daemon = null;
        try {
            ns.exec("sh", "-c", "for c in default all; do echo 1 > /proc/sys/net/ipv6/conf/$c/accept_dad; done").ok();
            daemon = Daemon.startIn(ns.name, work, "--iface", tap + ",addr=10.202.0.2/24,addr=fd00:202::2/64"
                    + ",host=10.202.0.1/24,host=fd00:202::1/64");
            assertTrue(daemon.log().contains("(host 10.202.0.1/24 fd00:202::1/64)"), daemon.log());
            // the host's kernel runs DAD on it (the stack must not claim it), then the address is usable
            String addr = Await.until("fd00:202::1 on the host side, past DAD", Duration.ofSeconds(30),
                    () -> ns.exec("ip", "-6", "addr", "show", "dev", tap).output(),
                    o -> o.contains("inet6 fd00:202::1/64 scope global") && !o.contains("tentative"));
            assertFalse(addr.contains("dadfailed"), addr);
            StackOnTap.awaitDad(daemon);
            Cmd ping = ns.exec("ping", "-6", "-c", "3", "-i", "0.2", "-W", "2", "fd00:202::2");
            assertEquals(3, TapPingIT.received(ping.output()), ping.output() + daemon.log());
            assertEquals(0, daemon.stop(), daemon.log());
            assertFalse(ns.exec("ip", "link", "show", tap).exit() == 0, "the daemon removed its TAP");
        } finally {
            if (daemon != null) {
                daemon.close();
            }
        }
    }

    /** Prints the daemon's log and the namespace's view of the link when a test fails. */
    static final class LogOnFailure implements TestWatcher {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            Object test = context.getTestInstance().orElse(null);
            if (test instanceof TapPing6IT t && t.env != null) {
                System.err.println(t.env.diagnostics());
            }
        }
    }
}
