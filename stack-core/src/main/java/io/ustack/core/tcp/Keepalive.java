package io.ustack.core.tcp;

/**
 * SO_KEEPALIVE's settings (TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT).
 *
 * @param idleMs     quiet time before the first probe (tcp_keepalive_time)
 * @param intervalMs time between unanswered probes (tcp_keepalive_intvl)
 * @param probes     unanswered probes before the connection is declared dead (tcp_keepalive_probes)
 */
public record Keepalive(long idleMs, long intervalMs, int probes) {
    /** Linux's defaults: two hours idle, then nine probes 75 seconds apart. */
    public static final Keepalive LINUX = new Keepalive(7_200_000, 75_000, 9);

    public Keepalive {
        if (idleMs <= 0 || intervalMs <= 0 || probes <= 0) {
            throw new IllegalArgumentException("keepalive idle time, interval and probes must all be positive");
        }
    }
}
