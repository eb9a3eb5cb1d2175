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
    private static final byte[] EMPTY = new byte[0];
    private final int capacity;
    private byte[] ring = EMPTY;
    private int head;
    private int size;
    /** Stream position just past the last in-order byte. */
    private long end;
    /** Out-of-order data by stream position. */
    private final TreeMap<Long, byte[]> ofo = new TreeMap<>();
    private int ofoBytes;

    ReceiveBuffer(int capacity) {
        this.capacity = capacity;
    }

    int capacity() {
        return capacity;
    }

    /** Bytes ready for the application. */
    int readable() {
        return size;
    }

    /** Room for more data: the receive window before scaling. */
    int window() {
        return capacity - size - ofoBytes;
    }

    /**
     * Accepts the peer's bytes at {@code offset} from the in-order end (0: they continue the stream). Bytes
     * beyond what the buffer can hold are cut off; bytes already received are ignored. Returns how far the
     * in-order end advanced: the new bytes plus any held segments they joined up with.
     */
    int accept(int offset, byte[] src, int srcOff, int len) {
        if (offset < 0) {
            srcOff -= offset;
            len += offset;
            offset = 0;
        }
        len = Math.min(len, capacity - size - offset);
        if (len <= 0) {
            return 0;
        }
        if (offset > 0) {
            hold(end + offset, src, srcOff, len);
            return 0;
        }
        long before = end;
        append(src, srcOff, len);
        // tcp_ofo_queue: held segments that now continue the stream move in
        while (!ofo.isEmpty() && ofo.firstKey() <= end) {
            Map.Entry<Long, byte[]> e = ofo.pollFirstEntry();
            byte[] b = e.getValue();
            ofoBytes -= b.length;
            int skip = (int) (end - e.getKey());
            if (skip < b.length) {
                append(b, skip, b.length - skip);
            }
        }
        return (int) (end - before);
    }

    private void hold(long position, byte[] src, int srcOff, int len) {
        byte[] prior = ofo.get(position);
        if (prior != null && prior.length >= len) {
            return; // a duplicate of what is held
        }
        byte[] copy = new byte[len];
        System.arraycopy(src, srcOff, copy, 0, len);
        ofo.put(position, copy);
        ofoBytes += len - (prior == null ? 0 : prior.length);
    }

    private void append(byte[] src, int off, int len) {
        ensureRoom(size + len);
        int tail = (head + size) % ring.length;
        int first = Math.min(len, ring.length - tail);
        System.arraycopy(src, off, ring, tail, first);
        System.arraycopy(src, off + first, ring, 0, len - first);
        size += len;
        end += len;
    }

    /** Grows the ring (doubling, up to the capacity) so it holds {@code needed} bytes. */
    private void ensureRoom(int needed) {
        if (needed <= ring.length) {
            return;
        }
        byte[] bigger = new byte[Math.min(capacity, Math.max(needed, Math.max(4096, ring.length * 2)))];
        int first = Math.min(size, ring.length - head);
        System.arraycopy(ring, head, bigger, 0, first);
        System.arraycopy(ring, 0, bigger, first, size - first);
        ring = bigger;
        head = 0;
    }

    /** Copies up to {@code len} in-order bytes to the application; returns how many. */
    int read(byte[] dst, int off, int len) {
        int n = Math.min(len, size);
        if (n == 0) {
            return 0;
        }
        int first = Math.min(n, ring.length - head);
        System.arraycopy(ring, head, dst, off, first);
        System.arraycopy(ring, 0, dst, off + first, n - first);
        head = (head + n) % ring.length;
        size -= n;
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
