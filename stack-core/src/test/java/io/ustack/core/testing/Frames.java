package io.ustack.core.testing;

import java.nio.ByteBuffer;

/**
 * Builds and reads test frames with plain byte arithmetic, independently of the wire views under test, so a
 * bug in a view cannot hide itself by building its own input.
 */
public final class Frames {
    public static final int ETH_P_IP = 0x0800;
    public static final int ETH_P_ARP = 0x0806;

    private Frames() {
    }

    public static int ip(String dotted) {
        String[] p = dotted.split("\\.");
        return (Integer.parseInt(p[0]) << 24) | (Integer.parseInt(p[1]) << 16) | (Integer.parseInt(p[2]) << 8) | Integer.parseInt(p[3]);
    }

    public static byte[] eth(long dst, long src, int type, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(14 + payload.length);
        putMac(b, dst);
        putMac(b, src);
        b.putShort((short) type);
        b.put(payload);
        return b.array();
    }

    public static byte[] arp(int op, long sha, int spa, long tha, int tpa) {
        ByteBuffer b = ByteBuffer.allocate(28);
        b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) op);
        putMac(b, sha);
        b.putInt(spa);
        putMac(b, tha);
        b.putInt(tpa);
        return b.array();
    }

    /** An IPv4 packet with a 20-byte header and a correct header checksum. */
    public static byte[] ipv4(int src, int dst, int proto, int ttl, int id, int fragOffField, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(20 + payload.length);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + payload.length)).putShort((short) id)
                .putShort((short) fragOffField).put((byte) ttl).put((byte) proto).putShort((short) 0)
                .putInt(src).putInt(dst);
        b.put(payload);
        byte[] out = b.array();
        int c = checksum(out, 0, 20);
        out[10] = (byte) (c >> 8);
        out[11] = (byte) c;
        return out;
    }

    /** An ICMP echo request or reply with a correct checksum. */
    public static byte[] icmpEcho(int type, int id, int seq, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + data.length);
        b.put((byte) type).put((byte) 0).putShort((short) 0).putShort((short) id).putShort((short) seq).put(data);
        byte[] out = b.array();
        int c = checksum(out, 0, out.length);
        out[2] = (byte) (c >> 8);
        out[3] = (byte) c;
        return out;
    }

    /** An ICMP error (type, code, unused word zero) quoting {@code quoted}, with its checksum. */
    public static byte[] icmpError(int type, int code, byte[] quoted) {
        byte[] m = new byte[8 + quoted.length];
        m[0] = (byte) type;
        m[1] = (byte) code;
        System.arraycopy(quoted, 0, m, 8, quoted.length);
        int c = checksum(m, 0, m.length);
        m[2] = (byte) (c >> 8);
        m[3] = (byte) c;
        return m;
    }

    /** A UDP datagram with its checksum over the pseudo-header computed here, independently of the stack. */
    public static byte[] udp(int src, int dst, int sport, int dport, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(8 + payload.length);
        b.putShort((short) sport).putShort((short) dport).putShort((short) (8 + payload.length)).putShort((short) 0).put(payload);
        byte[] out = b.array();
        int c = udpChecksum(src, dst, out);
        c = c == 0 ? 0xffff : c;
        out[6] = (byte) (c >> 8);
        out[7] = (byte) c;
        return out;
    }

    /**
     * Recomputes the IPv4 header checksum of {@code p} in place, after a test has broken some field on
     * purpose, over as much of the header as its IHL claims and the packet holds. Returns {@code p}.
     */
    public static byte[] refreshIpChecksum(byte[] p) {
        if (p.length < 12) {
            return p;
        }
        p[10] = 0;
        p[11] = 0;
        int ihl = Math.min((p[0] & 0x0f) * 4, p.length);
        int c = checksum(p, 0, ihl);
        p[10] = (byte) (c >> 8);
        p[11] = (byte) c;
        return p;
    }

    /** The UDP checksum of {@code datagram} (its checksum field as it stands) with the pseudo-header. */
    public static int udpChecksum(int src, int dst, byte[] datagram) {
        ByteBuffer pseudo = ByteBuffer.allocate(12 + datagram.length + (datagram.length & 1));
        pseudo.putInt(src).putInt(dst).put((byte) 0).put((byte) 17).putShort((short) datagram.length).put(datagram);
        return checksum(pseudo.array(), 0, 12 + datagram.length);
    }

    /** A TCP segment with a 20-byte header, window 64240, and its checksum over the pseudo-header computed here. */
    public static byte[] tcp(int src, int dst, int sport, int dport, int seq, int ack, int flags, byte[] payload) {
        return tcp(src, dst, sport, dport, seq, ack, flags, 64240, new byte[0], payload);
    }

    /**
     * A TCP segment with its own window and options (a multiple of 4 bytes), and its checksum over the
     * pseudo-header computed here.
     */
    public static byte[] tcp(int src, int dst, int sport, int dport, int seq, int ack, int flags, int window,
                             byte[] options, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(20 + options.length + payload.length);
        b.putShort((short) sport).putShort((short) dport).putInt(seq).putInt(ack)
                .put((byte) ((20 + options.length) / 4 << 4)).put((byte) flags).putShort((short) window)
                .putShort((short) 0).putShort((short) 0).put(options).put(payload);
        byte[] seg = b.array();
        int c = tcpChecksum(src, dst, seg);
        seg[16] = (byte) (c >> 8);
        seg[17] = (byte) c;
        return seg;
    }

    /** The TCP checksum of {@code segment} with its checksum field as it stands: 0 when that field is right. */
    public static int tcpChecksum(int src, int dst, byte[] segment) {
        ByteBuffer pseudo = ByteBuffer.allocate(12 + segment.length);
        pseudo.putInt(src).putInt(dst).put((byte) 0).put((byte) 6).putShort((short) segment.length).put(segment);
        return checksum(pseudo.array(), 0, pseudo.capacity());
    }

    /**
     * A copy of {@code transport} (a TCP segment or UDP datagram whose length is all of it) with the checksum
     * field at {@code csumOffset} holding what it holds while the checksum is partial (CHECKSUM_PARTIAL):
     * the pseudo-header's sum, folded and not complemented.
     */
    public static byte[] partialChecksum(int src, int dst, int proto, int csumOffset, byte[] transport) {
        byte[] out = transport.clone();
        ByteBuffer pseudo = ByteBuffer.allocate(12);
        pseudo.putInt(src).putInt(dst).put((byte) 0).put((byte) proto).putShort((short) transport.length);
        int sum = ~checksum(pseudo.array(), 0, 12) & 0xffff;
        out[csumOffset] = (byte) (sum >> 8);
        out[csumOffset + 1] = (byte) sum;
        return out;
    }

    public static final int ETH_P_IPV6 = 0x86dd;

    /** {@link #partialChecksum} over the IPv6 pseudo-header (as __tcp_v6_send_check leaves the field). */
    public static byte[] partialChecksum6(byte[] src, byte[] dst, int nextHeader, int csumOffset, byte[] transport) {
        byte[] out = transport.clone();
        ByteBuffer pseudo = ByteBuffer.allocate(40);
        pseudo.put(src).put(dst).putInt(transport.length).putInt(nextHeader);
        int sum = ~checksum(pseudo.array(), 0, 40) & 0xffff;
        out[csumOffset] = (byte) (sum >> 8);
        out[csumOffset + 1] = (byte) sum;
        return out;
    }

    /** The 16 bytes of an IPv6 address written as text, parsed here by the JDK, not by the stack's Ipv6Address. */
    public static byte[] ip6(String text) {
        try {
            byte[] a = java.net.InetAddress.getByName(text).getAddress();
            if (a.length != 16) {
                throw new IllegalArgumentException(text + " is not IPv6");
            }
            return a;
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** An IPv6 packet: the 40-byte header (traffic class 0, flow label 0) and {@code payload}. */
    public static byte[] ipv6(byte[] src, byte[] dst, int nextHeader, int hopLimit, byte[] payload) {
        return ipv6(src, dst, nextHeader, hopLimit, 0, payload);
    }

    public static byte[] ipv6(byte[] src, byte[] dst, int nextHeader, int hopLimit, int trafficClass, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(40 + payload.length);
        b.putInt((6 << 28) | ((trafficClass & 0xff) << 20)).putShort((short) payload.length).put((byte) nextHeader)
                .put((byte) hopLimit).put(src).put(dst).put(payload);
        return b.array();
    }

    /** An ICMPv6 message (type, code, then {@code body} after the checksum) with its checksum over the pseudo-header. */
    public static byte[] icmpv6(byte[] src, byte[] dst, int type, int code, byte[] body) {
        byte[] m = new byte[4 + body.length];
        m[0] = (byte) type;
        m[1] = (byte) code;
        System.arraycopy(body, 0, m, 4, body.length);
        int c = icmpv6Checksum(src, dst, m);
        m[2] = (byte) (c >> 8);
        m[3] = (byte) c;
        return m;
    }

    /** The ICMPv6 checksum of {@code message} with its checksum field as it stands: 0 when that field is right. */
    public static int icmpv6Checksum(byte[] src, byte[] dst, byte[] message) {
        return checksum6(src, dst, 58, message);
    }

    /**
     * The checksum of an upper-layer {@code message} of kind {@code nextHeader} with the IPv6 pseudo-header
     * (RFC 8200 section 8.1), its checksum field as it stands: 0 when that field is right.
     */
    public static int checksum6(byte[] src, byte[] dst, int nextHeader, byte[] message) {
        ByteBuffer pseudo = ByteBuffer.allocate(40 + message.length);
        pseudo.put(src).put(dst).putInt(message.length).putInt(nextHeader).put(message);
        return checksum(pseudo.array(), 0, pseudo.capacity());
    }

    /** A TCP segment for IPv6 as {@link #tcp} makes one, its checksum over the IPv6 pseudo-header instead. */
    public static byte[] tcp6(byte[] src, byte[] dst, int sport, int dport, int seq, int ack, int flags, byte[] payload) {
        return tcp6(src, dst, sport, dport, seq, ack, flags, new byte[0], payload);
    }

    /** {@link #tcp6} with options (a multiple of 4 bytes). */
    public static byte[] tcp6(byte[] src, byte[] dst, int sport, int dport, int seq, int ack, int flags, byte[] options,
                              byte[] payload) {
        byte[] seg = tcp(0, 0, sport, dport, seq, ack, flags, 64240, options, payload);
        seg[16] = 0;
        seg[17] = 0;
        int c = checksum6(src, dst, 6, seg);
        seg[16] = (byte) (c >> 8);
        seg[17] = (byte) c;
        return seg;
    }

    /** A UDP datagram for IPv6, its (mandatory) checksum over the IPv6 pseudo-header computed here. */
    public static byte[] udp6(byte[] src, byte[] dst, int sport, int dport, byte[] payload) {
        byte[] out = ByteBuffer.allocate(8 + payload.length).putShort((short) sport).putShort((short) dport)
                .putShort((short) (8 + payload.length)).putShort((short) 0).put(payload).array();
        int c = checksum6(src, dst, 17, out);
        c = c == 0 ? 0xffff : c;
        out[6] = (byte) (c >> 8);
        out[7] = (byte) c;
        return out;
    }

    /**
     * An IPv6 extension header with options or routing data: next header, the length byte for its size, then
     * {@code body}, which must make the header a multiple of 8 bytes (6, 14, 22... bytes).
     */
    public static byte[] extHeader(int nextHeader, int... body) {
        if ((body.length + 2) % 8 != 0) {
            throw new IllegalArgumentException("an extension header is a multiple of 8 bytes, not " + (body.length + 2));
        }
        byte[] h = new byte[body.length + 2];
        h[0] = (byte) nextHeader;
        h[1] = (byte) ((h.length >> 3) - 1);
        for (int i = 0; i < body.length; i++) {
            h[i + 2] = (byte) body[i];
        }
        return h;
    }

    /** A fragment header: next header, offset in bytes (a multiple of 8), M, identification. */
    public static byte[] fragHeader(int nextHeader, int offset, boolean more, int id) {
        return ByteBuffer.allocate(8).put((byte) nextHeader).put((byte) 0).putShort((short) (offset | (more ? 1 : 0)))
                .putInt(id).array();
    }

    /** The arrays one after the other. */
    public static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** An echo request's body (after the checksum): id, sequence, data. */
    public static byte[] echoBody(int id, int seq, byte[] data) {
        return ByteBuffer.allocate(4 + data.length).putShort((short) id).putShort((short) seq).put(data).array();
    }

    /** A Neighbour Solicitation's body for {@code target}, with a source link-layer option unless {@code slla} is -1. */
    public static byte[] nsBody(byte[] target, long slla) {
        ByteBuffer b = ByteBuffer.allocate(4 + 16 + (slla >= 0 ? 8 : 0));
        b.putInt(0).put(target);
        lladdrOption(b, 1, slla);
        return b.array();
    }

    /** A Router Solicitation's body (its reserved word), with a source link-layer option unless {@code slla} is -1. */
    public static byte[] rsBody(long slla) {
        ByteBuffer b = ByteBuffer.allocate(4 + (slla >= 0 ? 8 : 0));
        b.putInt(0);
        lladdrOption(b, 1, slla);
        return b.array();
    }

    /** A Neighbour Advertisement's body with {@code flags} (0x80 R, 0x40 S, 0x20 O), the target and a TLLA unless -1. */
    public static byte[] naBody(int flags, byte[] target, long tlla) {
        ByteBuffer b = ByteBuffer.allocate(4 + 16 + (tlla >= 0 ? 8 : 0));
        b.putInt(flags << 24).put(target);
        lladdrOption(b, 2, tlla);
        return b.array();
    }

    /** An ND link-layer address option of {@code type} (1 source, 2 target) for {@code mac}, unless it is -1. */
    private static void lladdrOption(ByteBuffer b, int type, long mac) {
        if (mac >= 0) {
            b.put((byte) type).put((byte) 1);
            putMac(b, mac);
        }
    }

    public static byte[] bytes(byte[] d, int off, int len) {
        return java.util.Arrays.copyOfRange(d, off, off + len);
    }

    /** RFC 1071, the slow obvious way. */
    public static int checksum(byte[] d, int off, int len) {
        long sum = 0;
        for (int i = 0; i < len; i += 2) {
            int hi = d[off + i] & 0xff;
            int lo = i + 1 < len ? d[off + i + 1] & 0xff : 0;
            sum += (hi << 8) | lo;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) (~sum & 0xffff);
    }

    public static byte[] pattern(int len) {
        byte[] d = new byte[len];
        for (int i = 0; i < len; i++) {
            d[i] = (byte) (i * 7 + 3);
        }
        return d;
    }

    public static int u8(byte[] d, int off) {
        return d[off] & 0xff;
    }

    public static int u16(byte[] d, int off) {
        return ((d[off] & 0xff) << 8) | (d[off + 1] & 0xff);
    }

    public static int i32(byte[] d, int off) {
        return (u16(d, off) << 16) | u16(d, off + 2);
    }

    public static long mac(byte[] d, int off) {
        return ((long) u16(d, off) << 32) | (i32(d, off + 2) & 0xffff_ffffL);
    }

    private static void putMac(ByteBuffer b, long mac) {
        b.putShort((short) (mac >>> 32)).putInt((int) mac);
    }
}
