package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.cli.control.ControlHandler;
import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.link.NetDevice;
import io.ustack.core.stack.NetStack;
import io.ustack.core.stack.PacketTap;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code capture}: {@code tcpdump -i IF -w FILE}: the frames received on an interface, written by the daemon
 * to a classic libpcap file (LINKTYPE_ETHERNET, microsecond timestamps) until {@code count} frames or
 * {@code timeoutMs}; the file is overwritten, as tcpdump -w does. The packet tap only copies each frame onto
 * a bounded queue (frames beyond it are counted as dropped, as the kernel's "dropped by kernel"); this
 * thread writes the file.
 */
public final class CaptureHandler implements ControlHandler {
    public static final long MAX_TIMEOUT_MS = 3_600_000;
    public static final int SNAPLEN = 262_144;
    public static final int LINKTYPE_ETHERNET = 1;
    private static final int QUEUE = 4096;

    private final NetStack stack;

    public CaptureHandler(NetStack stack) {
        this.stack = stack;
    }

    @Override
    public String name() {
        return "capture";
    }

    private record Frame(long epochMicros, byte[] bytes) {
    }

    @Override
    public Object execute(ObjectNode args) throws ControlException {
        Args.only(args, name(), "iface", "file", "count", "timeoutMs");
        NetDevice dev = Args.device(stack, Args.required(args, name(), "iface", "the interface to capture on"));
        Path file = Path.of(Args.required(args, name(), "file", "the pcap file to write"));
        if (!file.isAbsolute()) {
            throw new ControlException("capture's file must be an absolute path, not " + file);
        }
        long count = longArg(args, "count", 0, 0, Integer.MAX_VALUE);
        long timeoutMs = longArg(args, "timeoutMs", 60_000, 1, MAX_TIMEOUT_MS);
        BlockingQueue<Frame> queue = new ArrayBlockingQueue<>(QUEUE);
        AtomicLong dropped = new AtomicLong();
        PacketTap tap = pkt -> {
            if (pkt.dev() != dev) {
                return;
            }
            if (!queue.offer(new Frame(epochMicros(), copy(pkt)))) {
                dropped.incrementAndGet();
            }
        };
        long captured = 0;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
            out.write(globalHeader());
            stack.addPacketTap(tap);
            try {
                long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
                while (count == 0 || captured < count) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    Frame f = queue.poll(left, TimeUnit.NANOSECONDS);
                    if (f == null) {
                        break;
                    }
                    out.write(record(f));
                    captured++;
                    if (queue.isEmpty()) {
                        out.flush(); // a reader of the growing file sees whole records
                    }
                }
            } finally {
                stack.removePacketTap(tap);
            }
        } catch (IOException e) {
            throw new ControlException("cannot write " + file + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Map.of("file", file.toString(), "captured", captured, "dropped", dropped.get() + queue.size());
    }

    private static long longArg(ObjectNode args, String name, long dflt, long min, long max) throws ControlException {
        JsonNode n = args.get(name);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < min || n.asLong() > max) {
            throw new ControlException("capture's \"" + name + "\" must be a whole number from " + min + " to " + max);
        }
        return n.asLong();
    }

    private static long epochMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }

    /** The frame from its Ethernet header to the end, cut at the snap length. */
    private static byte[] copy(PacketBuffer pkt) {
        int from = pkt.macHeader();
        byte[] b = new byte[Math.min(pkt.tail() - from, SNAPLEN)];
        pkt.copyOut(from, b, 0, b.length);
        return b;
    }

    /** pcap_file_header: magic, version 2.4, thiszone, sigfigs, snaplen, linktype; little-endian. */
    static byte[] globalHeader() {
        return ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putInt(0xa1b2c3d4).putShort((short) 2)
                .putShort((short) 4).putInt(0).putInt(0).putInt(SNAPLEN).putInt(LINKTYPE_ETHERNET).array();
    }

    /** pcap_pkthdr (ts_sec, ts_usec, caplen, len) and the frame. */
    private static byte[] record(Frame f) {
        return ByteBuffer.allocate(16 + f.bytes.length).order(ByteOrder.LITTLE_ENDIAN)
                .putInt((int) (f.epochMicros / 1_000_000)).putInt((int) (f.epochMicros % 1_000_000))
                .putInt(f.bytes.length).putInt(f.bytes.length).put(f.bytes).array();
    }
}
