package io.ustack.core.tcp;

/**
 * Why a connection ended other than by an orderly close: the kernel's sk_err (ECONNREFUSED, ECONNRESET,
 * ETIMEDOUT) and the resets the socket layer sends itself. An orderly close has no reason (null).
 * {@link #text()} is what users see, in exception messages and logs.
 */
public enum CloseReason {
    /** tcp_reset in SYN_SENT: the peer answered our SYN with a RST (ECONNREFUSED). */
    REFUSED("connection refused"),
    /** tcp_v4_err: an ICMP port or protocol unreachable for a connection still opening (ECONNREFUSED). */
    ICMP_UNREACHABLE("connection refused"),
    /** tcp_reset on a synchronized connection: the peer reset it (ECONNRESET). */
    RESET_RECEIVED("connection reset by peer"),
    /**
     * tcp_write_err: the peer stopped answering retransmissions, window probes or keepalives (ETIMEDOUT),
     * counted as TcpExtTCPAbortOnTimeout.
     */
    TIMEOUT("connection timed out"),
    /** The handshake completed but the listener's accept queue was full: the child is reset. */
    LISTEN_QUEUE_OVERFLOW("listen queue overflow"),
    /** tcp_close with unread data: the application will never see it, so a RST instead of a FIN. */
    UNREAD_DATA("closed with unread data"),
    /** The listener closed before the application accepted this connection (inet_csk_listen_stop). */
    LISTENER_CLOSED("listener closed"),
    /**
     * tcp_check_req's embryonic_reset: a new SYN in the window of a connection still in SYN_RECEIVED (not
     * the first SYN again) resets it before anyone accepted it.
     */
    EMBRYONIC_RESET("reset in SYN_RECV by a new SYN"),
    /** close(2) with SO_LINGER on and a zero timeout: tcp_close's RST instead of a FIN. */
    LINGER_ZERO("closed with SO_LINGER 0");

    private final String text;

    CloseReason(String text) {
        this.text = text;
    }

    /** The words users see for this reason, as strerror gives them for an errno. */
    public String text() {
        return text;
    }
}
