package io.ustack.core.wire;

import io.ustack.core.buffer.PacketBuffer;

/**
 * The ICMPv6 header (struct icmp6hdr, RFC 4443): type, code, checksum and the 4-byte rest of the header
 * (the echo identifier and sequence, an MTU, a pointer). Its checksum covers the IPv6 pseudo-header.
 */
public final class Icmpv6Packet {
    /** sizeof(struct icmp6hdr): what icmpv6_rcv must be able to read. */
    public static final int HEADER_LEN = 8;

    public static final int DEST_UNREACH = 1;
    public static final int PKT_TOOBIG = 2;
    public static final int TIME_EXCEED = 3;
    public static final int PARAMPROB = 4;
    public static final int ECHO_REQUEST = 128;
    public static final int ECHO_REPLY = 129;
    public static final int MGM_QUERY = 130;
    public static final int MGM_REPORT = 131;
    public static final int MGM_REDUCTION = 132;
    public static final int ND_ROUTER_SOLICIT = 133;
    public static final int ND_ROUTER_ADVERT = 134;
    public static final int ND_NEIGHBOUR_SOLICIT = 135;
    public static final int ND_NEIGHBOUR_ADVERT = 136;
    public static final int ND_REDIRECT = 137;
    public static final int MLD2_REPORT = 143;

    /** Destination unreachable codes (ICMPV6_NOROUTE ... ICMPV6_PORT_UNREACH). */
    public static final int NOROUTE = 0;
    public static final int ADM_PROHIBITED = 1;
    /** ICMPV6_NOT_NEIGHBOUR: "beyond scope of source address" (RFC 4443 3.1), a link-local source off its link. */
    public static final int NOT_NEIGHBOUR = 2;
    public static final int ADDR_UNREACH = 3;
    public static final int PORT_UNREACH = 4;
    public static final int POLICY_FAIL = 5;
    public static final int REJECT_ROUTE = 6;
    /** Time exceeded codes: hop limit, fragment reassembly time. */
    public static final int EXC_HOPLIMIT = 0;
    public static final int EXC_FRAGTIME = 1;
    /** Parameter problem codes: erroneous header field, unrecognised next header, unrecognised option, RFC 7112's incomplete header chain. */
    public static final int HDR_FIELD = 0;
    public static final int UNK_NEXTHDR = 1;
    public static final int UNK_OPTION = 2;
    public static final int HDR_INCOMP = 3;

    private static final int TYPE = 0;
    private static final int CODE = 1;
    private static final int CHECK = 2;
    /** Where the checksum field sits: a partial checksum's csum_offset. */
    public static final int CSUM_OFFSET = CHECK;
    private static final int ID = 4;
    private static final int SEQ = 6;

    private final PacketBuffer b;
    private final int off;

    private Icmpv6Packet(PacketBuffer b, int off) {
        this.b = b;
        this.off = off;
    }

    /** A view at {@code off}, or null if fewer than 8 bytes lie between it and tail. */
    public static Icmpv6Packet wrap(PacketBuffer b, int off) {
        return off >= 0 && b.tail() - off >= HEADER_LEN ? new Icmpv6Packet(b, off) : null;
    }

    /**
     * Whether the IPv6 packet at {@code ipOffset} carries a Neighbour Discovery message (router and neighbour
     * solicitation and advertisement, redirect: types 133 to 137) right behind its fixed header, where RFC 4861
     * senders put it. Reads nothing past tail.
     */
    public static boolean isNeighbourDiscovery(PacketBuffer b, int ipOffset) {
        Ipv6Packet ip = Ipv6Packet.wrap(b, ipOffset);
        int type = ipOffset + Ipv6Packet.HEADER_LEN;
        if (ip == null || ip.nextHeader() != Ipv6Packet.NEXTHDR_ICMP || type >= b.tail()) {
            return false;
        }
        int t = b.u8(type);
        return t >= ND_ROUTER_SOLICIT && t <= ND_REDIRECT;
    }

    /** icmpv6_is_err: types below 128 report an error about another packet (RFC 4443 section 2.1). */
    public static boolean isError(int type) {
        return type < 128;
    }

    public int offset() {
        return off;
    }

    public int type() {
        return b.u8(off + TYPE);
    }

    public int code() {
        return b.u8(off + CODE);
    }

    public int checksum() {
        return b.u16(off + CHECK);
    }

    /** The four bytes after the checksum (icmp6_dataun). */
    public int restOfHeader() {
        return b.i32(off + ID);
    }

    public int echoId() {
        return b.u16(off + ID);
    }

    public int echoSequence() {
        return b.u16(off + SEQ);
    }

    public void setType(int v) {
        b.setU8(off + TYPE, v);
    }

    public void setCode(int v) {
        b.setU8(off + CODE, v);
    }

    public void setChecksum(int v) {
        b.setU16(off + CHECK, v);
    }

    public void setRestOfHeader(int v) {
        b.setI32(off + ID, v);
    }

    /**
     * The message of {@code len} bytes from this header, with the pseudo-header of {@code saddr} and
     * {@code daddr}, sums to zero (csum_ipv6_magic over skb_checksum). The caller has made sure the bytes lie
     * before tail.
     */
    public boolean checksumOk(Ipv6Address saddr, Ipv6Address daddr, int len) {
        long sum = Checksum.pseudoHeader6(saddr, daddr, Ipv6Packet.NEXTHDR_ICMP, len);
        return Checksum.fold(Checksum.partial(b, off, len, sum)) == 0;
    }

    /** icmpv6_push_pending_frames: computes the checksum of the {@code len}-byte message, complete. */
    public void updateChecksum(Ipv6Address saddr, Ipv6Address daddr, int len) {
        b.setU16(off + CHECK, 0);
        long sum = Checksum.pseudoHeader6(saddr, daddr, Ipv6Packet.NEXTHDR_ICMP, len);
        b.setU16(off + CHECK, Checksum.fold(Checksum.partial(b, off, len, sum)));
    }
}
