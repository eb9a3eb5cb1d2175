package io.ustack.cli.packetdrill;

import io.ustack.core.tcp.TcpState;
import java.util.Map;

/** The kernel's numbers for TCP states and congestion-avoidance states, as packetdrill hands them to Python. */
final class TcpStates {
    static final Map<String, Long> CONSTANTS = Map.ofEntries(
            Map.entry("TCP_ESTABLISHED", 1L), Map.entry("TCP_SYN_SENT", 2L), Map.entry("TCP_SYN_RECV", 3L),
            Map.entry("TCP_FIN_WAIT1", 4L), Map.entry("TCP_FIN_WAIT2", 5L), Map.entry("TCP_TIME_WAIT", 6L),
            Map.entry("TCP_CLOSE", 7L), Map.entry("TCP_CLOSE_WAIT", 8L), Map.entry("TCP_LAST_ACK", 9L),
            Map.entry("TCP_LISTEN", 10L), Map.entry("TCP_CLOSING", 11L), Map.entry("TCP_CA_Open", 0L),
            Map.entry("TCP_CA_Disorder", 1L), Map.entry("TCP_CA_CWR", 2L), Map.entry("TCP_CA_Recovery", 3L),
            Map.entry("TCP_CA_Loss", 4L));

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
