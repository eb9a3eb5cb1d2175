package io.ustack.core.netfilter.conntrack;

/**
 * enum tcp_conntrack: what conntrack believes a TCP connection's state to be, from the segments it has seen
 * pass in each direction, with the kernel's default timeout for each (nf_conntrack_tcp_timeout_*).
 */
public enum TcpCtState {
    NONE(0),
    SYN_SENT(120),
    SYN_RECV(60),
    ESTABLISHED(5 * 24 * 3600),
    FIN_WAIT(120),
    CLOSE_WAIT(60),
    LAST_ACK(30),
    TIME_WAIT(120),
    CLOSE(10),
    /** A SYN seen from the reply direction after one from the original: simultaneous open. */
    SYN_SENT2(120);

    /** nf_conntrack_tcp_timeout_unacknowledged: the cap for a connection picked up mid-stream, unreplied. */
    static final long UNACK_SECONDS = 300;

    private final long timeoutSeconds;

    TcpCtState(long timeoutSeconds) {
        this.timeoutSeconds = timeoutSeconds;
    }

    public long timeoutSeconds() {
        return timeoutSeconds;
    }
}
