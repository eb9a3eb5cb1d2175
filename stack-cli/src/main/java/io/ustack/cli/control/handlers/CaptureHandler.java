package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.cli.control.ControlHandler;
import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.link.NetDevice;
import io.ustack.core.link.PacketTap;
import io.ustack.core.stack.NetStack;
import io.ustack.core.time.Clock;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code capture}: {@code tcpdump -i IF [-Q in|out|inout] -w FILE}: the frames received and sent on an
 * interface, in the order the stack handled them, written by the daemon to a classic libpcap file
 * (LINKTYPE_ETHERNET, microsecond timestamps) until {@code count} frames or {@code timeoutMs}; the file is
 * overwritten, as tcpdump -w does. A received frame is stamped when the driver handed it over, a sent one
 * just before the driver takes it. The packet tap only copies each frame onto a bounded queue (frames beyond
 * it are counted as dropped, as the kernel's "dropped by kernel"); this thread writes the file.
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

    /** tcpdump's -Q: which way the captured frames go. */
    enum Direction {
        IN, OUT, INOUT;

        boolean wants(PacketTap.Direction d) {
            return this == INOUT || d.name().equals(name());
        }
    }

    /** Runs for as long as asked, on a thread of its own; an interrupt (its client gone) ends it early. */
    @Override
    public boolean longRunning() {
        return true;
    }

    @Override
    public Object execute(ObjectNode args) throws ControlException {
        Args.only(args, name(), "iface", "file", "count", "timeoutMs", "direction");
        NetDevice dev = Args.device(stack, Args.required(args, name(), "iface", "the interface to capture on"));
        Path file = Path.of(Args.required(args, name(), "file", "the pcap file to write"));
        if (!file.isAbsolute()) {
            throw new ControlException("capture's file must be an absolute path, not " + file);
        }
        long count = longArg(args, "count", 0, 0, Integer.MAX_VALUE);
        long timeoutMs = longArg(args, "timeoutMs", 60_000, 1, MAX_TIMEOUT_MS);
        Direction direction = direction(args);
        BlockingQueue<Frame> queue = new ArrayBlockingQueue<>(QUEUE);
        AtomicLong dropped = new AtomicLong();
        Clock clock = stack.config().clock();
        // the stack's clock is monotonic: one reading of both clocks turns its times into wall-clock ones
        Instant wall = Instant.now();
        long epochNanosAtZero = wall.getEpochSecond() * 1_000_000_000L + wall.getNano() - clock.nanos();
        PacketTap tap = (pkt, dir) -> {
            // on loopback a sent frame is received at once: show it once, as libpcap does
            if (!direction.wants(dir) || dev.isLoopback() && dir == PacketTap.Direction.OUT) {
                return;
            }
            long t = dir == PacketTap.Direction.IN && pkt.tstamp() != 0 ? pkt.tstamp() : clock.nanos();
            if (!queue.offer(new Frame((epochNanosAtZero + t) / 1000, copy(pkt, dir)))) {
                dropped.incrementAndGet();
            }
        };
        long captured = 0;
        // a FileOutputStream, not a FileChannel's: the interrupt that ends a capture whose client went must not close
        // the file under a write and lose what was buffered
        try (OutputStream out = new BufferedOutputStream(new FileOutputStream(file.toFile()))) {
            out.write(globalHeader());
            dev.addPacketTap(tap);
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
                dev.removePacketTap(tap);
            }
        } catch (IOException e) {
            throw new ControlException("cannot write " + file + ": " + why(file, e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Map.of("file", file.toString(), "captured", captured, "dropped", dropped.get() + queue.size());
    }

    /**
     * Why a file could not be written, in words, from what the file system shows: the JDK's exceptions carry the
     * path where the reason should be.
     */
    static String why(Path file, IOException e) {
        Path dir = file.getParent();
        if (Files.isDirectory(file)) {
            return "it is a directory";
        }
        if (dir != null && !Files.exists(dir)) {
            return "the directory " + dir + " does not exist";
        }
        if (dir != null && !Files.isDirectory(dir)) {
            return dir + " is not a directory";
        }
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (m.contains("Permission denied")) {
            return "permission denied (the daemon writes it, as its own user)";
        }
        String prefix = file + " (";
        return m.startsWith(prefix) && m.endsWith(")") ? m.substring(prefix.length(), m.length() - 1) : m;
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

    private static Direction direction(ObjectNode args) throws ControlException {
        JsonNode n = args.get("direction");
        if (n == null || n.isNull()) {
            return Direction.INOUT;
        }
        for (Direction d : Direction.values()) {
            if (d.name().toLowerCase(Locale.ROOT).equals(n.asText())) {
                return d;
            }
        }
        throw new ControlException("capture's \"direction\" must be in, out or inout, not " + n);
    }

    /**
     * The frame from its Ethernet header to the end, cut at the snap length: a received frame has had the
     * header pulled (eth_type_trans), a sent one starts with it.
     */
    private static byte[] copy(PacketBuffer pkt, PacketTap.Direction dir) {
        int from = dir == PacketTap.Direction.IN ? pkt.macHeader() : pkt.data();
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
