package io.ustack.core.tcp;

import io.ustack.core.stats.Mib;
import io.ustack.core.stats.MibCounters;
import static io.ustack.core.tcp.Tcb.MS;

/**
 * Loss detection and recovery for one connection, gVisor's sack_recovery.go, reno_recovery.go and the
 * retransmit timer: what Linux does in tcp_fastretrans_alert (duplicate ACKs, NewReno per RFC 6582, SACK
 * recovery per RFC 6675 with its pipe and NextSeg), tcp_sacktag_write_queue and tcp_check_sack_reneging
 * (the {@link SackScoreboard}), tcp_mark_lost_retrans (the {@link RetransmitLog}), tcp_enter_loss and
 * tcp_retransmit_timer (RFC 6298's timeout with backoff), and the tail loss probe (RFC 8985 7:
 * tcp_schedule_loss_probe, tcp_send_loss_probe). It holds the retransmission and loss probe timers.
 *
 * <p>It decides what goes again and how far the congestion window falls; the {@link Sender} sends, and
 * the {@link CongestionControl} algorithm says how far to back off and how to grow outside recovery.
 */
final class LossRecovery {
    private final Tcb tcb;
    private final Sender snd;
    private final MibCounters mib;
    /** What the peer has SACKed of ours (RFC 6675's scoreboard). */
    final SackScoreboard scoreboard;
    private int dupAcks;
    boolean inRecovery;
    /**
     * TCP_CA_CWR: an ECN echo reduced the window (tcp_enter_cwr), which falls by proportional rate reduction
     * (tcp_cwnd_reduction, RFC 6937) until everything sent before it is acknowledged, and a little more so that
     * our CWR is known to have arrived (cwrHighSeq, tp->high_seq).
     */
    boolean inCwr;
    private int cwrHighSeq;
    /** tp->prior_cwnd (bytes), prr_delivered and prr_out (segments): PRR's reckoning in CWR. */
    private int priorCwnd;
    private long prrDelivered;
    private long prrOut;
    /** RFC 6582's recover: recovery ends when everything sent before it began is acknowledged. */
    private int recover;
    /**
     * TCP_CA_Loss: a retransmission timeout sent everything from snd_una again; it lasts until what was sent
     * before it (lossHighSeq, tp->high_seq) is acknowledged.
     */
    private boolean inLoss;
    private int lossHighSeq;
    /** RFC 6675's HighRxt: the end of what loss recovery has retransmitted so far. */
    private int highRxt;
    /** This recovery's retransmissions, to notice one lost again. */
    private final RetransmitLog retransmitted = new RetransmitLog();
    /** The retransmission timer's deadline in nanoseconds, 0 when not armed. */
    long rtoAt;
    /** The tail loss probe's deadline (RFC 8985 7), 0 when not armed. */
    long tlpAt;
    /** A loss probe went out and no ACK has acknowledged anything since (tp->tlp_high_seq set). */
    private boolean tlpOut;
    /** Timeouts in a row without an ACK of new data (icsk_retransmits). */
    int retransmits;
    /** TCP_USER_TIMEOUT (icsk_user_timeout), in milliseconds; 0 for none. */
    int userTimeoutMs;
    /** When the retransmission timer last started from a quiet state (its start approximates retrans_stamp). */
    private long armedAt;
    /** retrans_stamp: when the data the first of these timeouts resent had gone out. */
    private long retransStamp;

    LossRecovery(Tcb tcb, Sender snd, MibCounters mib) {
        this.tcb = tcb;
        this.snd = snd;
        this.mib = mib;
        this.scoreboard = new SackScoreboard(mib);
    }

    // ---- the retransmission timer ----

    /** inet_csk_reset_xmit_timer: the retransmission timeout runs from now. */
    void armRto(long now) {
        rtoAt = now + tcb.rto.rtoNanos();
        armedAt = now;
    }

    /** tcp_event_new_data_sent: new data went out, so the timer runs if it did not already. */
    void startRtoIfStopped(long now) {
        if (rtoAt == 0) {
            armRto(now);
        }
    }

    /**
     * tcp_retransmit_timer: back off, collapse the window to one segment and resend from snd_una
     * (tcp_enter_loss); in the handshake, the SYN or SYN-ACK again. After tcp_syn_retries,
     * tcp_synack_retries or tcp_retries2 timeouts in a row the peer is gone.
     */
    void retransmitTimer(long now) {
        TcpState state = tcb.state();
        boolean handshake = state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED;
        if (timedOut(handshake, now)) {
            tcb.terminate(CloseReason.TIMEOUT);
            return;
        }
        if (retransmits == 0) {
            retransStamp = armedAt;
        }
        retransmits++;
        mib.inc(Mib.TcpExtTCPTimeouts);
        tcb.rto.backoff();
        snd.stopRttTiming(); // Karn's rule
        if (handshake) {
            snd.sendSyn(now);
            return;
        }
        enterLoss(now);
        // the FIN, if unacknowledged, goes again after the data (pushPending)
        rtoAt = 0;
        snd.pushPending(now);
        startRtoIfStopped(now);
        if (userTimeoutMs > 0) {
            // tcp_clamp_rto_to_user_timeout: the next timeout comes no later than the user timeout's end
            long end = retransStamp + userTimeoutMs * Tcb.MS;
            rtoAt = Math.max(now + 1, Math.min(rtoAt, end));
        }
    }

    /**
     * tcp_write_timeout: the handshake gives up after tcp_syn_retries or tcp_synack_retries timeouts in a row;
     * an open connection after tcp_retries2, or, with TCP_USER_TIMEOUT set, once its data has gone
     * unacknowledged that long since it was first resent (retransmits_timed_out with the user's timeout).
     */
    private boolean timedOut(boolean handshake, long now) {
        TcpConfig cfg = tcb.cfg;
        if (handshake) {
            return retransmits >= (tcb.state() == TcpState.SYN_SENT ? cfg.synRetries() : cfg.synAckRetries());
        }
        if (userTimeoutMs > 0) {
            return retransmits > 0 && now - retransStamp >= userTimeoutMs * Tcb.MS;
        }
        return retransmits >= cfg.retries2();
    }

    /**
     * tcp_enter_loss: the window is one segment, recovery is over and snd_nxt goes back to snd_una; what
     * the peer SACKed stays on the scoreboard, so the resending skips it.
     */
    private void enterLoss(long now) {
        if (reducesSsthreshAgain()) {
            snd.ssthresh = snd.cc.ssthresh(snd.cwnd, snd.flightSize(), snd.sndMss, now);
        }
        inLoss = true;
        lossHighSeq = snd.sndMax;
        snd.cwnd = snd.sndMss;
        snd.cc.onTimeout();
        inCwr = false;
        queueCwr(); // tcp_enter_loss: the reduction is signalled with CWR as well
        boolean sackOk = tcb.sackOk;
        if (inRecovery) {
            mib.inc(sackOk ? Mib.TcpExtTCPSackRecoveryFail : Mib.TcpExtTCPRenoRecoveryFail);
        } else if (retransmits == 1 && (dupAcks > 0 || !scoreboard.isEmpty())) {
            mib.inc(sackOk ? Mib.TcpExtTCPSackFailures : Mib.TcpExtTCPRenoFailures); // loss seen, too little to act on
        }
        inRecovery = false;
        tlpAt = 0;
        tlpOut = false;
        dupAcks = 0;
        snd.sndNxt = snd.sndUna;
    }

    /**
     * tcp_enter_loss: ssthresh falls once a window. A timeout in the window of a recovery, a CWR or an
     * earlier timeout whose ACKs have not yet come keeps the ssthresh that reduction set (a second timeout
     * with cwnd at one segment would otherwise take it to two); only the first timeout of a Loss state, or
     * one after that state's window was all acknowledged, takes it from the algorithm again.
     */
    private boolean reducesSsthreshAgain() {
        int highSeq = inLoss ? lossHighSeq : inRecovery ? recover : inCwr ? cwrHighSeq : snd.sndUna;
        boolean firstTimeout = retransmits == 1; // icsk_retransmits is still 0 when tcp_enter_loss runs
        return !(inLoss || inRecovery || inCwr) || !SeqNum.after(highSeq, snd.sndUna) || (inLoss && firstTimeout);
    }

    /**
     * tcp_simple_retransmit after the path MTU fell: everything in flight was too big and is gone, so it is
     * all sent again at once in the new size, from snd_una. This is no congestion: cwnd stays, ssthresh is
     * at least three quarters of it (tcp_current_ssthresh), and the state is Loss until what was sent is
     * acknowledged.
     */
    void simpleRetransmit(long now) {
        if (snd.sndUna == snd.sndMax) {
            return;
        }
        if (!inLoss) {
            snd.ssthresh = Math.max(snd.ssthresh, snd.cwnd / 4 * 3);
            inLoss = true;
            lossHighSeq = snd.sndMax;
        }
        inRecovery = false;
        snd.sndNxt = snd.sndUna;
        snd.pushPending(now);
        startRtoIfStopped(now);
    }

    // ---- what ACKs tell (tcp_ack, tcp_fastretrans_alert) ----

    /**
     * tcp_sacktag_write_queue: the ACK's SACK blocks onto the scoreboard, above {@code from} (the new
     * snd_una). Returns how many bytes they SACKed that were not SACKed before.
     */
    int sacktag(Segment seg, int from) {
        if (tcb.sackOk && seg.sack().length > 0) {
            return scoreboard.update(seg.sack(), from, snd.sndMax);
        }
        return 0;
    }

    /** snd_una moved to {@code ack}: the scoreboard forgets what is below it (tcp_check_sack_reneging). */
    void cleanScoreboard(int ack) {
        if (!scoreboard.isEmpty()) {
            scoreboard.advance(ack);
            if (scoreboard.reneged(ack)) {
                scoreboard.clear(); // the peer dropped data it had SACKed: every byte is ours to resend
                mib.inc(Mib.TcpExtTCPSACKReneging);
            }
        }
    }

    /**
     * An ACK acknowledged {@code acked} new bytes, up to {@code ack}: the timeouts in a row end, the timer
     * runs again from now (tcp_rearm_rto), and the window grows or recovery moves on.
     */
    void ackedNew(int ack, int acked, long now) {
        retransmits = 0; // the backoff itself ends with a valid RTT sample (RFC 6298 5.7, Karn)
        rtoAt = snd.sndUna == snd.sndNxt ? 0 : now + tcb.rto.rtoNanos();
        tlpAt = 0; // pushPending arms it again from this ACK, as tcp_rearm_rto does
        tlpOut = false;
        if (tcb.state().synchronizedState()) {
            congestionOnAck(ack, acked, now); // the ACK of our SYN carries no data: it grows nothing
        }
    }

    /**
     * tcp_cong_control and the end of recovery: the algorithm's growth (cong_avoid) outside recovery, while
     * the connection is cwnd-limited ({@link Sender#isCwndLimited}); in it, the way out (RFC 6582 for NewReno, RFC 6675 with SACK) or NewReno's partial ACK.
     */
    private void congestionOnAck(int ack, int acked, long now) {
        if (inLoss && !SeqNum.before(ack, lossHighSeq)) {
            inLoss = false; // tcp_process_loss: everything the timeout resent is acknowledged
        }
        if (inRecovery) {
            if (!SeqNum.before(ack, recover)) {
                inRecovery = false;
                snd.cwnd = snd.ssthresh;
            } else if (!tcb.sackOk) {
                // a partial ACK: the next hole is lost too; resend it at once
                retransmitHead(now);
                mib.inc(Mib.TcpExtTCPFastRetrans);
                snd.cwnd = Math.max(snd.cwnd - acked + snd.sndMss, snd.sndMss);
            } // with SACK the scoreboard knows the holes: pushPending fills them as the pipe allows
            dupAcks = 0;
            return;
        }
        dupAcks = 0;
        if (inCwr) {
            if (!SeqNum.after(ack, cwrHighSeq)) {
                cwndReduction(acked);
                return;
            }
            // past high_seq, so our CWR has arrived: tcp_end_cwnd_reduction, and the state is Open again
            inCwr = false;
            snd.cwnd = snd.ssthresh;
        }
        if (!snd.isCwndLimited()) {
            return; // tcp_is_cwnd_limited, checked first by every cong_avoid: an unused window does not grow
        }
        snd.cwnd = snd.cc.congAvoid(snd.cwnd, snd.ssthresh, acked, snd.sndMss, now, tcb.rto.srttNanos());
    }

    /**
     * tcp_fastretrans_alert: without SACK the third duplicate ACK starts fast retransmit and NewReno recovery.
     * With SACK the count is one of the two ways into recovery that {@link #fastRetransAlert} weighs.
     */
    void duplicateAck(long now) {
        if (inRecovery) {
            if (!tcb.sackOk) {
                snd.cwnd += snd.sndMss; // each dupack means a segment left the network; with SACK the pipe says so
            }
            return;
        }
        if (++dupAcks == Tcb.DUPACK_THRESHOLD && !tcb.sackOk) {
            initCwndReduction(now);
            snd.cwnd = snd.ssthresh + Tcb.DUPACK_THRESHOLD * snd.sndMss;
            inRecovery = true;
            recover = snd.sndNxt;
            retransmitHead(now);
            mib.inc(Mib.TcpExtTCPRenoRecovery);
            mib.inc(Mib.TcpExtTCPFastRetrans);
        }
    }

    /**
     * tcp_fastretrans_alert with SACK, after every ACK: recovery starts at three duplicate ACKs or when
     * the scoreboard says the head is lost (RFC 6675 IsLost); in recovery, an ACK that SACKs new data may
     * show a retransmission lost again.
     */
    void fastRetransAlert(int newlySacked, long now) {
        if (!tcb.sackOk) {
            return;
        }
        if (!inRecovery && snd.sndNxt == snd.sndMax && snd.sndUna != snd.sndMax
                && (dupAcks >= Tcb.DUPACK_THRESHOLD || scoreboard.headLost(snd.sndUna, snd.sndMss))) {
            enterSackRecovery(now);
        } else if (inRecovery && newlySacked > 0) {
            resendLostRetransmission(now);
        }
    }

    /**
     * RFC 6675 section 5 (tcp_enter_recovery): the window drops to the algorithm's ssthresh, not inflated,
     * because the pipe estimate, not dupack counting, decides when more may be sent; the first hole goes at
     * once.
     */
    private void enterSackRecovery(long now) {
        tlpAt = 0;
        initCwndReduction(now);
        snd.cwnd = snd.ssthresh;
        inRecovery = true;
        recover = snd.sndMax;
        highRxt = snd.retransmit(snd.sndUna, scoreboard.nextSackedStart(snd.sndUna, snd.sndMax), now);
        retransmitted.clear();
        retransmitted.add(snd.sndUna, highRxt, snd.sndMax);
        mib.inc(Mib.TcpExtTCPSackRecovery);
        mib.inc(Mib.TcpExtTCPFastRetrans);
    }

    /**
     * tcp_mark_lost_retrans: a retransmission the peer still lacks after SACKing data sent later was lost
     * as well; it goes again at once, one per ACK that brings news, rather than at the timeout.
     */
    private void resendLostRetransmission(long now) {
        int sndUna = snd.sndUna;
        int lost = retransmitted.findLost(scoreboard, sndUna, scoreboard.highestSackedEnd(sndUna));
        if (lost < 0) {
            return;
        }
        int from = SeqNum.after(retransmitted.start(lost), sndUna) ? retransmitted.start(lost) : sndUna;
        from = scoreboard.skipSacked(from);
        int limit = scoreboard.nextSackedStart(from, retransmitted.end(lost));
        if (snd.retransmit(from, limit, now) != from) {
            retransmitted.resent(lost, snd.sndMax);
            mib.inc(Mib.TcpExtTCPLostRetransmit);
        }
    }

    /**
     * tcp_enter_recovery's tcp_init_cwnd_reduction: ssthresh from the algorithm and CWR queued for the next new
     * data, unless an ECN echo already reduced the window (TCP_CA_CWR), whose ssthresh stands.
     */
    private void initCwndReduction(long now) {
        if (inCwr) {
            inCwr = false;
            return;
        }
        snd.ssthresh = snd.cc.ssthresh(snd.cwnd, snd.flightSize(), snd.sndMss, now);
        queueCwr();
    }

    /** tcp_ecn_queue_cwr: on an ECN connection, the next new data segment tells the peer of the reduction. */
    private void queueCwr() {
        if (tcb.ecnOk()) {
            tcb.ecnFlags |= Tcb.ECN_QUEUE_CWR;
        }
    }

    /**
     * An ACK with ECE (tcp_try_to_open's tcp_enter_cwr): outside recovery and loss, and once per window, the
     * window is reduced as for a loss but nothing is resent: ssthresh from the algorithm, the state CWR until
     * what was sent so far is acknowledged, CWR on the next new data.
     */
    void ecnEcho(long now) {
        if (inRecovery || inCwr || retransmits > 0) {
            return;
        }
        priorCwnd = snd.cwnd;
        prrDelivered = 0;
        prrOut = 0;
        snd.ssthresh = snd.cc.ssthresh(snd.cwnd, snd.flightSize(), snd.sndMss, now);
        cwrHighSeq = snd.sndMax;
        inCwr = true;
        queueCwr();
    }

    /** Data sent while in CWR counts against PRR's allowance (prr_out, in segments). */
    void prrSent(int len) {
        if (inCwr) {
            prrOut += (len + snd.sndMss - 1) / snd.sndMss;
        }
    }

    /**
     * tcp_cwnd_reduction (RFC 6937, PRR), in segments as Linux counts it: while more is in flight than ssthresh,
     * cwnd lets out data in proportion to what is delivered (ssthresh / prior_cwnd of it); below ssthresh, it
     * grows back toward it by what is delivered plus a segment. At least one segment may leave when none has yet.
     */
    private void cwndReduction(int acked) {
        int mss = snd.sndMss;
        int prior = priorCwnd / mss;
        if (acked <= 0 || prior == 0) {
            return;
        }
        int newly = (acked + mss - 1) / mss;
        prrDelivered += newly;
        int inFlight = (inFlight() + mss - 1) / mss;
        long ssthresh = snd.ssthresh / mss;
        long delta = ssthresh - inFlight;
        long sndcnt;
        if (delta < 0) {
            sndcnt = (ssthresh * prrDelivered + prior - 1) / prior - prrOut;
        } else {
            sndcnt = Math.max(prrDelivered - prrOut, newly) + 1; // snd_una advanced, nothing newly lost
            sndcnt = Math.min(delta, sndcnt);
        }
        sndcnt = Math.max(sndcnt, prrOut == 0 ? 1 : 0);
        snd.cwnd = (int) ((inFlight + sndcnt) * mss);
    }

    /** tcp_retransmit_skb for the first unacknowledged segment. */
    private void retransmitHead(long now) {
        snd.retransmit(snd.sndUna, snd.sndMax, now);
    }

    /**
     * tcp_packets_in_flight: what is still in the network. During SACK recovery that is RFC 6675's pipe;
     * otherwise what was sent less what the peer has SACKed.
     */
    int inFlight() {
        if (inRecovery && tcb.sackOk) {
            return scoreboard.pipe(snd.sndUna, snd.sndMax, highRxt, snd.sndMss);
        }
        int flight = snd.flightSize();
        return scoreboard.isEmpty() ? flight : flight - scoreboard.sackedBetween(snd.sndUna, snd.sndNxt);
    }

    /**
     * RFC 6675's NextSeg rule 1 (the first hole above HighRxt deemed lost) or, with {@code belowSacked},
     * rule 3 (any hole above HighRxt with SACKed data beyond it): resends up to a segment of it if
     * cwnd - pipe leaves room. Returns true if it sent.
     */
    boolean retransmitHole(boolean belowSacked, long now) {
        int from = SeqNum.after(highRxt, snd.sndUna) ? highRxt : snd.sndUna;
        long hole = scoreboard.nextHole(from, snd.sndMss, belowSacked);
        if (hole < 0) {
            return false;
        }
        int seq = (int) hole;
        int limit = scoreboard.nextSackedStart(seq, snd.sndMax);
        if (snd.cwnd - inFlight() < Math.min(snd.mssNow(), limit - seq)) {
            return false;
        }
        int end = snd.retransmit(seq, limit, now);
        if (end == seq) {
            return false;
        }
        highRxt = end;
        retransmitted.add(seq, end, snd.sndMax);
        mib.inc(Mib.TcpExtTCPFastRetrans);
        return true;
    }

    // ---- the tail loss probe (RFC 8985 7) ----

    /**
     * tcp_schedule_loss_probe (RFC 8985 7.2): with data in flight, a probe is due two smoothed RTTs after
     * the last transmission or ACK, plus room for a delayed ACK when only one segment is out, if that comes
     * before the retransmission timeout. When the ACKs for a whole flight are lost, or its tail is, the probe
     * draws an ACK (and SACK) in a few milliseconds where the timeout would take 200 or more. Unlike the RFC
     * it also runs during SACK recovery: there RACK's reordering timer would find a lost retransmission or a
     * lost ACK (Linux compresses its SACKs, so one lost ACK can be all there was), and without RACK the
     * probe's ACK is what brings the news.
     */
    void scheduleLossProbe(long now) {
        tlpAt = 0;
        RtoEstimator rto = tcb.rto;
        if (!lossProbeApplies() || !rto.hasSample()) {
            return;
        }
        long pto = 2 * rto.srttNanos() + (snd.flightSize() <= snd.sndMss ? RtoEstimator.MIN_RTO_NANOS : 2 * MS);
        if (rtoAt != 0 && now + pto - rtoAt < 0) {
            tlpAt = now + pto;
        }
    }

    private boolean lossProbeApplies() {
        TcpState state = tcb.state();
        return tcb.sackOk && !tlpOut && snd.sndNxt == snd.sndMax && snd.sndUna != snd.sndMax
                && state.synchronizedState() && state != TcpState.TIME_WAIT;
    }

    /**
     * tcp_send_loss_probe (RFC 8985 7.3): the last segment sent, again; then the retransmission timer takes
     * over. The RFC prefers new data when there is some, but a peer that has everything holds its ACK for a
     * new in-order segment up to its delayed-ACK timer (40 ms on Linux), hundreds of our round trips here,
     * while a repeated segment, or one that fills a hole, is answered at once.
     */
    void lossProbe(long now) {
        tlpAt = 0;
        if (!lossProbeApplies()) {
            return;
        }
        snd.retransmit(snd.lastSegmentStart(), snd.sndMax, now);
        tlpOut = true;
        mib.inc(Mib.TcpExtTCPLossProbes);
        armRto(now);
    }

    /** The recovery state for Tcb's debugState. */
    String debugState(int iss) {
        return " recovery=" + inRecovery + " dupAcks=" + dupAcks + " sacked=" + scoreboard.sackedBytes()
                + " highRxt=" + (highRxt - iss);
    }
}
