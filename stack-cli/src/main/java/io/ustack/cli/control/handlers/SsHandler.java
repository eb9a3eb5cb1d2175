package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.cli.control.ControlHandler;
import io.ustack.core.link.NetDevice;
import io.ustack.core.stack.NetStack;
import io.ustack.core.tcp.TcpListener;
import io.ustack.core.tcp.TcpSocket;
import io.ustack.core.tcp.TcpState;
import io.ustack.core.udp.UdpSocket;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.Ipv6Address;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * {@code ss}: every socket, as {@code ss -tuna} shows them: TCP listeners (Recv-Q the accept queue, Send-Q
 * the backlog), TCP connections (bytes unread, bytes unacknowledged) and UDP sockets.
 */
public final class SsHandler implements ControlHandler {
    private final NetStack stack;

    public SsHandler(NetStack stack) {
        this.stack = stack;
    }

    /** One socket, with ss's column names; a TCP connection also has what ss -ti shows, else null. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Entry(String netid, String state, int recvQ, int sendQ, String local, String peer, Details info) {
        Entry(String netid, String state, int recvQ, int sendQ, String local, String peer) {
            this(netid, state, recvQ, sendQ, local, peer, null);
        }
    }

    /**
     * ss -ti's fields for a connection: the options agreed (timestamps, SACK), cwnd and ssthresh in whole segments as the kernel counts them (ssthresh null
     * until the first loss), times in milliseconds, retransmissions now (the timeouts backed off) and in
     * all, and the bytes above snd_una the peer has SACKed.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Details(boolean timestamps, boolean sack, boolean ecn, boolean ecnSeen, String congestion, int sndWscale, int rcvWscale, double rtoMs, double rttMs, double rttvarMs,
                          int mss, int cwnd, Integer ssthresh, int retrans, long totalRetrans, int sackedBytes) {
        static Details of(TcpSocket.TcpInfo i) {
            int mss = Math.max(1, i.mss());
            return new Details(i.timestamps(), i.sack(), i.ecn(), i.ecnSeen(), i.congestion(), i.sndWscale(), i.rcvWscale(), i.rtoUs() / 1000.0, i.rttUs() / 1000.0,
                    i.rttvarUs() / 1000.0, i.mss(), segments(i.cwnd(), mss),
                    i.ssthresh() == Integer.MAX_VALUE ? null : segments(i.ssthresh(), mss), i.backoffs(),
                    i.totalRetrans(), i.sackedBytes());
        }

        /** A window in bytes as the whole segments it holds, at least one: the kernel's snd_cwnd is counted so. */
        private static int segments(int bytes, int mss) {
            return Math.max(1, bytes / mss);
        }
    }

    @Override
    public String name() {
        return "ss";
    }

    @Override
    public Object execute(ObjectNode args) throws ControlException {
        Args.only(args, name());
        List<Entry> out = new ArrayList<>();
        for (TcpListener l : stack.tcp().listeners()) {
            boolean v6 = l.address6() != null;
            boolean dual = v6 && !l.v6only() && l.address6().isUnspecified();
            out.add(new Entry("tcp", "LISTEN", l.acceptQueueLength(), l.backlog(),
                    dual ? "*:" + l.port() : v6 ? endpoint6(l.address6(), null, l.port()) : endpoint(l.address(), l.port()),
                    dual ? "*:*" : v6 ? "[::]:*" : "0.0.0.0:*"));
        }
        for (TcpSocket s : stack.tcp().connections()) {
            TcpSocket.TcpInfo info = s.info();
            // an IPv4 connection of an IPv6 listener is v4-mapped here, as ss shows [::ffff:10.77.0.1]:port
            boolean v6 = s.localAddress6() != null;
            out.add(new Entry("tcp", ssState(info.state()), info.recvQ(), info.sendQ(),
                    v6 ? endpoint6(s.localAddress6(), s.boundDevice(), s.localPort()) : endpoint(s.localAddress(), s.localPort()),
                    v6 ? endpoint6(s.remoteAddress6(), null, s.remotePort()) : endpoint(s.remoteAddress(), s.remotePort()),
                    Details.of(info)));
        }
        for (UdpSocket u : stack.udp().sockets()) {
            // ss writes an IPv6 endpoint in brackets, [::]:* for an unconnected socket's peer, and * for the
            // address of one on :: that takes IPv4 too
            boolean dual = u.isIpv6() && !u.v6only() && u.localAddress6().isUnspecified();
            String local = dual ? "*:" + u.localPort() : u.isIpv6() ? endpoint6(u.localAddress6(), null, u.localPort())
                    : endpoint(u.localAddress(), u.localPort());
            String peer = u.remotePort() != 0 ? (u.isIpv6() ? endpoint6(u.remoteAddress6(), null, u.remotePort())
                    : endpoint(u.remoteAddress(), u.remotePort()))
                    : dual ? "*:*" : u.isIpv6() ? "[::]:*" : "0.0.0.0:*";
            out.add(new Entry("udp", u.remotePort() == 0 ? "UNCONN" : "ESTAB", u.receiveQueueBytes(), 0, local, peer));
        }
        out.sort(Comparator.comparing(Entry::netid).thenComparing(e -> !e.state().equals("LISTEN"))
                .thenComparing(Entry::local).thenComparing(Entry::peer));
        return out;
    }

    private static String endpoint(int addr, int port) {
        return Ipv4Address.format(addr) + ":" + port;
    }

    /**
     * ss writes an IPv6 endpoint in brackets, and the interface a socket is bound to ({@code dev}, a
     * link-local peer's; null for none) after a percent sign: [fe80::1]%tap0:80.
     */
    private static String endpoint6(Ipv6Address addr, NetDevice dev, int port) {
        return "[" + addr + "]" + (dev == null ? "" : "%" + dev.name()) + ":" + port;
    }

    /** ss's spelling of the states. */
    static String ssState(TcpState s) {
        return switch (s) {
            case ESTABLISHED -> "ESTAB";
            case SYN_SENT -> "SYN-SENT";
            case SYN_RECEIVED -> "SYN-RECV";
            case FIN_WAIT_1 -> "FIN-WAIT-1";
            case FIN_WAIT_2 -> "FIN-WAIT-2";
            case CLOSE_WAIT -> "CLOSE-WAIT";
            case LAST_ACK -> "LAST-ACK";
            case TIME_WAIT -> "TIME-WAIT";
            default -> s.name();
        };
    }
}
