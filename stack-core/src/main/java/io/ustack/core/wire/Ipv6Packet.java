package io.ustack.core.wire;

import io.ustack.core.buffer.PacketBuffer;

/**
 * The IPv6 fixed header (struct ipv6hdr, RFC 8200 section 3): version, traffic class, flow label, payload
 * length, next header, hop limit and the two addresses. {@link #wrap} checks that the 40 bytes fit; the rest
 * of ipv6_rcv's checks are the receive path's, each counted under its own snmp6 name.
 */
public final class Ipv6Packet {
    public static final int HEADER_LEN = 40;
    /** Next-header values (NEXTHDR_* in include/net/ipv6.h). */
    public static final int NEXTHDR_HOP = 0;
    public static final int NEXTHDR_TCP = 6;
    public static final int NEXTHDR_UDP = 17;
    public static final int NEXTHDR_ROUTING = 43;
    public static final int NEXTHDR_FRAGMENT = 44;
    public static final int NEXTHDR_ESP = 50;
    public static final int NEXTHDR_AUTH = 51;
    public static final int NEXTHDR_ICMP = 58;
    public static final int NEXTHDR_NONE = 59;
    public static final int NEXTHDR_DEST = 60;
    /** The hop limit a host's unicast packets carry (ipv6_devconf.hop_limit, IPV6_DEFAULT_HOPLIMIT). */
    public static final int DEFAULT_HOP_LIMIT = 64;
    /** IPV6_MIN_MTU (RFC 8200 section 5). */
    public static final int MIN_MTU = 1280;
    /** The most the payload length field says (a larger payload is a jumbogram, RFC 2675, not sent here). */
    public static final int MAX_PAYLOAD_LEN = 65535;

    private static final int VER_TC_FLOW = 0;
    /** Where the payload length sits: what a parameter problem about it points at. */
    public static final int PAYLOAD_LEN = 4;
    /** Where the next header field sits: what a parameter problem about it points at. */
    public static final int NEXT_HEADER = 6;
    private static final int HOP_LIMIT = 7;
    private static final int SADDR = 8;
    private static final int DADDR = 24;

    private final PacketBuffer b;
    private final int off;

    private Ipv6Packet(PacketBuffer b, int off) {
        this.b = b;
        this.off = off;
    }

    /** A view at {@code off}, or null if fewer than 40 bytes lie between it and tail. */
    public static Ipv6Packet wrap(PacketBuffer b, int off) {
        return off >= 0 && b.tail() - off >= HEADER_LEN ? new Ipv6Packet(b, off) : null;
    }

    /**
     * ip6_flow_hdr and the rest of what ip6_xmit writes: pushes a 40-byte header in front of data, fills every
     * field and sets the network header. {@code payloadLen} counts what follows the header.
     */
    public static Ipv6Packet push(PacketBuffer b, int trafficClass, int flowLabel, int payloadLen, int nextHeader,
                                  int hopLimit, Ipv6Address saddr, Ipv6Address daddr) {
        int at = b.push(HEADER_LEN);
        b.setNetworkHeader(at);
        Ipv6Packet ip = new Ipv6Packet(b, at);
        b.setI32(at + VER_TC_FLOW, (6 << 28) | ((trafficClass & 0xff) << 20) | (flowLabel & 0xf_ffff));
        b.setU16(at + PAYLOAD_LEN, payloadLen);
        b.setU8(at + NEXT_HEADER, nextHeader);
        b.setU8(at + HOP_LIMIT, hopLimit);
        saddr.write(b, at + SADDR);
        daddr.write(b, at + DADDR);
        return ip;
    }

    public int offset() {
        return off;
    }

    public int version() {
        return b.u8(off) >>> 4;
    }

    /** The traffic class (DSCP and ECN), as ipv6_get_dsfield reads it. */
    public int trafficClass() {
        return (int) (b.u32(off) >>> 20) & 0xff;
    }

    public int flowLabel() {
        return (int) b.u32(off) & 0xf_ffff;
    }

    /** The bytes after this 40-byte header (extension headers included). */
    public int payloadLength() {
        return b.u16(off + PAYLOAD_LEN);
    }

    public int nextHeader() {
        return b.u8(off + NEXT_HEADER);
    }

    public int hopLimit() {
        return b.u8(off + HOP_LIMIT);
    }

    public Ipv6Address saddr() {
        return Ipv6Address.read(b, off + SADDR);
    }

    public Ipv6Address daddr() {
        return Ipv6Address.read(b, off + DADDR);
    }

    /** The source address's first 64 bits ({@link Ipv6Address#hi()}), read without making an address. */
    public long saddrHi() {
        return Ipv6Address.u64(b, off + SADDR);
    }

    /** The source address's last 64 bits ({@link Ipv6Address#lo()}). */
    public long saddrLo() {
        return Ipv6Address.u64(b, off + SADDR + 8);
    }

    public long daddrHi() {
        return Ipv6Address.u64(b, off + DADDR);
    }

    public long daddrLo() {
        return Ipv6Address.u64(b, off + DADDR + 8);
    }

    public void setTrafficClass(int tc) {
        b.setI32(off, (int) ((b.u32(off) & ~(0xffL << 20)) | ((long) (tc & 0xff) << 20)));
    }

    public void setFlowLabel(int label) {
        b.setI32(off, (int) ((b.u32(off) & ~0xf_ffffL) | (label & 0xf_ffff)));
    }

    public void setPayloadLength(int v) {
        b.setU16(off + PAYLOAD_LEN, v);
    }

    public void setNextHeader(int v) {
        b.setU8(off + NEXT_HEADER, v);
    }

    public void setHopLimit(int v) {
        b.setU8(off + HOP_LIMIT, v);
    }

    public void setSaddr(Ipv6Address a) {
        a.write(b, off + SADDR);
    }

    public void setDaddr(Ipv6Address a) {
        a.write(b, off + DADDR);
    }
}
