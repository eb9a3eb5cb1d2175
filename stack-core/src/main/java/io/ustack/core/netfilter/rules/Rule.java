package io.ustack.core.netfilter.rules;

import io.ustack.core.link.NetDevice;
import io.ustack.core.netfilter.conntrack.CtInfo;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.Ipv4Packet;
import java.util.concurrent.atomic.LongAdder;

/**
 * One rule: its matches (struct ipt_ip and the tcp/udp matches), its {@link Target} and its packet and byte
 * counters (struct xt_counters). Immutable but for the counters, so a chain can be replaced whole while
 * packets walk the old one. Built by {@link RuleParser}.
 */
public final class Rule {
    /** No port match on that side. */
    static final int ANY_PORT = -1;

    // each match with its inversion (IPT_INV_*): the match's result is XORed with it
    final int protocol; // 0: any
    final boolean protocolInvert;
    final int src;
    final int srcMask;
    final boolean srcInvert;
    final int dst;
    final int dstMask;
    final boolean dstInvert;
    final String in; // null: any; a trailing '+' in the text is a prefix match (inPrefix)
    final boolean inPrefix;
    final boolean inInvert;
    final String out;
    final boolean outPrefix;
    final boolean outInvert;
    final int sportLo; // ANY_PORT: no --sport
    final int sportHi;
    final boolean sportInvert;
    final int dportLo;
    final int dportHi;
    final boolean dportInvert;
    final int stateMask; // 0: no --state; else CtInfo.STATE_* bits
    final boolean stateInvert;
    final Target target;

    private final LongAdder packets = new LongAdder();
    private final LongAdder bytes = new LongAdder();

    Rule(RuleParser.Builder b) {
        protocol = b.protocol;
        protocolInvert = b.protocolInvert;
        src = b.src & b.srcMask;
        srcMask = b.srcMask;
        srcInvert = b.srcInvert;
        dst = b.dst & b.dstMask;
        dstMask = b.dstMask;
        dstInvert = b.dstInvert;
        inPrefix = b.in != null && b.in.endsWith("+");
        in = inPrefix ? b.in.substring(0, b.in.length() - 1) : b.in;
        inInvert = b.inInvert;
        outPrefix = b.out != null && b.out.endsWith("+");
        out = outPrefix ? b.out.substring(0, b.out.length() - 1) : b.out;
        outInvert = b.outInvert;
        sportLo = b.sportLo;
        sportHi = b.sportHi;
        sportInvert = b.sportInvert;
        dportLo = b.dportLo;
        dportHi = b.dportHi;
        dportInvert = b.dportInvert;
        stateMask = b.stateMask;
        stateInvert = b.stateInvert;
        target = b.target;
    }

    /**
     * The rest of ip_packet_match (interfaces) and the tcp/udp port and state matches, for a packet whose
     * protocol and addresses {@link RuleSet#next} already matched, over fields the caller read once for the
     * whole chain. {@code sport}/{@code dport} are {@link #ANY_PORT} when the packet has none to offer (not
     * TCP or UDP, a later fragment, a header cut short): then a port match fails whichever way it is
     * inverted, as tcp_mt/udp_mt refuse such packets. {@code stateBit} is the packet's --state bit (state_mt).
     */
    boolean matchesRest(int sport, int dport, NetDevice inDev, NetDevice outDev, int stateBit) {
        if (in != null && ifaceMatches(inDev, in, inPrefix) == inInvert) {
            return false;
        }
        if (out != null && ifaceMatches(outDev, out, outPrefix) == outInvert) {
            return false;
        }
        if (sportLo != ANY_PORT && (sport == ANY_PORT || (sport >= sportLo && sport <= sportHi) == sportInvert)) {
            return false;
        }
        if (stateMask != 0 && ((stateMask & stateBit) != 0) == stateInvert) {
            return false;
        }
        return dportLo == ANY_PORT || (dport != ANY_PORT && (dport >= dportLo && dport <= dportHi) != dportInvert);
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

    public long packets() {
        return packets.sum();
    }

    public long bytes() {
        return bytes.sum();
    }

    public Target target() {
        return target;
    }

    /** Whether the rule needs connection tracking (nf_ct_netns_get in its checkentry): --state or NAT. */
    boolean needsConntrack() {
        return stateMask != 0 || target.isNat();
    }

    /** Whether the rule has a port match, which needs -p tcp or -p udp. */
    boolean hasPorts() {
        return sportLo != ANY_PORT || dportLo != ANY_PORT;
    }

    // ---- as iptables -L -n and iptables -S show it ----

    /** The prot column: tcp, udp, icmp, a number, or all; '!' in front when inverted. */
    public String protocolText() {
        return (protocolInvert ? "!" : "") + protocolName(protocol);
    }

    static String protocolName(int p) {
        return switch (p) {
            case 0 -> "all";
            case Ipv4Packet.IPPROTO_ICMP -> "icmp";
            case Ipv4Packet.IPPROTO_TCP -> "tcp";
            case Ipv4Packet.IPPROTO_UDP -> "udp";
            default -> Integer.toString(p);
        };
    }

    /** The in column: the interface, '*' for any. */
    public String inText() {
        return in == null ? "*" : (inInvert ? "!" : "") + in + (inPrefix ? "+" : "");
    }

    public String outText() {
        return out == null ? "*" : (outInvert ? "!" : "") + out + (outPrefix ? "+" : "");
    }

    /** The source column: 0.0.0.0/0 for any, a bare address for a /32. */
    public String sourceText() {
        return (srcInvert ? "!" : "") + cidr(src, srcMask);
    }

    public String destinationText() {
        return (dstInvert ? "!" : "") + cidr(dst, dstMask);
    }

    private static String cidr(int addr, int mask) {
        int len = Integer.bitCount(mask);
        return Ipv4Address.format(addr) + (len == 32 ? "" : "/" + len);
    }

    /** What iptables -L prints after the addresses: the matches' and the target's options ("tcp dpt:22"). */
    public String extraText() {
        StringBuilder sb = new StringBuilder();
        if (hasPorts()) {
            sb.append(protocolName(protocol));
            ports(sb, " spt", sportLo, sportHi, sportInvert);
            ports(sb, " dpt", dportLo, dportHi, dportInvert);
        }
        if (stateMask != 0) {
            append(sb, "state " + (stateInvert ? "!" : "") + states(stateMask));
        }
        append(sb, target.describe());
        return sb.toString();
    }

    private static void ports(StringBuilder sb, String name, int lo, int hi, boolean invert) {
        if (lo == ANY_PORT) {
            return;
        }
        sb.append(name).append(lo == hi ? ":" : "s:").append(invert ? "!" : "").append(lo);
        if (lo != hi) {
            sb.append(':').append(hi);
        }
    }

    private static void append(StringBuilder sb, String part) {
        if (!part.isEmpty()) {
            sb.append(sb.length() == 0 ? "" : " ").append(part);
        }
    }

    /** The rule as it is typed, in iptables -S's order: what {@link RuleParser} reads back to an equal rule. */
    public String spec() {
        StringBuilder sb = new StringBuilder();
        if (srcMask != 0 || srcInvert) {
            append(sb, (srcInvert ? "! " : "") + "-s " + cidr(src, srcMask));
        }
        if (dstMask != 0 || dstInvert) {
            append(sb, (dstInvert ? "! " : "") + "-d " + cidr(dst, dstMask));
        }
        if (in != null) {
            append(sb, (inInvert ? "! " : "") + "-i " + in + (inPrefix ? "+" : ""));
        }
        if (out != null) {
            append(sb, (outInvert ? "! " : "") + "-o " + out + (outPrefix ? "+" : ""));
        }
        if (protocol != 0) {
            append(sb, (protocolInvert ? "! " : "") + "-p " + protocolName(protocol));
        }
        portSpec(sb, "--sport", sportLo, sportHi, sportInvert);
        portSpec(sb, "--dport", dportLo, dportHi, dportInvert);
        if (stateMask != 0) {
            append(sb, (stateInvert ? "! " : "") + "--state " + states(stateMask));
        }
        append(sb, target.spec());
        return sb.toString();
    }

    /** state_print_state's order: INVALID, NEW, RELATED, ESTABLISHED. */
    private static String states(int mask) {
        StringBuilder sb = new StringBuilder();
        String[] names = {"INVALID", "NEW", "RELATED", "ESTABLISHED"};
        int[] bits = {CtInfo.STATE_INVALID, CtInfo.STATE_NEW, CtInfo.STATE_RELATED, CtInfo.STATE_ESTABLISHED};
        for (int i = 0; i < bits.length; i++) {
            if ((mask & bits[i]) != 0) {
                sb.append(sb.length() == 0 ? "" : ",").append(names[i]);
            }
        }
        return sb.toString();
    }

    private static void portSpec(StringBuilder sb, String option, int lo, int hi, boolean invert) {
        if (lo != ANY_PORT) {
            append(sb, (invert ? "! " : "") + option + " " + lo + (lo == hi ? "" : ":" + hi));
        }
    }

    @Override
    public String toString() {
        return spec();
    }
}
