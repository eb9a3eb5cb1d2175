package io.ustack.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * tcpdump, on the host's side, sees a correct TCP checksum on every segment ustack sends. With offloads off
 * ustack finishes every checksum itself, so tcpdump on the TAP checks them as they are written. With
 * offloads on ustack leaves them partial (the host finishes them, as a NIC would), and tcpdump on the TAP
 * would call them incorrect as it does on any host that offloads checksums; so the stream is routed by the
 * host kernel onto a veth with tx checksumming off, where the kernel finishes each checksum (and cuts each
 * super-segment) from ustack's partial one, and tcpdump checks them on the far side of that link. A wrong
 * pseudo-header sum from ustack would show up there as an incorrect checksum on every segment.
 */
class ChecksumIT {
    private static final String SRC_FILTER = "tcp and src host ";
    /**
     * How many segments tcpdump must have checked: thousands, though not every one of the transfer's, since
     * a capture on a loaded machine drops some ("dropped by kernel"); what it saw must all be correct.
     */
    private static final int MIN_CHECKED = 2_000;

    /** The "(correct)" and "incorrect" verdicts in tcpdump -vv's text, and the segments it printed. */
    private record Verdicts(int correct, int incorrect, String sample) {
        static Verdicts of(String tcpdump) {
            int correct = 0;
            int incorrect = 0;
            for (String line : tcpdump.split("\n")) {
                if (line.contains("(correct)")) {
                    correct++;
                } else if (line.contains("(incorrect")) {
                    incorrect++;
                }
            }
            String sample = tcpdump.length() > 2_000 ? tcpdump.substring(0, 2_000) + "..." : tcpdump;
            return new Verdicts(correct, incorrect, sample);
        }
    }

    /** Reads {@code mb} MiB from ustack's chargen service (port 19) in {@code ns}, through {@code stackIp}. */
    private static void readChargen(NetNs ns, String stackIp, int mb) {
        Cmd c = ns.execWithin(300, "sh", "-c", "nc -w 30 " + stackIp + " 19 | head -c " + mb + "M | wc -c");
        assertEquals(String.valueOf(mb * 1024 * 1024), c.output().strip(), "bytes read from chargen: " + c.output());
    }

    /** tcpdump on {@code dev} in {@code ns}, printing TCP from {@code src} with its checksum's verdict. */
    private static Background tcpdump(NetNs ns, String dev, String src) {
        Background b = ns.spawn("tcpdump", "-i", dev, "-nn", "-vv", "-l", SRC_FILTER + src);
        b.awaitOutput("listening on " + dev, Duration.ofSeconds(30));
        return b;
    }

    @Test
    void withOffloadsOffTcpdumpOnTheTapSeesACorrectChecksumOnEverySegment() throws Exception {
        RootRequirement.require("ip", "nc", "tcpdump");
        try (StackOnTap env = StackOnTap.startWithIface(",offload=off", "--serve", "all");
             Background dump = tcpdump(env.ns, env.tap, env.stackIp)) {
            readChargen(env.ns, env.stackIp, 8);
            Verdicts v = Verdicts.of(dump.stop());
            assertEquals(0, v.incorrect(), "segments with an incorrect checksum:\n" + v.sample());
            assertTrue(v.correct() > MIN_CHECKED, "tcpdump checked " + v.correct() + " segments:\n" + v.sample());
        }
    }

    @Test
    void withOffloadsOnTheChecksumsTheHostFinishesAreCorrectOnEverySegment() throws Exception {
        RootRequirement.require("ip", "nc", "tcpdump", "ethtool");
        String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
        int net = 1 + ThreadLocalRandom.current().nextInt(250);
        String near = "uc" + id + "a";
        String far = "uc" + id + "b";
        String farNet = "10.203." + net;
        try (StackOnTap env = StackOnTap.start("--serve", "all");
             NetNs farNs = new NetNs("ustack-it-far-" + id)) {
            try {
                // the host side of the TAP routes to a far namespace over a veth that cannot finish checksums
                Cmd.run("ip", "link", "add", near, "netns", env.ns.name, "type", "veth", "peer", "name", far,
                        "netns", farNs.name).ok();
                env.ns.exec("ip", "addr", "add", farNet + ".1/24", "dev", near).ok();
                env.ns.exec("ip", "link", "set", near, "up").ok();
                env.ns.exec("ethtool", "-K", near, "tx", "off").ok();
                env.ns.exec("sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward").ok();
                farNs.exec("ip", "addr", "add", farNet + ".2/24", "dev", far).ok();
                farNs.exec("ip", "link", "set", far, "up").ok();
                farNs.exec("ip", "route", "add", "default", "via", farNet + ".1").ok();
                Cmd.run(30, Daemon.command("route", "add", farNet + ".0/24", "via", env.hostIp,
                        "--control", env.daemon.control.toString())).ok();
                try (Background dump = tcpdump(farNs, far, env.stackIp)) {
                    readChargen(farNs, env.stackIp, 32);
                    Verdicts v = Verdicts.of(dump.stop());
                    assertEquals(0, v.incorrect(), "segments with an incorrect checksum:\n" + v.sample());
                    assertTrue(v.correct() > MIN_CHECKED, "tcpdump checked " + v.correct() + " segments:\n"
                            + v.sample());
                }
                long txFrames = env.daemon.stats().getOrDefault(env.tap + ":tx_packets", 0L);
                long outSegs = env.daemon.stats().getOrDefault("TcpOutSegs", 0L);
                assertTrue(txFrames * 2 < outSegs, "ustack sent super-segments with partial checksums: " + outSegs
                        + " segments in " + txFrames + " frames" + env.diagnostics());
            } finally {
                Cmd.run("ip", "-n", env.ns.name, "link", "del", near);
            }
        }
    }
}
