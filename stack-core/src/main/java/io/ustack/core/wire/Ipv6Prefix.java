package io.ustack.core.wire;

/** An IPv6 address with a prefix length, as written {@code fd00:77::2/64}: an interface address or a route. */
public record Ipv6Prefix(Ipv6Address address, int prefixLen) {
    public Ipv6Prefix {
        if (prefixLen < 0 || prefixLen > 128) {
            throw new IllegalArgumentException("prefix length " + prefixLen + " is not between 0 and 128");
        }
    }

    /** Parses {@code ADDR/P}; a bare address is a /128. Throws IllegalArgumentException naming the text. */
    public static Ipv6Prefix parse(String s) {
        int slash = s.indexOf('/');
        String addrText = slash < 0 ? s : s.substring(0, slash);
        int len = 128;
        if (slash >= 0) {
            String lenText = s.substring(slash + 1);
            if (lenText.isEmpty() || lenText.length() > 3 || !lenText.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException("'" + s + "' has no valid prefix length after '/'");
            }
            len = Integer.parseInt(lenText);
            if (len > 128) {
                throw new IllegalArgumentException("'" + s + "' has a prefix length outside 0..128");
            }
        }
        try {
            return new Ipv6Prefix(Ipv6Address.parse(addrText), len);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + s + "' is not an IPv6 prefix: " + e.getMessage(), e);
        }
    }

    /** The network: the address with its host bits cleared. */
    public Ipv6Address network() {
        return address.masked(prefixLen);
    }

    /**
     * ipv6_prefix_equal: {@code a} is inside this prefix. Compared bit by bit, without making the masked
     * addresses: a forwarded packet's route lookup asks this of every route.
     */
    public boolean contains(Ipv6Address a) {
        long hi = a.hi() ^ address.hi();
        long lo = a.lo() ^ address.lo();
        if (prefixLen <= 64) {
            return prefixLen == 0 || hi >>> (64 - prefixLen) == 0;
        }
        return hi == 0 && (prefixLen == 128 ? lo == 0 : lo >>> (128 - prefixLen) == 0);
    }

    @Override
    public String toString() {
        return address + "/" + prefixLen;
    }
}
