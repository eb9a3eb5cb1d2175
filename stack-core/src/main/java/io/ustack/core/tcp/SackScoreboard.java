package io.ustack.core.tcp;

import io.ustack.core.stats.Mib;
import io.ustack.core.stats.MibCounters;

/**
 * The sender's scoreboard: which bytes above snd_una the peer has reported holding in SACK blocks (RFC 6675
 * section 3; the kernel keeps the same as TCPCB_SACKED_ACKED marks on its retransmit queue, set by
 * tcp_sacktag_write_queue). From it come the RFC's IsLost, the pipe estimate that paces sending during
 * recovery, and the holes worth retransmitting.
 *
 * <p>It holds sorted, disjoint, non-touching ranges of sequence numbers, at most {@link #MAX_RANGES}: a peer
 * that reports more holes than that only costs us knowledge (the highest range is forgotten, so its bytes
 * may be sent again), never memory. The arrays are made at the first SACK, so a connection that never
 * loses anything pays nothing for them. Sequence numbers compare modulo 2^32; every range lies between
 * snd_una and snd_max, less than 2^31 apart. Not thread-safe: it lives on its connection's thread.
 */
final class SackScoreboard {
    /** How many disjoint SACKed ranges are remembered. */
    static final int MAX_RANGES = 32;

    private final MibCounters mib;
    private int[] starts;
    private int[] ends;
    private int count;
    private int sackedBytes;

    SackScoreboard(MibCounters mib) {
        this.mib = mib;
    }

    /**
     * tcp_sacktag_write_queue: records the SACK blocks of an ACK. {@code una} is the cumulative ACK point
     * after this ACK, {@code sndMax} the highest sequence number sent. A first block below the cumulative ACK,
     * or inside the second block, is a D-SACK (RFC 2883): a report of a duplicate, counted, not recorded.
     * Blocks that are empty or reach beyond what was sent are discarded and counted (TCPSACKDiscard).
     * Returns the bytes newly SACKed.
     */
    int update(int[] blocks, int una, int sndMax) {
        advance(una);
        int newly = 0;
        for (int i = 0; i + 1 < blocks.length; i += 2) {
            int start = blocks[i];
            int end = blocks[i + 1];
            if (i == 0 && isDsack(blocks, una)) {
                mib.inc(Mib.TcpExtTCPDSACKRecv);
                continue;
            }
            if (!SeqNum.before(start, end) || SeqNum.after(end, sndMax) || !SeqNum.after(end, una)) {
                mib.inc(Mib.TcpExtTCPSACKDiscard);
                continue;
            }
            newly += add(SeqNum.before(start, una) ? una : start, end);
        }
        return newly;
    }

    /** RFC 2883 section 4: how a receiver marks its first block as reporting a duplicate. */
    private static boolean isDsack(int[] blocks, int una) {
        if (SeqNum.before(blocks[0], una)) {
            return true;
        }
        return blocks.length >= 4 && !SeqNum.before(blocks[0], blocks[2]) && !SeqNum.after(blocks[1], blocks[3]);
    }

    /** Merges [start, end) in; returns how many of its bytes were not SACKed before. */
    private int add(int start, int end) {
        if (starts == null) {
            starts = new int[MAX_RANGES];
            ends = new int[MAX_RANGES];
        }
        int first = 0; // the first range that ends at or after start: the ones before it lie wholly below
        while (first < count && SeqNum.before(ends[first], start)) {
            first++;
        }
        int last = first; // one past the last range that starts at or before end: those merge with the block
        int covered = 0;
        int lo = start;
        int hi = end;
        while (last < count && !SeqNum.after(starts[last], end)) {
            covered += ends[last] - starts[last];
            lo = SeqNum.before(starts[last], lo) ? starts[last] : lo;
            hi = SeqNum.after(ends[last], hi) ? ends[last] : hi;
            last++;
        }
        if (first == last && count == MAX_RANGES) {
            if (first == count) {
                return 0; // above every range we can keep: forgetting it only means sending it again
            }
            count--; // make room by forgetting the highest range
            sackedBytes -= ends[count] - starts[count];
        }
        int merged = last - first;
        int shift = 1 - merged; // the ranges above move up one place (a new range) or down (merged ones)
        if (shift != 0) {
            System.arraycopy(starts, last, starts, last + shift, count - last);
            System.arraycopy(ends, last, ends, last + shift, count - last);
        }
        starts[first] = lo;
        ends[first] = hi;
        count += shift;
        int added = (hi - lo) - covered;
        sackedBytes += added;
        return added;
    }

    /** The cumulative ACK moved to {@code una}: what it covers is no longer the scoreboard's business. */
    void advance(int una) {
        int gone = 0;
        while (gone < count && !SeqNum.after(ends[gone], una)) {
            sackedBytes -= ends[gone] - starts[gone];
            gone++;
        }
        if (gone > 0) {
            System.arraycopy(starts, gone, starts, 0, count - gone);
            System.arraycopy(ends, gone, ends, 0, count - gone);
            count -= gone;
        }
        if (count > 0 && SeqNum.before(starts[0], una)) {
            sackedBytes -= una - starts[0];
            starts[0] = una;
        }
    }

    /**
     * tcp_check_sack_reneging: the cumulative ACK stops exactly where SACKed data begins, so the receiver
     * threw away what it had reported holding. Then nothing it reported can be trusted.
     */
    boolean reneged(int una) {
        return count > 0 && starts[0] == una;
    }

    /** Forgets every range. */
    void clear() {
        count = 0;
        sackedBytes = 0;
    }

    boolean isEmpty() {
        return count == 0;
    }

    int sackedBytes() {
        return sackedBytes;
    }

    /** The SACKed bytes between {@code from} and {@code to}. */
    int sackedBetween(int from, int to) {
        int n = 0;
        for (int i = 0; i < count; i++) {
            int s = SeqNum.before(starts[i], from) ? from : starts[i];
            int e = SeqNum.after(ends[i], to) ? to : ends[i];
            if (SeqNum.before(s, e)) {
                n += e - s;
            }
        }
        return n;
    }

    /** The end of the highest SACKed range, or {@code una} if nothing is SACKed. */
    int highestSackedEnd(int una) {
        return count == 0 ? una : ends[count - 1];
    }

    /** If {@code seq} is SACKed, the end of its range (where sending may resume); else {@code seq} itself. */
    int skipSacked(int seq) {
        for (int i = 0; i < count; i++) {
            if (!SeqNum.before(seq, starts[i]) && SeqNum.before(seq, ends[i])) {
                return ends[i];
            }
        }
        return seq;
    }

    /** The start of the first SACKed range above {@code seq}, or {@code limit} if none starts before it. */
    int nextSackedStart(int seq, int limit) {
        for (int i = 0; i < count; i++) {
            if (SeqNum.after(starts[i], seq)) {
                return SeqNum.before(starts[i], limit) ? starts[i] : limit;
            }
        }
        return limit;
    }

    /**
     * RFC 6675's IsLost for the hole that ends where range {@code above} begins: more than DupThresh - 1
     * segments' worth of bytes, or DupThresh separate ranges, are SACKed above it. Every byte of a hole has
     * the same SACKed bytes above it, so the test is per hole.
     */
    private boolean holeLost(int above, int mss) {
        int bytes = 0;
        for (int i = above; i < count; i++) {
            bytes += ends[i] - starts[i];
        }
        return bytes > (Tcb.DUPACK_THRESHOLD - 1) * mss || count - above >= Tcb.DUPACK_THRESHOLD;
    }

    /** IsLost(una): whether the first unacknowledged byte is deemed lost. */
    boolean headLost(int una, int mss) {
        return count > 0 && SeqNum.after(starts[0], una) && holeLost(0, mss);
    }

    /**
     * RFC 6675's SetPipe: the bytes still in the network. An unSACKed byte counts once unless it is deemed
     * lost, and once more if it was retransmitted in this recovery (it lies below {@code highRxt}).
     */
    int pipe(int una, int sndMax, int highRxt, int mss) {
        int pipe = 0;
        int holeStart = una;
        for (int i = 0; i <= count; i++) {
            int holeEnd = i < count ? starts[i] : sndMax;
            if (SeqNum.before(holeStart, holeEnd)) {
                if (i == count || !holeLost(i, mss)) {
                    pipe += holeEnd - holeStart;
                }
                int rxtEnd = SeqNum.before(highRxt, holeEnd) ? highRxt : holeEnd;
                if (SeqNum.before(holeStart, rxtEnd)) {
                    pipe += rxtEnd - holeStart;
                }
            }
            if (i < count) {
                holeStart = ends[i];
            }
        }
        return pipe;
    }

    /**
     * RFC 6675's NextSeg, rules 1 and 3: the first unSACKed byte at or above {@code from} that lies in a hole
     * deemed lost (rule 1) or, with {@code belowSacked}, in any hole below SACKed data (rule 3). Returns it
     * as a long, or -1 if there is none. The hole ends where {@link #nextSackedStart} says.
     */
    long nextHole(int from, int mss, boolean belowSacked) {
        for (int i = 0; i < count; i++) {
            int candidate = i == 0 || SeqNum.before(ends[i - 1], from) ? from : ends[i - 1];
            if (SeqNum.before(candidate, starts[i]) && (belowSacked || holeLost(i, mss))) {
                return candidate & 0xffff_ffffL;
            }
        }
        return -1;
    }
}
