package io.ustack.cli.services;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Character generator (RFC 864) over UDP, port 19: each datagram is answered with a random number, 0 to
 * 512, of characters from the RFC's rotating pattern of 72-character lines.
 */
final class UdpChargen extends UdpService {
    UdpChargen() {
        super(19);
    }

    @Override
    byte[] answer(byte[] request) {
        return Chargen.lines(ThreadLocalRandom.current().nextInt(513));
    }
}
