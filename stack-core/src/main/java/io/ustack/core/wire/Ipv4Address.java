package io.ustack.core.wire;

/**
 * IPv4 addresses as {@code int}s in network order's numeric value (10.0.0.1 is 0x0a000001), the form
 * the hot path compares and hashes; plus parsing, formatting and the kernel's address classes.
 */
public final class Ipv4Address {
    public static final int ANY = 0;
    public static final int BROADCAST = 0xffff_ffff;

    private Ipv4Address() {
    }

    /** Parses a dotted quad; throws IllegalArgumentException naming the bad text. */
    public static int parse(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("'" + s + "' is not an IPv4 address");
        }
        int a = 0;
        for (String p : parts) {
            // ASCII digits only: Integer.parseInt alone would take a sign ("-1", "+1") or non-ASCII digits.
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')
                    || (p.length() > 1 && p.charAt(0) == '0')) { // 010 is octal to inet_aton: refuse, don't guess
                throw new IllegalArgumentException("'" + s + "' is not an IPv4 address");
            }
            int v = Integer.parseInt(p);
            if (v > 255) {
                throw new IllegalArgumentException("'" + s + "' is not an IPv4 address");
            }
            a = (a << 8) | v;
        }
        return a;
    }

    public static String format(int a) {
        return ((a >>> 24) & 0xff) + "." + ((a >>> 16) & 0xff) + "." + ((a >>> 8) & 0xff) + "." + (a & 0xff);
    }

    /** inet_make_mask: the netmask of a prefix length. */
    public static int mask(int prefixLen) {
        return prefixLen == 0 ? 0 : -1 << (32 - prefixLen);
    }

    /** ipv4_is_multicast: 224.0.0.0/4. */
    public static boolean isMulticast(int a) {
        return (a & 0xf000_0000) == 0xe000_0000;
    }

    /** ipv4_is_lbcast: 255.255.255.255. */
    public static boolean isLimitedBroadcast(int a) {
        return a == BROADCAST;
    }

    /** ipv4_is_zeronet: 0.0.0.0/8. */
    public static boolean isZeronet(int a) {
        return (a & 0xff00_0000) == 0;
    }

    /** ipv4_is_loopback: 127.0.0.0/8. */
    public static boolean isLoopback(int a) {
        return (a & 0xff00_0000) == 0x7f00_0000;
    }

    /** ipv4_is_linklocal_169: 169.254.0.0/16. */
    public static boolean isLinkLocal(int a) {
        return (a & 0xffff_0000) == 0xa9fe_0000;
    }

    /** 240.0.0.0/4 but the limited broadcast: reserved (class E). */
    public static boolean isReserved(int a) {
        return (a & 0xf000_0000) == 0xf000_0000 && a != BROADCAST;
    }
}
