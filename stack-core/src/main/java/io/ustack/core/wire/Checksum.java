package io.ustack.core.wire;

import io.ustack.core.buffer.PacketBuffer;

/** The Internet checksum (RFC 1071) and its incremental update (RFC 1624). */
public final class Checksum {
    private Checksum() {
    }

    /** The one's complement sum of {@code len} bytes at {@code off}, not yet folded or complemented. */
    public static long partial(PacketBuffer b, int off, int len, long sum) {
        int i = off;
        int stop = off + (len & ~7);
        // Eight bytes a step: the sum of 32-bit halves keeps the carries in the upper bits of the long.
        while (i < stop) {
            long v = b.memory().getLong(i);
            sum += (v >>> 32) + (v & 0xffff_ffffL);
            i += 8;
        }
        stop = off + len;
        if (stop - i >= 4) {
            sum += b.u32(i);
            i += 4;
        }
        if (stop - i >= 2) {
            sum += b.u16(i);
            i += 2;
        }
        if (i < stop) {
            sum += b.u8(i) << 8;
        }
        return sum;
    }

    /** The one's complement sum of {@code len} bytes of an array at {@code off}, as {@link #partial(PacketBuffer, int, int, long)}. */
    public static long partial(byte[] b, int off, int len, long sum) {
        int i = off;
        int stop = off + len;
        for (; i + 1 < stop; i += 2) {
            sum += ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
        }
        if (i < stop) {
            sum += (b[i] & 0xff) << 8;
        }
        return sum;
    }

    /**
     * csum_tcpudp_nofold: the partial sum of the IPv4 pseudo-header (addresses, protocol, length) that TCP
     * and UDP checksums cover.
     */
    public static long pseudoHeader(int saddr, int daddr, int protocol, int length) {
        return (saddr >>> 16) + (saddr & 0xffff) + (daddr >>> 16) + (daddr & 0xffff) + protocol + length;
    }

    /**
     * csum_ipv6_magic's sum before folding: the IPv6 pseudo-header (RFC 8200 section 8.1) of source and
     * destination addresses, the upper-layer packet length as 32 bits and the next header, which the
     * checksums of ICMPv6, TCP and UDP over IPv6 cover.
     */
    public static long pseudoHeader6(Ipv6Address saddr, Ipv6Address daddr, int nextHeader, int length) {
        return words(saddr.hi()) + words(saddr.lo()) + words(daddr.hi()) + words(daddr.lo())
                + (length >>> 16) + (length & 0xffff) + nextHeader;
    }

    private static long words(long v) {
        return (v >>> 48) + ((v >>> 32) & 0xffff) + ((v >>> 16) & 0xffff) + (v & 0xffff);
    }

    /**
     * ~csum_tcpudp_magic: what a TCP or UDP checksum field holds while the checksum is partial
     * (CHECKSUM_PARTIAL): the pseudo-header's sum folded to 16 bits and not complemented, so that whoever
     * finishes it sums the transport bytes, this field among them, and stores the complement.
     */
    public static int pseudoHeaderPartial(int saddr, int daddr, int protocol, int length) {
        return ~fold(pseudoHeader(saddr, daddr, protocol, length)) & 0xffff;
    }

    /** {@link #pseudoHeaderPartial} over the IPv6 pseudo-header (~csum_ipv6_magic, as __tcp_v6_send_check leaves it). */
    public static int pseudoHeaderPartial6(Ipv6Address saddr, Ipv6Address daddr, int nextHeader, int length) {
        return ~fold(pseudoHeader6(saddr, daddr, nextHeader, length)) & 0xffff;
    }

    /** csum_fold: folds a partial sum to 16 bits and complements it. */
    public static int fold(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }

    /** ip_compute_csum: the checksum of a range, ready to store (0 if the range checks out). */
    public static int compute(PacketBuffer b, int off, int len) {
        return fold(partial(b, off, len, 0));
    }

    /**
     * csum_replace2 (RFC 1624 eqn. 3): the checksum {@code check} after a 16-bit field changes from
     * {@code from} to {@code to}.
     */
    public static int replace16(int check, int from, int to) {
        long sum = (~check & 0xffff) + (~from & 0xffff) + (to & 0xffff);
        return fold(sum);
    }

    /**
     * inet_proto_csum_replace2 for a CHECKSUM_PARTIAL packet: the pseudo-header sum {@code partial} a
     * checksum field holds after a 16-bit pseudo-header field (half an address, the length) changes from
     * {@code from} to {@code to}. It is a sum, not a checksum, so it takes the change un-complemented.
     */
    public static int replacePartial16(int partial, int from, int to) {
        return ~replace16(~partial & 0xffff, from, to) & 0xffff;
    }
}
