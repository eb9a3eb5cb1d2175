package io.ustack.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.testing.Await;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The foundation end to end: the real daemon on a real TAP whose host side lives in a namespace made for
 * the test, answered by the namespace's own ping and arping, hit with hostile frames, and captured.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(TapPingIT.LogOnFailure.class)
class TapPingIT {
    /** pcap_file_header's size: a file longer than this holds a frame. */
    private static final int PCAP_HEADER = 24;

    private StackOnTap env;

    @BeforeAll
    void up() throws Exception {
        RootRequirement.require("ip", "ping", "arping", "python3");
        env = StackOnTap.start("--backlog-threads", "2");
    }

    @AfterAll
    void down() throws Exception {
        if (env != null) {
            env.close();
        }
    }

    /** How many replies iputils ping reported, or -1. */
    static int received(String pingOutput) {
        Matcher m = Pattern.compile("(\\d+) (packets )?received").matcher(pingOutput);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    @Test
    @Order(1)
    void plainPing() {
        Cmd c = env.ns.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", env.stackIp);
        assertEquals(3, received(c.output()), c.output());
    }

    /**
     * hping3's ICMP timestamp request: answered with the stack's wall clock in milliseconds since midnight
     * UT, which is the host's own (hping3's originate time), give or take a second.
     */
    @Test
    @Order(2)
    void icmpTimestampRequestIsAnswered() {
        RootRequirement.require("hping3");
        Cmd c = env.ns.exec("hping3", "--icmp-ts", "-c", "1", env.stackIp);
        Matcher m = Pattern.compile("Originate=(\\d+) Receive=(\\d+) Transmit=(\\d+)").matcher(c.output());
        assertTrue(m.find(), c.output());
        long originate = Long.parseLong(m.group(1));
        long receive = Long.parseLong(m.group(2));
        long apart = Math.floorMod(receive - originate + 43_200_000L, 86_400_000L) - 43_200_000L;
        assertTrue(Math.abs(apart) < 1000, "the stack's clock is the host's: " + c.output());
        assertEquals(receive, Long.parseLong(m.group(3)), c.output());
        assertTrue(env.daemon.stats().get("IcmpOutTimestampReps") >= 1);
    }

    @Test
    @Order(2)
    void ping8000BytesIsFragmentedBothWays() {
        Cmd c = env.ns.exec("ping", "-c", "2", "-i", "0.2", "-W", "2", "-s", "8000", env.stackIp);
        assertEquals(2, received(c.output()), c.output());
        assertTrue(c.output().contains("8008 bytes from " + env.stackIp), c.output());
    }

    @Test
    @Order(3)
    void ping65000Bytes() {
        Cmd c = env.ns.exec("ping", "-c", "2", "-i", "0.2", "-W", "3", "-s", "65000", env.stackIp);
        assertEquals(2, received(c.output()), c.output());
        Map<String, Long> s = env.daemon.stats();
        assertTrue(s.get("IpReasmOKs") >= 4, "the stack reassembled the 8000- and 65000-byte requests: " + s);
        // at MTU 1500 a fragment carries 1480 bytes: 8008 bytes of ICMP make 6 fragments, 65008 make 44
        assertTrue(s.get("IpFragCreates") >= 2 * 6 + 2 * 44, "and fragmented its replies: " + s);
    }

    @Test
    @Order(4)
    void arpingIsAnswered() {
        Cmd c = env.ns.exec("arping", "-c", "3", "-w", "5", "-I", env.tap, env.stackIp);
        assertEquals(0, c.exit(), c.output());
        // iputils' arping says "Received 3 response(s)", Debian's arping "3 packets received"
        assertTrue(c.output().matches("(?s).*(Received 3 response|3 packets received).*"), c.output());
    }

    @Test
    @Order(5)
    void hostileFramesAreCountedAndPingStillAnswers() throws Exception {
        String mac = stackMac();
        Path script = env.work.resolve("inject_frames.py");
        try (InputStream in = TapPingIT.class.getResourceAsStream("/inject_frames.py")) {
            Files.copy(in, script);
        }
        Map<String, Long> before = env.daemon.stats();
        int count = 200;
        Cmd c = env.ns.exec("python3", script.toString(), env.tap, mac, env.hostIp, env.stackIp, String.valueOf(count)).ok();
        Cmd ping = env.ns.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", env.stackIp);
        assertEquals(3, received(ping.output()), "still answering after the burst: " + ping.output());
        Map<String, Long> after = env.daemon.stats();
        for (String line : c.output().trim().split("\n")) {
            String reason = line.split(" ")[0];
            long delta = after.getOrDefault("DropReason" + reason, 0L) - before.getOrDefault("DropReason" + reason, 0L);
            assertEquals(count, delta, "drops counted as " + reason);
        }
        assertEquals(count, after.get("IpExtInCsumErrors") - before.get("IpExtInCsumErrors"));
        assertEquals(count, after.get("IpExtInTruncatedPkts") - before.get("IpExtInTruncatedPkts"));
        assertEquals(count, after.get("IcmpInCsumErrors") - before.get("IcmpInCsumErrors"));
        assertEquals(before.get("BufferOutstanding"), after.get("BufferOutstanding"),
                "no buffer held after the burst (the driver keeps one spare receive buffer per queue)");
    }

    @Test
    @Order(6)
    void captureShowsEchoRequestsAndTheirReplies() throws Exception {
        RootRequirement.require("tcpdump");
        Path pcap = env.work.resolve("capture.pcap");
        String summary;
        try (Background capture = Background.start(Daemon.command("capture", "--control", env.daemon.control.toString(),
                "-i", env.tap, "--seconds", "10", "-w", pcap.toString()))) {
            // the tap is attached once the daemon has the request, after the client's JVM has started: an ARP
            // probe a round until a frame is in the file (a record follows the 24-byte header)
            Await.until("the capture writing frames", Duration.ofSeconds(30), () -> {
                env.ns.exec("arping", "-c", "1", "-w", "1", "-I", env.tap, env.stackIp);
                return pcap.toFile().length() > PCAP_HEADER;
            });
            Cmd ping = env.ns.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", env.stackIp);
            assertEquals(3, received(ping.output()), ping.output());
            summary = capture.finish(Duration.ofSeconds(30));
            assertEquals(0, capture.exit(), "capture ends by itself after --seconds: " + summary);
        }
        Cmd read = Cmd.run("tcpdump", "-r", pcap.toString(), "-nn").ok();
        List<String> lines = read.output().lines().toList();
        for (int seq = 1; seq <= 3; seq++) {
            int request = indexOf(lines, env.hostIp + " > " + env.stackIp + ": ICMP echo request, id \\d+, seq " + seq + ",");
            int reply = indexOf(lines, env.stackIp + " > " + env.hostIp + ": ICMP echo reply, id \\d+, seq " + seq + ",");
            assertTrue(request >= 0 && reply > request, "request " + seq + " received, then its reply sent:\n"
                    + read.output() + summary);
        }
    }

    private static int indexOf(List<String> lines, String regex) {
        Pattern p = Pattern.compile(regex);
        for (int i = 0; i < lines.size(); i++) {
            if (p.matcher(lines.get(i)).find()) {
                return i;
            }
        }
        return -1;
    }

    private String stackMac() {
        Cmd c = env.ns.exec("ip", "neigh", "show", env.stackIp, "dev", env.tap).ok();
        Matcher m = Pattern.compile("lladdr ([0-9a-f:]{17})").matcher(c.output());
        assertTrue(m.find(), "the namespace knows the stack's MAC: " + c.output());
        return m.group(1);
    }

    /** Prints the daemon's log and the namespace's view of the link when a test fails. */
    static final class LogOnFailure implements TestWatcher {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            Object test = context.getTestInstance().orElse(null);
            if (test instanceof TapPingIT t && t.env != null) {
                System.err.println(t.env.diagnostics());
            }
        }
    }
}
