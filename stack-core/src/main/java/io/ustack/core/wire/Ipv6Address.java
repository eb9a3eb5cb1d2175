package io.ustack.core.wire;

import io.ustack.core.buffer.PacketBuffer;
import java.util.HexFormat;

/**
 * An IPv6 address (struct in6_addr) as two {@code long}s, the high and low 64 bits in network order's
 * numeric value (fe80::1 is hi 0xfe80_0000_0000_0000, lo 1): a value the hot path compares and hashes
 * without touching a byte array. Parsing takes RFC 4291's text forms; {@link #toString} writes RFC 5952's.
 */
public record Ipv6Address(long hi, long lo) {
    /** ::, in6addr_any. */
    public static final Ipv6Address UNSPECIFIED = new Ipv6Address(0, 0);
    /** ::1, in6addr_loopback. */
    public static final Ipv6Address LOOPBACK = new Ipv6Address(0, 1);
    /** ff02::1, in6addr_linklocal_allnodes. */
    public static final Ipv6Address ALL_NODES = new Ipv6Address(0xff02_0000_0000_0000L, 1);
    /** ff02::2, in6addr_linklocal_allrouters. */
    public static final Ipv6Address ALL_ROUTERS = new Ipv6Address(0xff02_0000_0000_0000L, 2);
    public static final int LEN = 16;

    /** IPV6_ADDR_SCOPE_*: the scopes `ip -6 addr` names. */
    public enum Scope {
        HOST, LINK, SITE, GLOBAL;

        /** As ip-address prints it: {@code scope global}. */
        public String ipName() {
            return name().toLowerCase();
        }
    }

    /** Reads the 16 bytes at {@code off}; the caller has checked they lie before tail. */
    public static Ipv6Address read(PacketBuffer b, int off) {
        return new Ipv6Address(u64(b, off), u64(b, off + 8));
    }

    /** Writes this address's 16 bytes at {@code off}. */
    public void write(PacketBuffer b, int off) {
        b.setI32(off, (int) (hi >>> 32));
        b.setI32(off + 4, (int) hi);
        b.setI32(off + 8, (int) (lo >>> 32));
        b.setI32(off + 12, (int) lo);
    }

    /** The 8 bytes at {@code off}, big-endian: one half of an address. */
    static long u64(PacketBuffer b, int off) {
        return (b.u32(off) << 32) | b.u32(off + 4);
    }

    public byte[] toBytes() {
        byte[] out = new byte[LEN];
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (hi >>> (56 - 8 * i));
            out[8 + i] = (byte) (lo >>> (56 - 8 * i));
        }
        return out;
    }

    public static Ipv6Address fromBytes(byte[] b, int off) {
        long h = 0;
        long l = 0;
        for (int i = 0; i < 8; i++) {
            h = (h << 8) | (b[off + i] & 0xff);
            l = (l << 8) | (b[off + 8 + i] & 0xff);
        }
        return new Ipv6Address(h, l);
    }

    /** The 16-bit group {@code i} (0 is the first written). */
    public int group(int i) {
        long half = i < 4 ? hi : lo;
        return (int) (half >>> (48 - 16 * (i & 3))) & 0xffff;
    }

    /**
     * Parses RFC 4291 section 2.2's forms: eight groups of up to four hex digits, one "::" for a run of zero
     * groups, and a dotted IPv4 quad in the last 32 bits (::ffff:10.0.0.1). No zone ("%eth0") and no prefix.
     * Throws IllegalArgumentException naming the text.
     */
    public static Ipv6Address parse(String s) {
        IllegalArgumentException bad = new IllegalArgumentException("'" + s + "' is not an IPv6 address");
        if (s.isEmpty() || s.length() > 45) {
            throw bad;
        }
        int[] groups = new int[8];
        int n = 0;
        int gap = -1;
        int i = 0;
        int len = s.length();
        if (s.startsWith("::")) {
            gap = 0;
            i = 2;
        } else if (s.charAt(0) == ':') {
            throw bad;
        }
        while (i < len) {
            int start = i;
            int v = 0;
            while (i < len && hex(s.charAt(i)) >= 0 && i - start < 5) {
                v = (v << 4) | hex(s.charAt(i));
                i++;
            }
            int digits = i - start;
            if (i < len && s.charAt(i) == '.') {
                // an IPv4 tail: from the group's start to the end
                if (n > 6) {
                    throw bad;
                }
                int v4;
                try {
                    v4 = Ipv4Address.parse(s.substring(start));
                } catch (IllegalArgumentException e) {
                    throw bad;
                }
                groups[n++] = v4 >>> 16;
                groups[n++] = v4 & 0xffff;
                i = len;
                break;
            }
            if (digits == 0 || digits > 4 || n == 8) {
                throw bad;
            }
            groups[n++] = v;
            if (i == len) {
                break;
            }
            if (s.charAt(i) != ':') {
                throw bad;
            }
            i++;
            if (i < len && s.charAt(i) == ':') {
                if (gap >= 0) {
                    throw bad; // a second "::"
                }
                gap = n;
                i++;
            } else if (i == len) {
                throw bad; // a trailing single ':'
            }
        }
        if (gap < 0 ? n != 8 : n > 7) {
            throw bad;
        }
        int[] full = new int[8];
        if (gap < 0) {
            full = groups;
        } else {
            int tail = n - gap;
            System.arraycopy(groups, 0, full, 0, gap);
            System.arraycopy(groups, gap, full, 8 - tail, tail);
        }
        long h = 0;
        long l = 0;
        for (int g = 0; g < 4; g++) {
            h = (h << 16) | full[g];
            l = (l << 16) | full[g + 4];
        }
        return new Ipv6Address(h, l);
    }

    /** The value of ASCII hex digit {@code c}, or -1 for anything else (HexFormat's digits, not Unicode's). */
    private static int hex(char c) {
        return HexFormat.isHexDigit(c) ? HexFormat.fromHexDigit(c) : -1;
    }

    /**
     * RFC 5952: lower case, no leading zeros, the longest run of two or more zero groups (the first of equal
     * runs) as "::", a lone zero group written 0; an IPv4-mapped address (::ffff:0:0/96) ends in a dotted
     * quad, as Linux's %pI6c prints it.
     */
    @Override
    public String toString() {
        if (isV4Mapped()) {
            return "::ffff:" + Ipv4Address.format(v4());
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int g = 0; g < 8; ) {
            if (group(g) != 0) {
                g++;
                continue;
            }
            int start = g;
            while (g < 8 && group(g) == 0) {
                g++;
            }
            if (g - start > bestLen) {
                bestStart = start;
                bestLen = g - start;
            }
        }
        StringBuilder sb = new StringBuilder(39);
        for (int g = 0; g < 8; g++) {
            if (g == bestStart) {
                sb.append("::");
                g += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(group(g)));
        }
        return sb.toString();
    }

    /** ipv6_addr_any. */
    public boolean isUnspecified() {
        return hi == 0 && lo == 0;
    }

    /** ipv6_addr_v4mapped: in ::ffff:0:0/96, an IPv4 address as an IPv6 socket names it (RFC 4291 2.5.5.2). */
    public boolean isV4Mapped() {
        return hi == 0 && (lo >>> 32) == 0xffff;
    }

    /** ipv6_addr_set_v4mapped: ::ffff:{@code v4}. */
    public static Ipv6Address v4Mapped(int v4) {
        return new Ipv6Address(0, 0xffff_0000_0000L | (v4 & 0xffff_ffffL));
    }

    /** The IPv4 address in the low 32 bits (a v4-mapped address's). */
    public int v4() {
        return (int) lo;
    }

    /** ipv6_addr_loopback: ::1. */
    public boolean isLoopback() {
        return hi == 0 && lo == 1;
    }

    /** ipv6_addr_is_multicast: ff00::/8. */
    public boolean isMulticast() {
        return (hi >>> 56) == 0xff;
    }

    /** IPV6_ADDR_MC_SCOPE: a multicast address's scope field (1 interface-local, 2 link-local, 5 site, 14 global). */
    public int multicastScope() {
        return (int) (hi >>> 48) & 0xf;
    }

    /** ipv6_addr_type's IPV6_ADDR_LINKLOCAL for unicast: fe80::/10. */
    public boolean isLinkLocal() {
        return (hi >>> 54) == (0xfe80L >>> 6);
    }

    /**
     * Whether a packet to this address stays on one link and needs its interface named: link-local unicast,
     * or multicast of interface- or link-local scope (__ipv6_addr_needs_scope_id).
     */
    public boolean needsScopeId() {
        return isLinkLocal() || (isMulticast() && multicastScope() <= 2);
    }

    /** The scope `ip -6 addr` shows for an address of ours. */
    public Scope scope() {
        if (isLoopback()) {
            return Scope.HOST;
        }
        if (isLinkLocal() || (isMulticast() && multicastScope() <= 2)) {
            return Scope.LINK;
        }
        return Scope.GLOBAL;
    }

    /** addrconf_addr_solict_mult: ff02::1:ff00:0/104 with this address's low 24 bits. */
    public Ipv6Address solicitedNode() {
        return new Ipv6Address(0xff02_0000_0000_0000L, 0x0000_0001_ff00_0000L | (lo & 0xff_ffffL));
    }

    /** ipv6_addr_is_solict_mult: in ff02::1:ff00:0/104. */
    public boolean isSolicitedNode() {
        return hi == 0xff02_0000_0000_0000L && (lo & 0xffff_ffff_ff00_0000L) == 0x0000_0001_ff00_0000L;
    }

    /** ipv6_eth_mc_map: the Ethernet group address of a multicast address, 33:33 and its low 32 bits. */
    public long multicastMac() {
        return 0x3333_0000_0000L | (lo & 0xffff_ffffL);
    }

    /**
     * The link-local address of an interface with MAC {@code mac} (addrconf_addr_gen with addr_gen_mode 0,
     * EUI-64): fe80::/64 and the MAC with the universal/local bit flipped and ff:fe in its middle (RFC 4291
     * appendix A).
     */
    public static Ipv6Address linkLocalFromMac(long mac) {
        return new Ipv6Address(0xfe80_0000_0000_0000L, eui64(mac));
    }

    /** ipv6_generate_eui64 for Ethernet: the interface identifier of {@code mac}. */
    public static long eui64(long mac) {
        long upper = (mac >>> 24) & 0xff_ffffL;
        long lower = mac & 0xff_ffffL;
        upper ^= 0x02_0000L;
        return (upper << 40) | (0xff_feL << 24) | lower;
    }

    /** The address with all but the first {@code prefixLen} bits cleared. */
    public Ipv6Address masked(int prefixLen) {
        if (prefixLen >= 128) {
            return this;
        }
        if (prefixLen <= 0) {
            return UNSPECIFIED;
        }
        if (prefixLen <= 64) {
            long m = prefixLen == 64 ? -1L : ~(-1L >>> prefixLen);
            return new Ipv6Address(hi & m, 0);
        }
        return new Ipv6Address(hi, lo & ~(-1L >>> (prefixLen - 64)));
    }
}
