package io.ustack.core.tcp;

/**
 * The retransmission timeout as Linux computes it: tcp_rtt_estimator, __tcp_set_rto and tcp_bound_rto,
 * with the exponential backoff of inet_csk_rto_backoff. Times come and go in nanoseconds, the unit of
 * the stack's {@link io.ustack.core.time.Clock}; the estimator works in microseconds, as the kernel's
 * srtt_us and mdev_us do, with their scaling (srtt times 8, mdev times 4).
 *
 * <p>Linux's formulas (Jacobson's, with RFC 6298's gains): the first sample R sets SRTT = R, mdev = R/2
 * and rttvar_us = max(4 mdev, rto_min); each later one moves SRTT by 1/8 of the error and mdev by 1/4 of
 * the error's size, but by only 1/32 when the RTT fell (the Eifel-like damping), raises rttvar_us at
 * once to a larger 4 mdev, and lets it decay by a quarter of its excess over the window's largest
 * 4 mdev once a flight is acknowledged (snd_una past rtt_seq). RTO = SRTT + rttvar_us, at most
 * TCP_RTO_MAX (120 s), rounded up to the clock's granularity as usecs_to_jiffies rounds. So rto_min
 * (TCP_RTO_MIN, 200 ms) is added to SRTT rather than flooring the sum: a 10 ms path has an RTO of 210
 * ms, where RFC 6298 with Linux's floor would give 200. Before any sample the RTO is TCP_TIMEOUT_INIT,
 * one second.
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
    /** TCP_RTO_MIN: 200 ms, the least rttvar_us (RFC 6298 2.4 would floor the RTO at one second). */
    public static final long MIN_RTO_NANOS = 200_000_000L;
    /** TCP_RTO_MAX: 120 s, the ceiling for the RTO and for every backed-off timeout (RFC 6298 2.5). */
    public static final long MAX_RTO_NANOS = 120_000_000_000L;
    /** The clock granularity the RTO is rounded up to: a jiffy at HZ 1000, the tick of a TimerWheel. */
    public static final long DEFAULT_GRANULARITY_NANOS = 1_000_000L;

    private final long minRtoUs;
    private final long granularity;
    /** srtt_us: 8 times the smoothed RTT in microseconds; 0 until the first sample, then at least 1. */
    private long srtt8;
    /** mdev_us: 4 times the mean deviation, in microseconds. */
    private long mdev4;
    /** mdev_max_us: the largest mdev_us in the current flight, at least rto_min. */
    private long mdevMax;
    /** rttvar_us: the deviation term the RTO adds, at least rto_min. */
    private long rttvar;
    /** rtt_seq: snd_nxt when the current flight's measuring began. */
    private int rttSeq;
    /** icsk_rto: the RTO before backoff. */
    private long rto = INITIAL_RTO_NANOS;
    /** icsk_backoff: how many times the timer has been doubled since the last valid sample. */
    private int backoffs;
    /** The least RTT sampled, in microseconds (tcp_min_rtt); -1 before the first sample. */
    private long minRttUs = -1;

    /** The kernel's defaults: TCP_RTO_MIN and a one-millisecond clock granularity. */
    public RtoEstimator() {
        this(MIN_RTO_NANOS, DEFAULT_GRANULARITY_NANOS);
    }

    /**
     * @param minRtoNanos the floor of rttvar, as the route's rto_min ({@code ip route ... rto_min}) overrides TCP_RTO_MIN
     * @param granularityNanos the granularity of the timer that will run the RTO, which the RTO is rounded up to
     */
    public RtoEstimator(long minRtoNanos, long granularityNanos) {
        if (minRtoNanos <= 0 || minRtoNanos > MAX_RTO_NANOS || granularityNanos < 0) {
            throw new IllegalArgumentException("rto_min " + minRtoNanos + " or granularity " + granularityNanos);
        }
        this.minRtoUs = minRtoNanos / 1000;
        this.granularity = granularityNanos;
    }

    /** A sample taken with each one counted as a flight of its own (snd_una always past rtt_seq). */
    public boolean sample(long rttNanos) {
        return sample(rttNanos, rttSeq + 1, rttSeq + 1);
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
     * @param sndUna   snd_una after the ACK that gave the sample
     * @param sndNxt   snd_nxt now: the flight after which rttvar may decay again
     * @return whether the sample was taken
     */
    public boolean sample(long rttNanos, int sndUna, int sndNxt) {
        if (rttNanos < 0 || rttNanos > MAX_RTO_NANOS) {
            return false;
        }
        long m = rttNanos / 1000;
        if (minRttUs < 0 || m < minRttUs) {
            minRttUs = m; // tcp_update_rtt_min
        }
        long srtt = srtt8;
        if (srtt != 0) {
            m -= srtt >> 3; // the error
            srtt += m; // srtt = 7/8 srtt + 1/8 new
            if (m < 0) {
                m = -m;
                m -= mdev4 >> 2;
                if (m > 0) {
                    m >>= 3; // a falling RTT moves mdev by 1/32 only
                }
            } else {
                m -= mdev4 >> 2;
            }
            mdev4 += m; // mdev = 3/4 mdev + 1/4 |error|
            if (mdev4 > mdevMax) {
                mdevMax = mdev4;
                if (mdevMax > rttvar) {
                    rttvar = mdevMax;
                }
            }
            if (SeqNum.after(sndUna, rttSeq)) {
                if (mdevMax < rttvar) {
                    rttvar -= (rttvar - mdevMax) >> 2;
                }
                rttSeq = sndNxt;
                mdevMax = minRtoUs;
            }
        } else {
            srtt = m << 3;
            mdev4 = m << 1; // rto = 3 rtt
            rttvar = Math.max(mdev4, minRtoUs);
            mdevMax = rttvar;
            rttSeq = sndNxt;
        }
        srtt8 = Math.max(1, srtt);
        rto = bound(((srtt8 >> 3) + rttvar) * 1000);
        backoffs = 0;
        return true;
    }

    /**
     * tcp_init_metrics' RFC 6298 5.7 rule: when the handshake's SYN or SYN-ACK was retransmitted and so no
     * sample was taken, data transmission starts with a three-second RTO rather than the one-second initial,
     * and the SYN's backoff is not carried on (Linux sets icsk_rto itself, which its timers arm unshifted).
     * Does nothing once a sample exists.
     */
    public void fallbackAfterHandshakeLoss() {
        if (srtt8 == 0) {
            rto = FALLBACK_RTO_NANOS;
            backoffs = 0;
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
        return srtt8 * 1000 / 8;
    }

    /** The mean deviation (tcpi_rttvar: mdev_us / 4), or 0 before the first sample. */
    public long rttvarNanos() {
        return (mdev4 >> 2) * 1000;
    }

    /**
     * tcp_min_rtt: the least RTT sampled, in microseconds, -1 before any. Linux keeps it as a windowed
     * minimum over tcp_min_rtt_wlen (300 s); here it is the connection's least.
     */
    public long minRttUs() {
        return minRttUs;
    }

    /** Whether an RTT sample has been taken (srtt_us != 0). */
    public boolean hasSample() {
        return srtt8 != 0;
    }

    /** tcp_bound_rto and usecs_to_jiffies: at most TCP_RTO_MAX, rounded up to the clock's granularity. */
    private long bound(long v) {
        if (granularity > 1) {
            v = (v + granularity - 1) / granularity * granularity;
        }
        return Math.min(v, MAX_RTO_NANOS);
    }
}
