package io.ustack.core.wire;

import io.ustack.core.buffer.PacketBuffer;

/**
 * The UDP header (struct udphdr, RFC 768): ports, length and checksum over the pseudo-header of IPv4 or of
 * IPv6 (RFC 8200 section 8.1).
 */
public final class UdpDatagram {
    public static final int HEADER_LEN = 8;
    /** The largest payload one IPv4 datagram can carry: 65535 - 20 - 8. */
    public static final int MAX_PAYLOAD = 65507;
    /** The largest payload one IPv6 datagram (no jumbogram) can carry: 65535 - 8, its header outside the count. */
    public static final int MAX_PAYLOAD6 = 65527;

    private static final int SPORT = 0;
    private static final int DPORT = 2;
    private static final int LEN = 4;
    private static final int CHECK = 6;
    /** Where the checksum field sits in the header: a partial checksum's csum_offset. */
    public static final int CSUM_OFFSET = CHECK;

    private final PacketBuffer b;
    private final int off;

    private UdpDatagram(PacketBuffer b, int off) {
        this.b = b;
        this.off = off;
    }

    /** A view at {@code off}, or null if fewer than 8 bytes lie between it and tail. */
    public static UdpDatagram wrap(PacketBuffer b, int off) {
        return off >= 0 && b.tail() - off >= HEADER_LEN ? new UdpDatagram(b, off) : null;
    }

    /** Pushes a header in front of data (the payload), with its length; the checksum is left zero. */
    public static UdpDatagram push(PacketBuffer b, int sport, int dport) {
        int len = b.len() + HEADER_LEN;
        int at = b.push(HEADER_LEN);
        b.setTransportHeader(at);
        UdpDatagram u = new UdpDatagram(b, at);
        b.setU16(at + SPORT, sport);
        b.setU16(at + DPORT, dport);
        b.setU16(at + LEN, len);
        b.setU16(at + CHECK, 0);
        return u;
    }

    public int offset() {
        return off;
    }

    public int sourcePort() {
        return b.u16(off + SPORT);
    }

    public int destinationPort() {
        return b.u16(off + DPORT);
    }

    /** The length field: header and payload. */
    public int length() {
        return b.u16(off + LEN);
    }

    public int checksum() {
        return b.u16(off + CHECK);
    }

    public void setSourcePort(int v) {
        b.setU16(off + SPORT, v);
    }

    public void setDestinationPort(int v) {
        b.setU16(off + DPORT, v);
    }

    /** The length field: header and payload. */
    public void setLength(int v) {
        b.setU16(off + LEN, v);
    }

    /** The checksum field as given: one patched incrementally (RFC 1624) by whoever changed a field. */
    public void setChecksum(int v) {
        b.setU16(off + CHECK, v);
    }

    /**
     * udp4_csum_init: the {@code len} bytes from this header on, with the pseudo-header, sum to zero. A zero
     * checksum field means the sender computed none (RFC 768), which IPv4 accepts.
     */
    public boolean checksumOk(int saddr, int daddr, int len) {
        return checksum() == 0 || Checksum.fold(Checksum.pseudoHeader(saddr, daddr, Ipv4Packet.IPPROTO_UDP, len)
                + Checksum.partial(b, off, len, 0)) == 0;
    }

    /** udp4_hwcsum in software: the checksum over pseudo-header, header and payload; 0 is sent as 0xffff. */
    public void updateChecksum(int saddr, int daddr) {
        writeChecksum(Checksum.pseudoHeader(saddr, daddr, Ipv4Packet.IPPROTO_UDP, length()));
    }

    /**
     * udp6_csum_init: the {@code len} bytes from this header on, with the IPv6 pseudo-header, sum to zero. The
     * checksum is mandatory over IPv6 (RFC 8200 section 8.1): a zero field fails, as it would not sum to zero
     * unless the datagram were all zeros.
     */
    public boolean checksumOk6(Ipv6Address saddr, Ipv6Address daddr, int len) {
        return checksum() != 0 && Checksum.fold(Checksum.pseudoHeader6(saddr, daddr, Ipv6Packet.NEXTHDR_UDP, len)
                + Checksum.partial(b, off, len, 0)) == 0;
    }

    /** udp6_hwcsum_outgoing in software: the checksum over the IPv6 pseudo-header, header and payload; never 0. */
    public void updateChecksum6(Ipv6Address saddr, Ipv6Address daddr) {
        writeChecksum(Checksum.pseudoHeader6(saddr, daddr, Ipv6Packet.NEXTHDR_UDP, length()));
    }

    /** The checksum over {@code pseudo} (the pseudo-header's sum), header and payload; a sum of 0 is sent as 0xffff. */
    private void writeChecksum(long pseudo) {
        b.setU16(off + CHECK, 0);
        int c = Checksum.fold(pseudo + Checksum.partial(b, off, length(), 0));
        b.setU16(off + CHECK, c == 0 ? 0xffff : c);
    }
}
