package io.ustack.core.tcp;

import static io.ustack.core.tcp.Tcb.MS;
import static io.ustack.core.wire.TcpSegment.FIN;

/**
 * The receiving half of a connection, gVisor's receiver (rcv.go): rcv_nxt, the receive buffer with its
 * out-of-order queue, the window we offer and the ACK policy. It mirrors tcp_data_queue (in-order data to
 * the buffer, the rest held), tcp_sequence (the acceptability test), tcp_select_window, tcp_ack_snd_check
 * and the delayed ACK (tcp_send_delayed_ack), tcp_measure_rcv_mss, tcp_build_sack and tcp_dsack_set (the
 * SACK blocks we report) and tcp_rcv_space_adjust (receive autotuning).
 *
 * <p>It sends nothing itself: an ACK goes through the connection's {@link Sender}, which tells it when one
 * left ({@link #ackSent}), because every segment we send carries the ACK and the window. The peer's FIN is
 * recorded here but acted on by the {@link Tcb}, whose state it changes.
 */
final class Receiver {
    private final Tcb tcb;
    private final TcpConfig cfg;
    /** The peer's initial sequence number. */
    int irs;
    int rcvNxt;
    int rcvWscale;
    final ReceiveBuffer rcvBuf;
    /** The peer's FIN has been taken in order: rcv_nxt counts it and reads end at the buffer's end. */
    boolean peerFin;
    /** Where the peer's FIN lies, if it arrived ahead of data still missing; meaningful while hasPendingFin. */
    private int pendingFinSeq;
    private boolean hasPendingFin;
    /** The right edge of the window last advertised (rcv_wup + rcv_wnd). */
    private int advertisedEdge;
    /** rcv_nxt when the window was last advertised (rcv_wup): segments ending before it are old. */
    private int rcvWup;
    /** The most recent out-of-order segment's first byte: its block goes first in our SACK option (RFC 2018 4). */
    private int lastOfoSeq;
    private boolean hasLastOfo;
    /** A duplicate the peer sent, reported once as a D-SACK block (RFC 2883); empty when start == end. */
    private int dsackStart;
    private int dsackEnd;
    /** Full-sized segments received since the last ACK we sent (icsk_ack.rcv_segs' role in __tcp_ack_snd_check). */
    private int segsUnacked;
    /** The delayed ACK's deadline in nanoseconds (icsk_ack.timeout), 0 when not armed. */
    long delackAt;
    /** tp->rcvq_space: bytes the application read in the last measured RTT, from where, since when. */
    private int rcvSpace;
    private int rcvSpaceSeq;
    private long rcvSpaceTime;
    private boolean rcvSpaceMeasuring;
    /** icsk_ack.rcv_mss: the peer's segment size as seen, to count a merged (GRO) segment as the ones it holds. */
    private int rcvMss = Tcb.DEFAULT_PEER_MSS;

    Receiver(Tcb tcb, TcpConfig cfg) {
        this.tcb = tcb;
        this.cfg = cfg;
        this.rcvBuf = new ReceiveBuffer(cfg.rcvBuf());
        this.rcvWscale = cfg.windowScale() ? scaleFor(Math.max(cfg.rcvBuf(), cfg.rcvBufMax())) : 0;
    }

    /**
     * The smallest shift that lets the whole receive buffer be offered, as large as autotuning may grow it
     * (tcp_select_initial_window, from tcp_rmem[2]).
     */
    private static int scaleFor(int buf) {
        int s = 0;
        while (s < TcpOptions.MAX_WSCALE && (buf >> s) > 65_535) {
            s++;
        }
        return s;
    }

    /** The peer's SYN, numbered {@code seq}, arrived: receiving starts after it. */
    void synReceived(int seq) {
        irs = seq;
        rcvNxt = seq + 1;
    }

    /**
     * cookie_v4_check: the SYN was answered with a cookie and forgotten, so the window its SYN-ACK offered
     * is known only as what a cookie's SYN-ACK always offers; receiving starts at the returning ACK's seq.
     */
    void fromCookie(int seq) {
        synReceived(seq - 1);
        rcvWup = rcvNxt;
        advertisedEdge = rcvNxt + Math.min(cfg.rcvBuf(), 65_535);
        rcvWscale = 0;
    }

    /** The buffer's room: what the window may offer now. */
    int window() {
        return rcvBuf.window();
    }

    /**
     * tcp_sequence, RFC 9293 3.10.7.4's acceptability test as Linux applies it: a segment is old only if it
     * ends before rcv_wup (rcv_nxt when the window was last offered), and too new only if it starts beyond
     * the right edge of the window offered, so a segment that starts at the edge passes. With the window
     * closed a segment at rcv_nxt still passes (its data is refused for want of room) so that its ACK is
     * heard. The window is the one offered, not what the buffer has room for now: a sender that filled
     * the window numbers its ACKs at the edge, and two ends with full buffers must still hear each other's
     * ACKs, or each waits for the other forever.
     */
    boolean acceptable(Segment seg) {
        int wnd = Math.max(offeredWindow(), window());
        return !SeqNum.before(seg.seq() + seg.seqLength(), rcvWup) && !SeqNum.after(seg.seq(), rcvNxt + wnd);
    }

    /** tcp_receive_window: what remains of the window last offered (rcv_wup + rcv_wnd - rcv_nxt), at least 0. */
    private int offeredWindow() {
        int w = advertisedEdge - rcvNxt;
        return Math.max(w, 0);
    }

    /**
     * tcp_select_window: the room the buffer has, but never less than what remains of the window already
     * offered (RFC 9293 3.8.6.2.2: a receiver should not shrink the window; Linux never does), rounded up to
     * the scale's unit so that scaling does not shrink it either. Data that then finds no room is dropped
     * and sent again, as under Linux's memory pressure. Receiver-side silly window avoidance (the same
     * section; __tcp_select_window): the right edge moves by at least a segment or half the buffer, or
     * stays, so a slow reader does not invite a stream of small segments. The segment is ours,
     * {@code sndMss}, where Linux takes the peer's as seen (icsk_ack.rcv_mss).
     */
    int windowToAdvertise(int sndMss) {
        int unit = 1 << rcvWscale;
        int offered = offeredWindow();
        int room = window();
        if (room - offered < Math.min(sndMss, rcvBuf.capacity() / 2)) {
            room = offered;
        }
        int scaled = Math.max(room >> rcvWscale, (offered + unit - 1) >> rcvWscale);
        return Math.min(scaled, 65_535);
    }

    /**
     * tcp_event_ack_sent: a segment carrying our ACK and {@code window} (scaled unless on a SYN) left, so
     * nothing waits to be acknowledged and the window it offered is the one the peer is held to.
     */
    void ackSent(int window, boolean syn) {
        segsUnacked = 0;
        delackAt = 0;
        advertisedEdge = rcvNxt + (window << (syn ? 0 : rcvWscale));
        rcvWup = rcvNxt;
    }

    /**
     * tcp_data_queue: in-order data to the buffer, data ahead of a gap held, a duplicate remembered for a
     * D-SACK; where the peer's FIN lies is recorded, for {@link #finInOrder} to tell. Returns whether the
     * segment wants an immediate ACK (tcp_enter_quickack_mode): out of order, a retransmission, or filling
     * a gap, so that the sender learns at once what is missing.
     */
    boolean dataQueue(Segment seg) {
        int len = seg.dataLength();
        boolean immediateAck = false;
        if (len > 0) {
            int offset = seg.seq() - rcvNxt;
            if (offset < 0) {
                reportDuplicate(seg.seq(), rcvNxt); // its head was here already
            } else if (offset > 0) {
                lastOfoSeq = seg.seq();
                hasLastOfo = true;
            }
            int advanced = rcvBuf.accept(offset, seg.data(), seg.dataOffset(), len);
            if (advanced > 0) {
                rcvNxt += advanced;
                tcb.events.readable();
            }
            immediateAck = offset != 0 || advanced != len || !rcvBuf.outOfOrderRanges().isEmpty();
            segsUnacked += receivedSegments(len);
        }
        if (seg.has(FIN)) {
            pendingFinSeq = seg.seq() + len;
            hasPendingFin = true;
        }
        return immediateAck;
    }

    /** The peer's FIN is next in sequence and not yet taken: every byte before it has arrived. */
    boolean finInOrder() {
        return hasPendingFin && pendingFinSeq == rcvNxt && !peerFin;
    }

    /** tcp_fin's part here: the FIN takes its sequence number; reads end once the buffer is empty. */
    void takeFin() {
        peerFin = true;
        rcvNxt++;
    }

    /**
     * tcp_ack_snd_check: an ACK now if {@code quick}, or for every second full segment; otherwise, for data,
     * the delayed ACK (tcp_send_delayed_ack) unless it is already armed.
     */
    void ackSndCheck(boolean quick, boolean data, long now) {
        if (quick) {
            tcb.snd.sendAck(now);
        } else if (data) {
            if (segsUnacked >= 2) {
                tcb.snd.sendAck(now);
            } else if (delackAt == 0) {
                delackAt = now + cfg.delAckMs() * MS;
            }
        }
    }

    /**
     * tcp_measure_rcv_mss, and the segments a payload of {@code len} bytes stands for: a super-packet merged by
     * GRO (or sent whole by the host) counts as the segments it was made of, so the ACK policy (one ACK at
     * least for every two full segments) holds however the data arrived.
     */
    private int receivedSegments(int len) {
        if (len >= rcvMss) {
            rcvMss = Math.min(len, cfg.mss());
        }
        return (len + rcvMss - 1) / rcvMss;
    }

    /** tcp_recvmsg: copies out in-order data; -1 at end of stream (the peer's FIN, all read). */
    int read(byte[] dst, int off, int len) {
        int n = rcvBuf.read(dst, off, len);
        return n == 0 && peerFin ? -1 : n;
    }

    /**
     * tcp_cleanup_rbuf: after reads, tell the peer of a window that grew by a real amount (two segments or
     * half the buffer), or a sender that waits for room would wait for its persist timer.
     */
    void windowUpdate(int sndMss, long now) {
        rcvSpaceAdjust(now);
        int newEdge = rcvNxt + window();
        int grown = newEdge - advertisedEdge;
        if (grown >= 2 * sndMss || grown >= rcvBuf.capacity() / 2) {
            tcb.snd.sendAck(now);
        }
    }

    /**
     * tcp_rcv_space_adjust, dynamic right-sizing: once an RTT, if the application read more than in the last
     * measured RTT, the buffer grows to twice that plus 16 segments (up to tcp_rmem[2]), so the window
     * offered keeps ahead of a sender that a fast reader could keep up with, and a slow reader's buffer
     * stays small. The bytes read are copied_seq's advance: rcv_nxt less what still waits to be read.
     */
    private void rcvSpaceAdjust(long now) {
        int copiedSeq = rcvNxt - rcvBuf.readable();
        if (!rcvSpaceMeasuring) {
            rcvSpaceMeasuring = true;
            rcvSpace = Math.min(rcvBuf.capacity(), Tcb.INIT_CWND * cfg.mss()); // tcp_init_buffer_space
            rcvSpaceSeq = copiedSeq;
            rcvSpaceTime = now;
            return;
        }
        RtoEstimator rto = tcb.rto;
        long rtt = rto.hasSample() ? Math.max(rto.srttNanos(), MS / 10) : MS;
        if (now - rcvSpaceTime < rtt) {
            return;
        }
        int copied = copiedSeq - rcvSpaceSeq;
        if (copied > rcvSpace) {
            rcvSpace = copied;
            long rcvwin = 2L * copied + 16L * cfg.mss();
            rcvBuf.growTo((int) Math.min(rcvwin, cfg.rcvBufMax()));
        }
        rcvSpaceSeq = copiedSeq;
        rcvSpaceTime = now;
    }

    /**
     * tcp_build_sack: the blocks our SACK option reports, as many as fit beside the other options. A
     * D-SACK block comes first (RFC 2883) and is reported once; then the range holding the most recent
     * out-of-order segment (RFC 2018 section 4); then the others from the lowest, the holes the sender
     * most needs to hear of.
     */
    int[] sackBlocks() {
        var ranges = rcvBuf.outOfOrderRanges();
        boolean dsack = dsackStart != dsackEnd;
        int n = Math.min(ranges.size() + (dsack ? 1 : 0), maxSackBlocks());
        if (n == 0) {
            return Segment.NO_SACK;
        }
        int[] out = new int[n * 2];
        int k = 0;
        if (dsack) {
            out[k++] = dsackStart;
            out[k++] = dsackEnd;
            dsackStart = dsackEnd;
        }
        int recent = -1;
        for (int i = 0; hasLastOfo && i < ranges.size(); i++) {
            int offset = lastOfoSeq - rcvNxt;
            if (offset >= ranges.get(i)[0] && offset < ranges.get(i)[1]) {
                recent = i;
            }
        }
        if (recent >= 0 && k < out.length) {
            out[k++] = rcvNxt + ranges.get(recent)[0];
            out[k++] = rcvNxt + ranges.get(recent)[1];
        }
        for (int i = 0; i < ranges.size() && k < out.length; i++) {
            if (i != recent) {
                out[k++] = rcvNxt + ranges.get(i)[0];
                out[k++] = rcvNxt + ranges.get(i)[1];
            }
        }
        return out;
    }

    /** How many SACK blocks the next segment carries, which tcp_current_mss takes from its payload. */
    int sackBlockCount() {
        return Math.min(rcvBuf.outOfOrderRanges().size() + (dsackStart != dsackEnd ? 1 : 0), maxSackBlocks());
    }

    /** TCP_NUM_SACKS: four blocks fill the option space, three beside timestamps. */
    private int maxSackBlocks() {
        return tcb.tsOk ? 3 : 4;
    }

    /** tcp_dsack_set: the next ACK reports [start, end), a duplicate the peer sent, as a D-SACK block. */
    void reportDuplicate(int start, int end) {
        if (tcb.sackOk) {
            dsackStart = start;
            dsackEnd = end;
        }
    }
}
