package io.ustack.core.tcp;

/**
 * Where a connection's segments go: tcp_transmit_skb. The implementation builds the packet (IP and TCP
 * headers, options, checksum) and sends it; tests record the segments instead.
 */
@FunctionalInterface
public interface TcpOutput {
    /**
     * {@code retransmission}: the segment starts below the highest sequence number already sent;
     * {@code departureNanos}: the earliest time it may leave, on the stack's clock (skb->tstamp), which only a
     * device that paces (sch_fq) holds it to.
     */
    void transmit(Tcb tcb, Segment seg, boolean retransmission, long departureNanos);
}
