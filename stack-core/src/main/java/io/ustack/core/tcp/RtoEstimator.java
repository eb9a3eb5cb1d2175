package io.ustack.core.tcp;

/**
 * The retransmission timeout of RFC 6298: tcp_rtt_estimator, __tcp_set_rto and tcp_bound_rto, with the
 * exponential backoff of inet_csk_rto_backoff. All times are in nanoseconds, the unit of the stack's
 * {@link io.ustack.core.time.Clock}.
 *
 * <p>The formulas are the RFC's, with alpha = 1/8 and beta = 1/4: the first sample R sets SRTT = R and
 * RTTVAR = R/2; each later one sets RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R| (with the old SRTT) and then
 * SRTT = 7/8 SRTT + 1/8 R; RTO = SRTT + max(G, 4 RTTVAR), bounded by Linux's TCP_RTO_MIN (200 ms, where the
 * RFC says one second) and TCP_RTO_MAX (120 s). Before any sample the RTO is TCP_TIMEOUT_INIT, one second.
 * Linux differs in two details kept out on purpose: it adds rto_min to SRTT instead of flooring the sum,
 * and it damps RTTVAR's growth when the RTT falls (the Eifel-like tweak in tcp_rtt_estimator).
 *
 * <p>Karn's rule is the caller's: never {@link #sample} an ACK for a segment that was retransmitted, unless
 * the RTT comes from the timestamp option's echo (RFC 7323), which names the transmission it answers.
 *
 * <p>Not thread-safe: a connection's estimator lives on the backlog thread that owns the connection.
 */
public final class RtoEstimator {
    /** TCP_TIMEOUT_INIT: the RTO before the first RTT sample (RFC 6298 2.1). */
    public static final long INITIAL_RTO_NANOS = 1_000_000_000L;
    /** TCP_TIMEOUT_FALLBACK: the RTO after a handshake that yielded no RTT sample (RFC 6298 5.7). */
    public static final long FALLBACK_RTO_NANOS = 3_000_000_000L;
    /** TCP_RTO_MIN: 200 ms, the kernel's floor (RFC 6298 2.4 would have one second). */
    public static final long MIN_RTO_NANOS = 200_000_000L;
    /** TCP_RTO_MAX: 120 s, the ceiling for the RTO and for every backed-off timeout (RFC 6298 2.5). */
    public static final long MAX_RTO_NANOS = 120_000_000_000L;
    /** G, the clock granularity: the tick of a {@link io.ustack.core.time.TimerWheel} by default. */
    public static final long DEFAULT_GRANULARITY_NANOS = 1_000_000L;

    private final long minRto;
    private final long granularity;
    /** Zero until the first sample; then at least one nanosecond, as the kernel keeps srtt_us >= 1. */
    private long srtt;
    private long rttvar;
    /** icsk_rto: the RTO before backoff. */
    private long rto = INITIAL_RTO_NANOS;
    /** icsk_backoff: how many times the timer has been doubled since the last valid sample. */
    private int backoffs;

    /** The kernel's defaults: TCP_RTO_MIN and a one-millisecond clock granularity. */
    public RtoEstimator() {
        this(MIN_RTO_NANOS, DEFAULT_GRANULARITY_NANOS);
    }

    /**
     * @param minRtoNanos the floor, as the route's rto_min ({@code ip route ... rto_min}) overrides TCP_RTO_MIN
     * @param granularityNanos G, the granularity of the timer that will run the RTO
     */
    public RtoEstimator(long minRtoNanos, long granularityNanos) {
        if (minRtoNanos <= 0 || minRtoNanos > MAX_RTO_NANOS || granularityNanos < 0) {
            throw new IllegalArgumentException("rto_min " + minRtoNanos + " or granularity " + granularityNanos);
        }
        this.minRto = minRtoNanos;
        this.granularity = granularityNanos;
    }

    /**
     * tcp_ack_update_rtt: takes one RTT measurement, recomputes the RTO (tcp_rtt_estimator, tcp_set_rto) and
     * clears the backoff, which RFC 6298 section 5 keeps until a valid sample arrives.
     *
     * <p>A sample below zero or above TCP_RTO_MAX is ignored and false returned: no live connection measures
     * either, but a peer's bogus timestamp echo produces them, and the kernel likewise drops negative and
     * absurd timestamp deltas rather than let the peer steer the timer.
     *
     * @param rttNanos the measured round trip; zero is accepted (a LAN faster than the clock)
     * @return whether the sample was taken
     */
    public boolean sample(long rttNanos) {
        if (rttNanos < 0 || rttNanos > MAX_RTO_NANOS) {
            return false;
        }
        if (srtt == 0) {
            // RFC 6298 2.2
            srtt = rttNanos;
            rttvar = rttNanos / 2;
        } else {
            // RFC 6298 2.3: RTTVAR first, from the SRTT that R is compared against.
            long err = rttNanos - srtt;
            rttvar += (Math.abs(err) - rttvar) / 4;
            srtt += err / 8;
        }
        srtt = Math.max(1, srtt);
        rto = bound(srtt + Math.max(granularity, 4 * rttvar));
        backoffs = 0;
        return true;
    }

    /**
     * tcp_init_metrics' RFC 6298 5.7 rule: when the handshake's SYN or SYN-ACK was retransmitted and so no
     * sample was taken, data transmission starts with a three-second RTO rather than the one-second initial.
     * Does nothing once a sample exists.
     */
    public void fallbackAfterHandshakeLoss() {
        if (srtt == 0) {
            rto = FALLBACK_RTO_NANOS;
        }
    }

    /** The retransmission timer expired (RFC 6298 5.5): the next timeout is twice as long, up to TCP_RTO_MAX. */
    public void backoff() {
        backoffs++;
    }

    /**
     * Forgets the backoff without a new sample, as tcp_ack_probe does when a zero window opens. An ACK of new
     * data that gives no sample (Karn's rule) should leave the backoff alone: {@link #sample} clears it.
     */
    public void resetBackoff() {
        backoffs = 0;
    }

    /** inet_csk_rto_backoff: the timeout to arm now, the RTO doubled once per backoff, at most TCP_RTO_MAX. */
    public long rtoNanos() {
        // Past this shift the doubled value would leave the long's range; it is far above the ceiling anyway.
        if (backoffs >= Long.numberOfLeadingZeros(rto) - 1) {
            return MAX_RTO_NANOS;
        }
        return Math.min(rto << backoffs, MAX_RTO_NANOS);
    }

    /** icsk_rto: the RTO the estimator gives, before backoff. */
    public long baseRtoNanos() {
        return rto;
    }

    /** icsk_backoff: the doublings since the last sample or reset. */
    public int backoffs() {
        return backoffs;
    }

    /** SRTT, or 0 before the first sample. */
    public long srttNanos() {
        return srtt;
    }

    /** RTTVAR, or 0 before the first sample. */
    public long rttvarNanos() {
        return rttvar;
    }

    /** Whether an RTT sample has been taken (srtt_us != 0). */
    public boolean hasSample() {
        return srtt != 0;
    }

    /** tcp_bound_rto: RFC 6298 2.4 and 2.5. */
    private long bound(long v) {
        return Math.min(Math.max(v, minRto), MAX_RTO_NANOS);
    }
}
