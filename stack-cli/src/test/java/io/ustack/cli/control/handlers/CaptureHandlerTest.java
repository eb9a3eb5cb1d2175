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
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** capture writes the frames received on one interface to a pcap file that a pcap reader (and tcpdump) reads. */
class CaptureHandlerTest {
    @TempDir
    Path dir;

    private static final byte[] ARP = Frames.eth(-1L >>> 16, StackHarness.HOST_MAC, Frames.ETH_P_ARP,
            Frames.arp(1, StackHarness.HOST_MAC, StackHarness.HOST_IP, 0, StackHarness.STACK_IP));

    @Test
    @SuppressWarnings("unchecked")
    void writesAPcapOfTheInterfacesFrames() throws Exception {
        Path file = dir.resolve("eth0.pcap");
        Files.writeString(file, "an old file is overwritten");
        try (StackHarness h = new StackHarness()) {
            FakeDevice other = h.addDevice("eth1", 0x02_00_00_00_01_02L, 1500, "10.1.0.2/24");
            ObjectNode args = Json.MAPPER.createObjectNode().put("iface", "eth0").put("file", file.toString())
                    .put("count", 3).put("timeoutMs", 10_000);
            CompletableFuture<Object> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return new CaptureHandler(h.stack).execute(args);
                } catch (ControlException e) {
                    throw new IllegalStateException(e);
                }
            });
            long start = System.nanoTime();
            while (!run.isDone() && System.nanoTime() - start < 10_000_000_000L) { // until the tap has seen 3
                h.dev.inject(ARP);
                other.inject(Frames.eth(-1L >>> 16, 0x02_00_00_00_09_09L, Frames.ETH_P_ARP,
                        Frames.arp(1, 0x02_00_00_00_09_09L, Frames.ip("10.1.0.9"), 0, Frames.ip("10.1.0.2"))));
                h.sent();
                other.drain();
                Thread.sleep(5);
            }
            Map<String, Object> r = (Map<String, Object>) run.get(1, TimeUnit.SECONDS);
            assertEquals(3L, r.get("captured"));
        }
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
        assertEquals(3, frames.size());
        for (byte[] f : frames) {
            assertArrayEquals(ARP, f, "eth0's frame from its Ethernet header on, and none of eth1's");
        }
        tcpdumpReads(file);
    }

    /** tcpdump -r reads the file, where it is installed (CI installs it). */
    private static void tcpdumpReads(Path file) throws Exception {
        boolean ci = "true".equals(System.getenv("CI"));
        boolean present = Files.isExecutable(Path.of("/usr/bin/tcpdump")) || Files.isExecutable(Path.of("/usr/sbin/tcpdump"));
        if (!present && !ci) {
            Assumptions.abort("tcpdump is not installed");
        }
        Process p = new ProcessBuilder("tcpdump", "-r", file.toString(), "-nn").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertEquals(3, out.lines().filter(l -> l.contains("ARP, Request who-has 10.0.0.2 tell 10.0.0.1")).count(), out);
    }

    @Test
    void refusesAMissingInterfaceAndARelativePath() {
        try (StackHarness h = new StackHarness()) {
            CaptureHandler c = new CaptureHandler(h.stack);
            assertEquals("there is no interface named nope", assertThrows(ControlException.class, () -> c.execute(
                    Json.MAPPER.createObjectNode().put("iface", "nope").put("file", "/tmp/x.pcap"))).getMessage());
            assertEquals("capture's file must be an absolute path, not x.pcap", assertThrows(ControlException.class,
                    () -> c.execute(Json.MAPPER.createObjectNode().put("iface", "eth0").put("file", "x.pcap"))).getMessage());
        }
    }
}
