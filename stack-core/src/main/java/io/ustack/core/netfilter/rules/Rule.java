package io.ustack.core.netfilter.rules;

import io.ustack.core.link.NetDevice;
import io.ustack.core.netfilter.NfProto;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.Ipv6Prefix;
import java.util.concurrent.atomic.LongAdder;

/**
 * One rule (struct ipt_entry, or struct ip6t_entry in an IPv6 table, whose addresses are {@link #src6} and
 * {@link #dst6}): struct ipt_ip's tests (protocol, addresses, interfaces, fragments), its
 * {@link Match}es, its {@link Target} (none: it only counts) and its packet and byte counters
 * (struct xt_counters). Immutable but for the counters, so a table can be replaced whole while packets walk
 * the old one; a rule that stays through a change keeps its counters. Built by {@link RuleParser}.
 */
public final class Rule {
    final NfProto family;
    final int protocol; // 0: any
    final boolean protocolInvert;
    final int src;
    final int srcMask;
    final boolean srcInvert;
    final int dst;
    final int dstMask;
    final boolean dstInvert;
    /** An IPv6 rule's networks (host bits cleared); null for any, and in an IPv4 rule. */
    final Ipv6Prefix src6;
    final Ipv6Prefix dst6;
    final String in; // null: any; a trailing '+' in the text is a prefix match (inPrefix)
    final boolean inPrefix;
    final boolean inInvert;
    final String out;
    final boolean outPrefix;
    final boolean outInvert;
    /** -f: only later fragments (IPT_F_FRAG); with fragmentInvert, only first fragments and whole packets. */
    final boolean fragment;
    final boolean fragmentInvert;
    final Match[] matches;
    final Target target;

    private final LongAdder packets = new LongAdder();
    private final LongAdder bytes = new LongAdder();

    Rule(RuleParser.Builder b) {
        family = b.family;
        protocol = b.protocol;
        protocolInvert = b.protocolInvert;
        src = b.src & b.srcMask;
        srcMask = b.srcMask;
        srcInvert = b.srcInvert;
        dst = b.dst & b.dstMask;
        dstMask = b.dstMask;
        dstInvert = b.dstInvert;
        src6 = b.src6;
        dst6 = b.dst6;
        inPrefix = b.in != null && b.in.endsWith("+");
        in = inPrefix ? b.in.substring(0, b.in.length() - 1) : b.in;
        inInvert = b.inInvert;
        outPrefix = b.out != null && b.out.endsWith("+");
        out = outPrefix ? b.out.substring(0, b.out.length() - 1) : b.out;
        outInvert = b.outInvert;
        fragment = b.fragment;
        fragmentInvert = b.fragmentInvert;
        matches = b.matches.toArray(new Match[0]);
        target = b.target;
        packets.add(b.packets);
        bytes.add(b.bytes);
    }

    /** The same rule with another target, its counters carried over (a renamed chain's jumps). */
    private Rule(Rule from, Target target) {
        family = from.family;
        protocol = from.protocol;
        protocolInvert = from.protocolInvert;
        src = from.src;
        srcMask = from.srcMask;
        srcInvert = from.srcInvert;
        dst = from.dst;
        dstMask = from.dstMask;
        dstInvert = from.dstInvert;
        src6 = from.src6;
        dst6 = from.dst6;
        in = from.in;
        inPrefix = from.inPrefix;
        inInvert = from.inInvert;
        out = from.out;
        outPrefix = from.outPrefix;
        outInvert = from.outInvert;
        fragment = from.fragment;
        fragmentInvert = from.fragmentInvert;
        matches = from.matches;
        this.target = target;
        packets.add(from.packets());
        bytes.add(from.bytes());
    }

    /** This rule jumping (or going) to {@code chain} instead: iptables -E renames the jumps with the chain. */
    Rule withJump(String chain) {
        return new Rule(this, StandardTarget.jump(chain, ((StandardTarget) target).isGoto()));
    }

    /**
     * The rest of ip_packet_match (interfaces) and the matches, in order, for a packet whose protocol,
     * addresses and fragment test {@link RuleSet#next} already passed.
     */
    boolean matchesRest(XtPacket p) {
        if (in != null && ifaceMatches(p.in, in, inPrefix) == inInvert) {
            return false;
        }
        if (out != null && ifaceMatches(p.out, out, outPrefix) == outInvert) {
            return false;
        }
        for (Match m : matches) {
            if (!m.matches(p)) {
                return false;
            }
        }
        return true;
    }

    /** ifname_compare_aligned: no device compares as the empty name, as the kernel's does. */
    private static boolean ifaceMatches(NetDevice dev, String name, boolean prefix) {
        String actual = dev == null ? "" : dev.name();
        return prefix ? actual.startsWith(name) : actual.equals(name);
    }

    /** ADD_COUNTER: one more packet of {@code len} bytes matched. */
    void count(int len) {
        packets.increment();
        bytes.add(len);
    }

    /** -Z, or a restore's [PACKETS:BYTES]. */
    void setCounters(long p, long b) {
        packets.reset();
        bytes.reset();
        packets.add(p);
        bytes.add(b);
    }

    public long packets() {
        return packets.sum();
    }

    public long bytes() {
        return bytes.sum();
    }

    /** The target; null for a rule that only counts. */
    public Target target() {
        return target;
    }

    /** Whether the rule needs connection tracking (nf_ct_netns_get in a checkentry). */
    boolean needsConntrack() {
        if (target != null && target.needsConntrack()) {
            return true;
        }
        for (Match m : matches) {
            if (m.needsConntrack()) {
                return true;
            }
        }
        return false;
    }

    /** The user-defined chain this rule jumps or goes to, or null. */
    String jump() {
        return target instanceof StandardTarget s && s.isJump() ? s.name() : null;
    }

    // ---- as iptables -S and iptables-save write it ----

    /** The rule after {@code -A CHAIN}, as iptables -S writes it: what {@link RuleParser} reads back to an equal rule. */
    public String spec() {
        StringBuilder sb = new StringBuilder();
        if (family == NfProto.IPV6) {
            if (src6 != null || srcInvert) {
                Xt.saveOption(sb, srcInvert, "-s " + (src6 == null ? "::/0" : src6));
            }
            if (dst6 != null || dstInvert) {
                Xt.saveOption(sb, dstInvert, "-d " + (dst6 == null ? "::/0" : dst6));
            }
        }
        if (srcMask != 0 || srcInvert && family == NfProto.IPV4) {
            Xt.saveOption(sb, srcInvert, "-s " + Ipv4Address.format(src) + "/" + prefixOrMask(srcMask));
        }
        if (dstMask != 0 || dstInvert && family == NfProto.IPV4) {
            Xt.saveOption(sb, dstInvert, "-d " + Ipv4Address.format(dst) + "/" + prefixOrMask(dstMask));
        }
        if (in != null) {
            Xt.saveOption(sb, inInvert, "-i " + in + (inPrefix ? "+" : ""));
        }
        if (out != null) {
            Xt.saveOption(sb, outInvert, "-o " + out + (outPrefix ? "+" : ""));
        }
        if (protocol != 0 || protocolInvert) {
            Xt.saveOption(sb, protocolInvert, "-p " + Protocols.name(protocol));
        }
        if (fragment) {
            Xt.saveOption(sb, fragmentInvert, "-f");
        }
        for (Match m : matches) {
            m.save(sb);
        }
        if (target != null) {
            boolean isGoto = target instanceof StandardTarget s && s.isGoto();
            sb.append(isGoto ? " -g " : " -j ").append(target.name());
            target.save(sb);
        }
        return sb.length() == 0 ? "" : sb.substring(1);
    }

    /** A CIDR mask as its length, any other as a dotted quad (as iptables prints them). */
    private static String prefixOrMask(int mask) {
        int len = Integer.bitCount(mask);
        return mask == (len == 0 ? 0 : -1 << (32 - len)) ? Integer.toString(len) : Ipv4Address.format(mask);
    }

    // ---- as iptables -L prints it ----

    /** The target column: the target's or chain's name, blank for a rule that only counts. */
    public String targetText() {
        return target == null ? "" : target.listName();
    }

    /** The prot column: a name (a number with -n), '!' in front when inverted. */
    public String protocolText(boolean numeric) {
        return (protocolInvert ? "!" : " ") + (numeric ? Integer.toString(protocol) : Protocols.name(protocol));
    }

    /** The opt column: "--", or "-f" / "!f" for a fragment test. */
    public String optText() {
        return fragment ? (fragmentInvert ? "!f" : "-f") : "--";
    }

    /** The in column: the interface, '*' for any. */
    public String inText() {
        return in == null ? "*" : (inInvert ? "!" : "") + in + (inPrefix ? "+" : "");
    }

    public String outText() {
        return out == null ? "*" : (outInvert ? "!" : "") + out + (outPrefix ? "+" : "");
    }

    /** The source column with its leading '!' or ' ': "anywhere" (0.0.0.0/0 with -n), a bare address for a /32. */
    public String sourceText(boolean numeric) {
        return (srcInvert ? "!" : " ") + (family == NfProto.IPV6 ? address6(src6, numeric) : address(src, srcMask, numeric));
    }

    public String destinationText(boolean numeric) {
        return (dstInvert ? "!" : " ") + (family == NfProto.IPV6 ? address6(dst6, numeric) : address(dst, dstMask, numeric));
    }

    /** As ip6tables -L prints an address: "anywhere" (::/0 with -n), a bare address for a /128. */
    private static String address6(Ipv6Prefix p, boolean numeric) {
        if (p == null) {
            return numeric ? "::/0" : "anywhere";
        }
        return p.prefixLen() == 128 ? p.address().toString() : p.toString();
    }

    private static String address(int addr, int mask, boolean numeric) {
        if (mask == 0 && !numeric) {
            return "anywhere";
        }
        return Ipv4Address.format(addr) + (mask == -1 ? "" : "/" + prefixOrMask(mask));
    }

    /** What iptables -L prints after the destination: the matches and the target's options, each after a space. */
    public String extraText(boolean numeric) {
        StringBuilder sb = new StringBuilder();
        if (target instanceof StandardTarget s && s.isGoto()) {
            sb.append("[goto] ");
        }
        for (Match m : matches) {
            m.list(sb, numeric);
        }
        if (target != null) {
            target.list(sb, numeric);
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return spec();
    }
}
