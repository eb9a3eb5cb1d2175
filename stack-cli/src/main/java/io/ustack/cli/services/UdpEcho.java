package io.ustack.cli.services;

/** Echo (RFC 862) over UDP, port 7: every datagram comes back as it was. */
final class UdpEcho extends UdpService {
    UdpEcho() {
        super(7);
    }

    @Override
    byte[] answer(byte[] request) {
        return request;
    }
}
