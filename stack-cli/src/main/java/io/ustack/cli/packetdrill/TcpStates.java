package io.ustack.cli.packetdrill;

import io.ustack.core.tcp.TcpState;

/** The kernel's numbers for TCP states (include/net/tcp_states.h), as tcpi_state gives them. */
final class TcpStates {
    private TcpStates() {
    }

    /** include/net/tcp_states.h's number for {@code s}. */
    static int number(TcpState s) {
        return switch (s) {
            case ESTABLISHED -> 1;
            case SYN_SENT -> 2;
            case SYN_RECEIVED -> 3;
            case FIN_WAIT_1 -> 4;
            case FIN_WAIT_2 -> 5;
            case TIME_WAIT -> 6;
            case CLOSED -> 7;
            case CLOSE_WAIT -> 8;
            case LAST_ACK -> 9;
            case LISTEN -> 10;
            case CLOSING -> 11;
        };
    }
}
