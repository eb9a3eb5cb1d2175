package io.ustack.core.tcp;

/** Reno (RFC 5681): halve on loss, one segment per round trip in congestion avoidance (tcp_reno_cong_avoid). */
final class Reno implements CongestionControl {
    @Override
    public String name() {
        return "reno";
    }

    @Override
    public int ssthresh(int cwnd, int flight, int mss, long nowNanos) {
        return Math.max(flight / 2, 2 * mss);
    }

    @Override
    public int congAvoid(int cwnd, int ssthresh, int acked, int mss, long nowNanos, long srttNanos) {
        if (cwnd < ssthresh) {
            int next = CongestionControl.slowStart(cwnd, ssthresh, acked);
            if (CongestionControl.slowStartLeft(cwnd, next, acked) <= 0) {
                return next;
            }
            cwnd = next; // tcp_reno_cong_avoid: what crossed ssthresh goes on to congestion avoidance
        }
        return cwnd + Math.max(1, mss * mss / cwnd);
    }

    @Override
    public void onTimeout() {
        // Reno keeps no state between losses
    }
}
