package io.ustack.core.udp;

/** One datagram as a socket hands it to its reader: who sent it, to which of our addresses, and the bytes. */
public record UdpDatagramReceived(int sourceAddress, int sourcePort, int destinationAddress, byte[] data) {
}
