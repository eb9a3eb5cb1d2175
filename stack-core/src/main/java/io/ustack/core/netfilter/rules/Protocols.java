package io.ustack.core.netfilter.rules;

import java.util.Locale;

/**
 * The IP protocol names iptables and ip6tables know without /etc/protocols (xtables_chain_protos and the
 * common others). ICMPv6 is "ipv6-icmp" as /etc/protocols names it; "icmpv6" is read too.
 */
final class Protocols {
    private static final String[] NAMES = {"all", "icmp", "igmp", "tcp", "udp", "gre", "esp", "ah", "ipv6-icmp", "sctp",
        "udplite"};
    private static final int[] NUMBERS = {0, 1, 2, 6, 17, 47, 50, 51, 58, 132, 136};

    private Protocols() {
    }

    /** The protocol's name, or its number when it has none here. */
    static String name(int p) {
        for (int i = 0; i < NUMBERS.length; i++) {
            if (NUMBERS[i] == p) {
                return NAMES[i];
            }
        }
        return Integer.toString(p);
    }

    /** The protocol named or numbered {@code v}, or iptables' usage error. */
    static int parse(String v) {
        String lower = v.toLowerCase(Locale.ROOT);
        if (lower.equals("icmpv6")) {
            return 58;
        }
        for (int i = 0; i < NAMES.length; i++) {
            if (NAMES[i].equals(lower)) {
                return NUMBERS[i];
            }
        }
        long n = Xt.number(v, 255);
        if (n < 0 || v.startsWith("0x")) {
            throw IptablesException.usage("unknown protocol \"" + v + "\" specified");
        }
        return (int) n;
    }
}
