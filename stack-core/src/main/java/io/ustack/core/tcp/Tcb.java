package io.ustack.core.tcp;

import io.ustack.core.stats.Mib;
import io.ustack.core.stats.MibCounters;
import io.ustack.core.wire.Ipv4Packet;
import io.ustack.core.wire.TcpSegment;
import static io.ustack.core.wire.TcpSegment.ACK;
import static io.ustack.core.wire.TcpSegment.FIN;
import static io.ustack.core.wire.TcpSegment.PSH;
import static io.ustack.core.wire.TcpSegment.RST;
import static io.ustack.core.wire.TcpSegment.SYN;

/**
 * One TCP connection's state and its protocol logic: RFC 9293's transmission control block (the kernel's
 * struct tcp_sock with tcp_rcv_state_process, tcp_ack, tcp_data_queue and tcp_write_xmit).
 *
 * <p>It does no I/O and reads no clock: segments and the time come in as arguments, segments leave
 * through {@link TcpOutput} and news through {@link TcpEvents}. Timers are deadlines the owner reads with
 * {@link #nextDeadline()} and fires with {@link #onTimers(long)}. Single-threaded: a connection lives on
 * the backlog thread that RPS gives its flow.
 *
 * <p>Implemented here: the state machine from SYN to TIME_WAIT (active, passive and simultaneous open and
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
    /** tcp_min_tso_segs: a super-segment is worth building from two segments on. */
    static final int MIN_TSO_SEGS = 2;
    /** The most IPv4 and TCP headers with options take, which a super-segment must leave room for. */
    static final int MAX_TCP_IP_HEADERS = Ipv4Packet.MIN_HEADER_LEN + TcpSegment.MAX_HEADER_LEN;
    /** TCP_MAX_WSCALE (RFC 7323). */
    static final int MAX_WSCALE = 14;
    /** Duplicate ACKs that trigger fast retransmit (tcp_reordering). */
    static final int DUPACK_THRESHOLD = 3;
    private static final long MS = 1_000_000L;
    /** tcp_invalid_ratelimit: at most one ACK per this many nanoseconds answers out-of-window segments. */
    static final long INVALID_RATELIMIT_NANOS = 500 * MS;
    /** tcp_fin_timeout: how long a connection the application has let go of waits in FIN_WAIT_2. */
    static final long FIN_TIMEOUT_MS = 60_000;

    private final TcpConfig cfg;
    private final TcpOutput out;
    final TcpEvents events;
    private final MibCounters mib;
    private final int localAddr;
    private final int localPort;
    private final int remoteAddr;
    private final int remotePort;
    private TcpState state = TcpState.CLOSED;

    // send sequence space (RFC 9293 3.3.1)
    private int iss;
    private int sndUna;
    private int sndNxt;
    private int sndWnd;
    private int sndWl1;
    private int sndWl2;
    private int maxSndWnd;
    private int sndWscale;
    private int sndMss;
    /** The highest sequence number sent so far (snd_max): what starts below it is a retransmission. */
    private int sndMax;
    /** The end of the last small segment sent (snd_sml), for Minshall's Nagle. */
    private int sndSml;
    private final SendBuffer sendBuf;
    /** The sequence number of the send buffer's first byte (snd_una once the SYN is acknowledged). */
    private int bufferBase;
    private boolean finQueued;
    private boolean finSent;
    private int finSeq;

    /** The receiving half: rcv_nxt, the receive buffer, the window offered and the ACK policy. */
    final Receiver rcv;

    // options
    boolean tsOk;
    boolean sackOk;
    /** What the peer has SACKed of ours (RFC 6675's scoreboard). */
    private final SackScoreboard scoreboard;
    private int tsRecent;
    private final int tsOffset;

    // timers: deadlines in nanoseconds, 0 when not armed
    private long rtoAt;
    private long timeWaitAt;
    private long persistAt;
    private long keepaliveAt;
    /** The tail loss probe's deadline (RFC 8985 7), 0 when not armed. */
    private long tlpAt;
    /** A loss probe went out and no ACK has acknowledged anything since (tp->tlp_high_seq set). */
    private boolean tlpOut;
    private int retransmits;
    private int persistBackoff;
    /**
     * Zero-window probes sent since the peer was last heard from (icsk_probes_out): after tcp_retries2 of
     * them the connection is dead, or a peer that offers no window and then falls silent keeps it for ever.
     */
    private int probesOut;
    /**
     * The application closed the socket (SOCK_DEAD): nobody will read or close it again, so FIN_WAIT_2 is
     * bounded by tcp_fin_timeout, or a peer that acknowledges our FIN and never sends its own keeps the
     * connection for ever.
     */
    private boolean orphaned;
    /** SO_KEEPALIVE's settings, null while it is off. */
    private Keepalive keepalive;
    /** When the peer was last heard from (rcv_tstamp), for keepalive. */
    private long lastHeard;
    private int keepaliveProbesOut;
    /** Set when a new SYN ended TIME_WAIT: the ISN its connection must use (tcp_timewait_state_process). */
    private long successorIsn = -1;
    final RtoEstimator rto = new RtoEstimator();
    // RTT timing without timestamps (Karn: never a retransmitted segment)
    private boolean rttTiming;
    private int rttSeq;
    private long rttStart;

    // congestion: the algorithm sets the window; loss detection and NewReno recovery are ours
    private final CongestionControl cc;
    private int cwnd;
    private int ssthresh = Integer.MAX_VALUE;
    private int dupAcks;
    private boolean inRecovery;
    private int recover;
    /** RFC 6675's HighRxt: the end of what loss recovery has retransmitted so far. */
    private int highRxt;
    /** This recovery's retransmissions, to notice one lost again. */
    private final RetransmitLog retransmitted = new RetransmitLog();

    /** When an out-of-window segment was last answered (last_oow_ack_time); hasOowAck while there was one. */
    private long lastOowAckAt;
    private boolean hasOowAck;
    /** Segments sent again, over the connection's life (tcpi_total_retrans). */
    private long totalRetrans;

    private Tcb(TcpConfig cfg, TcpOutput out, TcpEvents events, MibCounters mib, int localAddr, int localPort,
                int remoteAddr, int remotePort, int iss, int tsOffset) {
        this.cfg = cfg;
        this.out = out;
        this.events = events;
        this.mib = mib;
        this.scoreboard = new SackScoreboard(mib);
        this.localAddr = localAddr;
        this.localPort = localPort;
        this.remoteAddr = remoteAddr;
        this.remotePort = remotePort;
        this.iss = iss;
        this.tsOffset = tsOffset;
        this.sendBuf = new SendBuffer(cfg.sndBuf());
        this.sndUna = iss;
        this.sndNxt = iss;
        this.sndSml = iss;
        this.sndMax = iss;
        this.bufferBase = iss + 1;
        this.rcv = new Receiver(this, cfg);
        this.sndMss = Math.min(DEFAULT_PEER_MSS, cfg.mss());
        this.cwnd = INIT_CWND * sndMss;
        this.cc = CongestionControl.named(cfg.congestion());
    }

    /** tcp_v4_connect and tcp_connect: an active open; sends the SYN. */
    public static Tcb connect(TcpConfig cfg, TcpOutput out, TcpEvents events, MibCounters mib, int localAddr,
                              int localPort, int remoteAddr, int remotePort, int iss, int tsOffset, long now) {
        Tcb t = new Tcb(cfg, out, events, mib, localAddr, localPort, remoteAddr, remotePort, iss, tsOffset);
        t.lastHeard = now;
        t.state = TcpState.SYN_SENT;
        t.sndNxt = iss + 1;
        t.sendSyn(now);
        return t;
    }

    /**
     * tcp_conn_request and tcp_create_openreq_child in one: a passive open from a SYN that reached a
     * listener. Negotiates the options the SYN offers and sends the SYN-ACK.
     */
    public static Tcb accept(TcpConfig cfg, TcpOutput out, TcpEvents events, MibCounters mib, int localAddr,
                             int localPort, int remoteAddr, int remotePort, Segment syn, int iss, int tsOffset,
                             long now) {
        Tcb t = new Tcb(cfg, out, events, mib, localAddr, localPort, remoteAddr, remotePort, iss, tsOffset);
        t.lastHeard = now;
        t.state = TcpState.SYN_RECEIVED;
        t.takeSynOptions(syn);
        t.rcv.synReceived(syn.seq());
        t.sndWnd = syn.window();
        t.maxSndWnd = t.sndWnd;
        t.sndWl1 = syn.seq();
        t.sndNxt = iss + 1;
        t.sendSyn(now);
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
        t.sndUna = iss + 1;
        t.sndNxt = iss + 1;
        t.sndMax = iss + 1;
        t.rcv.fromCookie(ack.seq());
        t.sndWscale = 0;
        t.sndMss = Math.min(mss, cfg.mss());
        t.cwnd = INIT_CWND * t.sndMss;
        t.sndWnd = ack.window();
        t.maxSndWnd = t.sndWnd;
        t.sndWl1 = ack.seq();
        t.sndWl2 = ack.ack();
        return t;
    }

    /** tcp_parse_options on a SYN: what both sides offered is what the connection uses. */
    private void takeSynOptions(Segment syn) {
        int peerMss = syn.mss() > 0 ? syn.mss() : DEFAULT_PEER_MSS;
        if (cfg.windowScale() && syn.wscale() >= 0) {
            sndWscale = Math.min(syn.wscale(), MAX_WSCALE);
        } else {
            sndWscale = 0;
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
        sndMss = Math.max(Math.min(peerMss, cfg.mss()), MIN_SND_MSS) - (tsOk ? TS_OPTION_LEN : 0);
        cwnd = INIT_CWND * sndMss;
    }

    // ---- segment arrival (tcp_rcv_state_process) ----

    /** A segment for this connection arrived. */
    public void segmentArrives(Segment seg, long now) {
        switch (state) {
            case CLOSED, LISTEN -> { }
            case SYN_SENT -> synSentArrives(seg, now);
            case TIME_WAIT -> {
                if (newSynEndsTimeWait(seg)) {
                    successorIsn = (sndNxt + 65_535 + 2) & 0xffff_ffffL;
                    terminate(null);
                    return;
                }
                synchronizedArrives(seg, now);
            }
            default -> synchronizedArrives(seg, now);
        }
        if (state != TcpState.CLOSED) {
            pushPending(now);
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
        boolean ackOk = seg.has(ACK) && SeqNum.after(seg.ack(), iss) && !SeqNum.after(seg.ack(), sndNxt);
        if (seg.has(ACK) && !ackOk) {
            if (!seg.has(RST)) {
                sendReset(seg.ack());
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
        rcv.synReceived(seg.seq());
        if (tsOk && seg.timestamps()) {
            tsRecent = seg.tsVal();
        }
        if (ackOk) {
            ackAdvanced(seg, now);
            sndWnd = seg.window(); // a SYN's window is never scaled
            maxSndWnd = sndWnd;
            sndWl1 = seg.seq();
            sndWl2 = seg.ack();
            state = TcpState.ESTABLISHED;
            sendAck(now);
            armKeepalive(now);
            events.established();
        } else {
            // simultaneous open: both sent SYNs
            state = TcpState.SYN_RECEIVED;
            sndWnd = seg.window();
            sndWl1 = seg.seq();
            retransmits = 0;
            sendSegment(iss, SYN | ACK, 0, 0, now);
        }
    }

    private void synchronizedArrives(Segment seg, long now) {
        if (tsOk && seg.timestamps() && !seg.has(RST) && SeqNum.before(seg.tsVal(), tsRecent)) {
            // PAWS (RFC 7323 5.3): an old duplicate from a previous wrap of the sequence space
            if (seg.has(SYN)) {
                synChallenge(seg, now);
            } else {
                mib.inc(Mib.TcpExtPAWSEstabRejected);
                if (!oowRateLimited(seg, Mib.TcpExtTCPACKSkippedPAWS, now)) {
                    sendAck(now);
                }
            }
            return;
        }
        if (state == TcpState.SYN_RECEIVED && seg.has(SYN) && !seg.has(ACK) && seg.seq() == rcv.irs) {
            if (!oowRateLimited(seg, Mib.TcpExtTCPACKSkippedSynRecv, now)) {
                sendSegment(iss, SYN | ACK, 0, 0, now); // the peer did not hear our SYN-ACK
            }
            return;
        }
        // tcp_validate_incoming lets through the SYN-ACK that ends a simultaneous open: it repeats the peer's
        // SYN (so fails the window test) but acknowledges ours
        boolean simultaneousSynAck = state == TcpState.SYN_RECEIVED && seg.has(SYN) && seg.has(ACK)
                && seg.seq() + 1 == rcv.rcvNxt && seg.ack() == sndNxt;
        if (!simultaneousSynAck && !rcv.acceptable(seg)) {
            if (seg.has(SYN) && !seg.has(RST)) {
                synChallenge(seg, now);
            } else if (!seg.has(RST) && !oowRateLimited(seg, Mib.TcpExtTCPACKSkippedSeq, now)) {
                if (seg.dataLength() > 0 && !SeqNum.after(seg.seq() + seg.dataLength(), rcv.rcvNxt)) {
                    rcv.reportDuplicate(seg.seq(), seg.seq() + seg.dataLength());
                }
                sendAck(now); // tcp_send_dupack
            }
            return;
        }
        lastHeard = now;
        keepaliveProbesOut = 0;
        probesOut = 0; // tcp_ack: the peer answers, so probing an empty window goes on (RFC 1122 4.2.2.17)
        if (seg.has(RST)) {
            // RFC 5961 3.2: only an exact match resets; anything else in the window gets a challenge
            if (seg.seq() == rcv.rcvNxt) {
                terminate(CloseReason.RESET_RECEIVED);
            } else {
                challengeAck(seg, now);
            }
            return;
        }
        if (seg.has(SYN) && !simultaneousSynAck) {
            synChallenge(seg, now); // RFC 5961 4.2: a challenge ACK, never a reset
            return;
        }
        if (!seg.has(ACK)) {
            return;
        }
        if (tsOk && seg.timestamps() && !SeqNum.after(seg.seq(), rcv.rcvNxt)) {
            tsRecent = seg.tsVal(); // tcp_store_ts_recent: the segment covers last_ack_sent
        }
        if (state == TcpState.SYN_RECEIVED) {
            if (!SeqNum.after(seg.ack(), sndUna) || SeqNum.after(seg.ack(), sndNxt)) {
                sendReset(seg.ack());
                return;
            }
            state = TcpState.ESTABLISHED;
            sndWl1 = seg.seq() - 1; // the window update below takes this ACK's window
            armKeepalive(now);
            events.established();
            if (finQueued) {
                state = TcpState.FIN_WAIT_1; // closed in SYN_RECEIVED: the FIN goes now that our SYN is acknowledged
            }
        }
        if (!processAck(seg, now)) {
            return;
        }
        if (simultaneousSynAck) {
            return;
        }
        if (state == TcpState.TIME_WAIT) {
            if (seg.has(FIN)) {
                timeWaitAt = now + cfg.timeWaitMs() * MS; // a retransmitted FIN: ACK it and wait again
                sendAck(now);
            }
            return;
        }
        receiveData(seg, now);
    }

    /** tcp_validate_incoming's syn_challenge: a SYN on a synchronized connection is answered, at a limited rate. */
    private void synChallenge(Segment seg, long now) {
        mib.inc(Mib.TcpExtTCPSYNChallenge);
        challengeAck(seg, now);
    }

    /** tcp_send_challenge_ack (RFC 5961 7): an ACK that only the true peer can act on, at a limited rate. */
    private void challengeAck(Segment seg, long now) {
        if (!oowRateLimited(seg, Mib.TcpExtTCPACKSkippedChallenge, now)) {
            mib.inc(Mib.TcpExtTCPChallengeACK);
            sendAck(now);
        }
    }

    /**
     * tcp_oow_rate_limited: whether to leave an out-of-window segment, a SYN or a bare ACK, unanswered
     * because one was answered less than tcp_invalid_ratelimit ago. Two ends that each find the other's
     * segments out of window would otherwise ACK each other forever, and a flood of forged SYNs or RSTs
     * would draw an ACK apiece. Segments carrying data or a FIN are always answered: they make no loop.
     */
    private boolean oowRateLimited(Segment seg, Mib skipped, long now) {
        if (seg.seqLength() > 0 && !seg.has(SYN)) {
            return false;
        }
        if (hasOowAck && now - lastOowAckAt < INVALID_RATELIMIT_NANOS) {
            mib.inc(skipped);
            return true;
        }
        hasOowAck = true;
        lastOowAckAt = now;
        return false;
    }

    /**
     * tcp_ack: advances snd_una, frees acknowledged bytes, samples the RTT, updates the send window and
     * drives congestion control and the FIN states. Returns false if the segment is to be dropped.
     */
    private boolean processAck(Segment seg, long now) {
        int ack = seg.ack();
        if (SeqNum.after(ack, sndMax)) {
            sendAck(now); // acknowledges what we never sent (snd_max: after a timeout snd_nxt is rewound below it)
            return false;
        }
        boolean advanced = SeqNum.after(ack, sndUna);
        int newlySacked = 0;
        if (sackOk && seg.sack().length > 0) {
            newlySacked = scoreboard.update(seg.sack(), advanced ? ack : sndUna, sndMax);
        }
        if (advanced) {
            ackAdvanced(seg, now);
        } else if (ack == sndUna && sndUna != sndNxt && (newlySacked > 0 || (seg.dataLength() == 0
                && !seg.has(FIN) && (seg.window() << sndWscale) == sndWnd))) {
            duplicateAck(now); // RFC 6675 2: an ACK that SACKs new data is a duplicate whatever else it carries
        }
        if (sackOk && !inRecovery && sndNxt == sndMax && sndUna != sndMax
                && (dupAcks >= DUPACK_THRESHOLD || scoreboard.headLost(sndUna, sndMss))) {
            enterSackRecovery(now);
        } else if (sackOk && inRecovery && newlySacked > 0) {
            resendLostRetransmission(now);
        }
        if (SeqNum.before(sndWl1, seg.seq()) || (sndWl1 == seg.seq() && !SeqNum.before(ack, sndWl2))) {
            if (sndWnd == 0 && seg.window() != 0) {
                persistBackoff = 0; // tcp_ack_probe: the window opened
            }
            sndWnd = seg.window() << sndWscale; // tcp_ack_update_window
            maxSndWnd = Math.max(maxSndWnd, sndWnd);
            sndWl1 = seg.seq();
            sndWl2 = ack;
        }
        if (finSent && SeqNum.after(ack, finSeq)) {
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

    /** The part of tcp_ack for an ACK that acknowledges something new. */
    private void ackAdvanced(Segment seg, long now) {
        int ack = seg.ack();
        int acked = ack - sndUna;
        int dataEnd = bufferBase + sendBuf.size();
        int freeTo = SeqNum.before(ack, dataEnd) ? ack : dataEnd;
        int freed = freeTo - bufferBase;
        if (freed > 0) {
            sendBuf.consume(freed);
            bufferBase = freeTo;
        }
        sndUna = ack;
        if (!scoreboard.isEmpty()) {
            scoreboard.advance(ack);
            if (scoreboard.reneged(ack)) {
                scoreboard.clear(); // the peer dropped data it had SACKed: every byte is ours to resend
                mib.inc(Mib.TcpExtTCPSACKReneging);
            }
        }
        if (SeqNum.after(ack, sndNxt)) {
            sndNxt = ack; // data sent before a timeout's rewind arrived after all
        }
        if (tsOk && seg.timestamps() && seg.tsEcr() != 0) {
            rto.sample((tsNow(now) - seg.tsEcr()) * MS);
        } else if (rttTiming && SeqNum.after(ack, rttSeq)) {
            rto.sample(now - rttStart);
        }
        if (rttTiming && SeqNum.after(ack, rttSeq)) {
            rttTiming = false;
        }
        retransmits = 0; // the backoff itself ends with a valid RTT sample (RFC 6298 5.7, Karn)
        rtoAt = sndUna == sndNxt ? 0 : now + rto.rtoNanos();
        tlpAt = 0; // pushPending arms it again from this ACK, as tcp_rearm_rto does
        tlpOut = false;
        if (state.synchronizedState()) {
            congestionOnAck(ack, acked, now); // the ACK of our SYN carries no data: it grows nothing
        }
        if (freed > 0) {
            events.writable();
        }
    }

    /** The algorithm's growth, and the way out of fast recovery (RFC 6582 for NewReno, RFC 6675 with SACK). */
    private void congestionOnAck(int ack, int acked, long now) {
        if (inRecovery) {
            if (!SeqNum.before(ack, recover)) {
                inRecovery = false;
                cwnd = ssthresh;
            } else if (!sackOk) {
                // a partial ACK: the next hole is lost too; resend it at once
                retransmitHead(now);
                mib.inc(Mib.TcpExtTCPFastRetrans);
                cwnd = Math.max(cwnd - acked + sndMss, sndMss);
            } // with SACK the scoreboard knows the holes: pushPending fills them as the pipe allows
            dupAcks = 0;
            return;
        }
        dupAcks = 0;
        cwnd = cc.congAvoid(cwnd, ssthresh, acked, sndMss, now, rto.srttNanos());
    }

    /**
     * tcp_fastretrans_alert: without SACK the third duplicate ACK starts fast retransmit and NewReno recovery.
     * With SACK the count is one of the two ways into recovery that processAck weighs.
     */
    private void duplicateAck(long now) {
        if (inRecovery) {
            if (!sackOk) {
                cwnd += sndMss; // each dupack means a segment left the network; with SACK the pipe says so
            }
            return;
        }
        if (++dupAcks == DUPACK_THRESHOLD && !sackOk) {
            ssthresh = cc.ssthresh(cwnd, flightSize(), sndMss, now);
            cwnd = ssthresh + DUPACK_THRESHOLD * sndMss;
            inRecovery = true;
            recover = sndNxt;
            retransmitHead(now);
            mib.inc(Mib.TcpExtTCPRenoRecovery);
            mib.inc(Mib.TcpExtTCPFastRetrans);
        }
    }

    /**
     * RFC 6675 section 5 (tcp_enter_recovery): the window drops to the algorithm's ssthresh, not inflated,
     * because the pipe estimate, not dupack counting, decides when more may be sent; the first hole goes at
     * once.
     */
    private void enterSackRecovery(long now) {
        tlpAt = 0;
        ssthresh = cc.ssthresh(cwnd, flightSize(), sndMss, now);
        cwnd = ssthresh;
        inRecovery = true;
        recover = sndMax;
        highRxt = retransmit(sndUna, scoreboard.nextSackedStart(sndUna, sndMax), now);
        retransmitted.clear();
        retransmitted.add(sndUna, highRxt, sndMax);
        mib.inc(Mib.TcpExtTCPSackRecovery);
        mib.inc(Mib.TcpExtTCPFastRetrans);
    }

    /**
     * tcp_mark_lost_retrans: a retransmission the peer still lacks after SACKing data sent later was lost
     * as well; it goes again at once, one per ACK that brings news, rather than at the timeout.
     */
    private void resendLostRetransmission(long now) {
        int lost = retransmitted.findLost(scoreboard, sndUna, scoreboard.highestSackedEnd(sndUna));
        if (lost < 0) {
            return;
        }
        int from = SeqNum.after(retransmitted.start(lost), sndUna) ? retransmitted.start(lost) : sndUna;
        from = scoreboard.skipSacked(from);
        int limit = scoreboard.nextSackedStart(from, retransmitted.end(lost));
        if (retransmit(from, limit, now) != from) {
            retransmitted.resent(lost, sndMax);
            mib.inc(Mib.TcpExtTCPLostRetransmit);
        }
    }

    /** Bytes sent and not yet acknowledged, SACKed or not (RFC 5681's FlightSize). */
    private int flightSize() {
        return sndNxt - sndUna;
    }

    /**
     * tcp_packets_in_flight: what is still in the network. During SACK recovery that is RFC 6675's pipe;
     * otherwise what was sent less what the peer has SACKed.
     */
    private int inFlight() {
        if (inRecovery && sackOk) {
            return scoreboard.pipe(sndUna, sndMax, highRxt, sndMss);
        }
        return scoreboard.isEmpty() ? flightSize() : flightSize() - scoreboard.sackedBetween(sndUna, sndNxt);
    }

    /**
     * tcp_data_queue and tcp_fin, and then tcp_ack_snd_check: the receiver takes the data; a FIN that is
     * next in sequence changes the state here; else an ACK now or a delayed one, as the receiver's policy has it.
     */
    private void receiveData(Segment seg, long now) {
        if (!state.canReceive()) {
            return;
        }
        boolean quickAck = rcv.dataQueue(seg);
        if (rcv.finInOrder()) {
            peerFinArrived(now);
            return;
        }
        // a FIN ahead of a gap: tell the sender at once what is missing
        rcv.ackSndCheck(quickAck || (seg.has(FIN) && !rcv.peerFin), seg.dataLength() > 0, now);
    }

    /** tcp_fin: the peer is done sending. */
    private void peerFinArrived(long now) {
        rcv.takeFin();
        switch (state) {
            case ESTABLISHED -> state = TcpState.CLOSE_WAIT;
            case FIN_WAIT_1 -> {
                if (finSent && sndUna == sndNxt) {
                    enterTimeWait(now);
                } else {
                    state = TcpState.CLOSING;
                }
            }
            case FIN_WAIT_2 -> enterTimeWait(now);
            default -> { }
        }
        sendAck(now);
        events.readable();
    }

    private void enterTimeWait(long now) {
        state = TcpState.TIME_WAIT;
        stopTimers();
        timeWaitAt = now + cfg.timeWaitMs() * MS;
    }

    /** Disarms every timer: the connection has nothing more to send or to wait for but, maybe, TIME_WAIT. */
    private void stopTimers() {
        rtoAt = 0;
        rcv.delackAt = 0;
        persistAt = 0;
        keepaliveAt = 0;
        tlpAt = 0;
        timeWaitAt = 0;
    }

    // ---- the application's side ----

    /** tcp_sendmsg: queues what fits the send buffer and sends what the windows allow; returns bytes taken. */
    public int write(byte[] src, int off, int len, long now) {
        int n = queue(src, off, len);
        pushPending(now);
        return n;
    }

    /**
     * tcp_sendmsg's copy alone: queues up to the send buffer's free space without sending, for a caller on
     * another thread that then has {@link #push} run on the connection's own. Returns how many bytes were taken.
     */
    public int queue(byte[] src, int off, int len) {
        if (finQueued || state == TcpState.CLOSED || state == TcpState.LISTEN || state == TcpState.TIME_WAIT) {
            throw new IllegalStateException("cannot send in state " + state);
        }
        return sendBuf.write(src, off, len);
    }

    /** tcp_push: sends what is queued, as far as the windows allow. */
    public void push(long now) {
        if (state != TcpState.CLOSED) {
            pushPending(now);
        }
    }

    /**
     * tcp_recvmsg: copies out in-order data; -1 at end of stream (the peer's FIN, all read). A window that
     * grew is announced by {@link #windowUpdate}, which the caller runs on the connection's thread.
     */
    public int read(byte[] dst, int off, int len) {
        return rcv.read(dst, off, len);
    }

    /** tcp_cleanup_rbuf: after reads, tell the peer of a window that grew by a real amount. */
    public void windowUpdate(long now) {
        if (!state.canReceive()) {
            return;
        }
        rcv.windowUpdate(sndMss, now);
    }

    /** tcp_close: a FIN after the data already queued. */
    public void close(long now) {
        switch (state) {
            case SYN_SENT, CLOSED, LISTEN -> terminate(null);
            case SYN_RECEIVED -> {
                // RFC 9293 3.10.4: the FIN waits for ESTABLISHED. Sent now, it would sit behind our SYN, which
                // is not yet acknowledged, and a retransmission from snd_una would read the send buffer at -1.
                finQueued = true;
            }
            case ESTABLISHED -> {
                finQueued = true;
                state = TcpState.FIN_WAIT_1;
            }
            case CLOSE_WAIT -> {
                finQueued = true;
                state = TcpState.LAST_ACK;
            }
            default -> { } // already closing
        }
        if (state != TcpState.CLOSED) {
            pushPending(now);
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
            sendSegmentNoTs(sndNxt, RST | ACK);
        }
        terminate(reason);
    }

    // ---- sending (tcp_write_xmit) ----

    /**
     * tcp_write_xmit: sends what the windows allow. During SACK recovery RFC 6675's NextSeg picks each
     * segment: a hole deemed lost, else new data, else a hole below SACKed data.
     */
    private void pushPending(long now) {
        boolean sendingData = state == TcpState.ESTABLISHED || state == TcpState.CLOSE_WAIT
                || (finQueued && (state == TcpState.FIN_WAIT_1 || state == TcpState.CLOSING || state == TcpState.LAST_ACK));
        boolean sent = false;
        while (sendingData) {
            boolean sackRecovery = inRecovery && sackOk;
            if (!(sackRecovery && retransmitHole(false, now)) && !sendNext(now)
                    && !(sackRecovery && retransmitHole(true, now))) {
                break;
            }
            sent = true;
        }
        if (sent || tlpAt == 0) {
            scheduleLossProbe(now);
        }
    }

    /**
     * tcp_schedule_loss_probe (RFC 8985 7.2): with data in flight, a probe is due two smoothed RTTs after
     * the last transmission or ACK, plus room for a delayed ACK when only one segment is out, if that comes
     * before the retransmission timeout. When the ACKs for a whole flight are lost, or its tail is, the probe
     * draws an ACK (and SACK) in a few milliseconds where the timeout would take 200 or more. Unlike the RFC
     * it also runs during SACK recovery: there RACK's reordering timer would find a lost retransmission or a
     * lost ACK (Linux compresses its SACKs, so one lost ACK can be all there was), and without RACK the
     * probe's ACK is what brings the news.
     */
    private void scheduleLossProbe(long now) {
        tlpAt = 0;
        if (!lossProbeApplies() || !rto.hasSample()) {
            return;
        }
        long pto = 2 * rto.srttNanos() + (flightSize() <= sndMss ? RtoEstimator.MIN_RTO_NANOS : 2 * MS);
        if (rtoAt != 0 && now + pto - rtoAt < 0) {
            tlpAt = now + pto;
        }
    }

    private boolean lossProbeApplies() {
        return sackOk && !tlpOut && sndNxt == sndMax && sndUna != sndMax
                && state.synchronizedState() && state != TcpState.TIME_WAIT;
    }

    /**
     * tcp_send_loss_probe (RFC 8985 7.3): the last segment sent, again; then the retransmission timer takes
     * over. The RFC prefers new data when there is some, but a peer that has everything holds its ACK for a
     * new in-order segment up to its delayed-ACK timer (40 ms on Linux), hundreds of our round trips here,
     * while a repeated segment, or one that fills a hole, is answered at once.
     */
    private void lossProbe(long now) {
        tlpAt = 0;
        if (!lossProbeApplies()) {
            return;
        }
        int sent = SeqNum.before(bufferBase + sendBuf.size(), sndMax) ? bufferBase + sendBuf.size() : sndMax;
        int unacked = sent - sndUna;
        retransmit(unacked > 0 ? sent - Math.min(mssNow(), unacked) : sndUna, sndMax, now);
        tlpOut = true;
        mib.inc(Mib.TcpExtTCPLossProbes);
        rtoAt = now + rto.rtoNanos();
    }

    /**
     * One segment of data at snd_nxt, or the FIN once all data is out. After a timeout rewound snd_nxt this
     * sends again what the peer has not SACKed; Nagle and sender-side silly window avoidance hold back only
     * new data. Returns true if there may be more to send.
     */
    private boolean sendNext(long now) {
        if (!scoreboard.isEmpty() && SeqNum.before(sndNxt, sndMax)) {
            sndNxt = scoreboard.skipSacked(sndNxt); // the peer holds these bytes: they need not go again
        }
        boolean resend = SeqNum.before(sndNxt, sndMax);
        int dataEnd = bufferBase + sendBuf.size();
        int unsent = dataEnd - sndNxt;
        if (unsent <= 0) {
            sendFin(now);
            return false;
        }
        int room = Math.min(sndWnd - flightSize(), cwnd - inFlight());
        if (room <= 0) {
            checkProbeTimer(now);
            return false;
        }
        int mss = mssNow();
        int len = Math.min(Math.min(unsent, sizeGoal(mss)), room);
        if (resend) {
            len = Math.min(len, scoreboard.nextSackedStart(sndNxt, sndMax) - sndNxt);
        }
        if (len > mss && len < unsent) {
            len -= len % mss; // tcp_mss_split_point: a super-segment holds whole segments, but for the data's tail
        }
        boolean allOfIt = len == unsent;
        if (!resend && len < mss) {
            if (!cfg.noDelay() && SeqNum.after(sndSml, sndUna) && !SeqNum.after(sndSml, sndNxt)
                    && !(allOfIt && finQueued)) {
                return false; // Nagle, Minshall's way (tcp_minshall_check): one small segment in flight at a time
            }
            if (!allOfIt) {
                checkProbeTimer(now); // the ACK that would open the window further may be lost
                return false; // sender-side silly window avoidance: wait for room for a full segment
            }
        }
        sendData(len, allOfIt, resend, now);
        return true;
    }

    /** Sends {@code len} bytes at snd_nxt, timed for an RTT sample if nothing else is. */
    private void sendData(int len, boolean allOfIt, boolean resend, long now) {
        persistAt = 0;
        if (!rttTiming && !tsOk && !resend) {
            rttTiming = true;
            rttSeq = sndNxt;
            rttStart = now;
        }
        sendSegment(sndNxt, ACK | (allOfIt ? PSH : 0), sndNxt - bufferBase, len, now);
        sndNxt += len;
        if (len % mssNow() != 0) {
            sndSml = sndNxt; // tcp_minshall_update: the last segment of what went was short
        }
        if (rtoAt == 0) {
            rtoAt = now + rto.rtoNanos();
        }
    }

    /**
     * tcp_check_probe_timer: data waits and nothing is in flight, so no ACK is coming to open the window or
     * to clock more out; the persist timer makes sure it does not wait forever.
     */
    private void checkProbeTimer(long now) {
        if (flightSize() == 0 && persistAt == 0) {
            persistAt = now + rto.rtoNanos();
        }
    }

    /** The FIN follows the data; after a timeout's rewind it goes again at its own sequence number. */
    private void sendFin(long now) {
        if (finQueued && (!finSent || sndNxt == finSeq)) {
            finSeq = sndNxt;
            finSent = true;
            sendSegment(sndNxt, FIN | ACK, 0, 0, now);
            sndNxt++;
            if (rtoAt == 0) {
                rtoAt = now + rto.rtoNanos();
            }
        }
    }

    /**
     * RFC 6675's NextSeg rule 1 (the first hole above HighRxt deemed lost) or, with {@code belowSacked},
     * rule 3 (any hole above HighRxt with SACKed data beyond it): resends up to a segment of it if
     * cwnd - pipe leaves room. Returns true if it sent.
     */
    private boolean retransmitHole(boolean belowSacked, long now) {
        int from = SeqNum.after(highRxt, sndUna) ? highRxt : sndUna;
        long hole = scoreboard.nextHole(from, sndMss, belowSacked);
        if (hole < 0) {
            return false;
        }
        int seq = (int) hole;
        int limit = scoreboard.nextSackedStart(seq, sndMax);
        if (cwnd - inFlight() < Math.min(mssNow(), limit - seq)) {
            return false;
        }
        int end = retransmit(seq, limit, now);
        if (end == seq) {
            return false;
        }
        highRxt = end;
        retransmitted.add(seq, end, sndMax);
        mib.inc(Mib.TcpExtTCPFastRetrans);
        return true;
    }

    private void sendSyn(long now) {
        sendSegment(iss, state == TcpState.SYN_SENT ? SYN : SYN | ACK, 0, 0, now);
        rtoAt = now + rto.rtoNanos();
    }

    /** tcp_send_ack, numbered as tcp_acceptable_seq numbers it. */
    void sendAck(long now) {
        sendSegment(acceptableSeq(), ACK, 0, 0, now);
    }

    /**
     * tcp_acceptable_seq: the highest sequence number sent, unless that lies beyond the peer's window, then
     * the window's right edge. After a timeout rewinds snd_nxt the peer already holds bytes above it, so an
     * ACK numbered at snd_nxt would look old; one beyond a closed window would fail its test. Either way the
     * acknowledgement would be ignored.
     */
    private int acceptableSeq() {
        int wndEnd = sndUna + sndWnd;
        return SeqNum.before(wndEnd, sndMax) ? wndEnd : sndMax;
    }

    /** tcp_v4_send_reset for a segment that acknowledged what we never sent. */
    private void sendReset(int seq) {
        sendSegmentNoTs(seq, RST);
    }

    private void sendSegmentNoTs(int seq, int flags) {
        out.transmit(this, new Segment(seq, (flags & ACK) != 0 ? rcv.rcvNxt : 0, flags, 0, -1, -1, false, false, 0, 0,
                Segment.NO_SACK, Segment.NO_DATA, 0, 0), false);
    }

    /**
     * tcp_transmit_skb: one segment with the current ACK, window and options. {@code bufOff} and {@code len}
     * select payload bytes from the send buffer.
     */
    private void sendSegment(int seq, int flags, int bufOff, int len, long now) {
        boolean syn = (flags & SYN) != 0;
        int window = syn ? Math.min(rcv.window(), 65_535) : rcv.windowToAdvertise(sndMss);
        byte[] data = Segment.NO_DATA;
        if (len > 0) {
            data = new byte[len];
            sendBuf.copyOut(bufOff, data, 0, len);
        }
        int[] sack = Segment.NO_SACK;
        if (sackOk && !syn) {
            sack = rcv.sackBlocks();
        }
        boolean ts = syn ? cfg.timestamps() && (state == TcpState.SYN_SENT || tsOk) : tsOk;
        Segment seg = new Segment(seq, (flags & ACK) != 0 ? rcv.rcvNxt : 0, flags, window,
                syn ? cfg.mss() : -1,
                syn && cfg.windowScale() && (state == TcpState.SYN_SENT || rcv.rcvWscale > 0 || sndWscale > 0) ? rcv.rcvWscale : -1,
                syn && cfg.sack() && (state == TcpState.SYN_SENT || sackOk), ts, ts ? tsNow(now) : 0,
                ts ? tsRecent : 0, sack, data, 0, len);
        if ((flags & ACK) != 0) {
            rcv.ackSent(window, syn);
        }
        int end = seq + seg.seqLength();
        boolean retransmission = seg.seqLength() > 0 && SeqNum.before(seq, sndMax);
        if (retransmission) {
            totalRetrans++;
        }
        if (SeqNum.after(end, sndMax)) {
            sndMax = end;
        }
        out.transmit(this, seg, retransmission);
    }

    /** The timestamp clock: milliseconds (tcp_time_stamp_ms) plus this connection's random offset. */
    private int tsNow(long now) {
        return (int) (now / MS) + tsOffset;
    }

    // ---- timers ----

    /** The earliest armed deadline, in nanoseconds, or 0 if none. */
    public long nextDeadline() {
        return earliest(earliest(earliest(rtoAt, rcv.delackAt), earliest(timeWaitAt, persistAt)), earliest(keepaliveAt, tlpAt));
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
            sendAck(now);
        }
        if (rtoAt != 0 && now - rtoAt >= 0) {
            retransmitTimeout(now);
        }
        if (tlpAt != 0 && now - tlpAt >= 0) {
            lossProbe(now);
        }
        if (persistAt != 0 && now - persistAt >= 0) {
            persistTimer(now);
        }
        if (keepaliveAt != 0 && now - keepaliveAt >= 0) {
            keepaliveTimer(now);
        }
    }

    /**
     * setsockopt SO_KEEPALIVE (tcp_set_keepalive): {@code k} turns keepalive on with those settings, null
     * turns it off. The first probe may go {@code k.idleMs()} from now.
     */
    public void keepalive(Keepalive k, long now) {
        keepalive = k;
        keepaliveAt = k != null && keepaliveApplies() ? now + k.idleMs() * MS : 0;
    }

    /** Keepalive turned on before the handshake starts counting when the connection is established. */
    private void armKeepalive(long now) {
        if (keepalive != null && keepaliveAt == 0) {
            keepaliveAt = now + keepalive.idleMs() * MS;
        }
    }

    /** Keepalive watches a connection from its handshake to the end, TIME_WAIT aside (tcp_keepalive_timer). */
    private boolean keepaliveApplies() {
        return state != TcpState.CLOSED && state != TcpState.LISTEN && state != TcpState.SYN_SENT
                && state != TcpState.TIME_WAIT;
    }

    /**
     * tcp_keepalive_timer: after the idle time without a word from the peer, a probe it must answer (an old
     * sequence number, as tcp_xmit_probe_skb sends); after {@code probes} unanswered probes the connection
     * is dead. While data is outstanding the retransmission timer watches the peer instead.
     */
    private void keepaliveTimer(long now) {
        keepaliveAt = 0;
        if (keepalive == null || !keepaliveApplies()) {
            return;
        }
        long idle = keepalive.idleMs() * MS;
        if (sndUna != sndMax || sendBuf.size() > 0) {
            keepaliveAt = now + idle;
            return;
        }
        if (now - lastHeard < idle) {
            keepaliveAt = lastHeard + idle;
            return;
        }
        if (keepaliveProbesOut >= keepalive.probes()) {
            terminate(CloseReason.TIMEOUT);
            return;
        }
        sendProbe(now);
        mib.inc(Mib.TcpExtTCPKeepAlive);
        keepaliveProbesOut++;
        keepaliveAt = now + keepalive.intervalMs() * MS;
    }

    /** tcp_retransmit_timer: back off, collapse the window to one segment, resend from snd_una. */
    private void retransmitTimeout(long now) {
        int limit = switch (state) {
            case SYN_SENT -> cfg.synRetries();
            case SYN_RECEIVED -> cfg.synAckRetries();
            default -> cfg.retries2();
        };
        if (retransmits >= limit) {
            terminate(CloseReason.TIMEOUT);
            return;
        }
        retransmits++;
        mib.inc(Mib.TcpExtTCPTimeouts);
        rto.backoff();
        rttTiming = false; // Karn's rule
        if (state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED) {
            sendSegment(iss, state == TcpState.SYN_SENT ? SYN : SYN | ACK, 0, 0, now);
            rtoAt = now + rto.rtoNanos();
            return;
        }
        ssthresh = cc.ssthresh(cwnd, flightSize(), sndMss, now);
        cwnd = sndMss;
        cc.onTimeout();
        if (inRecovery) {
            mib.inc(sackOk ? Mib.TcpExtTCPSackRecoveryFail : Mib.TcpExtTCPRenoRecoveryFail);
        } else if (retransmits == 1 && (dupAcks > 0 || !scoreboard.isEmpty())) {
            mib.inc(sackOk ? Mib.TcpExtTCPSackFailures : Mib.TcpExtTCPRenoFailures); // loss seen, too little to act on
        }
        inRecovery = false;
        tlpAt = 0;
        tlpOut = false;
        dupAcks = 0;
        // go back to snd_una, past what the peer SACKed (tcp_enter_loss keeps the scoreboard); the FIN, if
        // unacknowledged, goes again after the data (pushPending)
        sndNxt = sndUna;
        rtoAt = 0;
        pushPending(now);
        if (rtoAt == 0) {
            rtoAt = now + rto.rtoNanos();
        }
    }

    /**
     * tcp_current_mss: the payload that fits a segment sent now. The negotiated MSS already allows for
     * timestamps; SACK blocks, present while we hold out-of-order data, take their bytes from the payload,
     * or a full segment would exceed the MTU and, with DF set, never leave.
     */
    private int mssNow() {
        if (!sackOk) {
            return sndMss;
        }
        int blocks = rcv.sackBlockCount();
        return blocks == 0 ? sndMss : sndMss - (TcpOptions.TCPOLEN_SACK_BASE + 2 + blocks * TcpOptions.TCPOLEN_SACK_PERBLOCK);
    }

    /**
     * tcp_xmit_size_goal with tcp_tso_autosize: how much one transmission may carry. Without GSO on the route,
     * one segment. With it, a super-segment of whole segments worth about a millisecond at the pacing rate
     * Linux would set (twice cwnd per RTT in slow start, 1.2 times after: tcp_update_pacing_rate), at least
     * two segments (tcp_min_tso_segs) and at most what one IPv4 packet holds; cwnd and the windows cut it
     * further. A sender that has no RTT yet goes by cwnd alone.
     */
    private int sizeGoal(int mss) {
        if (cfg.gsoMaxSize() == 0) {
            return mss;
        }
        int maxPayload = Math.min(cfg.gsoMaxSize(), Ipv4Packet.MAX_PACKET_LEN + 1) - 1 - MAX_TCP_IP_HEADERS;
        long bytes = maxPayload;
        if (rto.hasSample() && rto.srttNanos() > 0) {
            long perRtt = cwnd < ssthresh ? 2L * cwnd : cwnd + cwnd / 5;
            bytes = perRtt * 1_000_000L / rto.srttNanos(); // per millisecond, as sk_pacing_shift 10 has it
        }
        int segs = (int) Math.max(MIN_TSO_SEGS, Math.min(bytes, maxPayload) / mss);
        return Math.max(mss, Math.min(segs * mss, maxPayload / mss * mss));
    }

    /** tcp_retransmit_skb for the first unacknowledged segment. */
    private void retransmitHead(long now) {
        retransmit(sndUna, sndMax, now);
    }

    /**
     * tcp_retransmit_skb: sends again up to a segment from {@code seq}, not reaching {@code limit}; the FIN
     * if that is what lies there. Returns the sequence number after what it sent ({@code seq} if nothing).
     * Resending the oldest segment restarts the retransmission timer (RFC 6298 5.3).
     */
    private int retransmit(int seq, int limit, long now) {
        int dataEnd = bufferBase + sendBuf.size();
        int len = Math.min(mssNow(), (SeqNum.before(limit, dataEnd) ? limit : dataEnd) - seq);
        int end = seq;
        if (len > 0) {
            sendSegment(seq, ACK, seq - bufferBase, len, now);
            end = seq + len;
        } else if (finSent && seq == finSeq) {
            sendSegment(finSeq, FIN | ACK, 0, 0, now);
            end = seq + 1;
        }
        rttTiming = false;
        if (seq == sndUna) {
            rtoAt = now + rto.rtoNanos();
        }
        return end;
    }

    /**
     * tcp_probe_timer and tcp_write_wakeup: with nothing in flight, what fits of the peer's window goes now,
     * even less than a segment (silly window avoidance held it back, waiting for an update that may have
     * been lost); with no window at all, a probe with an old sequence number makes the peer answer with
     * its window.
     */
    private void persistTimer(long now) {
        int unsent = bufferBase + sendBuf.size() - sndNxt;
        if (unsent <= 0 || flightSize() > 0) {
            persistAt = 0;
            pushPending(now);
            return;
        }
        int fits = Math.min(Math.min(unsent, mssNow()), sndWnd);
        if (fits > 0) {
            persistBackoff = 0;
            sendData(fits, fits == unsent, false, now);
            return;
        }
        if (probesOut >= cfg.retries2()) {
            terminate(CloseReason.TIMEOUT); // tcp_probe_timer: the peer stopped answering our probes
            return;
        }
        probesOut++;
        sendProbe(now);
        persistBackoff = Math.min(persistBackoff + 1, 10);
        persistAt = now + Math.min(rto.rtoNanos() << persistBackoff, RtoEstimator.MAX_RTO_NANOS);
    }

    /**
     * tcp_xmit_probe_skb: an empty segment one below snd_una, which the peer must answer with an ACK that
     * carries its window; the keepalive and zero-window probes both are this.
     */
    private void sendProbe(long now) {
        sendSegment(sndUna - 1, ACK, 0, 0, now);
    }

    private void terminate(CloseReason reason) {
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
        return rcv.rcvBuf.readable();
    }

    /** True once the peer's FIN has been received: after the buffered data, reads see end of stream. */
    public boolean peerClosed() {
        return rcv.peerFin;
    }

    /** Bytes the application may still write before the send buffer is full. */
    public int writable() {
        return finQueued ? 0 : sendBuf.free();
    }

    /** Bytes sent or queued and not yet acknowledged (ss's Send-Q). */
    public int unacknowledged() {
        return sendBuf.size();
    }

    public int sndMss() {
        return sndMss;
    }

    public int cwnd() {
        return cwnd;
    }

    public int ssthresh() {
        return ssthresh;
    }

    /** The congestion control algorithm's name. */
    public String congestion() {
        return cc.name();
    }

    public int sndWnd() {
        return sndWnd;
    }

    public int rcvNxt() {
        return rcv.rcvNxt;
    }

    public int sndNxt() {
        return sndNxt;
    }

    public int sndUna() {
        return sndUna;
    }

    public boolean timestamps() {
        return tsOk;
    }

    public boolean sack() {
        return sackOk;
    }

    public int sndWscale() {
        return sndWscale;
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
        return totalRetrans;
    }

    /** Bytes above snd_una the peer has SACKed. */
    public int sackedBytes() {
        return scoreboard.sackedBytes();
    }

    /** The sequence variables and timers, for diagnosing a stalled connection in tests. */
    String debugState() {
        return state + " una=" + (sndUna - iss) + " nxt=" + (sndNxt - iss) + " max=" + (sndMax - iss) + " wnd=" + sndWnd
                + " cwnd=" + cwnd + " ssthresh=" + ssthresh + " queued=" + sendBuf.size() + " rcvNxt=" + (rcv.rcvNxt - rcv.irs)
                + " rcvWnd=" + rcv.window() + " readable=" + rcv.rcvBuf.readable() + " ofo=" + rcv.rcvBuf.outOfOrderRanges().size()
                + " rtoAt=" + rtoAt + " persistAt=" + persistAt + " delackAt=" + rcv.delackAt + " retransmits=" + retransmits
                + " recovery=" + inRecovery + " dupAcks=" + dupAcks + " sacked=" + scoreboard.sackedBytes()
                + " highRxt=" + (highRxt - iss);
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

    /** tcp_current_mss: the segment size a super-segment sent now is cut at (its gso_size). */
    int gsoSize() {
        return mssNow();
    }
}
