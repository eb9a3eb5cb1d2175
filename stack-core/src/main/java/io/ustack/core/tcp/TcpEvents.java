package io.ustack.core.tcp;

/**
 * What a connection tells its socket. Called on the connection's thread, from inside the protocol core:
 * an implementation records or signals and returns, it never calls back into the connection.
 */
public interface TcpEvents {
    /** The three-way handshake completed. */
    void established();

    /** New in-order data can be read, or the peer's FIN arrived (a read then returns end of stream). */
    void readable();

    /** Acknowledged data left room in the send buffer. */
    void writable();

    /** The connection is gone: {@code reason} null for an orderly close, else why (reset, timeout, refused). */
    void closed(CloseReason reason);
}
