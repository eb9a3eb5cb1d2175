package io.ustack.core.netfilter.rules;

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

    final Rule[] rules;
    /** Per rule: the index of the chain it jumps or goes to, or -1. */
    final int[] jumps;
    private final int[] words;

    RuleSet(Rule[] rules, int[] jumps) {
        this.rules = rules;
        this.jumps = jumps;
        this.words = new int[rules.length * STRIDE];
        for (int i = 0; i < rules.length; i++) {
            Rule r = rules[i];
            int w = i * STRIDE;
            words[w] = r.srcMask;
            words[w + 1] = r.src;
            words[w + 2] = r.dstMask;
            words[w + 3] = r.dst;
            words[w + 4] = r.protocol | (r.protocolInvert ? PROTO_INV : 0) | (r.srcInvert ? SRC_INV : 0)
                    | (r.dstInvert ? DST_INV : 0) | (r.fragment ? FRAG : 0) | (r.fragmentInvert ? FRAG_INV : 0);
        }
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
            int p = flags & PROTO_MASK;
            if (p != 0 && (p == proto) == ((flags & PROTO_INV) != 0)) {
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
}
