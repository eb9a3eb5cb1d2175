package io.ustack.cli.control.handlers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.cli.control.Json;
import io.ustack.core.testing.FakeDevice;
import io.ustack.core.testing.Frames;
import io.ustack.core.testing.Requirement;
import io.ustack.core.testing.StackHarness;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** capture writes the frames received and sent on one interface to a pcap file that a pcap reader (and tcpdump) reads. */
class CaptureHandlerTest {
    @TempDir
    Path dir;

    private static final byte[] ARP = Frames.eth(-1L >>> 16, StackHarness.HOST_MAC, Frames.ETH_P_ARP,
            Frames.arp(1, StackHarness.HOST_MAC, StackHarness.HOST_IP, 0, StackHarness.STACK_IP));

    @Test
    void aFileThatCannotBeWrittenIsSaidInWords() throws Exception {
        try (StackHarness h = new StackHarness()) {
            CaptureHandler c = new CaptureHandler(h.stack);
            ObjectNode args = Json.MAPPER.createObjectNode().put("iface", "eth0").put("timeoutMs", 1);
            assertEquals("cannot write /no/such/dir/x: the directory /no/such/dir does not exist",
                    assertThrows(ControlException.class, () -> c.execute(args.deepCopy().put("file", "/no/such/dir/x")))
                            .getMessage());
            assertEquals("cannot write " + dir + ": it is a directory",
                    assertThrows(ControlException.class, () -> c.execute(args.deepCopy().put("file", dir.toString())))
                            .getMessage());
            Path plain = Files.writeString(dir.resolve("plain"), "x");
            assertEquals("cannot write " + plain + "/x: " + plain + " is not a directory",
                    assertThrows(ControlException.class, () -> c.execute(args.deepCopy().put("file", plain + "/x")))
                            .getMessage());
        }
    }

    @Test
    void writesAPcapOfTheInterfacesFrames() throws Exception {
        Path file = dir.resolve("eth0.pcap");
        Files.writeString(file, "an old file is overwritten");
        try (StackHarness h = new StackHarness()) {
            FakeDevice other = h.addDevice("eth1", 0x02_00_00_00_01_02L, 1500, "10.1.0.2/24");
            assertEquals(3L, capture(h, file, 3, "in", () -> {
                h.dev.inject(ARP);
                other.inject(Frames.eth(-1L >>> 16, 0x02_00_00_00_09_09L, Frames.ETH_P_ARP,
                        Frames.arp(1, 0x02_00_00_00_09_09L, Frames.ip("10.1.0.9"), 0, Frames.ip("10.1.0.2"))));
                h.sent();
                other.drain();
            }).get("captured"));
        }
        List<byte[]> frames = readPcap(file);
        assertEquals(3, frames.size());
        for (byte[] f : frames) {
            assertArrayEquals(ARP, f, "eth0's received frames (-Q in: not its replies) and none of eth1's");
        }
        assertEquals(3, tcpdump(file).lines().filter(l -> l.contains("ARP, Request who-has 10.0.0.2 tell 10.0.0.1")).count());
    }

    @Test
    void sentFramesAreCapturedInOrderWithTheReceivedOnes() throws Exception {
        Path file = dir.resolve("both.pcap");
        Path outOnly = dir.resolve("out.pcap");
        byte[] request = Frames.eth(StackHarness.STACK_MAC, StackHarness.HOST_MAC, Frames.ETH_P_IP, Frames.ipv4(
                StackHarness.HOST_IP, StackHarness.STACK_IP, 1, 64, 7, 0, Frames.icmpEcho(8, 0x77, 1, Frames.pattern(24))));
        try (StackHarness h = new StackHarness()) {
            h.stack.neighbours().update(h.dev, StackHarness.HOST_IP, StackHarness.HOST_MAC, true, true);
            List<byte[]> sent = new ArrayList<>();
            assertEquals(4L, capture(h, file, 4, "inout", () -> {
                h.dev.inject(request);
                sent.addAll(h.sent());
            }).get("captured"));
            assertEquals(2L, capture(h, outOnly, 2, "out", () -> {
                h.dev.inject(request);
                h.sent();
            }).get("captured"));
            List<byte[]> frames = readPcap(file);
            assertArrayEquals(request, frames.get(0));
            assertArrayEquals(sent.get(0), frames.get(1), "the reply, after its request");
            assertArrayEquals(request, frames.get(2));
            assertArrayEquals(sent.get(1), frames.get(3));
            for (byte[] f : readPcap(outOnly)) {
                assertEquals(0, f[34], "-Q out: echo replies only");
            }
        }
        String text = tcpdump(file);
        assertEquals(2, text.lines().filter(l -> l.contains("10.0.0.1 > 10.0.0.2: ICMP echo request, id 119")).count(), text);
        assertEquals(2, text.lines().filter(l -> l.contains("10.0.0.2 > 10.0.0.1: ICMP echo reply, id 119")).count(), text);
    }

    /** Runs a capture of {@code count} frames on eth0, doing {@code traffic} repeatedly once its tap is attached. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> capture(StackHarness h, Path file, int count, String direction, Runnable traffic)
            throws Exception {
        ObjectNode args = Json.MAPPER.createObjectNode().put("iface", "eth0").put("file", file.toString())
                .put("count", count).put("timeoutMs", 10_000).put("direction", direction);
        CompletableFuture<Object> run = CompletableFuture.supplyAsync(() -> {
            try {
                return new CaptureHandler(h.stack).execute(args);
            } catch (ControlException e) {
                throw new IllegalStateException(e);
            }
        });
        long start = System.nanoTime();
        while (!run.isDone() && System.nanoTime() - start < 10_000_000_000L) {
            if (h.dev.nitActive()) { // not before: a tap attached halfway through would see a reply alone
                traffic.run();
            }
            Thread.sleep(5);
        }
        return (Map<String, Object>) run.get(1, TimeUnit.SECONDS);
    }

    /** The records of a classic pcap file, after checking its header and each record's timestamp. */
    private static List<byte[]> readPcap(Path file) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0xa1b2c3d4, b.getInt(), "magic, microsecond timestamps");
        assertEquals(2, b.getShort());
        assertEquals(4, b.getShort());
        assertEquals(0, b.getInt(), "thiszone");
        assertEquals(0, b.getInt(), "sigfigs");
        assertEquals(262_144, b.getInt(), "snaplen");
        assertEquals(1, b.getInt(), "LINKTYPE_ETHERNET");
        List<byte[]> frames = new ArrayList<>();
        long now = System.currentTimeMillis() / 1000;
        while (b.hasRemaining()) {
            long sec = b.getInt() & 0xffff_ffffL;
            int usec = b.getInt();
            int caplen = b.getInt();
            assertEquals(caplen, b.getInt(), "orig_len");
            assertTrue(Math.abs(now - sec) < 60, "a timestamp of now: " + sec);
            assertTrue(usec >= 0 && usec < 1_000_000);
            byte[] f = new byte[caplen];
            b.get(f);
            frames.add(f);
        }
        return frames;
    }

    /** What tcpdump -r prints of the file, where it is installed (CI installs it). */
    private static String tcpdump(Path file) throws Exception {
        if (!Files.isExecutable(Path.of("/usr/bin/tcpdump")) && !Files.isExecutable(Path.of("/usr/sbin/tcpdump"))) {
            Requirement.unmet("reading the capture back needs tcpdump, which is not installed");
        }
        Process p = new ProcessBuilder("tcpdump", "-r", file.toString(), "-nn").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    @Test
    void refusesAMissingInterfaceAndARelativePath() {
        try (StackHarness h = new StackHarness()) {
            CaptureHandler c = new CaptureHandler(h.stack);
            assertEquals("there is no interface named nope", assertThrows(ControlException.class, () -> c.execute(
                    Json.MAPPER.createObjectNode().put("iface", "nope").put("file", "/tmp/x.pcap"))).getMessage());
            assertEquals("capture's file must be an absolute path, not x.pcap", assertThrows(ControlException.class,
                    () -> c.execute(Json.MAPPER.createObjectNode().put("iface", "eth0").put("file", "x.pcap"))).getMessage());
            assertEquals("capture's \"direction\" must be in, out or inout, not \"both\"", assertThrows(ControlException.class,
                    () -> c.execute(Json.MAPPER.createObjectNode().put("iface", "eth0").put("file", "/tmp/x.pcap")
                            .put("direction", "both"))).getMessage());
        }
    }
}
