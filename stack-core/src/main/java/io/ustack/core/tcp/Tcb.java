package io.ustack.core.tcp;

import io.ustack.core.stats.Mib;
import io.ustack.core.stats.MibCounters;
import io.ustack.core.wire.TcpSegment;
import static io.ustack.core.wire.TcpSegment.ACK;
import static io.ustack.core.wire.TcpSegment.FIN;
import static io.ustack.core.wire.TcpSegment.RST;
import static io.ustack.core.wire.TcpSegment.SYN;

/**
 * One TCP connection: RFC 9293's transmission control block (the kernel's struct tcp_sock) and its state
 * machine: tcp_rcv_state_process with tcp_rcv_synsent_state_process, tcp_validate_incoming (PAWS, the
 * acceptability test's verdict, RFC 5961's rules for RST and SYN), tcp_fin and tcp_set_state's transitions,
 * tcp_close, TIME_WAIT and its reuse, and the timers' dispatch (tcp_write_timer, tcp_delack_timer,
 * tcp_keepalive_timer, tcp_time_wait's timer). It owns the parts that do the rest, split as gVisor's TCP
 * splits them:
 * <ul>
 * <li>{@link Sender} (snd.go): the send sequence space and buffer, congestion window, every segment that
 *     leaves (tcp_write_xmit, tcp_transmit_skb), tcp_ack's bookkeeping, zero-window probes, and the
 *     rate limit on answers to out-of-window segments (tcp_oow_rate_limited);</li>
 * <li>{@link Receiver} (rcv.go): rcv_nxt, the receive buffer and out-of-order queue, the window offered,
 *     the ACK policy and receive autotuning (tcp_data_queue, tcp_select_window, tcp_ack_snd_check);</li>
 * <li>{@link LossRecovery}: duplicate ACKs, NewReno and SACK recovery, the retransmission timeout and the
 *     tail loss probe (tcp_fastretrans_alert, tcp_enter_loss, tcp_retransmit_timer);</li>
 * <li>{@link CongestionControl}: CUBIC or Reno, which the sender and loss recovery consult;</li>
 * <li>{@link KeepaliveTimer}: SO_KEEPALIVE's probes of an idle peer (tcp_keepalive_timer).</li>
 * </ul>
 *
 * <p>It does no I/O and reads no clock: segments and the time come in as arguments, segments leave
 * through {@link TcpOutput} and news through {@link TcpEvents}. Timers are deadlines the owner reads with
 * {@link #nextDeadline()} and fires with {@link #onTimers(long)}. Single-threaded: a connection lives on
 * the backlog thread that RPS gives its flow.
 *
 * <p>Implemented: the state machine from SYN to TIME_WAIT (active, passive and simultaneous open and
 * close), MSS and window-scale negotiation, RFC 7323 timestamps (RTT samples, PAWS), RFC 6298
 * retransmission with exponential backoff, CUBIC or Reno congestion control (RFC 9438, 5681) with fast
 * retransmit and NewReno recovery (RFC 6582), SACK both ways (RFC 2018, with D-SACK per RFC 2883) and
 * SACK-based loss recovery on a scoreboard (RFC 6675), delayed ACKs, Nagle, zero-window probes, keepalive,
 * RFC 5961 challenge ACKs, and the reuse of TIME_WAIT by a new SYN.
 */
public final class Tcb {
    /** TCP_MSS_DEFAULT: the MSS assumed when the peer names none (RFC 9293). */
    static final int DEFAULT_PEER_MSS = 536;
    /** tcp_min_snd_mss: the least MSS a peer can impose, room for every option and 8 bytes of data. */
    static final int MIN_SND_MSS = 48;
    /** TCPOLEN_TSTAMP_ALIGNED: the timestamp option's bytes, which every segment then carries. */
    static final int TS_OPTION_LEN = 12;
    /** TCP_INIT_CWND (RFC 6928), in segments. */
    static final int INIT_CWND = 10;
    /** Duplicate ACKs that trigger fast retransmit (tcp_reordering). */
    static final int DUPACK_THRESHOLD = 3;
    /** Nanoseconds in a millisecond: deadlines are in nanoseconds, the settings in milliseconds. */
    static final long MS = 1_000_000L;
    /** tcp_fin_timeout: how long a connection the application has let go of waits in FIN_WAIT_2. */
    static final long FIN_TIMEOUT_MS = 60_000;

    final TcpConfig cfg;
    final TcpEvents events;
    private final MibCounters mib;
    private final int localAddr;
    private final int localPort;
    private final int remoteAddr;
    private final int remotePort;
    private TcpState state = TcpState.CLOSED;

    /** tp->ecn_flags's TCP_ECN_OK: RFC 3168 ECN was negotiated (or, in SYN_SENT, asked for). */
    static final int ECN_OK = 1;
    /** TCP_ECN_QUEUE_CWR: the window was reduced; the next new data segment carries CWR. */
    static final int ECN_QUEUE_CWR = 2;
    /** TCP_ECN_DEMAND_CWR: a CE mark arrived; our segments carry ECE until the peer's CWR does. */
    static final int ECN_DEMAND_CWR = 4;
    /** TCP_ECN_SEEN: the peer's data arrived ECN-capable (ECT or CE) at least once. */
    static final int ECN_SEEN = 8;
    /** tp->ecn_flags: {@link #ECN_OK} and the others. */
    int ecnFlags;

    /** The sending half: snd_una, snd_nxt, the send buffer, cwnd and every segment that leaves. */
    final Sender snd;
    /** The receiving half: rcv_nxt, the receive buffer, the window offered and the ACK policy. */
    final Receiver rcv;
    /** Loss detection and recovery, with the retransmission and loss probe timers. */
    final LossRecovery loss;
    /** The RTT estimate and the retransmission timeout it gives (srtt, rttvar, icsk_rto), for all three parts. */
    final RtoEstimator rto = new RtoEstimator();
    /** SO_KEEPALIVE's probes of an idle peer. */
    private final KeepaliveTimer keepaliveTimer;

    // options (tcp_options_received)
    boolean tsOk;
    boolean sackOk;
    /** The peer's newest timestamp worth echoing (ts_recent), also PAWS' reference. */
    int tsRecent;

    // the connection's own timers: deadlines in nanoseconds, 0 when not armed
    private long timeWaitAt;
    /**
     * The application closed the socket (SOCK_DEAD): nobody will read or close it again, so FIN_WAIT_2 is
     * bounded by tcp_fin_timeout, or a peer that acknowledges our FIN and never sends its own keeps the
     * connection for ever.
     */
    private boolean orphaned;
    /** A passive open: until ESTABLISHED Linux has only a request socket, which sends with IP ID 0. */
    private boolean passive;
    /** inet_id: the IP ID of this connection's next packet; -1 until the first packet needs one. */
    private int inetId = -1;
    /**
     * The IP options every packet of a passive open carries (ireq_opt, then the child's inet_opt): the SYN's,
     * as ip_options_echo turned them round; null for none.
     */
    private byte[] ipOptions;
    /** Set when a new SYN ended TIME_WAIT: the ISN its connection must use (tcp_timewait_state_process). */
    private long successorIsn = -1;

    private Tcb(TcpConfig cfg, TcpOutput out, TcpEvents events, MibCounters mib, int localAddr, int localPort,
                int remoteAddr, int remotePort, int iss, int tsOffset) {
        this.cfg = cfg;
        this.events = events;
        this.mib = mib;
        this.localAddr = localAddr;
        this.localPort = localPort;
        this.remoteAddr = remoteAddr;
        this.remotePort = remotePort;
        this.snd = new Sender(this, cfg, out, mib, iss, tsOffset);
        this.rcv = new Receiver(this, cfg);
        this.loss = new LossRecovery(this, snd, mib);
        this.keepaliveTimer = new KeepaliveTimer(this, mib);
    }

    /** tcp_v4_connect and tcp_connect: an active open; sends the SYN. */
    public static Tcb connect(TcpConfig cfg, TcpOutput out, TcpEvents events, MibCounters mib, int localAddr,
                              int localPort, int remoteAddr, int remotePort, int iss, int tsOffset, long now) {
        Tcb t = new Tcb(cfg, out, events, mib, localAddr, localPort, remoteAddr, remotePort, iss, tsOffset);
        t.keepaliveTimer.heard(now);
        t.state = TcpState.SYN_SENT;
        if (cfg.ecn() == 1) {
            t.ecnFlags = ECN_OK; // tcp_ecn_send_syn: tcp_ecn 1 asks for ECN on our connects
        }
        t.snd.sndNxt = iss + 1;
        t.snd.sendSyn(now);
        return t;
    }

    /**
     * tcp_conn_request and tcp_create_openreq_child in one: a passive open from a SYN that reached a
     * listener. Negotiates the options the SYN offers and sends the SYN-ACK. {@code ipOptions} (null for none):
     * the SYN's IP options echoed (tcp_v4_save_options), which the connection's packets carry and its MSS
     * makes room for (icsk_ext_hdr_len).
     */
    public static Tcb accept(TcpConfig cfg, TcpOutput out, TcpEvents events, MibCounters mib, int localAddr,
                             int localPort, int remoteAddr, int remotePort, Segment syn, int iss, int tsOffset,
                             long now, byte[] ipOptions) {
        Tcb t = new Tcb(cfg, out, events, mib, localAddr, localPort, remoteAddr, remotePort, iss, tsOffset);
        t.ipOptions = ipOptions;
        t.keepaliveTimer.heard(now);
        t.state = TcpState.SYN_RECEIVED;
        t.passive = true;
        t.takeSynOptions(syn);
        if (ecnSetupSyn(cfg, syn)) {
            t.ecnFlags = ECN_OK; // tcp_ecn_openreq_child
        }
        t.rcv.synReceived(syn.seq());
        t.snd.bytesAcked = -1; // the ACK of our SYN-ACK is not counted (tcp_create_openreq_child)
        t.snd.sndWnd = syn.window();
        t.snd.sndWl1 = syn.seq();
        t.snd.sndNxt = iss + 1;
        t.snd.sendSyn(now);
        return t;
    }

    /**
     * cookie_v4_check's tcp_get_cookie_sock: an established connection made from the ACK that returned a SYN
     * cookie. Without timestamps to carry them in, window scaling and SACK are off, as in Linux.
     */
    public static Tcb fromCookie(TcpConfig cfg, TcpOutput out, TcpEvents events, MibCounters mib, int localAddr,
                                 int localPort, int remoteAddr, int remotePort, Segment ack, int mss, int tsOffset) {
        int iss = ack.ack() - 1;
        Tcb t = new Tcb(cfg, out, events, mib, localAddr, localPort, remoteAddr, remotePort, iss, tsOffset);
        t.state = TcpState.ESTABLISHED;
        Sender snd = t.snd;
        snd.sndUna = iss + 1;
        snd.sndNxt = iss + 1;
        snd.sndMax = iss + 1;
        t.rcv.fromCookie(ack.seq());
        snd.sndWscale = 0;
        snd.mss(Math.min(mss, cfg.mss()));
        t.rcv.initializeRcvMss(snd.sndMss);
        t.rto.fallbackAfterHandshakeLoss(); // a cookie's handshake gives no RTT sample
        snd.sndWnd = ack.window();
        snd.sndWl1 = ack.seq();
        snd.sndWl2 = ack.ack();
        snd.windowSeen(snd.sndWnd);
        return t;
    }

    /**
     * tcp_ecn_create_request: a SYN with both ECE and CWR asks for ECN (RFC 3168 6.1.1), granted unless
     * tcp_ecn is 0. A SYN that is itself ECN-capable in its IP header (ECT or CE) is refused it: RFC 3168
     * forbids ECT on a SYN, so such a SYN comes from a path or a peer that mangles the ECN field.
     */
    static boolean ecnSetupSyn(TcpConfig cfg, Segment syn) {
        return syn.has(TcpSegment.ECE) && syn.has(TcpSegment.CWR) && cfg.ecn() != 0 && syn.ipEcn() == 0;
    }

    /** Whether ECN was negotiated (tp->ecn_flags & TCP_ECN_OK). */
    boolean ecnOk() {
        return (ecnFlags & ECN_OK) != 0;
    }

    /** ss's "ecn": ECN agreed (TCPI_OPT_ECN). */
    public boolean ecn() {
        return ecnOk();
    }

    /** ss's "ecnseen": ECT or CE seen on the peer's data (TCPI_OPT_ECN_SEEN). */
    public boolean ecnSeen() {
        return (ecnFlags & ECN_SEEN) != 0;
    }

    /** tcp_parse_options on a SYN: what both sides offered is what the connection uses. */
    private void takeSynOptions(Segment syn) {
        int peerMss = syn.mss() > 0 ? syn.mss() : DEFAULT_PEER_MSS;
        if (cfg.windowScale() && syn.wscale() >= 0) {
            snd.sndWscale = Math.min(syn.wscale(), TcpOptions.MAX_WSCALE);
        } else {
            snd.sndWscale = 0;
            rcv.rcvWscale = 0;
        }
        sackOk = cfg.sack() && syn.sackPermitted();
        tsOk = cfg.timestamps() && syn.timestamps();
        if (tsOk) {
            tsRecent = syn.tsVal();
        }
        // __tcp_mtu_to_mss: a smaller MSS from the peer is raised to tcp_min_snd_mss (CVE-2019-11479). Taken
        // as it came, with the timestamp option's bytes off, an MSS under 13 made ours zero or negative, so
        // data never left, and one a little over sent a segment per byte.
        snd.mss(Math.max(Math.min(peerMss, cfg.mss()), MIN_SND_MSS) - ipOptionsLength() - (tsOk ? TS_OPTION_LEN : 0));
    }

    /** The IP options this connection's packets carry, or null. */
    byte[] ipOptions() {
        return ipOptions;
    }

    /** icsk_ext_hdr_len: the bytes of IP options in each packet. */
    private int ipOptionsLength() {
        return ipOptions == null ? 0 : ipOptions.length;
    }

    // ---- segment arrival (tcp_rcv_state_process) ----

    /** A segment for this connection arrived. */
    public void segmentArrives(Segment seg, long now) {
        switch (state) {
            case CLOSED, LISTEN -> { }
            case SYN_SENT -> synSentArrives(seg, now);
            case TIME_WAIT -> {
                if (newSynEndsTimeWait(seg)) {
                    successorIsn = (snd.sndNxt + 65_535 + 2) & 0xffff_ffffL;
                    terminate(null);
                    return;
                }
                synchronizedArrives(seg, now);
            }
            default -> synchronizedArrives(seg, now);
        }
        if (state != TcpState.CLOSED) {
            snd.pushPending(now);
        }
    }

    /**
     * tcp_timewait_state_process's TCP_TW_SYN (RFC 1122 4.2.2.13, RFC 6191): a SYN beyond everything the old
     * connection received, or with a newer timestamp, may start a new incarnation at once.
     */
    private boolean newSynEndsTimeWait(Segment seg) {
        if (!seg.has(SYN) || seg.has(ACK) || seg.has(RST)) {
            return false;
        }
        if (tsOk && seg.timestamps()) {
            return SeqNum.after(seg.tsVal(), tsRecent);
        }
        return SeqNum.after(seg.seq(), rcv.rcvNxt);
    }

    /** tcp_rcv_synsent_state_process. */
    private void synSentArrives(Segment seg, long now) {
        boolean ackOk = seg.has(ACK) && SeqNum.after(seg.ack(), snd.iss) && !SeqNum.after(seg.ack(), snd.sndNxt);
        if (seg.has(ACK) && !ackOk) {
            if (!seg.has(RST)) {
                snd.sendReset(seg.ack());
            }
            return;
        }
        if (seg.has(RST)) {
            if (ackOk) {
                terminate(CloseReason.REFUSED);
            }
            return;
        }
        if (!seg.has(SYN)) {
            return;
        }
        takeSynOptions(seg);
        if (ackOk ? !seg.has(TcpSegment.ECE) || seg.has(TcpSegment.CWR)
                : !seg.has(TcpSegment.ECE) || !seg.has(TcpSegment.CWR)) {
            // tcp_ecn_rcv_synack: only a SYN-ACK with ECE and not CWR agrees to ECN (one with both is a
            // SYN-ACK from a peer that reflects the flags it got); tcp_ecn_rcv_syn: in a simultaneous open
            // the peer's SYN must ask for ECN too
            ecnFlags &= ~ECN_OK;
        }
        rcv.synReceived(seg.seq());
        if (tsOk && seg.timestamps()) {
            tsRecent = seg.tsVal();
        }
        if (ackOk) {
            snd.ackAdvanced(seg, now);
            snd.sndWnd = seg.window(); // a SYN's window is never scaled
            snd.sndWl1 = seg.seq();
            snd.sndWl2 = seg.ack();
            snd.windowSeen(snd.sndWnd);
            state = TcpState.ESTABLISHED;
            rcv.initializeRcvMss(snd.sndMss);
            rto.fallbackAfterHandshakeLoss(); // tcp_init_metrics: no sample from the handshake, an RTO of 3 s
            snd.sendAck(now);
            keepaliveTimer.established(now);
            events.established();
        } else {
            // simultaneous open: both sent SYNs
            state = TcpState.SYN_RECEIVED;
            snd.sndWnd = seg.window();
            snd.sndWl1 = seg.seq();
            loss.retransmits = 0;
            snd.sendSynAck(now);
        }
    }

    private void synchronizedArrives(Segment seg, long now) {
        if (tsOk && seg.timestamps() && !seg.has(RST) && SeqNum.before(seg.tsVal(), tsRecent)) {
            // PAWS (RFC 7323 5.3): an old duplicate from a previous wrap of the sequence space
            if (seg.has(SYN)) {
                synChallenge(seg, now);
            } else {
                mib.inc(Mib.TcpExtPAWSEstabRejected);
                if (!snd.oowRateLimited(seg, Mib.TcpExtTCPACKSkippedPAWS, now)) {
                    snd.sendAck(now);
                }
            }
            return;
        }
        if (state == TcpState.SYN_RECEIVED && seg.has(SYN) && !seg.has(ACK) && seg.seq() == rcv.irs) {
            if (!snd.oowRateLimited(seg, Mib.TcpExtTCPACKSkippedSynRecv, now)) {
                snd.sendSynAck(now); // the peer did not hear our SYN-ACK
            }
            return;
        }
        // tcp_validate_incoming lets through the SYN-ACK that ends a simultaneous open: it repeats the peer's
        // SYN (so fails the window test) but acknowledges ours
        boolean simultaneousSynAck = state == TcpState.SYN_RECEIVED && seg.has(SYN) && seg.has(ACK)
                && seg.seq() + 1 == rcv.rcvNxt && seg.ack() == snd.sndNxt;
        if (!simultaneousSynAck && !rcv.acceptable(seg)) {
            if (seg.has(SYN) && !seg.has(RST)) {
                synChallenge(seg, now);
            } else if (!seg.has(RST) && !snd.oowRateLimited(seg, Mib.TcpExtTCPACKSkippedSeq, now)) {
                if (seg.dataLength() > 0 && !SeqNum.after(seg.seq() + seg.dataLength(), rcv.rcvNxt)) {
                    rcv.reportDuplicate(seg.seq(), seg.seq() + seg.dataLength());
                }
                snd.sendAck(now); // tcp_send_dupack
            }
            return;
        }
        keepaliveTimer.heard(now);
        snd.probesOut = 0; // tcp_ack: the peer answers, so probing an empty window goes on (RFC 1122 4.2.2.17)
        if (seg.has(RST)) {
            // RFC 5961 3.2: only an exact match resets; anything else in the window gets a challenge
            if (seg.seq() == rcv.rcvNxt) {
                terminate(CloseReason.RESET_RECEIVED);
            } else {
                snd.sendChallengeAck(now);
            }
            return;
        }
        if (seg.has(SYN) && passive && state == TcpState.SYN_RECEIVED) {
            // tcp_check_req: Linux still holds a request socket here, and a SYN in its window that is not the
            // first one again ends it with a reset (embryonic_reset), where a full socket answers a challenge
            snd.sendResetFor(seg);
            terminate(CloseReason.EMBRYONIC_RESET);
            return;
        }
        if (seg.has(SYN) && !simultaneousSynAck) {
            synChallenge(seg, now); // RFC 5961 4.2: a challenge ACK, never a reset
            return;
        }
        if (!seg.has(ACK)) {
            return;
        }
        // tcp_ack's tcp_replace_ts_recent: only an ACK that is neither old nor beyond what we sent updates
        // ts_recent, and only from a segment that covers last_ack_sent (tcp_store_ts_recent)
        boolean updatesTsRecent = tsOk && seg.timestamps() && !SeqNum.after(seg.seq(), rcv.rcvNxt)
                && !SeqNum.before(seg.ack(), snd.sndUna) && !SeqNum.after(seg.ack(), snd.sndMax);
        boolean handshakeEnds = state == TcpState.SYN_RECEIVED;
        if (state == TcpState.SYN_RECEIVED) {
            if (!SeqNum.after(seg.ack(), snd.sndUna) || SeqNum.after(seg.ack(), snd.sndNxt)) {
                snd.sendReset(seg.ack());
                return;
            }
            state = TcpState.ESTABLISHED;
            rcv.initializeRcvMss(snd.sndMss);
            snd.sndWl1 = seg.seq() - 1; // the window update below takes this ACK's window
            keepaliveTimer.established(now);
            events.established();
            if (snd.finQueued) {
                state = TcpState.FIN_WAIT_1; // closed in SYN_RECEIVED: the FIN goes now that our SYN is acknowledged
            }
        }
        boolean ackOk = processAck(seg, now);
        if (handshakeEnds) {
            rto.fallbackAfterHandshakeLoss(); // tcp_init_metrics: no sample from the handshake, an RTO of 3 s
        }
        if (!ackOk) {
            return;
        }
        if (updatesTsRecent) {
            tsRecent = seg.tsVal();
        }
        if (simultaneousSynAck) {
            return;
        }
        if (state.canReceive()) {
            rcv.urg(seg); // tcp_urg, before the data: the urgent byte is marked
        }
        if (state == TcpState.TIME_WAIT) {
            if (seg.has(FIN)) {
                timeWaitAt = now + cfg.timeWaitMs() * MS; // a retransmitted FIN: ACK it and wait again
                snd.sendAck(now);
            }
            return;
        }
        receiveData(seg, now);
    }

    /** tcp_validate_incoming's syn_challenge: a SYN on a synchronized connection is answered, at a limited rate. */
    private void synChallenge(Segment seg, long now) {
        mib.inc(Mib.TcpExtTCPSYNChallenge);
        snd.sendChallengeAck(now);
    }

    /**
     * tcp_ack: the sender's part (snd_una, SACK, loss recovery, the send window), then the state changes
     * that the acknowledgement of our FIN brings. Returns false if the segment is to be dropped.
     */
    private boolean processAck(Segment seg, long now) {
        if (!snd.ack(seg, now)) {
            return false;
        }
        if (snd.finSent && SeqNum.after(seg.ack(), snd.finSeq)) {
            switch (state) {
                case FIN_WAIT_1 -> {
                    state = TcpState.FIN_WAIT_2;
                    if (orphaned) {
                        armFinTimeout(now);
                    }
                }
                case CLOSING -> enterTimeWait(now);
                case LAST_ACK -> {
                    terminate(null);
                    return false;
                }
                default -> { }
            }
        }
        return true;
    }

    /**
     * tcp_data_queue and tcp_fin, and then tcp_ack_snd_check: the receiver takes the data; a FIN that is
     * next in sequence changes the state here; then an ACK now or a delayed one, as the receiver's policy has it.
     */
    private void receiveData(Segment seg, long now) {
        if (!state.canReceive()) {
            // a retransmission of what came before the peer's FIN: answered at once
            if (seg.seqLength() > 0 && !SeqNum.after(seg.seq() + seg.seqLength(), rcv.rcvNxt)) {
                rcv.dataQueue(seg, now);
                rcv.ackSndCheck(now);
            }
            return;
        }
        rcv.dataQueue(seg, now);
        if (rcv.finInOrder()) {
            peerFinArrived(now);
        }
        if (state != TcpState.CLOSED) {
            rcv.ackSndCheck(now);
        }
    }

    /**
     * tcp_fin: the peer is done sending. In ESTABLISHED the connection turns interactive (pingpong), so the
     * FIN's ACK is delayed and may ride on the application's own FIN or reply; in FIN_WAIT_1 and FIN_WAIT_2
     * it goes at once.
     */
    private void peerFinArrived(long now) {
        rcv.takeFin();
        rcv.scheduleAck();
        switch (state) {
            case ESTABLISHED -> {
                state = TcpState.CLOSE_WAIT;
                rcv.enterPingpongMode();
            }
            case FIN_WAIT_1 -> {
                snd.sendAck(now);
                if (snd.finSent && snd.sndUna == snd.sndNxt) {
                    enterTimeWait(now);
                } else {
                    state = TcpState.CLOSING;
                }
            }
            case FIN_WAIT_2 -> {
                snd.sendAck(now);
                enterTimeWait(now);
            }
            default -> { }
        }
        events.readable();
    }

    private void enterTimeWait(long now) {
        state = TcpState.TIME_WAIT;
        stopTimers();
        timeWaitAt = now + cfg.timeWaitMs() * MS;
    }

    /** Disarms every timer: the connection has nothing more to send or to wait for but, maybe, TIME_WAIT. */
    private void stopTimers() {
        loss.rtoAt = 0;
        rcv.delackAt = 0;
        snd.persistAt = 0;
        keepaliveTimer.at = 0;
        loss.tlpAt = 0;
        timeWaitAt = 0;
    }

    // ---- the application's side ----

    /** tcp_sendmsg: queues what fits the send buffer and sends what the windows allow; returns bytes taken. */
    public int write(byte[] src, int off, int len, long now) {
        int n = queue(src, off, len);
        snd.slowStartAfterIdleCheck(now, snd.flightSize());
        snd.pushPending(now);
        return n;
    }

    /**
     * tcp_sendmsg's copy alone: queues up to the send buffer's free space without sending, for a caller on
     * another thread that then has {@link #push} run on the connection's own. Returns how many bytes were taken.
     */
    public int queue(byte[] src, int off, int len) {
        if (snd.finQueued || state == TcpState.CLOSED || state == TcpState.LISTEN || state == TcpState.TIME_WAIT) {
            throw new IllegalStateException("cannot send in state " + state);
        }
        return snd.sendBuf.write(src, off, len);
    }

    /** send(MSG_OOB): the last byte queued is urgent; segments before and at it carry the pointer. */
    public void markUrgent() {
        snd.markUrgent();
    }

    /**
     * tcp_push: sends what is queued, as far as the windows allow; after an idle spell the window restarts
     * first, as tcp_skb_entail's check would have when the data was queued.
     */
    public void push(long now) {
        if (state != TcpState.CLOSED) {
            snd.slowStartAfterIdleCheck(now, snd.flightSize());
            snd.pushPending(now);
        }
    }

    /**
     * tcp_recvmsg: copies out in-order data; -1 at end of stream (the peer's FIN, all read). A window that
     * grew is announced by {@link #windowUpdate}, which the caller runs on the connection's thread.
     */
    public int read(byte[] dst, int off, int len) {
        return rcv.read(dst, off, len);
    }

    /** recv(MSG_PEEK): the bytes a read would return now, left in place; -1 at the end of the stream. */
    public int peek(byte[] dst, int off, int len) {
        return rcv.peek(dst, off, len);
    }

    /** tcp_cleanup_rbuf: after reads, tell the peer of a window that grew by a real amount. */
    public void windowUpdate(long now) {
        if (!state.canReceive()) {
            return;
        }
        rcv.windowUpdate(snd.sndMss, now);
    }

    /** tcp_close: a FIN after the data already queued. */
    public void close(long now) {
        switch (state) {
            case SYN_SENT, CLOSED, LISTEN -> terminate(null);
            case SYN_RECEIVED -> {
                // RFC 9293 3.10.4: the FIN waits for ESTABLISHED. Sent now, it would sit behind our SYN, which
                // is not yet acknowledged, and a retransmission from snd_una would read the send buffer at -1.
                snd.finQueued = true;
            }
            case ESTABLISHED -> {
                snd.finQueued = true;
                state = TcpState.FIN_WAIT_1;
            }
            case CLOSE_WAIT -> {
                snd.finQueued = true;
                state = TcpState.LAST_ACK;
            }
            default -> { } // already closing
        }
        if (state != TcpState.CLOSED) {
            snd.pushPending(now);
        }
    }

    /**
     * sock_orphan and tcp_close's FIN_WAIT_2 part: the application has closed the socket and will never see
     * it again. In FIN_WAIT_2, now or once our FIN is acknowledged, the peer has tcp_fin_timeout to send its
     * FIN before the connection goes.
     */
    public void orphan(long now) {
        orphaned = true;
        if (state == TcpState.FIN_WAIT_2) {
            armFinTimeout(now);
        }
    }

    /**
     * tcp_time_wait(sk, TCP_FIN_WAIT2, tmo): an orphan in FIN_WAIT_2 waits as in TIME_WAIT, on the same
     * timer, and ends when it fires; the peer's FIN moves it to TIME_WAIT proper, which re-arms the timer.
     */
    private void armFinTimeout(long now) {
        timeWaitAt = now + FIN_TIMEOUT_MS * MS;
    }

    /** tcp_disconnect with SO_LINGER 0: a RST (once synchronized) and the connection is gone for {@code reason}. */
    public void abort(CloseReason reason) {
        if (state.synchronizedState() || state == TcpState.SYN_RECEIVED) {
            snd.sendActiveReset();
        }
        terminate(reason);
    }

    // ---- timers ----

    /** The earliest armed deadline, in nanoseconds, or 0 if none. */
    public long nextDeadline() {
        return earliest(earliest(earliest(loss.rtoAt, rcv.delackAt), earliest(timeWaitAt, snd.persistAt)), earliest(keepaliveTimer.at, loss.tlpAt));
    }

    /** The earlier of two deadlines, where 0 means none. */
    private static long earliest(long a, long b) {
        return a == 0 ? b : b == 0 ? a : Math.min(a, b);
    }

    /** Runs every timer due at {@code now}: retransmission, delayed ACK, zero-window probe, keepalive, TIME_WAIT. */
    public void onTimers(long now) {
        if (timeWaitAt != 0 && now - timeWaitAt >= 0) {
            terminate(null);
            return;
        }
        if (rcv.delackAt != 0 && now - rcv.delackAt >= 0) {
            rcv.delackTimer(now);
        }
        if (loss.rtoAt != 0 && now - loss.rtoAt >= 0) {
            loss.retransmitTimer(now);
        }
        if (loss.tlpAt != 0 && now - loss.tlpAt >= 0) {
            loss.lossProbe(now);
        }
        if (snd.persistAt != 0 && now - snd.persistAt >= 0) {
            snd.persistTimer(now);
        }
        if (keepaliveTimer.at != 0 && now - keepaliveTimer.at >= 0) {
            keepaliveTimer.expired(now);
        }
    }

    /**
     * setsockopt SO_KEEPALIVE (tcp_set_keepalive): {@code k} turns keepalive on with those settings, null
     * turns it off. The first probe may go {@code k.idleMs()} from now.
     */
    public void keepalive(Keepalive k, long now) {
        keepaliveTimer.set(k, now);
    }

    /**
     * tcp_v4_mtu_reduced, tcp_v6_mtu_reduced: the path to the peer now takes {@code pmtu} bytes (an ICMP
     * "fragmentation needed" or ICMPv6 Packet Too Big for this connection lowered it): a smaller MSS, and
     * what was in flight sent again in it. {@code netHeaderLen}: the fixed IP header of the connection's
     * family (icsk_af_ops->net_header_len), which is all the Tcb knows of it.
     */
    public void pathMtuReduced(int pmtu, int netHeaderLen, long now) {
        if (state == TcpState.LISTEN || state == TcpState.CLOSED || state == TcpState.SYN_SENT
                || state == TcpState.TIME_WAIT) {
            return;
        }
        int mss = pmtu - netHeaderLen - TcpSegment.MIN_HEADER_LEN - ipOptionsLength()
                - (tsOk ? TS_OPTION_LEN : 0);
        if (snd.pathMssFell(mss)) {
            loss.simpleRetransmit(now);
        }
    }

    /** TCP_NODELAY, which may change while the connection runs. */
    public void setNoDelay(boolean on, long now) {
        snd.setNoDelay(on, now);
    }

    /** TCP_CONGESTION on a running connection: one of {@link TcpConfig#withCongestion}'s names. */
    public void setCongestion(String name) {
        snd.setCongestion(name);
    }

    /** TCP_USER_TIMEOUT in milliseconds, 0 for none: how long sent data may go unacknowledged. */
    public void setUserTimeout(int ms) {
        loss.userTimeoutMs = ms;
    }

    /** Bytes written and not yet sent (TCP_NOTSENT_LOWAT's measure). */
    public int unsent() {
        return snd.unsent();
    }

    /** tcp_done: the connection is CLOSED, its timers stopped, and its socket hears why. */
    void terminate(CloseReason reason) {
        if (state == TcpState.CLOSED) {
            return;
        }
        state = TcpState.CLOSED;
        stopTimers();
        events.closed(reason);
    }

    // ---- what ss and the socket layer read ----

    public TcpState state() {
        return state;
    }

    public int localAddress() {
        return localAddr;
    }

    public int localPort() {
        return localPort;
    }

    public int remoteAddress() {
        return remoteAddr;
    }

    public int remotePort() {
        return remotePort;
    }

    /** Bytes that can be read now (ss's Recv-Q). */
    public int readable() {
        return rcv.readableNow();
    }

    /** setsockopt SO_OOBINLINE: urgent data stays in the stream (off by default). */
    public void oobInline(boolean on) {
        rcv.oobInline = on;
    }

    /**
     * recv(MSG_OOB) (tcp_recv_urg): the urgent byte, or -1 for EINVAL, -2 for EAGAIN, -3 at the end of the
     * stream; {@code peek} for MSG_PEEK.
     */
    public int readUrgent(boolean peek) {
        return rcv.readUrgent(peek);
    }

    /** SIOCATMARK: the next byte to read is where the urgent byte was. */
    public boolean atUrgentMark() {
        return rcv.atUrgentMark();
    }

    /** An urgent byte waits to be read with MSG_OOB (POLLPRI). */
    public boolean urgentWaiting() {
        return rcv.urgentWaiting();
    }

    /** Bytes the application may still write before the send buffer is full. */
    public int writable() {
        return snd.finQueued ? 0 : snd.sendBuf.free();
    }

    /** Bytes sent or queued and not yet acknowledged (ss's Send-Q). */
    public int unacknowledged() {
        return snd.sendBuf.size();
    }

    public int sndMss() {
        return snd.sndMss;
    }

    public int cwnd() {
        return snd.cwnd;
    }

    public int ssthresh() {
        return snd.ssthresh;
    }

    /** The congestion control algorithm's name. */
    public String congestion() {
        return snd.cc.name();
    }

    public int sndWnd() {
        return snd.sndWnd;
    }

    public boolean timestamps() {
        return tsOk;
    }

    public boolean sack() {
        return sackOk;
    }

    public int sndWscale() {
        return snd.sndWscale;
    }

    public int rcvWscale() {
        return rcv.rcvWscale;
    }

    public long rtoNanos() {
        return rto.rtoNanos();
    }

    /** The smoothed RTT and its variation (0 before the first sample), and the timeouts backed off since. */
    public long srttNanos() {
        return rto.srttNanos();
    }

    public long rttvarNanos() {
        return rto.rttvarNanos();
    }

    public int backoffs() {
        return rto.backoffs();
    }

    public long totalRetransmissions() {
        return snd.totalRetrans;
    }

    /** Bytes above snd_una the peer has SACKed. */
    public int sackedBytes() {
        return loss.scoreboard.sackedBytes();
    }

    /** The sequence variables and timers, for diagnosing a stalled connection in tests. */
    String debugState() {
        int iss = snd.iss;
        return state + " una=" + (snd.sndUna - iss) + " nxt=" + (snd.sndNxt - iss) + " max=" + (snd.sndMax - iss)
                + " wnd=" + snd.sndWnd + " cwnd=" + snd.cwnd + " ssthresh=" + snd.ssthresh
                + " queued=" + snd.sendBuf.size() + " rcvNxt=" + (rcv.rcvNxt - rcv.irs)
                + " rcvWnd=" + rcv.window() + " readable=" + rcv.rcvBuf.readable() + " ofo=" + rcv.rcvBuf.outOfOrderRanges().size()
                + " rtoAt=" + loss.rtoAt + " persistAt=" + snd.persistAt + " delackAt=" + rcv.delackAt
                + " retransmits=" + loss.retransmits + loss.debugState(iss);
    }

    /**
     * The ISN for the connection a new SYN starts after ending this one's TIME_WAIT, above anything this one
     * sent; -1 if it did not end that way. Given once: the SYN that ended TIME_WAIT makes one connection.
     */
    public long takeSuccessorIsn() {
        long isn = successorIsn;
        successorIsn = -1;
        return isn;
    }

    /** Whether the connection's IP ID counter has started. */
    boolean hasIpId() {
        return inetId >= 0;
    }

    /** Starts the IP ID counter at {@code id} (a random 16-bit value). */
    void startIpId(int id) {
        inetId = id & 0xffff;
    }

    /**
     * The IP ID for {@code seg}, made of {@code segs} segments: 0 for what Linux would send from a request
     * socket (a passive open before ESTABLISHED), a TIME_WAIT socket (tcp_v4_timewait_ack) or the control
     * socket (tcp_v4_send_reset: a RST without ACK); otherwise inet_id, which then advances by {@code segs}
     * (ip_select_ident_segs).
     */
    int takeIpId(Segment seg, int segs) {
        if ((passive && state == TcpState.SYN_RECEIVED) || state == TcpState.TIME_WAIT
                || (seg.has(RST) && !seg.has(ACK))) {
            return 0;
        }
        int id = inetId;
        inetId = (inetId + segs) & 0xffff;
        return id;
    }

    /** tcp_current_mss: the segment size a super-segment sent now is cut at (its gso_size). */
    int gsoSize() {
        return snd.mssNow();
    }
}
