package io.ustack.core.tcp;

/**
 * Where a connection's segments go: tcp_transmit_skb. The implementation builds the packet (IP and TCP
 * headers, options, checksum) and sends it; tests record the segments instead.
 */
@FunctionalInterface
public interface TcpOutput {
    /** {@code retransmission}: the segment starts below the highest sequence number already sent. */
    void transmit(Tcb tcb, Segment seg, boolean retransmission);
}
