package io.ustack.core.tcp;

/**
 * A congestion control algorithm: the kernel's struct tcp_congestion_ops. The connection detects loss and
 * runs recovery itself; an algorithm only says how far to back off ({@link #ssthresh}) and how to grow the
 * window as data is acknowledged outside recovery ({@link #congAvoid}). Windows are in bytes; one instance
 * per connection, used on its thread.
 */
public interface CongestionControl {
    /** tcp_congestion_ops.name: as `ss -i` and the sysctl name them. */
    String name();

    /** ssthresh(): the slow-start threshold after a loss, at {@code cwnd} with {@code flight} bytes out. */
    int ssthresh(int cwnd, int flight, int mss, long nowNanos);

    /**
     * cong_avoid(): the window after {@code acked} new bytes were acknowledged (or SACKed); slow start below
     * {@code ssthresh}, the algorithm's own growth above it. {@code srttNanos} is 0 before any RTT sample. The
     * caller asks only while the connection is cwnd-limited (tcp_is_cwnd_limited, which each of Linux's
     * cong_avoid functions checks first).
     */
    int congAvoid(int cwnd, int ssthresh, int acked, int mss, long nowNanos, long srttNanos);

    /**
     * CA_EVENT_TX_START (tcp_event_data_sent): data leaves with nothing in flight, {@code idleNanos} after data
     * last left (tp->lsndtime).
     */
    default void onTxStart(long idleNanos, long nowNanos) {
    }

    /** CA_EVENT_LOSS: a retransmission timeout collapsed the window; growth starts a new epoch. */
    void onTimeout();

    /**
     * tcp_slow_start: the window grows by everything newly acknowledged (RFC 5681's slow start without
     * RFC 3465's one-segment limit per ACK, which Linux does not apply: an ACK for two segments adds two), up to
     * {@code ssthresh}. What the ACK covered beyond the threshold is left to congestion avoidance
     * ({@link #slowStartLeft}).
     */
    static int slowStart(int cwnd, int ssthresh, int acked) {
        return (int) Math.min((long) cwnd + acked, ssthresh);
    }

    /** What tcp_slow_start returns: the part of {@code acked} that slow start did not use, 0 below ssthresh. */
    static int slowStartLeft(int cwnd, int next, int acked) {
        return acked - (next - cwnd);
    }

    /** The algorithm named {@code name}: "cubic" (Linux's default) or "reno". */
    static CongestionControl named(String name) {
        return switch (name) {
            case "cubic" -> new Cubic();
            case "reno" -> new Reno();
            default -> throw new IllegalArgumentException("no congestion control named '" + name + "' (cubic or reno)");
        };
    }
}
