package io.ustack.core.tcp;

import static io.ustack.core.tcp.Tcb.MS;
import static io.ustack.core.wire.TcpSegment.FIN;
import static io.ustack.core.wire.TcpSegment.PSH;
import static io.ustack.core.wire.TcpSegment.SYN;
import static io.ustack.core.wire.TcpSegment.URG;

import io.ustack.core.wire.TcpSegment;

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
    /**
     * rcv_ssthresh: the most the window may offer now, whatever room the buffer has. It starts at the window
     * the SYN or SYN-ACK offered and grows as data arrives (tcp_grow_window), so a new connection opens its
     * window as Linux's does rather than offering its whole buffer at once.
     */
    private int rcvSsthresh = Integer.MAX_VALUE;
    /** rcv_nxt when the window was last advertised (rcv_wup): segments ending before it are old. */
    private int rcvWup;
    /** The most recent out-of-order segment's first byte: its block goes first in our SACK option (RFC 2018 4). */
    private int lastOfoSeq;
    private boolean hasLastOfo;
    /** A duplicate the peer sent, reported once as a D-SACK block (RFC 2883); empty when start == end. */
    private int dsackStart;
    private int dsackEnd;
    /** The delayed ACK's deadline in nanoseconds (icsk_ack.timeout), 0 when not armed. */
    long delackAt;
    /** The window last offered, in bytes (tp->rcv_wnd): tcp_incr_quickack sizes quick-ACK mode from it. */
    private int rcvWnd;
    /** ICSK_ACK_SCHED: something arrived that wants acknowledging (inet_csk_schedule_ack). */
    private boolean ackScheduled;
    /** ICSK_ACK_NOW: the next check ACKs at once (a gap filled, a duplicate, a FIN out of order). */
    private boolean ackNow;
    /** ICSK_ACK_PUSHED and ICSK_ACK_PUSHED2: a segment ended a write of the peer's (tcp_measure_rcv_mss). */
    private boolean pushed;
    private boolean pushed2;
    /** icsk_ack.quick: ACKs still to send at once before delayed ACKs start (quick-ACK mode). */
    private int quick;
    /** icsk_ack.pingpong: the connection looks interactive, so ACKs wait to ride on the application's data. */
    private int pingpong;
    /** icsk_ack.ato in nanoseconds: the delayed ACK's timeout; 0 until the first data arrives. */
    private long ato;
    /** icsk_ack.lrcvtime: when data last arrived. */
    private long lrcvtime;
    /** icsk_ack.last_seg_size: the last short segment's size, for tcp_measure_rcv_mss. */
    private int lastSegSize;
    /** tp->rcvq_space: bytes the application read in the last measured RTT, from where, since when. */
    private int rcvSpace;
    private int rcvSpaceSeq;
    private long rcvSpaceTime;
    private boolean rcvSpaceMeasuring;
    /**
     * icsk_ack.rcv_mss: the peer's segment size as seen (tcp_initialize_rcv_mss, then tcp_measure_rcv_mss),
     * which tells a full segment from a short one in the ACK policy.
     */
    private int rcvMss = Tcb.DEFAULT_PEER_MSS;

    /** TCP_MAX_QUICKACKS: the most ACKs quick-ACK mode sends at once. */
    static final int MAX_QUICKACKS = 16;
    /** TCP_DELACK_MAX: the longest an ACK is delayed. */
    static final long DELACK_MAX_NANOS = 200 * MS;
    /** TCP_MIN_MSS: the least rcv_mss is taken to be. */
    private static final int MIN_MSS = 88;
    /** tcp_pingpong_thresh: one reply within ato makes a connection interactive. */
    private static final int PINGPONG_THRESH = 1;

    Receiver(Tcb tcb, TcpConfig cfg) {
        this.tcb = tcb;
        this.cfg = cfg;
        this.rcvBuf = new ReceiveBuffer(cfg.rcvBuf());
        this.rcvWscale = cfg.windowScale() ? initialWscale(cfg) : 0;
    }

    /** net.core.rmem_max's default, which tcp_select_initial_window also lets the window scale cover. */
    static final int RMEM_MAX = 212_992;

    /**
     * tcp_full_space for a connection's first segment: the window the starting buffer stands for. Linux
     * offers tcp_win_from_space(sk_rcvbuf), half of tcp_rmem[1] at the default scaling_ratio; a buffer fixed by
     * SO_RCVBUF (no autotuning) is offered whole, as Linux doubles SO_RCVBUF's value and then halves it.
     */
    private static int fullSpace(TcpConfig cfg) {
        return cfg.rcvBufMax() > cfg.rcvBuf() ? cfg.rcvBuf() / 2 : cfg.rcvBuf();
    }

    /**
     * tcp_select_initial_window's window: the full space, rounded down to a multiple of {@code mss} (our MSS,
     * less the timestamp option when a SYN-ACK will carry it) if larger, and at most 65535, since a SYN's
     * window is never scaled: 64240 for tcp_rmem[1] 131072 and MSS 1460, 65160 with timestamps.
     */
    static int initialWindow(TcpConfig cfg, int mss) {
        int space = fullSpace(cfg);
        if (space > mss) {
            space -= space % mss;
        }
        return Math.min(space, 65_535);
    }

    /**
     * tcp_select_initial_window's scale: the smallest that lets the largest window be offered, that window
     * being what autotuning may grow the buffer to (tcp_rmem[2]) or rmem_max, whichever is larger; for a
     * fixed buffer, the buffer. ilog2(space) - 15, from 0 to 14: 7 for 6 MiB, 8 for 15 MiB.
     */
    static int initialWscale(TcpConfig cfg) {
        long space = cfg.rcvBufMax() > cfg.rcvBuf()
                ? Math.max(Math.max(fullSpace(cfg), cfg.rcvBufMax()), RMEM_MAX)
                : fullSpace(cfg);
        int ilog2 = 63 - Long.numberOfLeadingZeros(Math.max(space, 1));
        return Math.max(0, Math.min(ilog2 - 15, TcpOptions.MAX_WSCALE));
    }

    /**
     * The window our SYN or SYN-ACK offers (tcp_connect_init, tcp_openreq_init_rwin): a SYN's from our MSS,
     * a SYN-ACK's from our MSS less the timestamp option if the connection uses it; never more than the
     * buffer's room.
     */
    int synWindow(boolean synAck) {
        int mss = cfg.mss() - (synAck && tcb.tsOk ? Tcb.TS_OPTION_LEN : 0);
        int w = Math.min(initialWindow(cfg, mss), window());
        rcvSsthresh = w; // tcp_connect_init, tcp_openreq_init_rwin: rcv_ssthresh = rcv_wnd
        return w;
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
        rcvWnd = initialWindow(cfg, cfg.mss());
        rcvSsthresh = rcvWnd;
        advertisedEdge = rcvNxt + rcvWnd;
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
        // __tcp_select_window: at most rcv_ssthresh, and with a scale rounded up to its unit (ALIGN) so that
        // scaling does not take a window below a segment away
        int free = Math.max(Math.min(room, rcvSsthresh), offered);
        int scaled = rcvWscale == 0 ? free : (int) Math.min(((long) free + unit - 1) >> rcvWscale, Integer.MAX_VALUE);
        return Math.min(scaled, 65_535);
    }

    /**
     * tcp_event_ack_sent: a segment carrying our ACK and {@code window} (scaled unless on a SYN) left, so
     * nothing waits to be acknowledged and the window it offered is the one the peer is held to.
     */
    void ackSent(int window, boolean syn) {
        decQuickAckMode();
        ackScheduled = false;
        ackNow = false;
        pushed = false;
        pushed2 = false;
        delackAt = 0;
        rcvWnd = window << (syn ? 0 : rcvWscale);
        advertisedEdge = rcvNxt + rcvWnd;
        rcvWup = rcvNxt;
    }

    /**
     * tcp_dec_quickack_mode, from tcp_event_ack_sent: an ACK that acknowledged new data (one was scheduled)
     * uses up one of quick-ACK mode's ACKs; leaving the mode deflates ato to its least.
     */
    private void decQuickAckMode() {
        if (quick > 0) {
            int pkts = ackScheduled ? 1 : 0;
            if (pkts >= quick) {
                quick = 0;
                ato = atoMin();
            } else {
                quick -= pkts;
            }
        }
    }

    /**
     * tcp_initialize_rcv_mss, when the connection is established: until the peer's segments are seen, a full
     * one is taken to be the least of our MSS, the peer's, half the window offered and TCP_MSS_DEFAULT
     * (536), but at least TCP_MIN_MSS (88).
     */
    void initializeRcvMss(int sndMss) {
        int hint = Math.min(Math.min(cfg.mss(), sndMss), rcvWnd / 2);
        hint = Math.min(hint, Tcb.DEFAULT_PEER_MSS);
        rcvMss = Math.max(hint, MIN_MSS);
    }

    /**
     * tcp_incr_quickack: quick-ACK mode for as many ACKs as half the window offered holds segments of rcv_mss,
     * at least 2 and at most {@code max}; never fewer than are left.
     */
    private void incrQuickAck(int max) {
        int quickacks = rcvWnd / (2 * rcvMss);
        if (quickacks == 0) {
            quickacks = 2;
        }
        quickacks = Math.min(quickacks, max);
        if (quickacks > quick) {
            quick = quickacks;
        }
    }

    /** tcp_enter_quickack_mode: ACK the next segments at once, and leave interactive mode. */
    void enterQuickAckMode(int max) {
        incrQuickAck(max);
        pingpong = 0;
        ato = atoMin();
    }

    /** tcp_in_quickack_mode: quick ACKs left, and the connection not interactive. */
    private boolean inQuickAckMode() {
        return quick > 0 && !inPingpongMode();
    }

    /** inet_csk_in_pingpong_mode. */
    boolean inPingpongMode() {
        return pingpong >= PINGPONG_THRESH;
    }

    /** inet_csk_enter_pingpong_mode: tcp_fin sets it, so the FIN's ACK may wait for the application's answer. */
    void enterPingpongMode() {
        pingpong = PINGPONG_THRESH;
    }

    /** inet_csk_schedule_ack: something wants acknowledging (the peer's FIN, say). */
    void scheduleAck() {
        ackScheduled = true;
    }

    /**
     * tcp_event_data_sent's part: data we send within ato of the last data received is a reply, and makes the
     * connection interactive (inet_csk_inc_pingpong_cnt), so that its ACKs ride on the replies.
     */
    void dataSent(long now) {
        if (ato != 0 && now - lrcvtime < ato && pingpong < 255) {
            pingpong++;
        }
    }

    /** TCP_ATO_MIN (40 ms, as TCP_DELACK_MIN): the configured delayed ACK time. */
    private long atoMin() {
        return cfg.delAckMs() * MS;
    }

    /**
     * tcp_event_data_recv: in-order data arrived. The first data of a connection starts quick-ACK mode and
     * ato at TCP_ATO_MIN; after that ato follows the gaps between arrivals (half the old ato plus the gap, at
     * least TCP_ATO_MIN / 2 plus half, at most the RTO), and a gap longer than the RTO starts quick-ACK mode
     * again, as the sender has probably restarted from a small window.
     */
    private void eventDataRecv(Segment seg, long now) {
        ackScheduled = true;
        measureRcvMss(seg);
        if (seg.dataLength() >= 128) {
            growWindow(seg.dataLength());
        }
        long atoMin = atoMin();
        if (ato == 0) {
            incrQuickAck(MAX_QUICKACKS);
            ato = atoMin;
        } else {
            long m = now - lrcvtime;
            long rto = tcb.rto.rtoNanos();
            if (m <= atoMin / 2) {
                ato = (ato >> 1) + atoMin / 2;
            } else if (m < ato) {
                ato = Math.min((ato >> 1) + m, rto);
            } else if (m > rto) {
                incrQuickAck(MAX_QUICKACKS);
            }
        }
        lrcvtime = now;
        ecnCheckCe(seg);
    }

    /**
     * tcp_ecn_check_ce on data that arrived in order or ahead of a gap, on an ECN connection: a CE mark makes
     * every segment we send carry ECE until the peer's CWR arrives, and the first one an ACK at once (quick-ACK
     * mode for two, as the sender's window may be very small); ECT is remembered, and a segment without it
     * after ECT was seen is probably a retransmission, quickly acknowledged too.
     */
    private void ecnCheckCe(Segment seg) {
        if (!tcb.ecnOk()) {
            return;
        }
        switch (seg.ipEcn()) {
            case 0 -> {
                if ((tcb.ecnFlags & Tcb.ECN_SEEN) != 0) {
                    enterQuickAckMode(2);
                }
            }
            case 3 -> {
                if ((tcb.ecnFlags & Tcb.ECN_DEMAND_CWR) == 0) {
                    enterQuickAckMode(2);
                    tcb.ecnFlags |= Tcb.ECN_DEMAND_CWR;
                }
                tcb.ecnFlags |= Tcb.ECN_SEEN;
            }
            default -> tcb.ecnFlags |= Tcb.ECN_SEEN;
        }
    }

    /**
     * tcp_ecn_accept_cwr, from tcp_ack: the peer's CWR says it reduced its window, so our ECE stops; with data
     * it asks for an ACK at once (its window may be one segment). Taken on pure ACKs too, as Linux does.
     */
    void ecnAcceptCwr(Segment seg) {
        if (seg.has(TcpSegment.CWR)) {
            tcb.ecnFlags &= ~Tcb.ECN_DEMAND_CWR;
            if (seg.seqLength() > 0) {
                ackNow = true;
            }
        }
    }

    /**
     * tcp_grow_window: while the buffer has room beyond it, rcv_ssthresh grows by two of our segments or twice
     * the data just received, whichever is more (the data here costs what it carries, so Linux's truesize
     * test always passes), up to what the buffer may grow to (window_clamp).
     */
    private void growWindow(int len) {
        int clamp = Math.max(cfg.rcvBufMax(), rcvBuf.capacity());
        if (rcvSsthresh >= clamp || rcvSsthresh >= window()) {
            return;
        }
        long incr = Math.max(2L * cfg.mss(), 2L * len);
        rcvSsthresh = (int) Math.min((long) rcvSsthresh + incr, clamp);
    }

    /**
     * tcp_data_queue: in-order data to the buffer (tcp_event_data_recv), data ahead of a gap held, a duplicate
     * remembered for a D-SACK; where the peer's FIN lies is recorded, for {@link #finInOrder} to tell. A
     * segment out of order, a retransmission, data that finds no room or that fills a gap wants an ACK at
     * once (tcp_enter_quickack_mode, ICSK_ACK_NOW), so that the sender learns at once what is missing.
     */
    void dataQueue(Segment seg, long now) {
        int len = seg.dataLength();
        if (seg.seqLength() > 0 && !SeqNum.after(seg.seq() + seg.seqLength(), rcvNxt)) {
            // all of it was here already: a retransmission, answered at once (tcp_data_queue's out_of_window)
            if (len > 0) {
                reportDuplicate(seg.seq(), seg.seq() + len);
            }
            enterQuickAckMode(MAX_QUICKACKS);
            ackScheduled = true;
            ackNow = true;
            return;
        }
        if (len > 0) {
            int offset = seg.seq() - rcvNxt;
            if (offset < 0) {
                reportDuplicate(seg.seq(), rcvNxt); // its head was here already
            } else if (offset > 0) {
                lastOfoSeq = seg.seq();
                hasLastOfo = true;
                ecnCheckCe(seg); // tcp_data_queue_ofo
            }
            boolean hadOfo = !rcvBuf.outOfOrderRanges().isEmpty();
            int advanced = rcvBuf.accept(offset, seg.payload(), 0, len);
            if (advanced > 0) {
                rcvNxt += advanced;
                tcb.events.readable();
                eventDataRecv(seg, now);
            }
            ackScheduled = true;
            if (advanced == 0 && offset <= 0) {
                enterQuickAckMode(MAX_QUICKACKS); // no room: the data is dropped (tcp_data_queue's out_of_window)
            }
            if (offset != 0 || advanced != len || hadOfo || !rcvBuf.outOfOrderRanges().isEmpty()) {
                ackNow = true;
            }
        }
        if (seg.has(FIN)) {
            pendingFinSeq = seg.seq() + len;
            hasPendingFin = true;
            ackScheduled = true;
            if (pendingFinSeq != rcvNxt) {
                ackNow = true; // a FIN ahead of a gap: tell the sender at once what is missing
            }
        }
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
     * tcp_ack_snd_check and __tcp_ack_snd_check: if something wants acknowledging, an ACK now when more than
     * one full segment (rcv_mss) arrived since the last ACK and the window's right edge does not recede, in
     * quick-ACK mode, or when the protocol asks for one; otherwise the delayed ACK. Linux's condition on
     * the edge compares __tcp_select_window with rcv_wnd, which its slowly opened window (rcv_ssthresh)
     * passes while the buffer has room; this stack offers the buffer's room itself, so the test is that
     * the right edge would not move left.
     */
    void ackSndCheck(long now) {
        if (!ackScheduled) {
            return;
        }
        if ((rcvNxt - rcvWup > rcvMss && !SeqNum.before(rcvNxt + window(), advertisedEdge))
                || inQuickAckMode() || ackNow) {
            tcb.snd.sendAck(now);
            return;
        }
        sendDelayedAck(now);
    }

    /**
     * tcp_send_delayed_ack: the ACK waits ato. An ato above TCP_DELACK_MIN is bounded by half a second, or
     * TCP_DELACK_MAX when interactive or after a pushed segment, and by the smoothed RTT (at least
     * TCP_DELACK_MIN); every delay by TCP_DELACK_MAX. A timer already armed keeps its earlier deadline, and
     * one within a quarter of ato of firing gives way to an ACK now.
     */
    private void sendDelayedAck(long now) {
        long delackMin = atoMin();
        long a = ato;
        if (a > delackMin) {
            long maxAto = inPingpongMode() || pushed ? DELACK_MAX_NANOS : 500 * MS;
            RtoEstimator rto = tcb.rto;
            if (rto.hasSample()) {
                long rtt = Math.max(rto.srttNanos(), delackMin);
                if (rtt < maxAto) {
                    maxAto = rtt;
                }
            }
            a = Math.min(a, maxAto);
        }
        a = Math.min(a, DELACK_MAX_NANOS);
        long timeout = now + a;
        if (delackAt != 0) {
            if (delackAt - (now + (a >> 2)) <= 0) {
                tcb.snd.sendAck(now);
                return;
            }
            if (timeout - delackAt >= 0) {
                timeout = delackAt;
            }
        }
        delackAt = timeout;
    }

    /**
     * tcp_delack_timer_handler: the delayed ACK goes. A bulk receiver's ato doubles (up to the RTO), since
     * the ACK was late; an interactive one leaves that mode with ato at its least, since no reply came.
     */
    void delackTimer(long now) {
        delackAt = 0;
        if (!ackScheduled) {
            return;
        }
        if (!inPingpongMode()) {
            ato = Math.min(ato << 1, tcb.rto.rtoNanos());
        } else {
            pingpong = 0;
            ato = atoMin();
        }
        tcb.snd.sendAck(now);
    }

    /**
     * tcp_measure_rcv_mss: a segment of at least rcv_mss bytes sets rcv_mss (up to our MSS), and one of exactly
     * that with PSH marks the end of a write (ICSK_ACK_PUSHED). A shorter one counts as full if, options
     * aside, it is as long as the last such one and either long enough (TCP_MSS_DEFAULT) or not flagged as
     * a write's remnant; else it is pushed data. A super-packet (GRO) is as long as all its segments, which
     * sets rcv_mss to our MSS, as gso_size would.
     */
    private void measureRcvMss(Segment seg) {
        int lss = lastSegSize;
        lastSegSize = 0;
        int len = seg.dataLength();
        if (len >= rcvMss) {
            rcvMss = Math.min(len, cfg.mss());
            if (seg.has(PSH)) {
                pushed = true;
            }
            return;
        }
        len += TcpSegment.MIN_HEADER_LEN + (seg.timestamps() ? Tcb.TS_OPTION_LEN : 0)
                + (seg.sack().length > 0 ? 4 + 4 * seg.sack().length : 0);
        boolean remnant = (seg.flags() & (FIN | URG | SYN | PSH)) != 0;
        if (len >= Tcb.DEFAULT_PEER_MSS + TcpSegment.MIN_HEADER_LEN
                || (len >= MIN_MSS + TcpSegment.MIN_HEADER_LEN && !remnant)) {
            len -= TcpSegment.MIN_HEADER_LEN + (tcb.tsOk ? Tcb.TS_OPTION_LEN : 0);
            lastSegSize = len;
            if (len == lss) {
                rcvMss = len;
                return;
            }
        }
        if (pushed) {
            pushed2 = true;
        }
        pushed = true;
    }

    /**
     * tcp_recvmsg: copies out in-order data; -1 at end of stream (the peer's FIN, all read). Urgent data
     * (tcp_urg) splits the stream at its mark: a read stops before the urgent byte if it copied anything,
     * and one that starts at it skips it unless SO_OOBINLINE, so the byte is read only by MSG_OOB.
     */
    int read(byte[] dst, int off, int len) {
        int copied = 0;
        while (copied < len) {
            int copiedSeq = copiedSeq();
            int used = Math.min(rcvBuf.readable(), len - copied);
            if (used == 0) {
                break;
            }
            if (urgData != 0) {
                int urgOffset = urgSeq - copiedSeq;
                if (urgOffset == 0) {
                    if (copied > 0) {
                        break; // stop at the urgent mark
                    }
                    if (!oobInline) {
                        rcvBuf.skip();
                        passedUrgentMark();
                        continue;
                    }
                } else if (urgOffset > 0 && urgOffset < used) {
                    used = urgOffset;
                }
            }
            copied += rcvBuf.read(dst, off + copied, used);
            passedUrgentMark();
        }
        return copied == 0 && peerFin && rcvBuf.readable() == 0 ? -1 : copied;
    }

    /**
     * recv(MSG_PEEK), tcp_recvmsg with peek_seq: what {@link #read} would copy, left to be read again. It
     * stops at the urgent mark and steps over an urgent byte kept out of the stream, as a read does.
     */
    int peek(byte[] dst, int off, int len) {
        int avail = rcvBuf.readable();
        int base = copiedSeq();
        int copied = 0;
        int at = 0;
        while (copied < len && at < avail) {
            int used = Math.min(avail - at, len - copied);
            if (urgData != 0) {
                int urgOffset = urgSeq - (base + at);
                if (urgOffset == 0) {
                    if (copied > 0) {
                        break;
                    }
                    if (!oobInline) {
                        at++;
                        continue;
                    }
                } else if (urgOffset > 0 && urgOffset < used) {
                    used = urgOffset;
                }
            }
            rcvBuf.peek(at, dst, off + copied, used);
            at += used;
            copied += used;
        }
        return copied == 0 && peerFin && avail == 0 ? -1 : copied;
    }

    /** copied_seq: the sequence number of the next byte the application reads. */
    private int copiedSeq() {
        return rcvNxt - rcvBuf.readable();
    }

    /** tcp_recvmsg's skip_copy: once reading has passed the urgent byte, it is forgotten. */
    private void passedUrgentMark() {
        if (urgData != 0 && SeqNum.after(copiedSeq(), urgSeq)) {
            urgData = 0;
        }
    }

    /** TCP_URG_VALID: the urgent byte has arrived (its value in the low 8 bits). */
    private static final int URG_VALID = 0x100;
    /** TCP_URG_NOTYET: the urgent pointer is known, the byte not yet here. */
    private static final int URG_NOTYET = 0x200;
    /** TCP_URG_READ: the urgent byte was read with MSG_OOB. */
    private static final int URG_READ = 0x400;
    /** tp->urg_data: 0, or the URG_* state with the urgent byte. */
    private int urgData;
    /** tp->urg_seq: the urgent byte's sequence number. */
    private int urgSeq;
    /** SO_OOBINLINE: the urgent byte stays in the stream. */
    boolean oobInline;

    /**
     * tcp_urg and tcp_check_urg, before the segment's data is queued: a new urgent pointer (BSD's meaning,
     * tcp_stdurg 0: it points one past the urgent byte) that is ahead of what was received and of the one
     * known marks the urgent byte; an older urgent byte still unread at the head of the stream is dropped
     * (unless SO_OOBINLINE). When the byte is in this segment its value is kept for MSG_OOB.
     */
    void urg(Segment seg) {
        if (seg.has(URG)) {
            int ptr = seg.urgPtr();
            if (ptr != 0) {
                ptr--;
            }
            ptr += seg.seq();
            int copiedSeq = copiedSeq();
            if (!SeqNum.after(copiedSeq, ptr) && !SeqNum.before(ptr, rcvNxt)
                    && !(urgData != 0 && !SeqNum.after(ptr, urgSeq))) {
                if (urgSeq == copiedSeq && urgData != 0 && !oobInline && copiedSeq != rcvNxt) {
                    rcvBuf.skip();
                }
                urgData = URG_NOTYET;
                urgSeq = ptr;
            }
        }
        if (urgData == URG_NOTYET) {
            int ptr = urgSeq - seg.seq() - (seg.has(SYN) ? 1 : 0);
            if (ptr >= 0 && ptr < seg.dataLength()) {
                urgData = URG_VALID | seg.payload().byteAt(ptr);
                tcb.events.readable();
            }
        }
    }

    /**
     * tcp_recv_urg, recv(MSG_OOB): the urgent byte (0 to 255), or -1 for EINVAL (SO_OOBINLINE, no urgent data,
     * or already read), -2 for EAGAIN (the pointer is known, the byte not here yet), -3 at the end of the
     * stream (a read of 0). {@code peek} leaves it to be read again (MSG_PEEK).
     */
    int readUrgent(boolean peek) {
        if (oobInline || urgData == 0 || (urgData & URG_READ) != 0) {
            return -1;
        }
        if ((urgData & URG_VALID) != 0) {
            int b = urgData & 0xff;
            if (!peek) {
                urgData = URG_READ | b;
            }
            return b;
        }
        return peerFin ? -3 : -2;
    }

    /** SIOCATMARK (tcp_ioctl): the next byte a read would reach is the urgent mark. */
    boolean atUrgentMark() {
        return urgData != 0 && urgSeq == copiedSeq();
    }

    /** tcp_poll's EPOLLPRI: an urgent byte has arrived and not been read with MSG_OOB. */
    boolean urgentWaiting() {
        return (urgData & URG_VALID) != 0 && (urgData & URG_READ) == 0;
    }

    /** What a read could return now: the bytes waiting, less an urgent byte at their head that a read skips. */
    int readableNow() {
        int n = rcvBuf.readable();
        return urgData != 0 && urgSeq == copiedSeq() && !oobInline && n > 0 ? n - 1 : n;
    }

    /**
     * tcp_cleanup_rbuf: after reads, an ACK that tcp_ack_snd_check held back goes if more than a full segment
     * waits for it, or if the read emptied the buffer after pushed data (unless the connection is
     * interactive and its reply will carry the ACK). Otherwise a window update goes only if what remains of
     * the window offered is at most half the buffer (window_clamp) and the window now is at least twice
     * that: a closed or nearly closed window that reading reopened, never a routine read.
     */
    void windowUpdate(int sndMss, long now) {
        rcvSpaceAdjust(now);
        if (ackScheduled && (rcvNxt - rcvWup > rcvMss
                || ((pushed2 || (pushed && !inPingpongMode())) && rcvBuf.readable() == 0))) {
            tcb.snd.sendAck(now);
            return;
        }
        int rcvWindowNow = offeredWindow();
        if (2L * rcvWindowNow <= rcvBuf.capacity()) {
            long newWindow = (long) windowToAdvertise(sndMss) << rcvWscale;
            if (newWindow != 0 && newWindow >= 2L * rcvWindowNow) {
                tcb.snd.sendAck(now);
            }
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
