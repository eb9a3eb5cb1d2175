package io.ustack.cli.packetdrill;

import io.ustack.core.wire.Checksum;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

/**
 * Builds what an inbound ({@code <}) line injects, as packetdrill's new_tcp_packet and set_ipv4_header do:
 * TTL 255 unless the script says, IP ID 0 and no DF, TOS 0 but for the ECN mark or {@code (tos)} written, a
 * payload of zero bytes, the options in the order written, and checksums computed.
 */
final class InboundPacket {
    static final int IPPROTO_TCP = 6;
    static final int IPPROTO_UDP = 17;

    private InboundPacket() {
    }

    /** Thrown when a line cannot be turned into a packet (a TS ecr that echoes nothing the stack sent). */
    static final class Unbuildable extends Exception {
        Unbuildable(String message) {
            super(message, null, false, false);
        }
    }

    /** The IPv4 packet for a TCP line, numbers mapped through {@code c}, from {@code src} to {@code dst}. */
    static byte[] tcp(PacketSpec spec, PacketSpec.Tcp t, Connection c, int src, int dst) throws Unbuildable {
        boolean syn = t.has('S');
        boolean ack = t.has('.');
        byte[] options = options(t, c, ack, syn);
        int tcpLen = 20 + options.length + t.payload();
        ByteBuffer b = ByteBuffer.allocate(tcpLen);
        int sport = t.ports() != null ? t.ports().src() : c.remotePort;
        int dport = t.ports() != null ? t.ports().dst() : c.localPort;
        long ackValue = t.ack() == null ? 0 : ack ? c.inboundAck(t.ack(), syn) : t.ack();
        b.putShort((short) sport).putShort((short) dport).putInt((int) c.inboundSeq(t.seqStart(), syn))
                .putInt((int) ackValue).put((byte) ((20 + options.length) / 4 << 4))
                .put((byte) LivePacket.flagBits(t.flags())).putShort(t.window().shortValue()).putShort((short) 0)
                .putShort((short) (t.urgentPointer() == null ? 0 : t.urgentPointer())).put(options);
        byte[] seg = b.array();
        int sum = transportChecksum(src, dst, IPPROTO_TCP, seg);
        seg[16] = (byte) (sum >> 8);
        seg[17] = (byte) sum;
        return ipv4(spec.ip(), IPPROTO_TCP, src, dst, seg);
    }

    /** The IPv4 packet for a UDP line. */
    static byte[] udp(PacketSpec spec, PacketSpec.Udp u, int sport, int dport, int src, int dst) {
        ByteBuffer b = ByteBuffer.allocate(8 + u.payload());
        b.putShort((short) sport).putShort((short) dport).putShort((short) (8 + u.payload())).putShort((short) 0);
        byte[] d = b.array();
        int sum = transportChecksum(src, dst, IPPROTO_UDP, d);
        sum = sum == 0 ? 0xffff : sum;
        d[6] = (byte) (sum >> 8);
        d[7] = (byte) sum;
        return ipv4(spec.ip(), IPPROTO_UDP, src, dst, d);
    }

    /** packetdrill's ICMPv4 types and the codes of unreachable (icmp_packet.c's tables), by name. */
    private static final Map<String, Integer> ICMP_TYPES = Map.ofEntries(
            Map.entry("echo_reply", 0), Map.entry("unreachable", 3),
            Map.entry("source_quench", 4), Map.entry("redirect", 5),
            Map.entry("echo_request", 8), Map.entry("time_exceeded", 11),
            Map.entry("parameter_problem", 12), Map.entry("timestamp_request", 13),
            Map.entry("timestamp_reply", 14), Map.entry("information_request", 15),
            Map.entry("information_reply", 16), Map.entry("address_mask_request", 17),
            Map.entry("address_mask_reply", 18));
    private static final List<String> UNREACHABLE_CODES = List.of("net_unreachable",
            "host_unreachable", "protocol_unreachable", "port_unreachable", "frag_needed", "source_route_failed",
            "net_unknown", "host_unknown", "source_host_isolated", "net_prohibited", "host_prohibited",
            "net_unreachable_for_tos", "host_unreachable_for_tos", "packet_filtered", "precedence_violation",
            "precedence_cutoff");

    /**
     * An ICMP message as new_icmp_packet builds it: a TCP or UDP error quotes an IPv4 header of one of our own
     * packets (from {@code ours} to {@code peer}), the 8 bytes after it (ports, and the TCP sequence number
     * mapped through {@code c}) and then as many zero bytes as the quoted payload length; {@code raw} is that
     * many zero bytes after the ICMP header's.
     */
    static byte[] icmp(PacketSpec spec, PacketSpec.Icmp m, Connection c, int peer, int ours) throws Unbuildable {
        int type = icmpNumber(m.type(), "type_", ICMP_TYPES.get(m.type()), "bad ICMP type " + m.type());
        Integer named = m.code() == null ? Integer.valueOf(0)
                : type == 3 && UNREACHABLE_CODES.contains(m.code()) ? UNREACHABLE_CODES.indexOf(m.code()) : null;
        int code = m.code() == null ? 0 : icmpNumber(m.code(), "code_", named, "bad ICMP code " + m.code());
        PacketSpec.Echoed e = m.echoed();
        byte[] quoted = new byte[0];
        int extra = 0;
        if (e != null && e.protocol().equals("raw")) {
            extra = e.payload();
        } else if (e != null) {
            int proto = e.protocol().equals("udp") ? IPPROTO_UDP : IPPROTO_TCP;
            int l4len = proto == IPPROTO_TCP ? 20 : 8;
            ByteBuffer q = ByteBuffer.allocate(20 + 8 + e.payload());
            q.put((byte) 0x45).put((byte) 0).putShort((short) (20 + l4len + e.payload())).putShort((short) 0)
                    .putShort((short) 0).put((byte) 0).put((byte) proto).putShort((short) 0).putInt(ours).putInt(peer);
            q.putShort((short) c.localPort).putShort((short) c.remotePort);
            if (proto == IPPROTO_TCP) {
                q.putInt((int) (e.seqStart() + c.liveLocalIsn));
            } else {
                q.putShort((short) (8 + e.payload())).putShort((short) 0);
            }
            quoted = q.array();
        }
        ByteBuffer b = ByteBuffer.allocate(8 + quoted.length + extra);
        b.put((byte) type).put((byte) code).putShort((short) 0);
        if (m.echoId() != null) {
            b.putShort(m.echoId().shortValue()).putShort((short) 0);
        } else {
            b.putShort((short) 0).putShort((short) (m.mtu() == null ? 0 : m.mtu()));
        }
        b.put(quoted);
        byte[] icmp = b.array();
        int sum = Checksum.fold(Checksum.partial(icmp, 0, icmp.length, 0));
        icmp[2] = (byte) (sum >> 8);
        icmp[3] = (byte) sum;
        return ipv4(spec.ip(), 1, peer, ours, icmp);
    }

    /** A name from the table, or packetdrill's tcpdump-like {@code type_N} / {@code code_N}. */
    private static int icmpNumber(String name, String prefix, Integer known, String error) throws Unbuildable {
        if (known != null) {
            return known;
        }
        if (name.startsWith(prefix)) {
            try {
                int n = Integer.parseInt(name.substring(prefix.length()));
                if (n >= 0 && n <= 255) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // falls through to the error
            }
        }
        throw new Unbuildable(error);
    }

    private static byte[] options(PacketSpec.Tcp t, Connection c, boolean ack, boolean syn) throws Unbuildable {
        if (t.options() == null || t.options().isEmpty()) {
            return new byte[0];
        }
        ByteBuffer b = ByteBuffer.allocate(60);
        for (TcpOption o : t.options()) {
            if (o instanceof TcpOption.Nop) {
                b.put((byte) 1);
            } else if (o instanceof TcpOption.Eol) {
                b.put((byte) 0);
            } else if (o instanceof TcpOption.Mss m) {
                b.put((byte) 2).put((byte) 4).putShort((short) m.mss());
            } else if (o instanceof TcpOption.WindowScale w) {
                b.put((byte) 3).put((byte) 3).put((byte) w.shift());
            } else if (o instanceof TcpOption.SackPermitted) {
                b.put((byte) 4).put((byte) 2);
            } else if (o instanceof TcpOption.Sack s) {
                b.put((byte) 5).put((byte) (2 + 8 * s.blocks().size()));
                for (TcpOption.Sack.Block k : s.blocks()) {
                    b.putInt((int) c.inboundAck(k.left(), syn)).putInt((int) c.inboundAck(k.right(), syn));
                }
            } else if (o instanceof TcpOption.Timestamp ts) {
                long ecr = ts.ecr();
                if (ack && ecr != 0) {
                    Long live = c.liveTsVal(ecr);
                    if (live == null) {
                        throw new Unbuildable("unable to infer live TS ecr for script TS ecr " + ecr
                                + ";  no matching or preceding outbound TS val");
                    }
                    ecr = live;
                }
                b.put((byte) 8).put((byte) 10).putInt((int) ts.val()).putInt((int) ecr);
            } else if (o instanceof TcpOption.Md5 m) {
                b.put((byte) 19).put((byte) 18).put(hex(m.hex(), 16));
            } else if (o instanceof TcpOption.FastOpen f) {
                byte[] cookie = hex(f.cookie(), f.cookie().length() / 2);
                if (f.experimental()) {
                    b.put((byte) 254).put((byte) (4 + cookie.length)).putShort((short) 0xF989);
                } else {
                    b.put((byte) 34).put((byte) (2 + cookie.length));
                }
                b.put(cookie);
            }
        }
        while (b.position() % 4 != 0) {
            b.put((byte) 0); // EOL pads a list that does not fill a 32-bit word
        }
        byte[] out = new byte[b.position()];
        b.flip();
        b.get(out);
        return out;
    }

    private static byte[] hex(String digits, int len) {
        byte[] out = new byte[len];
        for (int i = 0; i < len && 2 * i + 1 < digits.length(); i++) {
            out[i] = (byte) Integer.parseInt(digits.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }

    private static byte[] ipv4(PacketSpec.IpInfo ip, int proto, int src, int dst, byte[] payload) {
        int tos = ip.tos() != null ? ip.tos() : 0;
        if (ip.ecn() != null) {
            tos = (tos & ~3) | switch (ip.ecn()) {
                case NO_ECN -> 0;
                case ECT1 -> 1;
                case ECT0, ECT01 -> 2;
                case CE -> 3;
            };
        }
        ByteBuffer b = ByteBuffer.allocate(20 + payload.length);
        b.put((byte) 0x45).put((byte) tos).putShort((short) (20 + payload.length)).putShort((short) 0)
                .putShort((short) 0).put((byte) (ip.ttl() != null ? ip.ttl() : 255)).put((byte) proto)
                .putShort((short) 0).putInt(src).putInt(dst).put(payload);
        byte[] p = b.array();
        int sum = Checksum.fold(Checksum.partial(p, 0, 20, 0));
        p[10] = (byte) (sum >> 8);
        p[11] = (byte) sum;
        return p;
    }

    /** The TCP or UDP checksum of {@code l4} from {@code src} to {@code dst}, ready to store. */
    private static int transportChecksum(int src, int dst, int proto, byte[] l4) {
        return Checksum.fold(Checksum.partial(l4, 0, l4.length, Checksum.pseudoHeader(src, dst, proto, l4.length)));
    }
}
