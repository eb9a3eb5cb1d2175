package io.ustack.core.wire;

import io.ustack.core.buffer.PacketBuffer;

/** The ICMP header (struct icmphdr, RFC 792): type, code, checksum and the 4-byte rest-of-header. */
public final class IcmpPacket {
    public static final int HEADER_LEN = 8;

    public static final int ECHOREPLY = 0;
    public static final int DEST_UNREACH = 3;
    public static final int SOURCE_QUENCH = 4;
    public static final int REDIRECT = 5;
    public static final int ECHO = 8;
    public static final int TIME_EXCEEDED = 11;
    public static final int PARAMETERPROB = 12;
    public static final int TIMESTAMP = 13;
    public static final int TIMESTAMPREPLY = 14;
    public static final int INFO_REQUEST = 15;
    public static final int INFO_REPLY = 16;
    public static final int ADDRESS = 17;
    public static final int ADDRESSREPLY = 18;

    /** Codes for DEST_UNREACH. */
    public static final int NET_UNREACH = 0;
    public static final int HOST_UNREACH = 1;
    public static final int PROT_UNREACH = 2;
    public static final int PORT_UNREACH = 3;
    public static final int FRAG_NEEDED = 4;
    /** Communication administratively prohibited (RFC 1812): the net, the host, or by filtering. */
    public static final int NET_ANO = 9;
    public static final int HOST_ANO = 10;
    public static final int PKT_FILTERED = 13;
    /** Codes for TIME_EXCEEDED. */
    public static final int EXC_TTL = 0;
    public static final int EXC_FRAGTIME = 1;

    private static final int TYPE = 0;
    private static final int CODE = 1;
    private static final int CHECK = 2;
    /** Where the checksum field sits in the header: a partial checksum's csum_offset. */
    public static final int CSUM_OFFSET = CHECK;
    private static final int ID = 4;
    private static final int SEQ = 6;
    private static final int MTU = 6;

    private final PacketBuffer b;
    private final int off;

    private IcmpPacket(PacketBuffer b, int off) {
        this.b = b;
        this.off = off;
    }

    /** A view at {@code off}, or null if fewer than 8 bytes lie between it and tail. */
    public static IcmpPacket wrap(PacketBuffer b, int off) {
        return off >= 0 && b.tail() - off >= HEADER_LEN ? new IcmpPacket(b, off) : null;
    }

    /** icmp_is_err: the types that report an error about another packet. */
    public static boolean isError(int type) {
        return type == DEST_UNREACH || type == SOURCE_QUENCH || type == REDIRECT || type == TIME_EXCEEDED
                || type == PARAMETERPROB;
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

    public int echoId() {
        return b.u16(off + ID);
    }

    public int echoSequence() {
        return b.u16(off + SEQ);
    }

    /** The next-hop MTU of a "fragmentation needed" message. */
    public int nextHopMtu() {
        return b.u16(off + MTU);
    }

    /** The 32-bit rest-of-header word. */
    public int restOfHeader() {
        return b.i32(off + ID);
    }

    public void setType(int v) {
        b.setU8(off + TYPE, v);
    }

    public void setCode(int v) {
        b.setU8(off + CODE, v);
    }

    public void setRestOfHeader(int v) {
        b.setI32(off + ID, v);
    }

    public void setEchoId(int v) {
        b.setU16(off + ID, v);
    }

    /** The checksum field as given: one patched incrementally (RFC 1624) by whoever changed a field. */
    public void setChecksum(int v) {
        b.setU16(off + CHECK, v);
    }

    /** Computes the checksum over this header and the {@code len - 8} bytes of body after it. */
    public void updateChecksum(int len) {
        b.setU16(off + CHECK, 0);
        b.setU16(off + CHECK, Checksum.compute(b, off, len));
    }

    /** The message of {@code len} bytes from this header on checksums to zero. */
    public boolean checksumOk(int len) {
        return Checksum.compute(b, off, len) == 0;
    }
}
