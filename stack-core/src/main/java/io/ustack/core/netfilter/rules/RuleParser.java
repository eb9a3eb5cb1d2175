package io.ustack.core.netfilter.rules;

import io.ustack.core.netfilter.conntrack.CtInfo;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.Ipv4Packet;
import io.ustack.core.wire.Ipv4Prefix;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a rule as iptables takes it ({@code -p tcp --dport 22 -j DROP}) for one chain, and checks it as
 * the matches' and targets' checkentry functions do. A rule that cannot be is refused with an
 * IllegalArgumentException whose message is one sentence naming the bad part.
 */
public final class RuleParser {
    /** IFNAMSIZ - 1. */
    private static final int MAX_IFNAME = 15;

    /** The options a '!' may precede (IPT_INV_* and the matches' invert flags). */
    private static final Set<String> NEGATABLE = Set.of("-p", "-s", "-d", "-i", "-o", "--sport", "--dport", "--state");

    /** What follows each option, for the sentence that says it is missing. */
    private static final Map<String, String> VALUE_OF = Map.ofEntries(
            Map.entry("-p", "icmp, tcp, udp, all or a protocol number"),
            Map.entry("-s", "an address or A.B.C.D/P"),
            Map.entry("-d", "an address or A.B.C.D/P"),
            Map.entry("-i", "an interface name (NAME+ for every name that starts with NAME)"),
            Map.entry("-o", "an interface name (NAME+ for every name that starts with NAME)"),
            Map.entry("--sport", "a port or LO:HI"),
            Map.entry("--dport", "a port or LO:HI"),
            Map.entry("-m", "tcp, udp, state or conntrack"),
            Map.entry("--state", "NEW, ESTABLISHED, RELATED or INVALID, comma-separated"),
            Map.entry("-j", "ACCEPT, DROP, REJECT, SNAT, DNAT or MASQUERADE"),
            Map.entry("--to", "ADDR[:PORT[-PORT]] for SNAT, ADDR[:PORT] for DNAT, PORT[-PORT] for MASQUERADE's --to-ports"),
            Map.entry("--reject-with", "an ICMP answer such as icmp-port-unreachable, or tcp-reset"));

    private RuleParser() {
    }

    /** The fields of a rule while it is read; {@link Rule} takes them over. */
    static final class Builder {
        int protocol;
        boolean protocolInvert;
        int src;
        int srcMask;
        boolean srcInvert;
        int dst;
        int dstMask;
        boolean dstInvert;
        String in;
        boolean inInvert;
        String out;
        boolean outInvert;
        int sportLo = Rule.ANY_PORT;
        int sportHi = Rule.ANY_PORT;
        boolean sportInvert;
        int dportLo = Rule.ANY_PORT;
        int dportHi = Rule.ANY_PORT;
        boolean dportInvert;
        int stateMask;
        boolean stateInvert;
        Target target;
    }

    /** Parses {@code words} as a rule for {@code chain}. */
    public static Rule parse(Chain chain, List<String> words) {
        Builder b = new Builder();
        Set<String> seen = new HashSet<>();
        String targetName = null;
        String rejectWith = null;
        String to = null; // --to and its spellings: the NAT address (and ports)
        String toOption = null; // how it was spelled, for messages
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            boolean invert = false;
            if (w.equals("!")) {
                if (i + 1 == words.size()) {
                    throw new IllegalArgumentException("'!' must be followed by the option it negates");
                }
                invert = true;
                w = words.get(++i);
            }
            String option = canonical(w);
            if (option == null) {
                throw new IllegalArgumentException("'" + w + "' is not a rule option; a rule takes -p, -s, -d, "
                        + "-i, -o, --sport, --dport, --state, -j and the target's options");
            }
            if (invert && !NEGATABLE.contains(option)) {
                throw new IllegalArgumentException("'!' cannot negate " + option);
            }
            if (!seen.add(option) && !option.equals("-m")) { // several -m name several matches
                throw new IllegalArgumentException(option + " is given twice");
            }
            if (i + 1 == words.size()) {
                throw new IllegalArgumentException(option + " needs a value after it: " + VALUE_OF.get(option));
            }
            String v = words.get(++i);
            switch (option) {
                case "-p" -> {
                    b.protocol = protocol(v);
                    if (b.protocol == 0 && invert) {
                        throw new IllegalArgumentException("'! -p " + v + "' would never match");
                    }
                    b.protocolInvert = invert;
                }
                case "-s" -> {
                    Ipv4Prefix p = prefix(option, v);
                    b.src = p.address();
                    b.srcMask = p.mask();
                    b.srcInvert = invert;
                }
                case "-d" -> {
                    Ipv4Prefix p = prefix(option, v);
                    b.dst = p.address();
                    b.dstMask = p.mask();
                    b.dstInvert = invert;
                }
                case "-i" -> {
                    b.in = iface(option, v);
                    b.inInvert = invert;
                }
                case "-o" -> {
                    b.out = iface(option, v);
                    b.outInvert = invert;
                }
                case "--sport" -> {
                    int[] r = ports(option, v);
                    b.sportLo = r[0];
                    b.sportHi = r[1];
                    b.sportInvert = invert;
                }
                case "--dport" -> {
                    int[] r = ports(option, v);
                    b.dportLo = r[0];
                    b.dportHi = r[1];
                    b.dportInvert = invert;
                }
                case "-m" -> match(v);
                case "--state" -> {
                    b.stateMask = states(v);
                    b.stateInvert = invert;
                }
                case "-j" -> targetName = v;
                case "--reject-with" -> rejectWith = v;
                case "--to" -> {
                    to = v;
                    toOption = w;
                }
                default -> throw new IllegalStateException(option);
            }
        }
        if ((b.sportLo != Rule.ANY_PORT || b.dportLo != Rule.ANY_PORT) && !tcpOrUdp(b)) {
            throw new IllegalArgumentException((b.sportLo != Rule.ANY_PORT ? "--sport" : "--dport")
                    + " needs -p tcp or -p udp");
        }
        if (b.in != null && !chain.hasIn()) {
            throw new IllegalArgumentException("-i cannot be used in " + chain + ": packets there come from this host");
        }
        if (b.out != null && !chain.hasOut()) {
            throw new IllegalArgumentException("-o cannot be used in " + chain + ": packets there are not routed out yet");
        }
        b.target = target(chain, b, targetName, rejectWith, to, toOption);
        return new Rule(b);
    }

    /** The option's short name, for its long spellings too; null if it is none. */
    private static String canonical(String w) {
        return switch (w) {
            case "-p", "--protocol" -> "-p";
            case "-s", "--source", "--src" -> "-s";
            case "-d", "--destination", "--dst" -> "-d";
            case "-i", "--in-interface" -> "-i";
            case "-o", "--out-interface" -> "-o";
            case "--sport", "--source-port" -> "--sport";
            case "--dport", "--destination-port" -> "--dport";
            case "-m", "--match" -> "-m";
            case "--state", "--ctstate" -> "--state";
            case "-j", "--jump" -> "-j";
            case "--reject-with" -> "--reject-with";
            case "--to", "--to-source", "--to-destination", "--to-ports" -> "--to";
            default -> null;
        };
    }

    private static int protocol(String v) {
        switch (v) {
            case "all":
                return 0;
            case "icmp":
                return Ipv4Packet.IPPROTO_ICMP;
            case "tcp":
                return Ipv4Packet.IPPROTO_TCP;
            case "udp":
                return Ipv4Packet.IPPROTO_UDP;
            default:
                int n = number(v, 255);
                if (n < 0) {
                    throw new IllegalArgumentException("-p '" + v + "' is not a protocol: use icmp, tcp, udp, all "
                            + "or a number from 0 to 255");
                }
                return n;
        }
    }

    /** A decimal number from 0 to {@code max} in plain ASCII digits, or -1. */
    private static int number(String v, int max) {
        if (v.isEmpty() || v.length() > 5 || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        int n = Integer.parseInt(v);
        return n <= max ? n : -1;
    }

    private static Ipv4Prefix prefix(String option, String v) {
        try {
            // as iptables does, host bits under the mask are ignored: 10.1.2.3/16 means 10.1.0.0/16
            return Ipv4Prefix.parse(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + " '" + v + "' is not an address or A.B.C.D/P");
        }
    }

    private static String iface(String option, String v) {
        String name = v.endsWith("+") ? v.substring(0, v.length() - 1) : v;
        if (v.isEmpty() || v.length() > MAX_IFNAME || name.contains("/") || name.contains("+")
                || v.chars().anyMatch(c -> c <= ' ' || c > '~')) {
            throw new IllegalArgumentException(option + " '" + v + "' is not an interface name: at most "
                    + MAX_IFNAME + " printable characters, no '/' or spaces");
        }
        return v;
    }

    /** PORT, LO:HI, LO: (to 65535) or :HI (from 0), as xtables_parse_multi_ports takes a range. */
    private static int[] ports(String option, String v) {
        int colon = v.indexOf(':');
        int lo;
        int hi;
        if (colon < 0) {
            lo = hi = number(v, 65535);
        } else {
            String l = v.substring(0, colon);
            String h = v.substring(colon + 1);
            lo = l.isEmpty() ? 0 : number(l, 65535);
            hi = h.isEmpty() ? 65535 : number(h, 65535);
        }
        if (lo < 0 || hi < 0) {
            throw new IllegalArgumentException(option + " '" + v + "' is not a port or range: ports are 0 to 65535, "
                    + "a range is LO:HI");
        }
        if (lo > hi) {
            throw new IllegalArgumentException(option + " '" + v + "' has its low end above its high end");
        }
        return new int[] {lo, hi};
    }

    /**
     * -m: the tcp and udp matches come with -p and state with --state already; taking them by name keeps
     * iptables habits working ({@code -m state --state NEW}, {@code -m conntrack --ctstate NEW}).
     */
    private static void match(String v) {
        if (!v.equals("tcp") && !v.equals("udp") && !v.equals("state") && !v.equals("conntrack")) {
            throw new IllegalArgumentException("-m '" + v + "' is not a match this stack has; it knows tcp, udp, "
                    + "state and conntrack");
        }
    }

    /** --state's comma-separated list, as state_parse_states reads it. */
    private static int states(String v) {
        int mask = 0;
        for (String s : v.split(",", -1)) {
            mask |= switch (s) {
                case "INVALID" -> CtInfo.STATE_INVALID;
                case "NEW" -> CtInfo.STATE_NEW;
                case "RELATED" -> CtInfo.STATE_RELATED;
                case "ESTABLISHED" -> CtInfo.STATE_ESTABLISHED;
                default -> throw new IllegalArgumentException("--state '" + v + "' names '" + s + "', which is not a "
                        + "state: use NEW, ESTABLISHED, RELATED or INVALID, comma-separated");
            };
        }
        return mask;
    }

    private static boolean tcpOrUdp(Builder b) {
        return !b.protocolInvert && (b.protocol == Ipv4Packet.IPPROTO_TCP || b.protocol == Ipv4Packet.IPPROTO_UDP);
    }

    private static Target target(Chain chain, Builder b, String name, String rejectWith, String to, String toOption) {
        if (name == null) {
            throw new IllegalArgumentException("a rule needs a target: -j ACCEPT, DROP, REJECT, SNAT, DNAT or MASQUERADE");
        }
        Target.Kind kind;
        try {
            kind = Target.Kind.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("-j '" + name + "' is not a target: use ACCEPT, DROP, REJECT, SNAT, DNAT "
                    + "or MASQUERADE");
        }
        if (rejectWith != null && kind != Target.Kind.REJECT) {
            throw new IllegalArgumentException("--reject-with belongs to -j REJECT, not -j " + name);
        }
        String toBelongs = switch (toOption == null ? "" : toOption) {
            case "--to-source" -> "SNAT";
            case "--to-destination" -> "DNAT";
            case "--to-ports" -> "MASQUERADE";
            default -> kind == Target.Kind.SNAT || kind == Target.Kind.DNAT ? name : "SNAT or -j DNAT";
        };
        if (to != null && !toBelongs.equals(name)) {
            throw new IllegalArgumentException(toOption + " belongs to -j " + toBelongs + ", not -j " + name);
        }
        switch (kind) {
            case ACCEPT:
                return Target.ACCEPT;
            case DROP:
                return Target.DROP;
            case REJECT:
                return reject(chain, b, rejectWith);
            case SNAT:
            case DNAT:
                return nat(chain, b, kind, to, toOption);
            default:
                return masquerade(chain, b, to);
        }
    }

    private static Target reject(Chain chain, Builder b, String rejectWith) {
        if (chain != Chain.INPUT && chain != Chain.FORWARD && chain != Chain.OUTPUT) {
            throw new IllegalArgumentException("REJECT can only be used in INPUT, FORWARD and OUTPUT, not in " + chain);
        }
        RejectWith with = rejectWith == null ? RejectWith.ICMP_PORT_UNREACHABLE : RejectWith.parse(rejectWith);
        if (with == null) {
            throw new IllegalArgumentException("--reject-with '" + rejectWith + "' is not a REJECT answer: use "
                    + "icmp-net-unreachable, icmp-host-unreachable, icmp-port-unreachable, icmp-proto-unreachable, "
                    + "icmp-net-prohibited, icmp-host-prohibited, icmp-admin-prohibited or tcp-reset");
        }
        if (with == RejectWith.TCP_RESET && (b.protocol != Ipv4Packet.IPPROTO_TCP || b.protocolInvert)) {
            throw new IllegalArgumentException("--reject-with tcp-reset needs -p tcp");
        }
        return Target.reject(with);
    }

    /**
     * SNAT --to ADDR[:PORT[-PORT]] in POSTROUTING, DNAT --to ADDR[:PORT] in PREROUTING: where the nat table
     * has them on the forward path (SNAT on INPUT and DNAT on OUTPUT are not offered).
     */
    private static Target nat(Chain chain, Builder b, Target.Kind kind, String to, String toOption) {
        Chain only = kind == Target.Kind.SNAT ? Chain.POSTROUTING : Chain.PREROUTING;
        if (chain != only) {
            throw new IllegalArgumentException(kind + " can only be used in " + only + ", not in " + chain);
        }
        if (to == null) {
            throw new IllegalArgumentException("-j " + kind + " needs --to "
                    + (kind == Target.Kind.SNAT ? "ADDR[:PORT[-PORT]]" : "ADDR[:PORT]"));
        }
        int colon = to.indexOf(':');
        int addr;
        try {
            addr = Ipv4Address.parse(colon < 0 ? to : to.substring(0, colon));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(toOption + " '" + to + "' does not start with an IPv4 address");
        }
        if (colon < 0) {
            return new Target(kind, null, addr, -1, -1);
        }
        int[] r = natPorts(toOption, to, to.substring(colon + 1), b);
        if (kind == Target.Kind.DNAT && r[0] != r[1]) {
            throw new IllegalArgumentException(toOption + " '" + to + "' has a port range; DNAT takes one port");
        }
        return new Target(kind, null, addr, r[0], r[1]);
    }

    /** MASQUERADE [--to-ports PORT[-PORT]] in POSTROUTING: the source becomes the egress interface's address. */
    private static Target masquerade(Chain chain, Builder b, String ports) {
        if (chain != Chain.POSTROUTING) {
            throw new IllegalArgumentException("MASQUERADE can only be used in POSTROUTING, not in " + chain);
        }
        if (ports == null) {
            return new Target(Target.Kind.MASQUERADE, null, 0, -1, -1);
        }
        int[] r = natPorts("--to-ports", ports, ports, b);
        return new Target(Target.Kind.MASQUERADE, null, 0, r[0], r[1]);
    }

    /** PORT or PORT-PORT after an address's ':' or as --to-ports, which only TCP and UDP have. */
    private static int[] natPorts(String option, String whole, String v, Builder b) {
        int dash = v.indexOf('-');
        int lo = number(dash < 0 ? v : v.substring(0, dash), 65535);
        int hi = dash < 0 ? lo : number(v.substring(dash + 1), 65535);
        if (lo < 1 || hi < 1) {
            throw new IllegalArgumentException(option + " '" + whole + "' has no valid port: ports are 1 to 65535, "
                    + "a range is LO-HI");
        }
        if (lo > hi) {
            throw new IllegalArgumentException(option + " '" + whole + "' has its low port above its high port");
        }
        if (!tcpOrUdp(b)) {
            throw new IllegalArgumentException("a port in " + option + " needs -p tcp or -p udp");
        }
        return new int[] {lo, hi};
    }
}
