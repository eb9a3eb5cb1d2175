package io.ustack.core.wire;

import io.ustack.core.buffer.PacketBuffer;

/**
 * The options of an ND message (RFC 4861 section 4.6), as ndisc_parse_options finds them: type, length in
 * units of 8 bytes, value. Offsets of the first source and target link-layer address, prefix information and
 * MTU options are kept (a repeated one is ignored, as the kernel does); unknown options are skipped (RFC 4861
 * section 4.6: "MUST silently ignore"). An option of length zero, or one that runs past the message, makes
 * the whole message's options malformed: {@link #parse} returns null.
 *
 * @param sourceLinkLayer the offset of the first source link-layer address option, or -1
 * @param targetLinkLayer the offset of the first target link-layer address option, or -1
 * @param prefixInfo      the offset of the first prefix information option, or -1
 * @param mtu             the offset of the first MTU option, or -1
 * @param nonce           the offset of the first nonce option (RFC 3971 5.3.2, which enhanced DAD sends), or -1
 */
public record NdOptions(int sourceLinkLayer, int targetLinkLayer, int prefixInfo, int mtu, int nonce) {
    public static final int SOURCE_LL_ADDR = 1;
    public static final int TARGET_LL_ADDR = 2;
    public static final int PREFIX_INFO = 3;
    public static final int REDIRECT_HDR = 4;
    public static final int MTU = 5;
    public static final int NONCE = 14;
    /** A nonce option of six bytes, as ndisc_send_ns writes one for enhanced DAD (RFC 7527). */
    public static final int NONCE_OPT_LEN = 8;
    /** An Ethernet link-layer address option: type, length 1, six bytes of MAC (ndisc_opt_addr_space). */
    public static final int LLADDR_OPT_LEN = 8;
    /** An MTU option (RFC 4861 4.6.4): type, length 1, two reserved bytes, the MTU in 32 bits. */
    public static final int MTU_OPT_LEN = 8;
    /** A prefix information option (RFC 4861 4.6.2, struct prefix_info): 32 bytes. */
    public static final int PREFIX_INFO_OPT_LEN = 32;
    /** Prefix information flags: on-link (L) and autonomous address configuration (A). */
    public static final int PREFIX_ONLINK = 0x80;
    public static final int PREFIX_AUTOCONF = 0x40;

    private static final int PI_PREFIX_LEN = 2;
    private static final int PI_FLAGS = 3;
    private static final int PI_VALID = 4;
    private static final int PI_PREFERRED = 8;
    private static final int PI_PREFIX = 16;
    private static final int MTU_VALUE = 4;

    /**
     * A prefix information option's fields (struct prefix_info): the prefix (its bits past the length are
     * whatever was written), the L and A flags ({@link #PREFIX_ONLINK}, {@link #PREFIX_AUTOCONF}), and the
     * valid and preferred lifetimes in seconds (0xffffffff is infinity).
     */
    public record PrefixInfo(Ipv6Prefix prefix, int flags, long validLifetime, long preferredLifetime) {
        /** The option at {@code opt}, or null when its length is not the 32 bytes the option takes. */
        public static PrefixInfo read(PacketBuffer b, int opt) {
            if (opt < 0 || b.u8(opt + 1) != PREFIX_INFO_OPT_LEN / 8) {
                return null;
            }
            int len = b.u8(opt + PI_PREFIX_LEN);
            if (len > 128) {
                return null;
            }
            return new PrefixInfo(new Ipv6Prefix(Ipv6Address.read(b, opt + PI_PREFIX), len), b.u8(opt + PI_FLAGS) & 0xc0,
                    b.u32(opt + PI_VALID), b.u32(opt + PI_PREFERRED));
        }

        /** Writes the 32-byte option at {@code at}: its reserved fields zero, the prefix's network alone. */
        public void write(PacketBuffer b, int at) {
            b.fill(at, PREFIX_INFO_OPT_LEN, (byte) 0);
            b.setU8(at, PREFIX_INFO);
            b.setU8(at + 1, PREFIX_INFO_OPT_LEN / 8);
            b.setU8(at + PI_PREFIX_LEN, prefix.prefixLen());
            b.setU8(at + PI_FLAGS, flags & 0xc0);
            b.setI32(at + PI_VALID, (int) validLifetime);
            b.setI32(at + PI_PREFERRED, (int) preferredLifetime);
            prefix.network().write(b, at + PI_PREFIX);
        }
    }

    /** ndisc_parse_options over the {@code len} bytes at {@code off}; null if malformed. */
    public static NdOptions parse(PacketBuffer b, int off, int len) {
        if (off < 0 || len < 0 || b.tail() - off < len) {
            return null;
        }
        int sll = -1;
        int tll = -1;
        int pi = -1;
        int mtu = -1;
        int nonce = -1;
        int at = off;
        int end = off + len;
        while (end - at >= 2) {
            int optLen = b.u8(at + 1) * 8;
            if (optLen == 0 || optLen > end - at) {
                return null;
            }
            switch (b.u8(at)) {
                case SOURCE_LL_ADDR -> sll = sll < 0 ? at : sll;
                case TARGET_LL_ADDR -> tll = tll < 0 ? at : tll;
                case PREFIX_INFO -> pi = pi < 0 ? at : pi;
                case MTU -> mtu = mtu < 0 ? at : mtu;
                case NONCE -> nonce = nonce < 0 ? at : nonce;
                default -> { } // unknown: skipped
            }
            at += optLen;
        }
        if (at != end) {
            return null; // a stray byte that cannot hold an option header
        }
        return new NdOptions(sll, tll, pi, mtu, nonce);
    }

    /**
     * ndisc_opt_addr_data for Ethernet: the MAC of the link-layer address option at {@code opt}, or -1 when
     * the option's length is not the 8 bytes an Ethernet address takes ("invalid link-layer address length").
     */
    public static long linkLayerAddress(PacketBuffer b, int opt) {
        if (opt < 0 || b.u8(opt + 1) != LLADDR_OPT_LEN / 8) {
            return -1;
        }
        return MacAddress.read(b, opt + 2);
    }

    /** The six bytes of the nonce option at {@code opt}, or 0 when there is none or it is not 8 bytes long. */
    public static long nonce(PacketBuffer b, int opt) {
        if (opt < 0 || b.u8(opt + 1) != NONCE_OPT_LEN / 8) {
            return 0;
        }
        return ((long) b.u16(opt + 2) << 32) | b.u32(opt + 4);
    }

    /** ndisc_fill_addr_option for the nonce: an 8-byte nonce option with the low 48 bits of {@code nonce}. */
    public static void writeNonce(PacketBuffer b, int at, long nonce) {
        b.setU8(at, NONCE);
        b.setU8(at + 1, NONCE_OPT_LEN / 8);
        b.setU16(at + 2, (int) (nonce >>> 32) & 0xffff);
        b.setI32(at + 4, (int) nonce);
    }

    /** The MTU the MTU option at {@code opt} carries, or -1 when the option is not 8 bytes long. */
    public static long mtu(PacketBuffer b, int opt) {
        if (opt < 0 || b.u8(opt + 1) != MTU_OPT_LEN / 8) {
            return -1;
        }
        return b.u32(opt + MTU_VALUE);
    }

    /** An 8-byte MTU option of {@code mtu} at {@code at}, its reserved bytes zero. */
    public static void writeMtu(PacketBuffer b, int at, long mtu) {
        b.setU8(at, MTU);
        b.setU8(at + 1, MTU_OPT_LEN / 8);
        b.setU16(at + 2, 0);
        b.setI32(at + MTU_VALUE, (int) mtu);
    }

    /** ndisc_fill_addr_option for Ethernet: an 8-byte link-layer address option of {@code type} at {@code at}. */
    public static void writeLinkLayerAddress(PacketBuffer b, int at, int type, long mac) {
        b.setU8(at, type);
        b.setU8(at + 1, LLADDR_OPT_LEN / 8);
        MacAddress.write(b, at + 2, mac);
    }
}
