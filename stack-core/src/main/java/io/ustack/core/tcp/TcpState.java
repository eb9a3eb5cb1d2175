package io.ustack.core.tcp;

/** RFC 9293's connection states, as `ss` names them. */
public enum TcpState {
    CLOSED, LISTEN, SYN_SENT, SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT, CLOSING, LAST_ACK,
    TIME_WAIT;

    /** A SYN has been exchanged both ways: the sequence spaces are synchronized (RFC 9293 3.5). */
    public boolean synchronizedState() {
        return this != CLOSED && this != LISTEN && this != SYN_SENT && this != SYN_RECEIVED;
    }

    /** Data from the peer may still arrive: it has not sent its FIN. */
    public boolean canReceive() {
        return this == ESTABLISHED || this == FIN_WAIT_1 || this == FIN_WAIT_2;
    }
}
