package io.ustack.core.wire;

import io.ustack.core.buffer.PacketBuffer;

/**
 * One IPv6 extension header (RFC 8200 section 4): hop-by-hop and destination options, routing, fragment and
 * authentication headers all open with a next header byte and (but for the fragment header, always 8 bytes)
 * a length byte. {@link #wrap} checks that the whole header lies before tail, after which no accessor throws.
 * {@link #skip} is ipv6_skip_exthdr: the walk to the upper-layer header that the error paths and RFC 7112's
 * check make.
 */
public final class Ipv6ExtHeader {
    /** The smallest extension header: next header, length and six bytes (ipv6_optlen of length 0). */
    public static final int MIN_LEN = 8;
    /** The routing header's fields (struct ipv6_rt_hdr): type at 2, segments left at 3. */
    public static final int RT_TYPE = 2;
    public static final int RT_SEGMENTS_LEFT = 3;
    /** The fragment header's (struct frag_hdr): offset and M at 2, identification at 4. */
    public static final int FRAG_OFF = 2;
    private static final int FRAG_ID = 4;
    /** IP6_OFFSET and IP6_MF in the fragment header's offset field. */
    public static final int IP6_OFFSET = 0xfff8;
    public static final int IP6_MF = 0x0001;

    private final PacketBuffer b;
    private final int off;
    private final int type;

    private Ipv6ExtHeader(PacketBuffer b, int off, int type) {
        this.b = b;
        this.off = off;
        this.type = type;
    }

    /** Whether {@code nexthdr} is an extension header (ipv6_ext_hdr), no-next-header included. */
    public static boolean isExtension(int nexthdr) {
        return nexthdr == Ipv6Packet.NEXTHDR_HOP || nexthdr == Ipv6Packet.NEXTHDR_ROUTING
                || nexthdr == Ipv6Packet.NEXTHDR_FRAGMENT || nexthdr == Ipv6Packet.NEXTHDR_AUTH
                || nexthdr == Ipv6Packet.NEXTHDR_NONE || nexthdr == Ipv6Packet.NEXTHDR_DEST;
    }

    /**
     * A view of the extension header of kind {@code type} at {@code off}, or null if its first 8 bytes, or the
     * length they announce, run past tail.
     */
    public static Ipv6ExtHeader wrap(PacketBuffer b, int off, int type) {
        if (off < 0 || b.tail() - off < MIN_LEN) {
            return null;
        }
        Ipv6ExtHeader h = new Ipv6ExtHeader(b, off, type);
        return b.tail() - off >= h.length() ? h : null;
    }

    public int offset() {
        return off;
    }

    public int nextHeader() {
        return b.u8(off);
    }

    /** The header's length in bytes: 8 for a fragment header, (len + 2) * 4 for AH, else (len + 1) * 8. */
    public int length() {
        return switch (type) {
            case Ipv6Packet.NEXTHDR_FRAGMENT -> MIN_LEN;
            case Ipv6Packet.NEXTHDR_AUTH -> (b.u8(off + 1) + 2) << 2;
            default -> (b.u8(off + 1) + 1) << 3;
        };
    }

    public int routingType() {
        return b.u8(off + RT_TYPE);
    }

    public int segmentsLeft() {
        return b.u8(off + RT_SEGMENTS_LEFT);
    }

    /** The fragment offset in bytes (the field's 13 high bits, in units of 8). */
    public int fragmentOffset() {
        return b.u16(off + FRAG_OFF) & IP6_OFFSET;
    }

    public boolean moreFragments() {
        return (b.u16(off + FRAG_OFF) & IP6_MF) != 0;
    }

    public int identification() {
        return b.i32(off + FRAG_ID);
    }

    public void setNextHeader(int v) {
        b.setU8(off, v);
    }

    /** Writes a fragment header at {@code off}: next header, reserved 0, offset (bytes, a multiple of 8), M, id. */
    public static void writeFragment(PacketBuffer b, int off, int nexthdr, int fragOffset, boolean more, int id) {
        b.setU8(off, nexthdr);
        b.setU8(off + 1, 0);
        b.setU16(off + FRAG_OFF, (fragOffset & IP6_OFFSET) | (more ? IP6_MF : 0));
        b.setI32(off + FRAG_ID, id);
    }

    /**
     * Where ipv6_skip_exthdr stops: {@code offset} of the first header that is not an extension one (-1 if the
     * chain runs past tail or ends in no-next-header), its kind {@code nexthdr}, and {@code fragOff}, the
     * offset field (with M) of a fragment header met on the way, 0 if none.
     */
    public record Skipped(int offset, int nexthdr, int fragOff) {
    }

    /**
     * ipv6_skip_exthdr: walks from the header of kind {@code nexthdr} at {@code start} past every extension
     * header, reading only each one's first two bytes, as the kernel does (whether the headers are whole is the
     * caller's question). A fragment header that is not the first fragment ends the walk on itself, as what
     * follows it is data. Bounded: every step moves at least 8 bytes towards tail or stops.
     */
    public static Skipped skip(PacketBuffer b, int start, int nexthdr) {
        int at = start;
        int fragOff = 0;
        while (isExtension(nexthdr)) {
            if (nexthdr == Ipv6Packet.NEXTHDR_NONE || at < 0 || b.tail() - at < 2) {
                return new Skipped(-1, nexthdr, fragOff);
            }
            int len;
            if (nexthdr == Ipv6Packet.NEXTHDR_FRAGMENT) {
                if (b.tail() - at < FRAG_OFF + 2) {
                    return new Skipped(-1, nexthdr, fragOff);
                }
                fragOff = b.u16(at + FRAG_OFF);
                if ((fragOff & IP6_OFFSET) != 0) {
                    break;
                }
                len = MIN_LEN;
            } else {
                len = new Ipv6ExtHeader(b, at, nexthdr).length();
            }
            nexthdr = b.u8(at);
            at += len;
        }
        return new Skipped(at, nexthdr, fragOff);
    }
}
