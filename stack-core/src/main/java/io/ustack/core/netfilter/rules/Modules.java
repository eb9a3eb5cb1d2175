package io.ustack.core.netfilter.rules;

import io.ustack.core.netfilter.NfProto;
import java.util.List;

/**
 * The matches and targets ustack has, by the names -m and -j take (the xtables extensions it knows), per
 * family: ip6tables has those that read nothing IPv4's alone (ports, state, marks, limits, lengths...), and
 * its own icmp6; the rest, as ip6tables says of a module it has not, "Couldn't load".
 */
final class Modules {
    private Modules() {
    }

    /** A fresh parser for {@code family}'s match {@code name}, or null if there is none. */
    static MatchParser match(NfProto family, String name) {
        if (family == NfProto.IPV6) {
            return switch (name) {
                case "icmp6" -> new IcmpMatch.Parser(IcmpMatch.ICMP6);
                case "hl" -> new HeaderMatch.Parser(name);
                case "icmp", "iprange", "addrtype", "ttl", "hashlimit", "recent" -> null;
                default -> match(NfProto.IPV4, name);
            };
        }
        return switch (name) {
            case "tcp" -> new PortsMatch.Parser(true);
            case "udp" -> new PortsMatch.Parser(false);
            case "multiport" -> new MultiportMatch.Parser();
            case "icmp" -> new IcmpMatch.Parser(IcmpMatch.ICMP);
            case "state" -> new StateMatch.Parser();
            case "conntrack" -> new ConntrackMatch.Parser();
            case "mark" -> new MarkMatch.Parser(false);
            case "connmark" -> new MarkMatch.Parser(true);
            case "comment" -> new CommentMatch.Parser();
            case "limit" -> new LimitMatch.Parser();
            case "hashlimit" -> new HashlimitMatch.Parser();
            case "recent" -> new RecentMatch.Parser();
            case "iprange" -> new IprangeMatch.Parser();
            case "addrtype" -> new AddrtypeMatch.Parser();
            case "length", "ttl", "dscp" -> new HeaderMatch.Parser(name);
            case "pkttype" -> new LinkMatch.Parser(false);
            case "mac" -> new LinkMatch.Parser(true);
            default -> null;
        };
    }

    /** A fresh parser for {@code family}'s target {@code name} (verdicts included), or null: then it names a chain. */
    static TargetParser target(NfProto family, String name) {
        if (family == NfProto.IPV6 && List.of("SNAT", "DNAT", "MASQUERADE", "REDIRECT", "TCPMSS", "TTL", "DSCP")
                .contains(name)) {
            return null;
        }
        StandardTarget verdict = StandardTarget.verdict(name);
        if (verdict != null) {
            return new TargetParser() {
                @Override
                public boolean option(String option, boolean invert, Words w) {
                    return false;
                }

                @Override
                public Target build(RuleParser.Builder rule) {
                    return verdict;
                }
            };
        }
        return switch (name) {
            case "REJECT" -> new RejectTarget.Parser(family);
            case "SNAT" -> new NatTarget.Parser(NatTarget.Kind.SNAT);
            case "DNAT" -> new NatTarget.Parser(NatTarget.Kind.DNAT);
            case "MASQUERADE" -> new NatTarget.Parser(NatTarget.Kind.MASQUERADE);
            case "REDIRECT" -> new NatTarget.Parser(NatTarget.Kind.REDIRECT);
            case "LOG" -> new LogTarget.Parser();
            case "MARK" -> new MarkTarget.Parser(false);
            case "CONNMARK" -> new MarkTarget.Parser(true);
            case "TCPMSS" -> new TcpmssTarget.Parser();
            case "TTL" -> new HeaderTarget.Parser(false);
            case "DSCP" -> new HeaderTarget.Parser(true);
            case "NOTRACK" -> new NotrackTarget.Parser(false);
            case "CT" -> new NotrackTarget.Parser(true);
            default -> null;
        };
    }

    /** Whether {@code name} is a target's of {@code family} (a chain may not be called so). */
    static boolean isTarget(NfProto family, String name) {
        return target(family, name) != null;
    }
}
