package io.ustack.cli.services;

/** Discard (RFC 863) over UDP, port 9: datagrams are read and thrown away. */
final class UdpDiscard extends UdpService {
    UdpDiscard() {
        super(9);
    }

    @Override
    byte[] answer(byte[] request) {
        return null;
    }
}
