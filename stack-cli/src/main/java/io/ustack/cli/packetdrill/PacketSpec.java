package io.ustack.cli.packetdrill;

import java.util.List;

/**
 * A packet line, parser.y's {@code packet_spec}: {@code <} inbound (injected) or {@code >} outbound
 * (expected), optional outer IP headers ({@code ipv4 192.0.2.1 > 192.168.0.1:}), IP fields to set or check
 * ({@code [ect0]}, {@code (tos 0x10)}, {@code [ttl 64]}), then a TCP, UDP or ICMP part.
 */
record PacketSpec(Direction direction, List<OuterIp> outer, IpInfo ip, Transport transport) {

    PacketSpec {
        outer = List.copyOf(outer);
    }

    /** {@code <} or {@code >}. */
    enum Direction {
        INBOUND, OUTBOUND
    }

    /** The IP ECN codepoints of {@code [noecn]}, {@code [ect0]}, {@code [ect1]}, {@code [ce]}; ECT01 is "ECT0 or ECT1". */
    enum Ecn {
        NO_ECN, ECT0, ECT1, CE, ECT01
    }

    /**
     * parser.y's {@code ip_info}; every field null when not written.
     *
     * @param tos from {@code tos 0xNN}
     * @param flowLabel from {@code flowlabel 0xNNNNN} (IPv6)
     * @param ttl from {@code ttl N}
     */
    record IpInfo(Ecn ecn, Integer tos, Integer flowLabel, Integer ttl) {
        static final IpInfo NONE = new IpInfo(null, null, null, null);
    }

    /** An encapsulating header written before the packet: {@code ipv4 SRC > DST:} or {@code ipv6 SRC > DST:}. */
    record OuterIp(int version, IpInfo ip, String src, String dst) {
    }

    /** {@code SRC>DST} ports written before a TCP packet's flags or a UDP packet's length. */
    record Ports(int src, int dst) {
    }

    /** The transport part of the packet. */
    sealed interface Transport {
    }

    /**
     * {@code FLAGS START:END(LEN) [ack N] [win N] [urg N] [<options>]}.
     *
     * @param flags the flag letters as written ({@code S}, {@code S.}, {@code P.}, {@code F.}, {@code R},
     *              {@code SEW}...; {@code .} alone for a bare ACK, empty for {@code -})
     * @param ports null when not written
     * @param ack null when {@code ack} was not written
     * @param window null when {@code win} was not written
     * @param urgentPointer null when {@code urg} was not written
     * @param options the options in order (empty: none); null for {@code <...>}, any options (outbound only)
     */
    record Tcp(Ports ports, String flags, long seqStart, int payload, Long ack, Integer window,
               Integer urgentPointer, List<TcpOption> options) implements Transport {
        public Tcp {
            options = options == null ? null : List.copyOf(options);
        }

        long seqEnd() {
            return seqStart + payload;
        }

        boolean has(char flag) {
            return flags.indexOf(flag) >= 0;
        }
    }

    /** {@code udp [SRC>DST] (LEN)}. */
    record Udp(Ports ports, int payload) implements Transport {
    }

    /**
     * {@code icmp TYPE [CODE] [mtu N] [id N] [[ECHOED]]}, such as
     * {@code icmp unreachable port_unreachable [udp (100)]} or {@code icmp unreachable frag_needed mtu 1200 [1:1461(1460)]}.
     *
     * @param code null when not written
     * @param mtu null when not written
     * @param echoId null when not written
     * @param echoed the quoted packet; null when not written
     */
    record Icmp(String type, String code, Integer mtu, Long echoId, Echoed echoed) implements Transport {
    }

    /** What an ICMP error quotes: {@code [START:END(LEN)]} of TCP, {@code [udp (LEN)]} or {@code [raw (LEN)]}. */
    record Echoed(String protocol, long seqStart, int payload) {
    }
}
