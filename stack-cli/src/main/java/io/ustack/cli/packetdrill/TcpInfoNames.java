package io.ustack.cli.packetdrill;

import io.ustack.core.tcp.TcpSocket;
import io.ustack.core.tcp.TcpState;
import java.util.LinkedHashMap;
import java.util.Map;

/** tcp_info under the names packetdrill gives Python (code.c's write_tcp_info), in the kernel's units. */
final class TcpInfoNames {
    private TcpInfoNames() {
    }

    /** Windows in segments, times in microseconds, the state as include/net/tcp_states.h numbers it. */
    static Map<String, Long> of(TcpSocket.TcpInfo i) {
        Map<String, Long> m = new LinkedHashMap<>();
        int mss = Math.max(1, i.mss());
        m.put("tcpi_state", (long) number(i.state()));
        m.put("tcpi_snd_cwnd", (long) (i.cwnd() / mss));
        m.put("tcpi_snd_ssthresh", i.ssthresh() == Integer.MAX_VALUE ? 0x7fff_ffffL : (long) (i.ssthresh() / mss));
        m.put("tcpi_snd_mss", (long) i.mss());
        m.put("tcpi_rto", i.rtoUs());
        m.put("tcpi_rtt", i.rttUs());
        m.put("tcpi_rttvar", i.rttvarUs());
        m.put("tcpi_backoff", (long) i.backoffs());
        m.put("tcpi_total_retrans", i.totalRetrans());
        m.put("tcpi_snd_wscale", (long) i.sndWscale());
        m.put("tcpi_rcv_wscale", (long) i.rcvWscale());
        m.put("tcpi_sacked", (long) (i.sackedBytes() / mss));
        m.put("tcpi_unacked", (long) ((i.sendQ() + mss - 1) / mss));
        return m;
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
