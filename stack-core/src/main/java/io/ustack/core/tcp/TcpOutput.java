package io.ustack.core.tcp;

/**
 * Where a connection's segments go: tcp_transmit_skb. The implementation builds the packet (IP and TCP
 * headers, options, checksum) and sends it; tests record the segments instead.
 */
@FunctionalInterface
public interface TcpOutput {
    void transmit(Tcb tcb, Segment seg);
}
