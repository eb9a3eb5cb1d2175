package io.ustack.core.wire;

import io.ustack.core.buffer.PacketBuffer;

/**
 * The IPv4 header (struct iphdr, RFC 791). {@link #wrap} checks that a minimal header fits; the rest of
 * ip_rcv's checks (version, IHL, lengths, checksum) are the receive path's, so each can be counted under
 * its own MIB name.
 */
public final class Ipv4Packet {
    public static final int MIN_HEADER_LEN = 20;
    public static final int MAX_HEADER_LEN = 60;
    public static final int MAX_PACKET_LEN = 65535;
    public static final int IPPROTO_ICMP = 1;
    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_UDP = 17;
    /** Flag bits in the frag_off field. */
    public static final int IP_DF = 0x4000;
    public static final int IP_MF = 0x2000;
    public static final int IP_OFFSET = 0x1fff;
    public static final int DEFAULT_TTL = 64;

    private static final int VER_IHL = 0;
    private static final int TOS = 1;
    private static final int TOT_LEN = 2;
    private static final int ID = 4;
    private static final int FRAG_OFF = 6;
    private static final int TTL = 8;
    private static final int PROTOCOL = 9;
    private static final int CHECK = 10;
    private static final int SADDR = 12;
    private static final int DADDR = 16;

    private final PacketBuffer b;
    private final int off;

    private Ipv4Packet(PacketBuffer b, int off) {
        this.b = b;
        this.off = off;
    }

    /** A view at {@code off}, or null if fewer than 20 bytes lie between it and tail. */
    public static Ipv4Packet wrap(PacketBuffer b, int off) {
        return off >= 0 && b.tail() - off >= MIN_HEADER_LEN ? new Ipv4Packet(b, off) : null;
    }

    /**
     * Pushes a 20-byte header (no options) in front of data, fills every field but the checksum's final
     * value, and sets the network header. {@code totalLen} counts this header.
     */
    public static Ipv4Packet push(PacketBuffer b, int tos, int totalLen, int id, int fragOff, int ttl,
                                  int protocol, int saddr, int daddr) {
        int at = b.push(MIN_HEADER_LEN);
        b.setNetworkHeader(at);
        Ipv4Packet ip = new Ipv4Packet(b, at);
        b.setU8(at + VER_IHL, 0x45);
        b.setU8(at + TOS, tos);
        b.setU16(at + TOT_LEN, totalLen);
        b.setU16(at + ID, id);
        b.setU16(at + FRAG_OFF, fragOff);
        b.setU8(at + TTL, ttl);
        b.setU8(at + PROTOCOL, protocol);
        b.setU16(at + CHECK, 0);
        b.setI32(at + SADDR, saddr);
        b.setI32(at + DADDR, daddr);
        return ip;
    }

    public int offset() {
        return off;
    }

    public int version() {
        return b.u8(off + VER_IHL) >>> 4;
    }

    /** Header length in 32-bit words. */
    public int ihl() {
        return b.u8(off + VER_IHL) & 0x0f;
    }

    public int headerLength() {
        return ihl() * 4;
    }

    public int tos() {
        return b.u8(off + TOS);
    }

    public int totalLength() {
        return b.u16(off + TOT_LEN);
    }

    public int id() {
        return b.u16(off + ID);
    }

    /** The whole frag_off field: flags and offset in 8-byte units. */
    public int fragOffField() {
        return b.u16(off + FRAG_OFF);
    }

    /** The fragment offset in bytes. */
    public int fragmentOffset() {
        return (fragOffField() & IP_OFFSET) * 8;
    }

    public boolean moreFragments() {
        return (fragOffField() & IP_MF) != 0;
    }

    public boolean dontFragment() {
        return (fragOffField() & IP_DF) != 0;
    }

    /** ip_is_fragment: MF set or a non-zero offset. */
    public boolean isFragment() {
        return (fragOffField() & (IP_MF | IP_OFFSET)) != 0;
    }

    public int ttl() {
        return b.u8(off + TTL);
    }

    public int protocol() {
        return b.u8(off + PROTOCOL);
    }

    public int checksum() {
        return b.u16(off + CHECK);
    }

    public int saddr() {
        return b.i32(off + SADDR);
    }

    public int daddr() {
        return b.i32(off + DADDR);
    }

    /** The header checksums to zero; the caller has made sure the whole header lies before tail. */
    public boolean checksumOk() {
        return Checksum.compute(b, off, headerLength()) == 0;
    }

    public void setTos(int v) {
        b.setU8(off + TOS, v);
    }

    public void setTotalLength(int v) {
        b.setU16(off + TOT_LEN, v);
    }

    public void setId(int v) {
        b.setU16(off + ID, v);
    }

    public void setFragOffField(int v) {
        b.setU16(off + FRAG_OFF, v);
    }

    public void setTtl(int v) {
        b.setU8(off + TTL, v);
    }

    public void setProtocol(int v) {
        b.setU8(off + PROTOCOL, v);
    }

    public void setSaddr(int a) {
        b.setI32(off + SADDR, a);
    }

    public void setDaddr(int a) {
        b.setI32(off + DADDR, a);
    }

    /** The checksum field as given: one patched incrementally (RFC 1624) by whoever changed a field. */
    public void setChecksum(int v) {
        b.setU16(off + CHECK, v);
    }

    /** ip_send_check: recomputes the header checksum. */
    public void updateChecksum() {
        b.setU16(off + CHECK, 0);
        b.setU16(off + CHECK, Checksum.compute(b, off, headerLength()));
    }

    /** ip_decrease_ttl: one less TTL with the checksum patched incrementally (RFC 1624). */
    public void decreaseTtl() {
        int oldWord = b.u16(off + TTL);
        b.setU8(off + TTL, ttl() - 1);
        b.setU16(off + CHECK, Checksum.replace16(checksum(), oldWord, b.u16(off + TTL)));
    }
}
