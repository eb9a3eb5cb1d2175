package io.ustack.core.netfilter.rules;

import io.ustack.core.wire.Ipv6Prefix;

/**
 * A chain's rules as one immutable snapshot, laid out for ipt_do_table's walk: beside the {@link Rule}s, the
 * test every rule has (protocol, both addresses and the fragment flag, the part of struct ipt_ip that
 * rejects most packets) is packed into one int array, so a packet passes over rules it does not match
 * reading a few consecutive ints each instead of a rule object apiece. Jumps are resolved to chain
 * indices of the table they were compiled for.
 */
final class RuleSet {
    static final RuleSet EMPTY = new RuleSet(new Rule[0], new int[0]);

    /** Ints per rule in {@link #words}: source mask, source, destination mask, destination, flags. */
    private static final int STRIDE = 5;
    /** The flags word: the protocol (0: any) in the low byte, then the inversions (IPT_INV_*) and -f. */
    private static final int PROTO_MASK = 0xff;
    private static final int PROTO_INV = 1 << 8;
    private static final int SRC_INV = 1 << 9;
    private static final int DST_INV = 1 << 10;
    private static final int FRAG = 1 << 11;
    private static final int FRAG_INV = 1 << 12;

    /** Longs per rule in {@link #words6}: the IPv6 source mask and source, destination mask and destination, each two halves. */
    private static final int STRIDE6 = 8;

    final Rule[] rules;
    /** Per rule: the index of the chain it jumps or goes to, or -1. */
    final int[] jumps;
    private final int[] words;
    /** struct ip6t_ip6's addresses, for an IPv6 table's walk ({@link #next6}); all zero (any) in an IPv4 table. */
    private final long[] words6;

    RuleSet(Rule[] rules, int[] jumps) {
        this.rules = rules;
        this.jumps = jumps;
        this.words = new int[rules.length * STRIDE];
        this.words6 = new long[rules.length * STRIDE6];
        for (int i = 0; i < rules.length; i++) {
            Rule r = rules[i];
            pack6(i * STRIDE6, r.src6);
            pack6(i * STRIDE6 + 4, r.dst6);
            int w = i * STRIDE;
            words[w] = r.srcMask;
            words[w + 1] = r.src;
            words[w + 2] = r.dstMask;
            words[w + 3] = r.dst;
            words[w + 4] = r.protocol | (r.protocolInvert ? PROTO_INV : 0) | (r.srcInvert ? SRC_INV : 0)
                    | (r.dstInvert ? DST_INV : 0) | (r.fragment ? FRAG : 0) | (r.fragmentInvert ? FRAG_INV : 0);
        }
    }

    /** A prefix (null: any) as mask and network, high half first. */
    private void pack6(int at, Ipv6Prefix p) {
        if (p == null) {
            return;
        }
        int len = p.prefixLen();
        words6[at] = len == 0 ? 0 : len >= 64 ? -1L : -1L << (64 - len);
        words6[at + 1] = len <= 64 ? 0 : len == 128 ? -1L : -1L << (128 - len);
        words6[at + 2] = p.address().hi() & words6[at];
        words6[at + 3] = p.address().lo() & words6[at + 1];
    }

    int size() {
        return rules.length;
    }

    /**
     * The index of the first rule from {@code from} whose protocol, addresses and fragment test match
     * (ip_packet_match's first half), or -1. The caller checks the rest of that rule
     * ({@link Rule#matchesRest}) and goes on from the next index if it fails.
     */
    int next(int from, int proto, int saddr, int daddr, boolean fragment) {
        int[] w = words;
        for (int j = from * STRIDE; j < w.length; j += STRIDE) {
            int flags = w[j + 4];
            if (!protocolMatches(flags, proto)) {
                continue;
            }
            if (((saddr & w[j]) == w[j + 1]) == ((flags & SRC_INV) != 0)
                    || ((daddr & w[j + 2]) == w[j + 3]) == ((flags & DST_INV) != 0)) {
                continue;
            }
            if ((flags & FRAG) != 0 && fragment == ((flags & FRAG_INV) != 0)) {
                continue;
            }
            return j / STRIDE;
        }
        return -1;
    }

    /**
     * {@link #next} for an IPv6 table (ip6_packet_match's first half): protocol and both addresses, as
     * halves. IPv6 rules have no fragment flag (ip6tables refuses -f: the frag match's business).
     */
    int next6(int from, int proto, long saddrHi, long saddrLo, long daddrHi, long daddrLo) {
        int[] w = words;
        long[] a = words6;
        for (int i = from; i < rules.length; i++) {
            int flags = w[i * STRIDE + 4];
            int j = i * STRIDE6;
            if (!protocolMatches(flags, proto)
                    || ((saddrHi & a[j]) == a[j + 2] && (saddrLo & a[j + 1]) == a[j + 3]) == ((flags & SRC_INV) != 0)
                    || ((daddrHi & a[j + 4]) == a[j + 6] && (daddrLo & a[j + 5]) == a[j + 7]) == ((flags & DST_INV) != 0)) {
                continue;
            }
            return i;
        }
        return -1;
    }

    /** The protocol test: any (0), or the rule's protocol, or (inverted) any other. */
    private static boolean protocolMatches(int flags, int proto) {
        int p = flags & PROTO_MASK;
        return p == 0 || (p == proto) != ((flags & PROTO_INV) != 0);
    }
}
