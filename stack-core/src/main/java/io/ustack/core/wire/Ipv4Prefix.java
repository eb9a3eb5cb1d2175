package io.ustack.core.wire;

/** An address with a prefix length, as written {@code 10.77.0.2/24}: an interface address or a route. */
public record Ipv4Prefix(int address, int prefixLen) {
    public Ipv4Prefix {
        if (prefixLen < 0 || prefixLen > 32) {
            throw new IllegalArgumentException("prefix length " + prefixLen + " is not between 0 and 32");
        }
    }

    /** Parses {@code A.B.C.D/P}; a bare address is a /32. Throws IllegalArgumentException naming the text. */
    public static Ipv4Prefix parse(String s) {
        int slash = s.indexOf('/');
        if (slash < 0) {
            return new Ipv4Prefix(Ipv4Address.parse(s), 32);
        }
        int len;
        try {
            len = Integer.parseInt(s.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' has no valid prefix length after '/'");
        }
        if (len < 0 || len > 32) {
            throw new IllegalArgumentException("'" + s + "' has a prefix length outside 0..32");
        }
        return new Ipv4Prefix(Ipv4Address.parse(s.substring(0, slash)), len);
    }

    public int mask() {
        return Ipv4Address.mask(prefixLen);
    }

    /** The network address: the address with host bits cleared. */
    public int network() {
        return address & mask();
    }

    /** The subnet's directed broadcast address. */
    public int broadcast() {
        return address | ~mask();
    }

    public boolean contains(int a) {
        return (a & mask()) == network();
    }

    @Override
    public String toString() {
        return Ipv4Address.format(address) + "/" + prefixLen;
    }
}
