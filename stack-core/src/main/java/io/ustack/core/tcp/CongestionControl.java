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
     * cong_avoid(): the window after {@code acked} new bytes were acknowledged; slow start below
     * {@code ssthresh}, the algorithm's own growth above it. {@code srttNanos} is 0 before any RTT sample.
     */
    int congAvoid(int cwnd, int ssthresh, int acked, int mss, long nowNanos, long srttNanos);

    /** CA_EVENT_LOSS: a retransmission timeout collapsed the window; growth starts a new epoch. */
    void onTimeout();

    /** Slow start with RFC 3465's limit: at most one MSS of growth per ACK. */
    static int slowStart(int cwnd, int acked, int mss) {
        return cwnd + Math.min(acked, mss);
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
