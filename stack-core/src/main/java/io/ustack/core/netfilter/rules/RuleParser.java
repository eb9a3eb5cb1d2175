package io.ustack.core.netfilter.rules;

import io.ustack.core.netfilter.NfProto;
import io.ustack.core.wire.Ipv4Prefix;
import io.ustack.core.wire.Ipv4Packet;
import io.ustack.core.wire.Ipv6Packet;
import io.ustack.core.wire.Ipv6Prefix;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Reads a rule as iptables takes it: struct ipt_ip's options ({@code -p -s -d -i -o -f}), matches loaded
 * with {@code -m NAME} (or implicitly by {@code -p tcp|udp|icmp}, as iptables does when one of their options
 * follows), each taking the options that follow it, and the target ({@code -j NAME}, {@code -g CHAIN}) with
 * its own. A rule iptables would refuse is refused with its words ({@link IptablesException}). An IPv6
 * table's rules are read as ip6tables reads them: IPv6 prefixes, no {@code -f}, its own matches and targets.
 */
public final class RuleParser {
    /** IFNAMSIZ - 1. */
    private static final int MAX_IFNAME = 15;

    private RuleParser() {
    }

    /** The fields of a rule while it is read; {@link Rule} takes them over. */
    static final class Builder {
        NfProto family = NfProto.IPV4;
        int protocol;
        boolean protocolInvert;
        int src;
        int srcMask;
        boolean srcInvert;
        int dst;
        int dstMask;
        boolean dstInvert;
        Ipv6Prefix src6;
        Ipv6Prefix dst6;
        String in;
        boolean inInvert;
        String out;
        boolean outInvert;
        boolean fragment;
        boolean fragmentInvert;
        final List<Match> matches = new ArrayList<>();
        Target target;
        long packets;
        long bytes;
    }

    /** A match being read: its name and parser. */
    private record Loaded(String name, MatchParser parser) {
    }

    /**
     * Parses {@code words} (everything of an iptables command line but the command, chain and table) as a
     * rule of {@code family}'s tables; {@code isUserChain} says which names -j and -g may jump to.
     */
    public static Rule parse(NfProto family, List<String> words, Predicate<String> isUserChain) {
        Builder b = new Builder();
        b.family = family;
        List<Loaded> loaded = new ArrayList<>();
        TargetParser targetParser = null;
        String targetName = null;
        boolean isGoto = false;
        List<String> seen = new ArrayList<>();
        Words w = new Words(words);
        while (w.hasNext()) {
            String word = w.next();
            boolean invert = false;
            if (word.equals("!")) {
                if (!w.hasNext()) {
                    throw IptablesException.usage("Invalid argument `!'");
                }
                invert = true;
                word = w.next();
            }
            String option = shortName(word);
            if (option != null && !option.equals("-m") && !option.equals("-c")) {
                if (seen.contains(option)) {
                    throw IptablesException.usage("multiple " + option + " flags not allowed");
                }
                seen.add(option);
            }
            if (option != null && invert && !List.of("-p", "-s", "-d", "-i", "-o", "-f").contains(option)) {
                throw IptablesException.usage("cannot have ! before " + option);
            }
            if (option == null) {
                if (!word.startsWith("-")) {
                    throw IptablesException.usage("Bad argument `" + word + "'");
                }
                if (!offer(word, invert, w, targetParser, loaded, b)) {
                    throw IptablesException.usage("unknown option \"" + word + "\"");
                }
                continue;
            }
            switch (option) {
                case "-p" -> {
                    b.protocol = Protocols.parse(w.value(word));
                    b.protocolInvert = invert;
                    if (invert && b.protocol == 0) {
                        throw IptablesException.usage("rule would never match protocol");
                    }
                }
                case "-s", "-d" -> {
                    if (family == NfProto.IPV6) {
                        Ipv6Prefix p = prefix6(w.value(word));
                        Ipv6Prefix any = p.prefixLen() == 0 ? null : p;
                        if (option.equals("-s")) {
                            b.src6 = any;
                            b.srcInvert = invert;
                        } else {
                            b.dst6 = any;
                            b.dstInvert = invert;
                        }
                        continue;
                    }
                    Ipv4Prefix p = prefix(w.value(word));
                    if (option.equals("-s")) {
                        b.src = p.address();
                        b.srcMask = p.mask();
                        b.srcInvert = invert;
                    } else {
                        b.dst = p.address();
                        b.dstMask = p.mask();
                        b.dstInvert = invert;
                    }
                }
                case "-i" -> {
                    b.in = iface(w.value(word));
                    b.inInvert = invert;
                }
                case "-o" -> {
                    b.out = iface(w.value(word));
                    b.outInvert = invert;
                }
                case "-f" -> {
                    if (family == NfProto.IPV6) {
                        throw IptablesException.usage("`-f' is not supported in IPv6, use -m frag instead");
                    }
                    b.fragment = true;
                    b.fragmentInvert = invert;
                }
                case "-m" -> {
                    String name = w.value(word);
                    MatchParser mp = Modules.match(family, name);
                    if (mp == null) {
                        throw IptablesException.usage("Couldn't load match `" + name + "':No such file or directory");
                    }
                    loaded.add(new Loaded(name, mp));
                }
                case "-j", "-g" -> {
                    targetName = w.value(word);
                    isGoto = option.equals("-g");
                    if (!isGoto) {
                        targetParser = Modules.target(family, targetName);
                    }
                    if (isGoto || targetParser == null) {
                        if (!isUserChain.test(targetName)) {
                            throw IptablesException.usage("Chain '" + targetName + "' does not exist");
                        }
                    }
                }
                case "-c" -> {
                    b.packets = counter(w.value(word));
                    b.bytes = counter(w.value(word));
                }
                default -> throw new IllegalStateException(option);
            }
        }
        for (Loaded l : loaded) {
            b.matches.add(l.parser.build(b));
        }
        if (targetName != null) {
            b.target = targetParser != null ? targetParser.build(b) : StandardTarget.jump(targetName, isGoto);
        }
        return new Rule(b);
    }

    /**
     * Offers an option to the target, then to the matches in the order they were loaded; failing those, loads
     * the protocol's match as iptables does for {@code -p tcp --dport 22} and offers it there.
     */
    private static boolean offer(String option, boolean invert, Words w, TargetParser target, List<Loaded> loaded, Builder b) {
        if (target != null && target.option(option, invert, w)) {
            return true;
        }
        for (Loaded l : loaded) {
            if (l.parser.option(option, invert, w)) {
                return true;
            }
        }
        String proto = switch (b.protocol) {
            case Ipv4Packet.IPPROTO_TCP -> "tcp";
            case Ipv4Packet.IPPROTO_UDP -> "udp";
            case Ipv4Packet.IPPROTO_ICMP -> b.family == NfProto.IPV4 ? "icmp" : null;
            case Ipv6Packet.NEXTHDR_ICMP -> b.family == NfProto.IPV6 ? "icmp6" : null;
            default -> null;
        };
        if (proto == null || b.protocolInvert || loaded.stream().anyMatch(l -> l.name.equals(proto))) {
            return false;
        }
        MatchParser implicit = Modules.match(b.family, proto);
        if (!implicit.option(option, invert, w)) {
            return false;
        }
        loaded.add(new Loaded(proto, implicit));
        return true;
    }

    /** The option's short name, for its long spellings too; null if it is not one of the rule's own. */
    private static String shortName(String w) {
        return switch (w) {
            case "-p", "--protocol" -> "-p";
            case "-s", "--source", "--src" -> "-s";
            case "-d", "--destination", "--dst" -> "-d";
            case "-i", "--in-interface" -> "-i";
            case "-o", "--out-interface" -> "-o";
            case "-f", "--fragment" -> "-f";
            case "-m", "--match" -> "-m";
            case "-j", "--jump" -> "-j";
            case "-g", "--goto" -> "-g";
            case "-c", "--set-counters" -> "-c";
            default -> null;
        };
    }

    /** ADDR[/LEN or /MASK]; host bits under the mask are dropped, as iptables does (10.1.2.3/16 is 10.1.0.0/16). */
    static Ipv4Prefix prefix(String v) {
        int slash = v.indexOf('/');
        String mask = slash < 0 ? null : v.substring(slash + 1);
        if (mask != null && mask.indexOf('.') >= 0) {
            int m = Xt.address(mask);
            int len = Integer.bitCount(m);
            if (m != (len == 0 ? 0 : -1 << (32 - len))) {
                throw IptablesException.usage("ustack takes only contiguous masks, not `" + mask + "'");
            }
            v = v.substring(0, slash) + "/" + len;
        }
        try {
            return Ipv4Prefix.parse(v);
        } catch (IllegalArgumentException e) {
            if (mask != null && Xt.number(mask, 32) < 0) {
                throw IptablesException.usage("invalid mask `" + mask + "' specified");
            }
            throw IptablesException.usage("host/network `" + (slash < 0 ? v : v.substring(0, slash)) + "' not found");
        }
    }

    /** ADDR[/LEN] for an IPv6 rule, its host bits dropped as ip6tables drops them (fd00::1/64 is fd00::/64). */
    static Ipv6Prefix prefix6(String v) {
        int slash = v.indexOf('/');
        try {
            Ipv6Prefix p = Ipv6Prefix.parse(v);
            return new Ipv6Prefix(p.network(), p.prefixLen());
        } catch (IllegalArgumentException e) {
            String mask = slash < 0 ? null : v.substring(slash + 1);
            if (mask != null && Xt.number(mask, 128) < 0) {
                throw IptablesException.usage("invalid mask `" + mask + "' specified");
            }
            throw IptablesException.usage("host/network `" + (slash < 0 ? v : v.substring(0, slash)) + "' not found");
        }
    }

    private static String iface(String v) {
        if (v.length() > MAX_IFNAME) {
            throw IptablesException.usage("interface name `" + v + "' must be shorter than IFNAMSIZ (16)");
        }
        if (v.isEmpty() || v.chars().anyMatch(c -> c <= ' ' || c > '~' || c == '/')) {
            throw IptablesException.usage("Warning: weird character in interface `" + v + "' ('/' and ' ' are not allowed by the kernel).");
        }
        return v;
    }

    private static long counter(String v) {
        long n = Xt.number(v, Long.MAX_VALUE);
        if (n < 0) {
            throw IptablesException.usage("-c packet counter not numeric");
        }
        return n;
    }
}
