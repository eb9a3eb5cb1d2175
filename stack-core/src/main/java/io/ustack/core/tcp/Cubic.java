package io.ustack.core.tcp;

/**
 * CUBIC (RFC 9438), Linux's default: after a loss the window backs off to β = 0.7 of itself and then
 * follows W(t) = C (t - K)^3 + W_max, concave up to the window where the loss happened, convex beyond it,
 * so it probes quickly far from the last loss and gently near it. Never slower than Reno would be (the
 * Reno-friendly estimate W_est, RFC 9438 4.3). Fast convergence (4.7) yields to newer flows. Windows
 * in the formulas are in segments and time in seconds, as in the RFC.
 */
final class Cubic implements CongestionControl {
    static final double C = 0.4;
    static final double BETA = 0.7;
    /** α_cubic: the Reno-friendly additive increase that matches Reno's average rate (RFC 9438 4.3). */
    static final double ALPHA = 3 * (1 - BETA) / (1 + BETA);

    private double wMax;
    private double wLastMax;
    private double k;
    private double wEst;
    private long epochStart;
    private boolean epochStarted;

    @Override
    public String name() {
        return "cubic";
    }

    /** RFC 9438 4.6 and 4.7: remember the window of the loss (less, with fast convergence) and back off to β. */
    @Override
    public int ssthresh(int cwnd, int flight, int mss, long nowNanos) {
        double segs = (double) cwnd / mss;
        if (segs < wLastMax) {
            wLastMax = segs;
            wMax = segs * (1 + BETA) / 2;
        } else {
            wLastMax = segs;
            wMax = segs;
        }
        epochStarted = false;
        return Math.max((int) (cwnd * BETA), 2 * mss);
    }

    @Override
    public int congAvoid(int cwnd, int ssthresh, int acked, int mss, long nowNanos, long srttNanos) {
        if (cwnd < ssthresh) {
            int next = CongestionControl.slowStart(cwnd, ssthresh, acked);
            acked = CongestionControl.slowStartLeft(cwnd, next, acked);
            if (acked <= 0) {
                return next;
            }
            cwnd = next; // cubictcp_cong_avoid: what crossed ssthresh goes on to congestion avoidance
        }
        double segs = (double) cwnd / mss;
        if (!epochStarted) {
            // the congestion avoidance epoch starts: K is when W(t) climbs back to W_max (RFC 9438 4.2)
            epochStarted = true;
            epochStart = nowNanos;
            if (wMax < segs) {
                wMax = segs; // no loss seen yet (or the window grew past it): the plateau is here
            }
            k = Math.cbrt((wMax - segs) / C);
            wEst = segs;
        }
        double t = (nowNanos - epochStart) / 1e9 + srttNanos / 1e9;
        double target = C * Math.pow(t - k, 3) + wMax;
        target = Math.max(segs, Math.min(target, 1.5 * segs)); // RFC 9438 4.2: at most 1.5 cwnd ahead
        double ackedSegs = (double) acked / mss;
        // RFC 9438 4.3: α_cubic matches Reno's rate until W_est reaches the window before the loss, then 1
        wEst += (wEst >= wLastMax ? 1 : ALPHA) * ackedSegs / segs;
        double grow = Math.max((target - segs) / segs, 0) * ackedSegs;
        double next = Math.max(segs + grow, wEst);
        return Math.max(cwnd, (int) Math.round(next * mss));
    }

    /**
     * cubictcp_cwnd_event's CA_EVENT_TX_START: the sender was idle (application-limited) for a while, so the
     * epoch moves on by that time, keeping cwnd on the cubic curve rather than jumping by the idle time's
     * worth of growth at the next ACK; never past now.
     */
    @Override
    public void onTxStart(long idleNanos, long nowNanos) {
        if (epochStarted && idleNanos > 0) {
            epochStart += idleNanos;
            if (epochStart - nowNanos > 0) {
                epochStart = nowNanos;
            }
        }
    }

    @Override
    public void onTimeout() {
        epochStarted = false;
    }

    double wMax() {
        return wMax;
    }

    long epochStart() {
        return epochStart;
    }

    double k() {
        return k;
    }
}
