package io.ustack.core.udp;

import io.ustack.core.wire.Ipv6Address;

/**
 * One datagram as a socket hands it to its reader: who sent it, to which of our addresses, the bytes, and
 * (IP_PKTINFO's ipi_ifindex) the interface it came in on, 0 when unknown. A datagram to an IPv6 socket has
 * its addresses in {@code sourceAddress6} and {@code destinationAddress6}: v4-mapped for one that came over
 * IPv4 (whose IPv4 addresses are in the ints too), else with 0 in the ints; one to an IPv4 socket has null
 * there. {@link UdpSocket#reply} answers either.
 */
public record UdpDatagramReceived(int sourceAddress, int sourcePort, int destinationAddress, byte[] data, int ifindex,
                                  Ipv6Address sourceAddress6, Ipv6Address destinationAddress6) {
    public UdpDatagramReceived(int sourceAddress, int sourcePort, int destinationAddress, byte[] data, int ifindex) {
        this(sourceAddress, sourcePort, destinationAddress, data, ifindex, null, null);
    }

    public UdpDatagramReceived(int sourceAddress, int sourcePort, int destinationAddress, byte[] data) {
        this(sourceAddress, sourcePort, destinationAddress, data, 0);
    }

    /** Whether it came to an IPv6 socket, which names its peer by an IPv6 address (v4-mapped for an IPv4 one). */
    public boolean isIpv6() {
        return sourceAddress6 != null;
    }
}
