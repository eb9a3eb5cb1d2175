package io.ustack.core.tcp;

/**
 * Where a connection's segments go: tcp_transmit_skb. The implementation builds the packet (IP and TCP
 * headers, options, checksum) and sends it; tests record the segments instead.
 */
@FunctionalInterface
public interface TcpOutput {
    /**
     * {@code retransmission}: the segment starts below the highest sequence number already sent. Borrows
     * {@code seg}: its payload is a view of the send buffer, good only until this returns (an ACK may free
     * those bytes next), so an implementation copies the bytes now, into the packet it builds, or copies the
     * segment if it keeps it (as the tests' recorder does); one that defers sending keeps packets, not segments.
     */
    void transmit(Tcb tcb, Segment seg, boolean retransmission);
}
