package io.ustack.cli.packetdrill;

import io.ustack.core.wire.Checksum;
import java.nio.ByteBuffer;

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
