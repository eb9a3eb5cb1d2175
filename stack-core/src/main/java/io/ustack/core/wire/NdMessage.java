package io.ustack.core.wire;

import io.ustack.core.buffer.PacketBuffer;
import java.util.List;

/**
 * Neighbour Discovery messages (RFC 4861 section 4, struct nd_msg, rs_msg, ra_msg): Router Solicitation and
 * Advertisement, Neighbour Solicitation and Advertisement, each an ICMPv6 message whose fixed part is followed
 * by options ({@link NdOptions}). {@link #wrap} checks that the fixed part of the message's type fits in the
 * message's length; the options are parsed apart, as ndisc_parse_options does.
 */
public final class NdMessage {
    /** The fixed parts' lengths: ICMPv6 header and body before the first option. */
    public static final int RS_LEN = 8;
    public static final int RA_LEN = 16;
    public static final int NS_LEN = 24;
    public static final int NA_LEN = 24;
    /** The NA flags in the byte after the checksum (icmp6_router, icmp6_solicited, icmp6_override). */
    public static final int NA_ROUTER = 0x80;
    public static final int NA_SOLICITED = 0x40;
    public static final int NA_OVERRIDE = 0x20;
    /** The RA flags: managed address configuration (M) and other configuration (O). */
    public static final int RA_MANAGED = 0x80;
    public static final int RA_OTHER = 0x40;
    /** The hop limit every ND message is sent with and must arrive with (RFC 4861 section 6.1.1, 7.1.1). */
    public static final int HOP_LIMIT = 255;

    private static final int FLAGS = 4;
    private static final int TARGET = 8;
    private static final int CUR_HOP_LIMIT = 4;
    private static final int RA_FLAGS = 5;
    private static final int ROUTER_LIFETIME = 6;
    private static final int REACHABLE_TIME = 8;
    private static final int RETRANS_TIMER = 12;

    private final PacketBuffer b;
    private final int off;
    private final int len;

    private NdMessage(PacketBuffer b, int off, int len) {
        this.b = b;
        this.off = off;
        this.len = len;
    }

    /** The length of the fixed part of ND message type {@code type}, or -1 if it is not an ND type. */
    public static int fixedLength(int type) {
        return switch (type) {
            case Icmpv6Packet.ND_ROUTER_SOLICIT -> RS_LEN;
            case Icmpv6Packet.ND_ROUTER_ADVERT -> RA_LEN;
            case Icmpv6Packet.ND_NEIGHBOUR_SOLICIT -> NS_LEN;
            case Icmpv6Packet.ND_NEIGHBOUR_ADVERT -> NA_LEN;
            default -> -1;
        };
    }

    /**
     * A view of the {@code len}-byte ND message at {@code off} (its ICMPv6 header), or null if those bytes do
     * not lie before tail, the type is not RS, RA, NS or NA, or the message is shorter than its type's fixed
     * part ("packet too short").
     */
    public static NdMessage wrap(PacketBuffer b, int off, int len) {
        if (off < 0 || len < 1 || b.tail() - off < len) {
            return null;
        }
        int fixed = fixedLength(b.u8(off));
        return fixed < 0 || len < fixed ? null : new NdMessage(b, off, len);
    }

    public int offset() {
        return off;
    }

    public int length() {
        return len;
    }

    public int type() {
        return b.u8(off);
    }

    public int code() {
        return b.u8(off + 1);
    }

    /** NS and NA: the target address. */
    public Ipv6Address target() {
        return Ipv6Address.read(b, off + TARGET);
    }

    /** NA: the R, S and O bits ({@link #NA_ROUTER}...). */
    public int naFlags() {
        return b.u8(off + FLAGS) & 0xe0;
    }

    public boolean router() {
        return (naFlags() & NA_ROUTER) != 0;
    }

    public boolean solicited() {
        return (naFlags() & NA_SOLICITED) != 0;
    }

    public boolean override() {
        return (naFlags() & NA_OVERRIDE) != 0;
    }

    /** RA: the hop limit hosts should use, 0 for unspecified. */
    public int curHopLimit() {
        return b.u8(off + CUR_HOP_LIMIT);
    }

    /** RA: the M and O bits. */
    public int raFlags() {
        return b.u8(off + RA_FLAGS) & 0xc0;
    }

    /** RA: seconds this router is a default router for, 0 for none. */
    public int routerLifetime() {
        return b.u16(off + ROUTER_LIFETIME);
    }

    /** RA: ReachableTime in milliseconds, 0 for unspecified. */
    public long reachableTime() {
        return b.u32(off + REACHABLE_TIME);
    }

    /** RA: RetransTimer in milliseconds, 0 for unspecified. */
    public long retransTimer() {
        return b.u32(off + RETRANS_TIMER);
    }

    /** Where the options begin. */
    public int optionsOffset() {
        return off + fixedLength(type());
    }

    /** How many bytes of options follow the fixed part. */
    public int optionsLength() {
        return len - fixedLength(type());
    }

    /** ndisc_parse_options over this message's options; null if they are malformed. */
    public NdOptions options() {
        return NdOptions.parse(b, optionsOffset(), optionsLength());
    }

    // ---- building: each appends at tail and leaves the ICMPv6 checksum 0 for the sender to compute ----

    private static int start(PacketBuffer b, int type, int fixed, long lladdr) {
        int total = fixed + (lladdr >= 0 ? NdOptions.LLADDR_OPT_LEN : 0);
        int at = b.put(total);
        b.fill(at, total, (byte) 0);
        b.setU8(at, type);
        return at;
    }

    private static void lladdr(PacketBuffer b, int at, int optType, long lladdr) {
        if (lladdr >= 0) {
            NdOptions.writeLinkLayerAddress(b, at, optType, lladdr);
        }
    }

    /** ndisc_send_ns: a Neighbour Solicitation for {@code target}, with a source link-layer option unless {@code slla} is -1. */
    public static NdMessage appendNs(PacketBuffer b, Ipv6Address target, long slla) {
        int at = start(b, Icmpv6Packet.ND_NEIGHBOUR_SOLICIT, NS_LEN, slla);
        target.write(b, at + TARGET);
        lladdr(b, at + NS_LEN, NdOptions.SOURCE_LL_ADDR, slla);
        return new NdMessage(b, at, b.tail() - at);
    }

    /**
     * ndisc_send_ns for Duplicate Address Detection (RFC 4862 5.4.2, RFC 7527): a Neighbour Solicitation for
     * {@code target} with no link-layer address (it goes from ::) and a nonce option of {@code nonce}'s 48 bits.
     */
    public static NdMessage appendDadNs(PacketBuffer b, Ipv6Address target, long nonce) {
        int at = start(b, Icmpv6Packet.ND_NEIGHBOUR_SOLICIT, NS_LEN + NdOptions.NONCE_OPT_LEN, -1);
        target.write(b, at + TARGET);
        NdOptions.writeNonce(b, at + NS_LEN, nonce);
        return new NdMessage(b, at, b.tail() - at);
    }

    /** ndisc_send_na: a Neighbour Advertisement with {@code flags}, with a target link-layer option unless {@code tlla} is -1. */
    public static NdMessage appendNa(PacketBuffer b, int flags, Ipv6Address target, long tlla) {
        int at = start(b, Icmpv6Packet.ND_NEIGHBOUR_ADVERT, NA_LEN, tlla);
        b.setU8(at + FLAGS, flags & 0xe0);
        target.write(b, at + TARGET);
        lladdr(b, at + NA_LEN, NdOptions.TARGET_LL_ADDR, tlla);
        return new NdMessage(b, at, b.tail() - at);
    }

    /** ndisc_send_rs: a Router Solicitation, with a source link-layer option unless {@code slla} is -1. */
    public static NdMessage appendRs(PacketBuffer b, long slla) {
        int at = start(b, Icmpv6Packet.ND_ROUTER_SOLICIT, RS_LEN, slla);
        lladdr(b, at + RS_LEN, NdOptions.SOURCE_LL_ADDR, slla);
        return new NdMessage(b, at, b.tail() - at);
    }

    /**
     * A Router Advertisement (RFC 4861 4.2) with, in this order, a source link-layer option unless {@code slla}
     * is -1, an MTU option unless {@code mtu} is 0, and a prefix information option for each of {@code prefixes}.
     */
    public static NdMessage appendRa(PacketBuffer b, int curHopLimit, int flags, int routerLifetime,
                                     long reachableTime, long retransTimer, long slla, long mtu,
                                     List<NdOptions.PrefixInfo> prefixes) {
        int at = start(b, Icmpv6Packet.ND_ROUTER_ADVERT, RA_LEN, slla);
        b.setU8(at + CUR_HOP_LIMIT, curHopLimit);
        b.setU8(at + RA_FLAGS, flags & 0xc0);
        b.setU16(at + ROUTER_LIFETIME, routerLifetime);
        b.setI32(at + REACHABLE_TIME, (int) reachableTime);
        b.setI32(at + RETRANS_TIMER, (int) retransTimer);
        lladdr(b, at + RA_LEN, NdOptions.SOURCE_LL_ADDR, slla);
        if (mtu != 0) {
            NdOptions.writeMtu(b, b.put(NdOptions.MTU_OPT_LEN), mtu);
        }
        for (NdOptions.PrefixInfo p : prefixes) {
            p.write(b, b.put(NdOptions.PREFIX_INFO_OPT_LEN));
        }
        return new NdMessage(b, at, b.tail() - at);
    }
}
