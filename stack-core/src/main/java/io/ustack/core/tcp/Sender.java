package io.ustack.core.tcp;

import io.ustack.core.stats.Mib;
import io.ustack.core.stats.MibCounters;
import io.ustack.core.wire.Ipv4Packet;
import io.ustack.core.wire.TcpSegment;
import static io.ustack.core.tcp.Tcb.MS;
import static io.ustack.core.wire.TcpSegment.ACK;
import static io.ustack.core.wire.TcpSegment.FIN;
import static io.ustack.core.wire.TcpSegment.PSH;
import static io.ustack.core.wire.TcpSegment.RST;
import static io.ustack.core.wire.TcpSegment.SYN;

/**
 * The sending half of a connection, gVisor's sender (snd.go): the send sequence space (RFC 9293 3.3.1:
 * snd_una, snd_nxt, snd_wnd, and snd_max), the send buffer, the congestion window the algorithm sets, and
 * every segment that leaves. It mirrors tcp_write_xmit (what the windows allow, with Nagle and sender-side
 * silly window avoidance), tcp_xmit_size_goal with tcp_tso_autosize and tcp_mss_split_point (super-segments
 * for GSO), tcp_current_mss, tcp_transmit_skb (one segment with our ACK, window and options), tcp_send_ack,
 * tcp_retransmit_skb, tcp_ack's bookkeeping (tcp_clean_rtx_queue, the RTT sample, tcp_ack_update_window),
 * the zero-window probes (tcp_probe_timer, tcp_write_wakeup), and the answers to out-of-window segments
 * at a limited rate (tcp_oow_rate_limited, tcp_send_challenge_ack; gVisor's maybeSendOutOfWindowAck).
 *
 * <p>What to send again, and when, is {@link LossRecovery}'s decision; this class sends it. The connection's
 * state, and the state changes our FIN's acknowledgement brings, stay in the {@link Tcb}.
 */
final class Sender {
    /** tcp_tso_rtt_log's default, 9: below an RTT of 2^9 us a super-segment may take the device's whole size. */
    private static final int TSO_RTT_LOG = 9;
    /** The most IPv4 and TCP headers with options take, which a super-segment must leave room for. */
    private static final int MAX_TCP_IP_HEADERS = Ipv4Packet.MIN_HEADER_LEN + TcpSegment.MAX_HEADER_LEN;
    /** tcp_invalid_ratelimit: at most one ACK per this many nanoseconds answers out-of-window segments. */
    private static final long INVALID_RATELIMIT_NANOS = 500 * MS;

    private final Tcb tcb;
    private final TcpConfig cfg;
    private final TcpOutput out;
    private final MibCounters mib;
    final int iss;
    int sndUna;
    int sndNxt;
    int sndWnd;
    /** The segment's sequence and acknowledgement numbers that last updated the window (snd_wl1, snd_wl2). */
    int sndWl1;
    int sndWl2;
    int sndWscale;
    /** mss_cache: the segment size now, the negotiated one bounded by half the largest window offered. */
    int sndMss;
    /** The MSS the path and the peer allow, before tcp_bound_to_half_wnd. */
    private int mssClamp;
    /** max_window: the largest window the peer has offered. */
    private int maxWindow;
    /**
     * tp->bytes_acked: all the peer has acknowledged, our SYN included on an active open; a passive open's
     * starts at -1, since Linux's child socket begins with its SYN-ACK already acknowledged.
     */
    long bytesAcked;
    /** The highest sequence number sent so far (snd_max): what starts below it is a retransmission. */
    int sndMax;
    /** The end of the last small segment sent (snd_sml), for Minshall's Nagle. */
    private int sndSml;
    final SendBuffer sendBuf;
    /** The sequence number of the send buffer's first byte (snd_una once the SYN is acknowledged). */
    private int bufferBase;
    /** The application closed its side: a FIN goes after the data. */
    boolean finQueued;
    boolean finSent;
    int finSeq;
    /** The timestamp clock's random offset for this connection (tsoffset). */
    private final int tsOffset;
    // RTT timing without timestamps (Karn: never a retransmitted segment)
    private boolean rttTiming;
    private int rttSeq;
    private long rttStart;
    /** When our SYN or SYN-ACK first left, for the handshake's RTT sample; synResent once it went again (Karn). */
    private long synSentAt;
    private boolean synSent;
    private boolean synResent;

    // congestion: the algorithm sets the window; LossRecovery decides when it falls
    CongestionControl cc;
    /** TCP_NODELAY (tp->nonagle): Nagle off; the socket's option, which may change at any time. */
    private boolean noDelay;
    int cwnd;
    int ssthresh = Integer.MAX_VALUE;
    /**
     * tp->is_cwnd_limited: the last transmission in this window found cwnd full (tcp_cwnd_validate); with
     * {@link #maxFlightOut} (tp->max_packets_out, in bytes here) it says whether an ACK may grow cwnd.
     */
    private boolean cwndLimited;
    private int maxFlightOut;
    /** tp->cwnd_usage_seq: snd_nxt when the window's usage was last recorded; a new window starts past it. */
    private int cwndUsageSeq;

    /** tp->lsndtime: when data last left, retransmissions included; dataSent once any has. */
    private long lastDataSentAt;
    private boolean dataSent;

    /** The persist timer's deadline (icsk_timeout for ICSK_TIME_PROBE0), 0 when not armed. */
    long persistAt;
    private int persistBackoff;
    /**
     * Zero-window probes sent since the peer was last heard from (icsk_probes_out): after tcp_retries2 of
     * them the connection is dead, or a peer that offers no window and then falls silent keeps it for ever.
     */
    int probesOut;
    /** Segments sent again, over the connection's life (tcpi_total_retrans). */
    long totalRetrans;
    /** When an out-of-window segment was last answered (last_oow_ack_time); hasOowAck while there was one. */
    private long lastOowAckAt;
    private boolean hasOowAck;
    /**
     * tp->snd_up: one past the last urgent byte (tcp_mark_urg, BSD's pointer: the urgent byte is the one
     * before it); {@code urgent} while it is ahead of snd_una (tcp_urg_mode). A flag rather than a comparison
     * of the two: snd_up stands still while snd_una moves on, and after 2 GiB a sequence comparison would
     * call it ahead again (Linux keeps snd_up at snd_una once passed, tcp_clean_rtx_queue, for the same end).
     */
    private int sndUp;
    private boolean urgent;
    /** Departure times, paced where the route's device holds packets to them. */
    private final Pacer pacer;

    Sender(Tcb tcb, TcpConfig cfg, TcpOutput out, MibCounters mib, int iss, int tsOffset) {
        this.tcb = tcb;
        this.cfg = cfg;
        this.out = out;
        this.mib = mib;
        this.iss = iss;
        this.tsOffset = tsOffset;
        this.sendBuf = new SendBuffer(cfg.sndBuf());
        this.pacer = new Pacer(cfg.fqPacing());
        this.sndUna = iss;
        this.sndNxt = iss;
        this.sndSml = iss;
        this.sndMax = iss;
        this.cwndUsageSeq = iss;
        this.bufferBase = iss + 1;
        this.cc = CongestionControl.named(cfg.congestion());
        this.noDelay = cfg.noDelay();
        mss(Math.min(Tcb.DEFAULT_PEER_MSS, cfg.mss()));
    }

    /**
     * TCP_NODELAY on a live connection (do_tcp_setsockopt): switching Nagle off sends what it was holding
     * back at once (tcp_push_pending_frames).
     */
    void setNoDelay(boolean on, long now) {
        noDelay = on;
        if (on) {
            pushPending(now);
        }
    }

    /**
     * TCP_CONGESTION on a live connection (tcp_reinit_congestion_control): the new algorithm starts from the
     * connection's cwnd and ssthresh as they stand.
     */
    void setCongestion(String name) {
        if (!name.equals(cc.name())) {
            cc = CongestionControl.named(name);
        }
    }

    /**
     * tcp_sync_mss after the path MTU fell: segments of at most {@code mss} from now on (never more than the
     * peer allows), and cwnd and ssthresh keep their worth in segments, as Linux counts them in packets.
     * Returns false when the MSS was no larger already.
     */
    boolean pathMssFell(int mss) {
        int clamp = Math.max(Math.min(mss, mssClamp), Tcb.MIN_SND_MSS);
        if (clamp >= mssClamp) {
            return false;
        }
        int before = sndMss;
        mssClamp = clamp;
        sndMss = boundToHalfWindow(clamp);
        cwnd = Math.max(sndMss, (int) ((long) cwnd * sndMss / before));
        if (ssthresh != Integer.MAX_VALUE) {
            ssthresh = (int) ((long) ssthresh * sndMss / before);
        }
        return true;
    }

    /** send(MSG_OOB), tcp_mark_urg: what is written so far ends with the urgent byte. */
    void markUrgent() {
        sndUp = dataEnd();
        urgent = true;
    }

    /** tcp_urg_mode: urgent data is queued or in flight; the ACK that passes snd_up ends it. */
    private boolean urgentMode() {
        if (urgent && !SeqNum.after(sndUp, sndUna)) {
            urgent = false;
        }
        return urgent;
    }

    /**
     * tcp_transmit_skb's urgent pointer for a segment from {@code seq}: the distance to snd_up while it is
     * ahead, 0xffff when that is too far to say yet more data must come first, -1 for none.
     */
    private int urgentPointer(int seq) {
        if (!urgentMode() || !SeqNum.before(seq, sndUp)) {
            return -1;
        }
        if (sndUp - seq < 0x10000) {
            return sndUp - seq;
        }
        return SeqNum.after(seq + 0xffff, sndNxt) ? 0xffff : -1;
    }

    /** Bytes written and not yet sent (write_seq - snd_nxt), for TCP_NOTSENT_LOWAT. */
    int unsent() {
        return Math.max(0, dataEnd() - sndNxt);
    }

    /** The negotiated MSS, and the initial window of TCP_INIT_CWND segments it makes (RFC 6928). */
    void mss(int mss) {
        mssClamp = mss;
        sndMss = boundToHalfWindow(mss);
        cwnd = Tcb.INIT_CWND * sndMss;
    }

    /**
     * tcp_bound_to_half_wnd, as tcp_sync_mss applies it: a segment is at most half the largest window the peer
     * has offered (the whole of it if that is no more than TCP_MSS_DEFAULT), but not under 68 bytes of
     * header and data, so that a peer with a small window gets segments that fit it, at once, rather than
     * waiting for the persist timer to squeeze them in.
     */
    private int boundToHalfWindow(int pktsize) {
        int cutoff = maxWindow > Tcb.DEFAULT_PEER_MSS ? maxWindow >> 1 : maxWindow;
        if (cutoff > 0 && pktsize > cutoff) {
            int headerLen = TcpSegment.MIN_HEADER_LEN + (tcb.tsOk ? Tcb.TS_OPTION_LEN : 0);
            return Math.max(cutoff, 68 - headerLen);
        }
        return pktsize;
    }

    /**
     * The peer offered {@code wnd} bytes: a larger window than ever before raises max_window, and the segment
     * size is synced again (tcp_ack_update_window, tcp_rcv_synsent_state_process: tcp_sync_mss). cwnd keeps
     * its count of segments, as Linux counts cwnd in segments.
     */
    void windowSeen(int wnd) {
        if (wnd > maxWindow) {
            maxWindow = wnd;
            int old = sndMss;
            sndMss = boundToHalfWindow(mssClamp);
            if (sndMss != old) {
                cwnd = (int) Math.max(sndMss, (long) cwnd * sndMss / old);
            }
        }
    }

    /** The sequence number after the last byte the application has queued. */
    private int dataEnd() {
        return bufferBase + sendBuf.size();
    }

    /** Bytes sent and not yet acknowledged, SACKed or not (RFC 5681's FlightSize). */
    int flightSize() {
        return sndNxt - sndUna;
    }

    // ---- tcp_ack ----

    /**
     * tcp_ack's sender side: advances snd_una, hands SACK blocks and duplicate ACKs to loss recovery and
     * updates the send window. Returns false if the segment is to be dropped, its data unread:
     * <ul>
     * <li>an ACK older than snd_una by more than the peer's largest window (or than all it ever acknowledged),
     *     RFC 5961 5.2's blind data injection: answered with a challenge ACK;</li>
     * <li>an ACK of what we never sent (above snd_nxt, which is snd_max here since a timeout rewinds snd_nxt):
     *     in ESTABLISHED dropped silently (tcp_rcv_established), in the other states answered with a
     *     challenge ACK (tcp_rcv_state_process).</li>
     * </ul>
     * An ACK merely old (within that window) is taken for its SACK blocks and its data, not its window.
     */
    boolean ack(Segment seg, long now) {
        int ack = seg.ack();
        if (SeqNum.before(ack, sndUna)) {
            int maxWin = (int) Math.min(maxWindow, bytesAcked);
            if (SeqNum.before(ack, sndUna - maxWin)) {
                sendChallengeAck(now);
                return false;
            }
        }
        if (SeqNum.after(ack, sndMax)) {
            // an ACK of data not yet sent (RFC 9293 3.10.7.4: send an ACK, drop the segment): Linux 6.18 answers
            // it in every state, ESTABLISHED too (seen side by side by DiffProbeIT), rate-limited as a challenge ACK
            sendChallengeAck(now);
            return false;
        }
        LossRecovery loss = tcb.loss;
        // tcp_ecn_rcv_ecn_echo: ECE on an ECN connection's ACK (not a SYN-ACK's) says the peer saw CE
        boolean ece = seg.has(TcpSegment.ECE) && !seg.has(SYN) && tcb.ecnOk() && !SeqNum.before(ack, sndUna);
        boolean nothingOut = sndUna == sndNxt; // packets_out as tcp_ack_update_window sees it, before this ACK frees any
        boolean advanced = SeqNum.after(ack, sndUna);
        int newlySacked = loss.sacktag(seg, advanced ? ack : sndUna);
        if (ece) {
            // tcp_newly_delivered: segments this ACK delivered, counted as CE-delivered
            int delivered = (advanced ? ack - sndUna : 0) + newlySacked;
            if (delivered > 0) {
                mib.add(Mib.TcpExtTCPDeliveredCE, (delivered + sndMss - 1) / sndMss);
            }
            loss.ecnEcho(now); // tcp_try_to_open's tcp_enter_cwr, before the window grows on this ACK
        }
        if (advanced) {
            ackAdvanced(seg, now);
        } else if (ack == sndUna && sndUna != sndNxt && (newlySacked > 0 || (seg.dataLength() == 0
                && !seg.has(FIN) && (seg.window() << sndWscale) == sndWnd))) {
            loss.duplicateAck(now); // RFC 6675 2: an ACK that SACKs new data is a duplicate whatever else it carries
        }
        loss.fastRetransAlert(newlySacked, now);
        if (SeqNum.before(ack, sndUna)) {
            return true; // old_ack: no window update from it
        }
        tcb.rcv.ecnAcceptCwr(seg);
        if (SeqNum.before(sndWl1, seg.seq()) || (sndWl1 == seg.seq() && !SeqNum.before(ack, sndWl2))) {
            if (sndWnd == 0 && seg.window() != 0) {
                persistBackoff = 0; // tcp_ack_probe: the window opened
            }
            int nwin = seg.window() << sndWscale; // tcp_ack_update_window
            if (nwin != sndWnd && nothingOut && SeqNum.after(dataEnd(), sndNxt)) {
                slowStartAfterIdleCheck(now, 0); // a window that opens on data waiting after an idle spell
            }
            sndWnd = nwin;
            sndWl1 = seg.seq();
            sndWl2 = ack;
            windowSeen(sndWnd);
        }
        return true;
    }

    /**
     * The part of tcp_ack for an ACK that acknowledges something new: tcp_clean_rtx_queue frees the bytes
     * and takes an RTT sample (from the timestamp echo, else from the one segment timed, never a
     * retransmitted one), then loss recovery and congestion control hear of it.
     */
    void ackAdvanced(Segment seg, long now) {
        int ack = seg.ack();
        int acked = ack - sndUna;
        boolean synAcked = sndUna == iss;
        bytesAcked += acked;
        int dataEnd = dataEnd();
        int freeTo = SeqNum.before(ack, dataEnd) ? ack : dataEnd;
        int freed = freeTo - bufferBase;
        if (freed > 0) {
            sendBuf.consume(freed);
            bufferBase = freeTo;
        }
        sndUna = ack;
        tcb.loss.cleanScoreboard(ack);
        if (SeqNum.after(ack, sndNxt)) {
            sndNxt = ack; // data sent before a timeout's rewind arrived after all
        }
        if (synAcked && synSent && !synResent) {
            // tcp_clean_rtx_queue on the SYN, tcp_synack_rtt_meas on the SYN-ACK: the handshake's RTT, timed
            // from its one transmission, so that the first data's RTO is RTT + rto_min rather than a second
            tcb.rto.sample(now - synSentAt, sndUna, sndNxt);
        } else if (tcb.tsOk && seg.timestamps() && seg.tsEcr() != 0) {
            tcb.rto.sample((tsNow(now) - seg.tsEcr()) * MS, sndUna, sndNxt);
        } else if (rttTiming && SeqNum.after(ack, rttSeq)) {
            tcb.rto.sample(now - rttStart, sndUna, sndNxt);
        }
        if (rttTiming && SeqNum.after(ack, rttSeq)) {
            rttTiming = false;
        }
        tcb.loss.ackedNew(ack, acked, now);
        if (freed > 0) {
            tcb.events.writable();
        }
    }

    /**
     * tcp_slow_start_after_idle_check, when the application queues data (tcp_skb_entail) or a window opens on
     * data waiting: with tcp_slow_start_after_idle on and nothing in flight, a connection that sent no data for
     * longer than the RTO restarts from a smaller window (tcp_cwnd_restart, RFC 2861): what it learnt of the
     * path may no longer hold. {@code inFlight} is what the caller counts as still out (packets_out).
     */
    void slowStartAfterIdleCheck(long now, int inFlight) {
        if (!cfg.slowStartAfterIdle() || inFlight != 0 || !dataSent) {
            return;
        }
        long delta = now - lastDataSentAt;
        if (delta > tcb.rto.baseRtoNanos()) {
            cwndRestart(delta);
        }
    }

    /**
     * tcp_cwnd_restart: ssthresh keeps three quarters of cwnd (tcp_current_ssthresh, outside recovery), and
     * cwnd halves for every RTO the connection was idle, down to the restart window: the initial window, or
     * cwnd if that is smaller.
     */
    private void cwndRestart(long delta) {
        int restart = Math.min(Tcb.INIT_CWND * sndMss, cwnd);
        if (!tcb.loss.inRecovery) {
            ssthresh = Math.max(ssthresh, (cwnd >> 1) + (cwnd >> 2));
        }
        long rto = tcb.rto.baseRtoNanos();
        int w = cwnd;
        while ((delta -= rto) > 0 && w > restart) {
            w >>= 1;
        }
        cwnd = Math.max(w, restart);
    }

    /** Karn's rule: a retransmission spoils the segment being timed, so no sample comes from it. */
    void stopRttTiming() {
        rttTiming = false;
    }

    // ---- sending (tcp_write_xmit) ----

    /**
     * tcp_write_xmit: sends what the windows allow. During SACK recovery RFC 6675's NextSeg picks each
     * segment: a hole deemed lost, else new data, else a hole below SACKed data. Then the loss probe is
     * armed again (tcp_schedule_loss_probe), after what went or if it was not armed.
     */
    void pushPending(long now) {
        TcpState state = tcb.state();
        boolean sendingData = state == TcpState.ESTABLISHED || state == TcpState.CLOSE_WAIT
                || (finQueued && (state == TcpState.FIN_WAIT_1 || state == TcpState.CLOSING || state == TcpState.LAST_ACK));
        LossRecovery loss = tcb.loss;
        boolean sent = false;
        while (sendingData) {
            boolean sackRecovery = loss.inRecovery && tcb.sackOk;
            if (!(sackRecovery && loss.retransmitHole(false, now)) && !sendNext(now)
                    && !(sackRecovery && loss.retransmitHole(true, now))) {
                break;
            }
            sent = true;
        }
        boolean full = cwnd - loss.inFlight() < sndMss; // no room for another full segment: cwnd, not the app, holds it
        if (sent || full) {
            cwndValidate(full);
        }
        if (sent || loss.tlpAt == 0) {
            loss.scheduleLossProbe(now);
        }
    }

    /**
     * tcp_cwnd_validate's bookkeeping, after tcp_write_xmit: once per window (snd_una past cwnd_usage_seq), or
     * whenever cwnd was full, or when more is out than recorded while it was not, remember whether cwnd was
     * the limit and how much was in flight (tp->is_cwnd_limited, tp->max_packets_out).
     */
    private void cwndValidate(boolean full) {
        int out = flightSize();
        if (!SeqNum.before(sndUna, cwndUsageSeq) || full || (!cwndLimited && out > maxFlightOut)) {
            cwndLimited = full;
            maxFlightOut = out;
            cwndUsageSeq = sndNxt;
        }
    }

    /**
     * tcp_is_cwnd_limited: whether an ACK may grow cwnd. Yes if the window's transmissions filled it; in slow
     * start also while cwnd is under twice the most that was in flight, so that a flow that sent less than
     * cwnd still doubles what it used. An application-limited flow does not inflate a window it never fills;
     * a bulk transfer fills it every round trip and grows as before.
     */
    boolean isCwndLimited() {
        if (cwndLimited) {
            return true;
        }
        return cwnd < ssthresh && cwnd < 2L * maxFlightOut;
    }

    /**
     * One segment of data at snd_nxt, or the FIN once all data is out. After a timeout rewound snd_nxt this
     * sends again what the peer has not SACKed; Nagle and sender-side silly window avoidance hold back only
     * new data. Returns true if there may be more to send.
     */
    private boolean sendNext(long now) {
        SackScoreboard scoreboard = tcb.loss.scoreboard;
        if (!scoreboard.isEmpty() && SeqNum.before(sndNxt, sndMax)) {
            sndNxt = scoreboard.skipSacked(sndNxt); // the peer holds these bytes: they need not go again
        }
        boolean resend = SeqNum.before(sndNxt, sndMax);
        int unsent = dataEnd() - sndNxt;
        if (unsent <= 0) {
            sendFin(now);
            return false;
        }
        int mss = mssNow();
        int room = Math.min(sndWnd - flightSize(), resend ? cwnd - tcb.loss.inFlight() : cwndQuota(mss));
        if (room <= 0) {
            checkProbeTimer(now);
            return false;
        }
        int len = Math.min(Math.min(unsent, sizeGoal(mss)), room);
        if (resend) {
            len = Math.min(len, scoreboard.nextSackedStart(sndNxt, sndMax) - sndNxt);
        }
        if (len > mss && len < unsent) {
            len -= len % mss; // tcp_mss_split_point: a super-segment holds whole segments, but for the data's tail
        }
        boolean allOfIt = len == unsent;
        if (!resend && len < mss) {
            if (!noDelay && SeqNum.after(sndSml, sndUna) && !SeqNum.after(sndSml, sndNxt)
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
        if (!rttTiming && !tcb.tsOk && !resend) {
            rttTiming = true;
            rttSeq = sndNxt;
            rttStart = now;
        }
        sendSegment(sndNxt, ACK | (allOfIt ? PSH : 0), sndNxt - bufferBase, len, now);
        sndNxt += len;
        if (len % mssNow() != 0) {
            sndSml = sndNxt; // tcp_minshall_update: the last segment of what went was short
        }
        tcb.loss.startRtoIfStopped(now);
    }

    /**
     * tcp_check_probe_timer: data waits and nothing is in flight, so no ACK is coming to open the window or
     * to clock more out; the persist timer makes sure it does not wait forever.
     */
    private void checkProbeTimer(long now) {
        if (flightSize() == 0 && persistAt == 0) {
            persistAt = now + tcb.rto.rtoNanos();
        }
    }

    /** The FIN follows the data; after a timeout's rewind it goes again at its own sequence number. */
    private void sendFin(long now) {
        if (finQueued && (!finSent || sndNxt == finSeq)) {
            finSeq = sndNxt;
            finSent = true;
            sendSegment(sndNxt, FIN | ACK, 0, 0, now);
            sndNxt++;
            tcb.loss.startRtoIfStopped(now);
        }
    }

    /**
     * tcp_current_mss: the payload that fits a segment sent now. The negotiated MSS already allows for
     * timestamps; SACK blocks, present while we hold out-of-order data, take their bytes from the payload,
     * or a full segment would exceed the MTU and, with DF set, never leave.
     */
    int mssNow() {
        if (!tcb.sackOk) {
            return sndMss;
        }
        int blocks = tcb.rcv.sackBlockCount();
        return blocks == 0 ? sndMss : sndMss - (TcpOptions.TCPOLEN_SACK_BASE + 2 + blocks * TcpOptions.TCPOLEN_SACK_PERBLOCK);
    }

    /**
     * tcp_xmit_size_goal with tcp_tso_segs and tcp_tso_autosize: how much one transmission may carry. Without
     * GSO on the route, one segment. With it, a super-segment of whole segments worth what the
     * {@link #pacingRate} sends in 2^-10 s (sk_pacing_shift 10), plus the device's whole size shifted right by
     * the least RTT in units of 2^tcp_tso_rtt_log us (all of it under 512 us: a LAN sender builds full
     * super-segments at once); at most what one IPv4 packet holds and at least tcp_min_tso_segs segments. cwnd
     * and the windows cut it further. A sender that has no RTT yet goes by the largest size.
     */
    private int sizeGoal(int mss) {
        if (cfg.gsoMaxSize() == 0 || urgentMode()) {
            return mss; // urgent data goes a segment at a time, each with its own pointer
        }
        int maxPayload = Math.min(cfg.gsoMaxSize(), Ipv4Packet.MAX_PACKET_LEN + 1) - 1 - MAX_TCP_IP_HEADERS;
        long bytes = maxPayload;
        long rate = pacingRate();
        if (rate != Long.MAX_VALUE) {
            bytes = rate >> 10;
            long r = tcb.rto.minRttUs() >> TSO_RTT_LOG;
            if (r < 32) {
                bytes += maxPayload >> r;
            }
        }
        long segs = Math.max(Math.min(bytes, maxPayload) / mss, cfg.minTsoSegs());
        return (int) Math.max(mss, Math.min(segs * mss, maxPayload / mss * mss));
    }

    /**
     * tcp_update_pacing_rate, in bytes a second: cwnd, or what is in flight if more, per SRTT, times
     * tcp_pacing_ss_ratio (200%) while cwnd is under half ssthresh, else tcp_pacing_ca_ratio (120%);
     * {@link Long#MAX_VALUE} (~0UL, no limit) before the first RTT sample.
     */
    private long pacingRate() {
        RtoEstimator rto = tcb.rto;
        if (!rto.hasSample() || rto.srttNanos() <= 0) {
            return Long.MAX_VALUE;
        }
        long window = Math.max(cwnd, flightSize());
        long perRtt = window * (cwnd < ssthresh / 2 ? cfg.pacingSsRatio() : cfg.pacingCaRatio()) / 100;
        return perRtt * 1_000_000_000L / rto.srttNanos();
    }

    /**
     * tcp_cwnd_test's quota for one transmission of new data: what cwnd leaves, but no more than half of cwnd
     * (at least a segment), so that a window is sent as at least two super-segments and the ACK of the
     * first can clock out more while the second is on its way.
     */
    private int cwndQuota(int mss) {
        int room = cwnd - tcb.loss.inFlight();
        int half = Math.max(cwnd / mss >> 1, 1) * mss;
        return Math.min(room, half);
    }

    /**
     * tcp_retransmit_skb: sends again up to a segment from {@code seq}, not reaching {@code limit}; the FIN
     * if that is what lies there. Returns the sequence number after what it sent ({@code seq} if nothing).
     * Resending the oldest segment restarts the retransmission timer (RFC 6298 5.3).
     */
    int retransmit(int seq, int limit, long now) {
        int dataEnd = dataEnd();
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
            tcb.loss.armRto(now);
        }
        return end;
    }

    /**
     * Where tcp_send_loss_probe's repeated segment starts: the last segment sent, up to a segment before
     * the end of what went out.
     */
    int lastSegmentStart() {
        int sent = SeqNum.before(dataEnd(), sndMax) ? dataEnd() : sndMax;
        int unacked = sent - sndUna;
        return unacked > 0 ? sent - Math.min(mssNow(), unacked) : sndUna;
    }

    // ---- zero-window probes ----

    /**
     * tcp_probe_timer and tcp_write_wakeup: with nothing in flight, what fits of the peer's window goes now,
     * even less than a segment (silly window avoidance held it back, waiting for an update that may have
     * been lost); with no window at all, a probe with an old sequence number makes the peer answer with
     * its window. After tcp_retries2 unanswered probes the peer is gone.
     */
    void persistTimer(long now) {
        int unsent = dataEnd() - sndNxt;
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
            tcb.terminate(CloseReason.TIMEOUT); // tcp_probe_timer: the peer stopped answering our probes
            return;
        }
        probesOut++;
        sendProbe(now);
        persistBackoff = Math.min(persistBackoff + 1, 10);
        persistAt = now + Math.min(tcb.rto.rtoNanos() << persistBackoff, RtoEstimator.MAX_RTO_NANOS);
    }

    /**
     * tcp_xmit_probe_skb: an empty segment one below snd_una, which the peer must answer with an ACK that
     * carries its window; the keepalive and zero-window probes both are this.
     */
    void sendProbe(long now) {
        sendSegment(sndUna - 1, ACK, 0, 0, now);
    }

    // ---- segments (tcp_transmit_skb) ----

    /** tcp_connect and tcp_make_synack: our SYN, or SYN-ACK on a passive open, and its retransmission timer. */
    void sendSyn(long now) {
        synTransmitted(now);
        sendSegment(iss, tcb.state() == TcpState.SYN_SENT ? SYN : SYN | ACK, 0, 0, now);
        tcb.loss.armRto(now);
    }

    /** The SYN-ACK again (a simultaneous open, or a SYN repeated), the timer left as it runs. */
    void sendSynAck(long now) {
        synTransmitted(now);
        sendSegment(iss, SYN | ACK, 0, 0, now);
    }

    /** The first SYN or SYN-ACK is timed; any later one spoils the sample (Karn's rule, req->num_retrans). */
    private void synTransmitted(long now) {
        if (synSent) {
            synResent = true;
        } else {
            synSent = true;
            synSentAt = now;
        }
    }

    /** tcp_send_ack, numbered as tcp_acceptable_seq numbers it. */
    void sendAck(long now) {
        sendSegment(acceptableSeq(), ACK, 0, 0, now);
    }

    /**
     * tcp_send_challenge_ack (RFC 5961 7): an ACK that only the true peer can act on, at most one per
     * tcp_invalid_ratelimit whatever the segment carried (__tcp_oow_rate_limited).
     */
    void sendChallengeAck(long now) {
        if (!rateLimited(Mib.TcpExtTCPACKSkippedChallenge, now)) {
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
    boolean oowRateLimited(Segment seg, Mib skipped, long now) {
        if (seg.seqLength() > 0 && !seg.has(SYN)) {
            return false;
        }
        return rateLimited(skipped, now);
    }

    /** __tcp_oow_rate_limited: whether an ACK went out of window less than tcp_invalid_ratelimit ago. */
    private boolean rateLimited(Mib skipped, long now) {
        if (hasOowAck && now - lastOowAckAt < INVALID_RATELIMIT_NANOS) {
            mib.inc(skipped);
            return true;
        }
        hasOowAck = true;
        lastOowAckAt = now;
        return false;
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
    void sendReset(int seq) {
        sendSegmentNoTs(seq, RST);
    }

    /**
     * tcp_v4_send_reset for {@code seg}: a RST the sender of {@code seg} accepts, at its ACK, or without one
     * acknowledging what it sent (sequence 0).
     */
    void sendResetFor(Segment seg) {
        out.transmit(tcb, Segment.resetFor(seg), false, 0);
    }

    /** tcp_send_active_reset: a RST that ends the connection, numbered at snd_nxt. */
    void sendActiveReset() {
        sendSegmentNoTs(sndNxt, RST | ACK);
    }

    private void sendSegmentNoTs(int seq, int flags) {
        if ((flags & ACK) != 0) {
            flags = ecnFlags(flags, seq, 0); // tcp_send_active_reset goes through tcp_transmit_skb
        }
        out.transmit(tcb, new Segment(seq, (flags & ACK) != 0 ? tcb.rcv.rcvNxt : 0, flags, 0, -1, -1, false, false,
                0, 0, Segment.NO_SACK, Payload.NONE, 0), false, 0);
    }

    /**
     * tcp_transmit_skb: one segment with the current ACK, window and options. {@code bufOff} and {@code len}
     * select payload bytes from the send buffer.
     */
    private void sendSegment(int seq, int flags, int bufOff, int len, long now) {
        Receiver rcv = tcb.rcv;
        TcpState state = tcb.state();
        boolean syn = (flags & SYN) != 0;
        int window = syn ? rcv.synWindow((flags & ACK) != 0) : rcv.windowToAdvertise(sndMss);
        Payload data = len > 0 ? sendBuf.payloadAt(bufOff) : Payload.NONE; // copied once, into the packet
        int[] sack = Segment.NO_SACK;
        if (tcb.sackOk && !syn) {
            sack = rcv.sackBlocks();
        }
        boolean ts = syn ? cfg.timestamps() && (state == TcpState.SYN_SENT || tcb.tsOk) : tcb.tsOk;
        flags = ecnFlags(flags, seq, len);
        int urgPtr = syn ? -1 : urgentPointer(seq);
        if (urgPtr >= 0) {
            flags |= TcpSegment.URG;
        }
        Segment seg = new Segment(seq, (flags & ACK) != 0 ? rcv.rcvNxt : 0, flags, window,
                syn ? cfg.mss() : -1,
                syn && cfg.windowScale() && (state == TcpState.SYN_SENT || rcv.rcvWscale > 0 || sndWscale > 0) ? rcv.rcvWscale : -1,
                syn && cfg.sack() && (state == TcpState.SYN_SENT || tcb.sackOk), ts, ts ? tsNow(now) : 0,
                ts ? tcb.tsRecent : 0, sack, data, len, Math.max(urgPtr, 0));
        if ((flags & ACK) != 0) {
            rcv.ackSent(window, syn);
        }
        if (len > 0) {
            tcb.loss.prrSent(len);
            rcv.dataSent(now); // tcp_event_data_sent
            if (dataSent && tcb.loss.inFlight() == 0) {
                cc.onTxStart(now - lastDataSentAt, now); // CA_EVENT_TX_START
            }
            lastDataSentAt = now; // tp->lsndtime
            dataSent = true;
        }
        int end = seq + seg.seqLength();
        boolean retransmission = seg.seqLength() > 0 && SeqNum.before(seq, sndMax);
        if (retransmission) {
            totalRetrans++;
        }
        if (SeqNum.after(end, sndMax)) {
            sndMax = end;
        }
        out.transmit(tcb, seg, retransmission, pacer.departure(now));
        if (len > 0 && pacer.paces()) { // the segment count and the rate only for a connection that paces
            int mss = mssNow();
            pacer.sent(len, (len + mss - 1) / mss, pacingRate());
        }
    }

    /**
     * The ECN bits of a segment about to leave, TCP's and IP's (RFC 3168). A SYN: tcp_ecn_send_syn's ECE and
     * CWR when we ask for ECN, except on a retransmission with tcp_ecn_fallback (tcp_ecn_clear_syn: a peer or
     * middlebox may drop ECN-setup SYNs); a SYN-ACK: ECE when ECN was agreed (tcp_ecn_make_synack); neither
     * ECT in IP. Then tcp_ecn_send, on an ECN connection: new data leaves ECN-capable, ECT(0) (INET_ECN_xmit),
     * and the first after a window reduction carries CWR; pure ACKs, window probes and retransmissions leave
     * not ECN-capable (INET_ECN_dontxmit: RFC 3168 6.1.5, a retransmission must not be marked); every
     * segment carries ECE while the peer owes us a CWR.
     */
    private int ecnFlags(int flags, int seq, int len) {
        if (!tcb.ecnOk()) {
            return flags;
        }
        if ((flags & SYN) != 0) {
            if ((flags & ACK) != 0) {
                return flags | TcpSegment.ECE;
            }
            return synResent && cfg.ecnFallback() ? flags : flags | TcpSegment.ECE | TcpSegment.CWR;
        }
        if (len > 0 && !SeqNum.before(seq, sndMax)) {
            flags |= Segment.IP_ECT0;
            if ((tcb.ecnFlags & Tcb.ECN_QUEUE_CWR) != 0) {
                tcb.ecnFlags &= ~Tcb.ECN_QUEUE_CWR;
                flags |= TcpSegment.CWR;
            }
        }
        if ((tcb.ecnFlags & Tcb.ECN_DEMAND_CWR) != 0) {
            flags |= TcpSegment.ECE;
        }
        return flags;
    }

    /** The timestamp clock: milliseconds (tcp_time_stamp_ms) plus this connection's random offset. */
    private int tsNow(long now) {
        return (int) (now / MS) + tsOffset;
    }
}
