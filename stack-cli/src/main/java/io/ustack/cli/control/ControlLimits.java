package io.ustack.cli.control;

import java.time.Duration;

/**
 * What one control client may cost the daemon. Together they bound the control socket's memory: at most
 * {@code maxConnections} x ({@code maxRequestBytes} of a line being read + {@code maxPending} lines waiting +
 * one answer being written), and {@code maxLongRunning} threads.
 *
 * @param maxRequestBytes the longest request line; a longer one is refused and its connection closed
 * @param maxPending      requests a connection may send ahead of its answers; one more closes it
 * @param maxConnections  connections open at once; past it the one idle longest is closed, or, if every one is
 *                        busy, the new one is refused
 * @param idleTimeout     how long a connection with no command running may go without sending a whole request
 * @param maxLongRunning  long-running commands (ping, capture) at once, each on a thread of its own
 */
public record ControlLimits(int maxRequestBytes, int maxPending, int maxConnections, Duration idleTimeout,
                            int maxLongRunning) {
    /** Far above what any real request needs (a few hundred bytes), low enough to bound a bad client. */
    public static final ControlLimits DEFAULT = new ControlLimits(64 << 10, 4, 64, Duration.ofSeconds(15), 16);
}
