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
            try {
                return new Ipv4Prefix(Ipv4Address.parse(s), 32);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + s + "' is not an IPv4 prefix: " + e.getMessage(), e);
            }
        }
        String lenText = s.substring(slash + 1);
        if (lenText.isEmpty() || lenText.length() > 2 || !lenText.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("'" + s + "' has no valid prefix length after '/'");
        }
        int len = Integer.parseInt(lenText);
        if (len > 32) {
            throw new IllegalArgumentException("'" + s + "' has a prefix length outside 0..32");
        }
        int address;
        try {
            address = Ipv4Address.parse(s.substring(0, slash));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + s + "' is not an IPv4 prefix: " + e.getMessage(), e);
        }
        return new Ipv4Prefix(address, len);
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
