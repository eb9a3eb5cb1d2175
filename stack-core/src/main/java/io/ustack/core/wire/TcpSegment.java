package io.ustack.core.wire;

import io.ustack.core.buffer.PacketBuffer;

/**
 * The TCP header (struct tcphdr, RFC 9293 section 3.1): ports, sequence and acknowledgment numbers, data
 * offset, control bits, window, checksum over the IPv4 or IPv6 pseudo-header and urgent pointer. Sequence numbers
 * are the raw 32 bits in an {@code int}; compare them with {@code io.ustack.core.tcp.SeqNum}.
 *
 * <p>{@link #wrap} checks that the fixed 20 bytes fit. Whether the data offset is at least 5 and the whole
 * header lies before tail is tcp_v4_rcv's check ({@code th->doff < sizeof(struct tcphdr) / 4},
 * pskb_may_pull), left to the receive path so it can count it under TcpInErrs; until then
 * {@link #headerLength()} and {@link #payloadOffset()} report what the field says.
 */
public final class TcpSegment {
    public static final int MIN_HEADER_LEN = 20;
    /** Data offset 15: 60 bytes, 40 of them options (MAX_TCP_OPTION_SPACE). */
    public static final int MAX_HEADER_LEN = 60;

    /** The control bits of byte 13, as the kernel's TCPHDR_* masks. */
    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int URG = 0x20;
    public static final int ECE = 0x40;
    public static final int CWR = 0x80;

    private static final int SOURCE = 0;
    private static final int DEST = 2;
    private static final int SEQ = 4;
    private static final int ACK_SEQ = 8;
    /** Data offset in the high nibble; the low nibble is reserved (RFC 9293), sent as zero. */
    private static final int DOFF = 12;
    private static final int FLAGS = 13;
    private static final int WINDOW = 14;
    private static final int CHECK = 16;
    /** Where the checksum field sits in the header: a partial checksum's csum_offset. */
    public static final int CSUM_OFFSET = CHECK;
    private static final int URG_PTR = 18;

    private final PacketBuffer b;
    private final int off;

    private TcpSegment(PacketBuffer b, int off) {
        this.b = b;
        this.off = off;
    }

    /** A view at {@code off}, or null if fewer than 20 bytes lie between it and tail. */
    public static TcpSegment wrap(PacketBuffer b, int off) {
        return off >= 0 && b.tail() - off >= MIN_HEADER_LEN ? new TcpSegment(b, off) : null;
    }

    /**
     * The header part of tcp_transmit_skb: pushes a header with room for {@code optionsLength} bytes of
     * options in front of data (the payload), fills the fixed fields, sets the transport header and leaves
     * the checksum and urgent pointer zero. The option bytes are the caller's to write (TcpOptions.write,
     * tcp_options_write) before {@link #updateChecksum}.
     *
     * @param optionsLength a multiple of 4, at most 40: what TcpOptions.length() reports
     */
    public static TcpSegment push(PacketBuffer b, int sport, int dport, int seq, int ackSeq, int flags,
                                  int window, int optionsLength) {
        if (optionsLength < 0 || optionsLength > MAX_HEADER_LEN - MIN_HEADER_LEN || (optionsLength & 3) != 0) {
            throw new IllegalArgumentException("TCP options length " + optionsLength);
        }
        int len = MIN_HEADER_LEN + optionsLength;
        int at = b.push(len);
        b.setTransportHeader(at);
        b.setU16(at + SOURCE, sport);
        b.setU16(at + DEST, dport);
        b.setI32(at + SEQ, seq);
        b.setI32(at + ACK_SEQ, ackSeq);
        b.setU8(at + DOFF, (len / 4) << 4);
        b.setU8(at + FLAGS, flags);
        b.setU16(at + WINDOW, window);
        b.setU16(at + CHECK, 0);
        b.setU16(at + URG_PTR, 0);
        return new TcpSegment(b, at);
    }

    public int offset() {
        return off;
    }

    public int sourcePort() {
        return b.u16(off + SOURCE);
    }

    public int destinationPort() {
        return b.u16(off + DEST);
    }

    public int seq() {
        return b.i32(off + SEQ);
    }

    /** The acknowledgment number (th->ack_seq); meaningful only with {@link #ACK} set. */
    public int ackSeq() {
        return b.i32(off + ACK_SEQ);
    }

    /** The data offset field: header length in 32-bit words. */
    public int dataOffset() {
        return b.u8(off + DOFF) >>> 4;
    }

    public int headerLength() {
        return dataOffset() * 4;
    }

    /** Where the options start: right after the fixed header. */
    public int optionsOffset() {
        return off + MIN_HEADER_LEN;
    }

    /** Option bytes the data offset claims: headerLength() - 20, negative for a bogus offset below 5. */
    public int optionsLength() {
        return headerLength() - MIN_HEADER_LEN;
    }

    /** Where the payload starts, per the data offset. */
    public int payloadOffset() {
        return off + headerLength();
    }

    /** The eight control bits, CWR down to FIN. */
    public int flags() {
        return b.u8(off + FLAGS);
    }

    /** Whether every bit of {@code mask} is set. */
    public boolean hasFlags(int mask) {
        return (flags() & mask) == mask;
    }

    /** The window field as sent: not yet scaled. */
    public int window() {
        return b.u16(off + WINDOW);
    }

    public int checksum() {
        return b.u16(off + CHECK);
    }

    public int urgentPointer() {
        return b.u16(off + URG_PTR);
    }

    public void setSourcePort(int v) {
        b.setU16(off + SOURCE, v);
    }

    public void setDestinationPort(int v) {
        b.setU16(off + DEST, v);
    }

    public void setSeq(int v) {
        b.setI32(off + SEQ, v);
    }

    public void setAckSeq(int v) {
        b.setI32(off + ACK_SEQ, v);
    }

    public void setFlags(int v) {
        b.setU8(off + FLAGS, v);
    }

    public void setWindow(int v) {
        b.setU16(off + WINDOW, v);
    }

    public void setUrgentPointer(int v) {
        b.setU16(off + URG_PTR, v);
    }

    /** The checksum field as given: one patched incrementally (RFC 1624) by whoever changed a field. */
    public void setChecksum(int v) {
        b.setU16(off + CHECK, v);
    }

    /**
     * tcp_v4_checksum_init / tcp_checksum_complete: the {@code len} bytes from this header on (header and
     * payload, the IP total length minus the IP header), with the pseudo-header, sum to zero. Unlike UDP a
     * zero checksum field has no special meaning.
     */
    public boolean checksumOk(int saddr, int daddr, int len) {
        return Checksum.fold(Checksum.pseudoHeader(saddr, daddr, Ipv4Packet.IPPROTO_TCP, len)
                + Checksum.partial(b, off, len, 0)) == 0;
    }

    /** tcp_v6_checksum_init / tcp_checksum_complete: as {@link #checksumOk}, over the IPv6 pseudo-header. */
    public boolean checksumOk6(Ipv6Address saddr, Ipv6Address daddr, int len) {
        return Checksum.fold(Checksum.pseudoHeader6(saddr, daddr, Ipv6Packet.NEXTHDR_TCP, len)
                + Checksum.partial(b, off, len, 0)) == 0;
    }

    /** __tcp_v6_send_check in software: as {@link #updateChecksum}, over the IPv6 pseudo-header. */
    public void updateChecksum6(Ipv6Address saddr, Ipv6Address daddr, int len) {
        b.setU16(off + CHECK, 0);
        b.setU16(off + CHECK, Checksum.fold(Checksum.pseudoHeader6(saddr, daddr, Ipv6Packet.NEXTHDR_TCP, len)
                + Checksum.partial(b, off, len, 0)));
    }

    /**
     * tcp_v4_send_check in software: the checksum over pseudo-header, header and {@code len} bytes of
     * segment. TCP sends a computed 0 as 0, not as UDP's 0xffff.
     */
    public void updateChecksum(int saddr, int daddr, int len) {
        b.setU16(off + CHECK, 0);
        b.setU16(off + CHECK, Checksum.fold(Checksum.pseudoHeader(saddr, daddr, Ipv4Packet.IPPROTO_TCP, len)
                + Checksum.partial(b, off, len, 0)));
    }
}
