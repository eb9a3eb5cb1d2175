package io.ustack.core.tcp;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The peer's bytes on their way to the application: in-order bytes ready to read (sk_receive_queue) and
 * segments that arrived ahead of a gap (tcp_ofo_queue). Positions count bytes of the stream since the
 * connection began, so held segments keep their keys as the in-order end moves. The window offered to the
 * peer is what the buffer can still take, in-order and held bytes together never exceed its capacity
 * (SO_RCVBUF): a peer that ignores the window cannot make it grow. The ring starts empty and grows as data
 * waits in it, so an idle connection costs no buffer at all. Not thread-safe.
 */
final class ReceiveBuffer {
    private int capacity;
    private final ByteRing ring;
    /** Stream position just past the last in-order byte. */
    private long end;
    /** Out-of-order data by stream position. */
    private final TreeMap<Long, byte[]> ofo = new TreeMap<>();
    private int ofoBytes;

    ReceiveBuffer(int capacity) {
        this.capacity = capacity;
        this.ring = new ByteRing(capacity);
    }

    int capacity() {
        return capacity;
    }

    /** Grows the capacity to {@code bytes} (tcp_rcv_space_adjust raising sk_rcvbuf); never shrinks it. */
    void growTo(int bytes) {
        if (bytes > capacity) {
            capacity = bytes;
            ring.raiseLimit(bytes);
        }
    }

    /** Bytes ready for the application. */
    int readable() {
        return ring.size();
    }

    /** Room for more data: the receive window before scaling. */
    int window() {
        return Math.max(0, capacity - ring.size() - ofoBytes);
    }

    /**
     * Accepts {@code len} bytes of the peer's, {@code src} from index {@code from}, at {@code offset} from the
     * in-order end (0: they continue the stream). Bytes beyond what the buffer can hold are cut off; bytes
     * already received are ignored. In-order bytes are copied once, from {@code src} into the ring; bytes
     * ahead of a gap are copied into an array of their own and held (see {@link #hold}). Borrows {@code src}
     * for the call. Returns how far the in-order end advanced: the new bytes plus any held segments they
     * joined up with.
     */
    int accept(int offset, Payload src, int from, int len) {
        if (offset < 0) {
            from -= offset;
            len += offset;
            offset = 0;
        }
        len = Math.min(len, capacity - ring.size() - offset);
        if (len <= 0) {
            return 0;
        }
        if (offset > 0) {
            hold(end + offset, src, from, len);
            return 0;
        }
        long before = end;
        append(src, from, len);
        // tcp_ofo_queue: held segments that now continue the stream move in
        while (!ofo.isEmpty() && ofo.firstKey() <= end) {
            Map.Entry<Long, byte[]> e = ofo.pollFirstEntry();
            byte[] b = e.getValue();
            ofoBytes -= b.length;
            int skip = (int) (end - e.getKey());
            if (skip < b.length) {
                append(Payload.of(b), skip, b.length - skip);
            }
        }
        return (int) (end - before);
    }

    /**
     * tcp_data_queue_ofo: bytes ahead of a gap, held at their stream position. They are copied out of the
     * segment rather than the packet kept (as Linux keeps the skb): a packet held here would pin a pooled
     * buffer, up to 64 KB for a GRO'd one, for as long as the gap lasts, and its ownership would pass from the
     * receive path to the connection; loss is the uncommon case, where a second copy costs little.
     */
    private void hold(long position, Payload src, int from, int len) {
        byte[] prior = ofo.get(position);
        if (prior != null && prior.length >= len) {
            return; // a duplicate of what is held
        }
        if (ofoBytes + len - (prior == null ? 0 : prior.length) > capacity - ring.size()) {
            return; // overlapping copies would take more than the buffer: it is sent again later
        }
        byte[] copy = new byte[len];
        src.copyTo(from, copy, 0, len);
        ofo.put(position, copy);
        ofoBytes += len - (prior == null ? 0 : prior.length);
    }

    private void append(Payload src, int from, int len) {
        ring.append(src, from, len);
        end += len;
    }

    /** Drops the next in-order byte unread (the urgent byte, kept out of the stream); returns whether there was one. */
    boolean skip() {
        if (ring.size() == 0) {
            return false;
        }
        ring.consume(1);
        return true;
    }

    /** Copies {@code len} in-order bytes from {@code from} on to {@code dst}, leaving them to be read (MSG_PEEK). */
    void peek(int from, byte[] dst, int off, int len) {
        ring.copyOut(from, dst, off, len);
    }

    /** Copies up to {@code len} in-order bytes to the application; returns how many. */
    int read(byte[] dst, int off, int len) {
        int n = Math.min(len, ring.size());
        ring.copyOut(0, dst, off, n);
        ring.consume(n);
        return n;
    }

    /**
     * The out-of-order ranges held, as [start, end) offsets from the in-order end, merged where they touch
     * or overlap: what SACK blocks report.
     */
    List<int[]> outOfOrderRanges() {
        List<int[]> out = new ArrayList<>();
        for (Map.Entry<Long, byte[]> e : ofo.entrySet()) {
            int s = (int) (e.getKey() - end);
            int stop = s + e.getValue().length;
            int[] last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && last[1] >= s) {
                last[1] = Math.max(last[1], stop);
            } else {
                out.add(new int[] {s, stop});
            }
        }
        return out;
    }
}
