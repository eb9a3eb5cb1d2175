package io.ustack.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Segmentation and checksum offloads on a real TAP (IFF_VNET_HDR): with them on, TCP leaves ustack as
 * super-segments that the host kernel cuts, and the host's own GSO packets reach ustack whole; with them off,
 * every frame is one segment with a finished checksum. Either way the bytes are the bytes: a stream through
 * the echo service comes back identical by SHA-256, also with loss both ways. The same over IPv6 (TSO6 both
 * ways, TUN_F_TSO6 on the host's side).
 */
class OffloadIT {
    /** Sends {@code mb} MiB of random bytes through the echo service; the digest of what was sent, and of what came back. */
    private static String[] echo(StackOnTap env, int mb) {
        return echo(env, env.stackIp, mb);
    }

    /** {@link #echo} to the stack's address {@code address} (IPv4 or IPv6). */
    private static String[] echo(StackOnTap env, String address, int mb) {
        String shell = "head -c " + mb + "M /dev/urandom > /tmp/$$.in; sha256sum < /tmp/$$.in;"
                + " nc -N -w 30 " + address + " 7 < /tmp/$$.in | sha256sum; rm -f /tmp/$$.in";
        Cmd c = env.ns.execWithin(600, "sh", "-c", shell);
        String[] lines = c.output().strip().split("\n");
        assertEquals(2, lines.length, "two digests: " + c.output() + env.diagnostics());
        return lines;
    }

    private static long stat(Map<String, Long> stats, String name) {
        return stats.getOrDefault(name, 0L);
    }

    /** The host namespace's TCP MIB counter {@code field}, from its /proc/net/snmp. */
    private static long hostTcp(StackOnTap env, String field) {
        String snmp = env.ns.exec("cat", "/proc/net/snmp").ok().output();
        String[] names = null;
        for (String line : snmp.split("\n")) {
            if (line.startsWith("Tcp:")) {
                if (names == null) {
                    names = line.split("\\s+");
                } else {
                    String[] values = line.split("\\s+");
                    for (int i = 0; i < names.length; i++) {
                        if (names[i].equals(field)) {
                            return Long.parseLong(values[i]);
                        }
                    }
                }
            }
        }
        throw new AssertionError("no Tcp " + field + " in the host's /proc/net/snmp:\n" + snmp);
    }

    /** A statistic of the TAP's host side, as the host's kernel counts it. */
    private static long hostDevice(StackOnTap env, String counter) {
        return Long.parseLong(env.ns.exec("cat", "/sys/class/net/" + env.tap + "/statistics/" + counter).ok().output().strip());
    }

    @Test
    void withOffloadsSuperSegmentsCrossBothWaysAndTheBytesAreIntact() throws Exception {
        RootRequirement.require("ip", "nc", "sha256sum");
        try (StackOnTap env = StackOnTap.start("--serve", "all")) {
            String[] digests = echo(env, 1024);
            assertEquals(digests[0], digests[1], "the echoed stream differs" + env.diagnostics());
            Map<String, Long> s = env.daemon.stats();
            long txFrames = stat(s, env.tap + ":tx_packets");
            long rxFrames = stat(s, env.tap + ":rx_packets");
            long outSegs = stat(s, "TcpOutSegs");
            // 1 GiB each way is ~740,000 segments of 1448 bytes; super-segments carry several in one frame.
            // TcpOutSegs counts segments (tcp_skb_pcount), TcpInSegs packets (as Linux counts both)
            assertTrue(outSegs > 720_000 && txFrames * 2 < outSegs,
                    "TSO: " + outSegs + " segments sent in " + txFrames + " frames" + env.diagnostics());
            assertTrue(stat(s, env.tap + ":rx_bytes") / rxFrames > 2 * 1448,
                    "the host's GSO packets came whole: " + rxFrames + " frames for 1 GiB" + env.diagnostics());
            // and the host's side of the TAP saw the same: it sent its segments in fewer frames, and took ours
            // in frames of several segments each
            long hostOutSegs = hostTcp(env, "OutSegs");
            long hostTxFrames = hostDevice(env, "tx_packets");
            assertTrue(hostOutSegs > 720_000 && hostTxFrames * 2 < hostOutSegs,
                    "the host sent " + hostOutSegs + " segments in " + hostTxFrames + " frames to the TAP" + env.diagnostics());
            long hostRxFrames = hostDevice(env, "rx_packets");
            assertTrue(hostDevice(env, "rx_bytes") / hostRxFrames > 2 * 1448,
                    "the host took " + hostRxFrames + " frames for 1 GiB from the TAP" + env.diagnostics());
            assertEquals(0, stat(s, "TcpInCsumErrors"), "checksum errors");
            assertEquals(0, stat(s, "DropReasonDEV_HDR"), "virtio headers refused");
        }
    }

    /**
     * 1 GiB to the echo service over TCP/IPv6 and back: ustack's super-segments (SKB_GSO_TCPV6) cross the
     * TAP whole and the host's TSO6 packets reach it whole, as the counters of both sides show, with the
     * MSS of IPv6 (1428 with timestamps).
     */
    @Test
    void overIpv6SuperSegmentsCrossBothWaysAndTheBytesAreIntact() throws Exception {
        RootRequirement.require("ip", "nc", "sha256sum");
        try (StackOnTap env = StackOnTap.startDualStack("--serve", "all")) {
            String[] digests = echo(env, env.stackIp6, 1024);
            assertEquals(digests[0], digests[1], "the echoed stream differs" + env.diagnostics());
            Map<String, Long> s = env.daemon.stats();
            long outSegs = stat(s, "TcpOutSegs");
            long txFrames = stat(s, env.tap + ":tx_packets");
            // 1 GiB each way is ~752,000 segments of 1428 bytes
            assertTrue(outSegs > 740_000 && txFrames * 2 < outSegs,
                    "TSO6: " + outSegs + " segments sent in " + txFrames + " frames" + env.diagnostics());
            assertTrue(stat(s, env.tap + ":rx_bytes") / stat(s, env.tap + ":rx_packets") > 2 * 1428,
                    "the host's TSO6 packets came whole: " + stat(s, env.tap + ":rx_packets") + " frames"
                            + env.diagnostics());
            long hostOutSegs = hostTcp(env, "OutSegs");
            long hostTxFrames = hostDevice(env, "tx_packets");
            assertTrue(hostOutSegs > 740_000 && hostTxFrames * 2 < hostOutSegs,
                    "the host sent " + hostOutSegs + " segments in " + hostTxFrames + " frames to the TAP" + env.diagnostics());
            assertTrue(hostDevice(env, "rx_bytes") / hostDevice(env, "rx_packets") > 2 * 1428,
                    "the host took our super-segments whole" + env.diagnostics());
            assertTrue(stat(s, "Ip6InReceives") > 0 && stat(s, "Ip6OutRequests") > 0, "it went over IPv6" + env.diagnostics());
            System.out.printf("TCP/IPv6, 1 GiB each way: ustack sent %d segments in %d frames and took %d bytes in %d frames;"
                    + " the host sent %d segments in %d frames%n", outSegs, txFrames, stat(s, env.tap + ":rx_bytes"),
                    stat(s, env.tap + ":rx_packets"), hostOutSegs, hostTxFrames);
            assertEquals(0, stat(s, "TcpInCsumErrors"), "checksum errors");
            assertEquals(0, stat(s, "DropReasonDEV_HDR"), "virtio headers refused");
            assertEquals(0, stat(s, "DropReasonSKB_GSO_SEG"), "super-packets refused");
        }
    }

    @Test
    void overIpv6WithOffloadsOffEveryFrameIsOneSegment() throws Exception {
        RootRequirement.require("ip", "nc", "sha256sum");
        try (StackOnTap env = StackOnTap.startDualStackWithIface(",offload=off", "--serve", "all")) {
            String[] digests = echo(env, env.stackIp6, 64);
            assertEquals(digests[0], digests[1], "the echoed stream differs" + env.diagnostics());
            Map<String, Long> s = env.daemon.stats();
            assertTrue(stat(s, env.tap + ":tx_packets") >= stat(s, "TcpOutSegs"), "one segment a frame out" + env.diagnostics());
            assertTrue(stat(s, env.tap + ":rx_bytes") / stat(s, env.tap + ":rx_packets") <= 1514, "one segment a frame in"
                    + env.diagnostics());
            assertEquals(0, stat(s, "TcpInCsumErrors"), "checksum errors");
        }
    }

    @Test
    void withOffloadsOffEveryFrameIsOneSegment() throws Exception {
        RootRequirement.require("ip", "nc", "sha256sum");
        try (StackOnTap env = StackOnTap.startWithIface(",offload=off", "--serve", "all")) {
            String[] digests = echo(env, 64);
            assertEquals(digests[0], digests[1], "the echoed stream differs" + env.diagnostics());
            Map<String, Long> s = env.daemon.stats();
            assertTrue(stat(s, env.tap + ":tx_packets") >= stat(s, "TcpOutSegs"), "one segment a frame out" + env.diagnostics());
            assertTrue(stat(s, env.tap + ":rx_bytes") / stat(s, env.tap + ":rx_packets") <= 1514, "one segment a frame in"
                    + env.diagnostics());
        }
    }

    @Test
    void withOffloadsAndThreePercentLossEachWayTheBytesAreIntact() throws Exception {
        RootRequirement.require("ip", "nc", "sha256sum", "iptables");
        try (StackOnTap env = StackOnTap.start("--serve", "all")) {
            for (String chain : new String[] {"INPUT", "OUTPUT"}) {
                env.ns.exec("iptables", "-A", chain, "-p", "tcp", "-m", "statistic", "--mode", "random",
                        "--probability", "0.03", "-j", "DROP").ok();
            }
            String[] digests = echo(env, 32);
            assertEquals(digests[0], digests[1], "the echoed stream differs" + env.diagnostics());
            assertTrue(stat(env.daemon.stats(), "TcpRetransSegs") > 0, "loss was recovered from" + env.diagnostics());
        }
    }

    /**
     * A flow through the router to a link with a smaller MTU than both hosts': the host's super-packets (and
     * GRO's) are judged by their segments, the sender learns the path MTU from ICMP "fragmentation needed",
     * and from then on super-packets cross the router whole, to be cut by the host on the far side.
     */
    @Test
    void throughTheRouterToASmallerMtuSuperPacketsCrossWholeAndTheBytesAreIntact() throws Exception {
        RootRequirement.require("ip", "nc", "sha256sum", "ss");
        try (RouterOnTaps r = RouterOnTaps.start("uo", ",mtu=1400")) {
            // the right host's own link says 1500, so it offers MSS 1460 and only the router knows better:
            // the classic path MTU case (its ACKs are small enough for ustack's 1400)
            r.rightNs.exec("ip", "link", "set", r.right, "mtu", "1500").ok();
            String server = r.net + ".2.2";
            // the server in the right namespace hashes what it gets; the client sends once it listens
            String shell = "f=$(mktemp); head -c 128M /dev/urandom > $f; sha256sum < $f;"
                    + " ip netns exec " + r.rightNs.name + " sh -c 'nc -l -N -p 5555 | sha256sum' & s=$!;"
                    + " i=0; until ip netns exec " + r.rightNs.name + " ss -ltn | grep -q :5555; do"
                    + " i=$((i+1)); [ $i -gt 300 ] && exit 3; sleep 0.1; done;"
                    + " ip netns exec " + r.leftNs.name + " nc -N -w 30 " + server + " 5555 < $f; wait $s; rm -f $f";
            Cmd c = Cmd.run(600, List.of("sh", "-c", shell));
            String[] lines = c.output().strip().split("\n");
            assertEquals(2, lines.length, "two digests: " + c.output() + r.daemon.log());
            assertEquals(lines[0], lines[1], "the stream changed on its way through the router");
            Map<String, Long> s = r.daemon.stats();
            assertTrue(stat(s, "IcmpOutDestUnreachs") >= 1, "the sender was told the path MTU");
            long frames = stat(s, r.right + ":tx_packets");
            assertTrue(frames * 2 < 128L * 1024 * 1024 / 1348,
                    "super-packets crossed whole: " + frames + " frames out for 128 MiB");
        }
    }
}
