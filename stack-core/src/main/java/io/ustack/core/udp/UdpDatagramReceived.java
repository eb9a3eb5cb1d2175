package io.ustack.core.udp;

/**
 * One datagram as a socket hands it to its reader: who sent it, to which of our addresses, the bytes, and
 * (IP_PKTINFO's ipi_ifindex) the interface it came in on, 0 when unknown.
 */
public record UdpDatagramReceived(int sourceAddress, int sourcePort, int destinationAddress, byte[] data, int ifindex) {
    public UdpDatagramReceived(int sourceAddress, int sourcePort, int destinationAddress, byte[] data) {
        this(sourceAddress, sourcePort, destinationAddress, data, 0);
    }
}
