package io.ustack.core.netfilter.rules;

import java.util.List;

/** iptables -L and -S: the chains and rules of one table in iptables' own layout, column for column. */
final class Listing {
    private Listing() {
    }

    /** -S [CHAIN [NUM]] (-v adds each rule's counters as {@code -c PACKETS BYTES}). */
    static String rules(Ruleset.TableModel t, List<Ruleset.ChainModel> chains, int num, boolean verbose) {
        StringBuilder sb = new StringBuilder();
        if (num < 0) {
            for (Ruleset.ChainModel c : chains) {
                if (c.builtin != null) {
                    sb.append("-P ").append(c.name).append(' ').append(c.policy.name());
                    if (verbose) {
                        sb.append(" -c ").append(c.counters.packets.sum()).append(' ').append(c.counters.bytes.sum());
                    }
                    sb.append('\n');
                }
            }
            for (Ruleset.ChainModel c : chains) {
                if (c.builtin == null) {
                    sb.append("-N ").append(c.name).append('\n');
                }
            }
        }
        for (Ruleset.ChainModel c : chains) {
            for (int i = 0; i < c.rules.size(); i++) {
                if (num < 0 || i == num - 1) {
                    Rule r = c.rules.get(i);
                    sb.append(appendLine(c.name, r));
                    if (verbose) {
                        sb.append(" -c ").append(r.packets()).append(' ').append(r.bytes());
                    }
                    sb.append('\n');
                }
            }
        }
        return sb.toString();
    }

    /** "-A CHAIN RULE", as -S and iptables-save write a rule. */
    static String appendLine(String chain, Rule r) {
        String spec = r.spec();
        return "-A " + chain + (spec.isEmpty() ? "" : " " + spec);
    }

    /** -L [CHAIN [NUM]] with -v, -n, -x and --line-numbers as {@code c} has them (print_header, print_firewall). */
    static String list(Ruleset.TableModel t, List<Ruleset.ChainModel> chains, int num, IptablesCommand c) {
        StringBuilder sb = new StringBuilder();
        boolean first = true;
        for (Ruleset.ChainModel ch : chains) {
            if (num > 0) {
                if (num <= ch.rules.size()) {
                    row(sb, ch.rules.get(num - 1), num, c);
                }
                continue;
            }
            if (!first) {
                sb.append('\n');
            }
            first = false;
            header(sb, t, ch, c);
            for (int i = 0; i < ch.rules.size(); i++) {
                row(sb, ch.rules.get(i), i + 1, c);
            }
        }
        return sb.toString();
    }

    private static void header(StringBuilder sb, Ruleset.TableModel t, Ruleset.ChainModel ch, IptablesCommand c) {
        sb.append("Chain ").append(ch.name);
        if (ch.builtin != null) {
            sb.append(" (policy ").append(ch.policy.name());
            if (c.verbose) {
                sb.append(' ').append(number(ch.counters.packets.sum(), c.exact, true)).append("packets, ")
                        .append(number(ch.counters.bytes.sum(), c.exact, true)).append("bytes");
            }
            sb.append(")\n");
        } else {
            sb.append(" (").append(t.references(ch.name)).append(" references)\n");
        }
        if (c.lineNumbers) {
            sb.append(String.format("%-4s ", "num"));
        }
        if (c.verbose) {
            sb.append(c.exact ? String.format("%8s %10s ", "pkts", "bytes") : String.format("%5s %5s ", "pkts", "bytes"));
        }
        sb.append(String.format("%-9s ", "target")).append(" prot opt");
        if (c.verbose) {
            sb.append(String.format(" %-6s %-6s ", "in", "out"));
        }
        sb.append(String.format(" %-19s  %-19s \n", "source", "destination"));
    }

    private static void row(StringBuilder sb, Rule r, int num, IptablesCommand c) {
        if (c.lineNumbers) {
            sb.append(String.format("%-4d ", num));
        }
        if (c.verbose) {
            sb.append(number(r.packets(), c.exact, false)).append(number(r.bytes(), c.exact, false));
        }
        sb.append(String.format("%-9s ", r.targetText()));
        // print_firewall's "%-4s " after the inversion: a long name (ipv6-icmp) still gets its space
        sb.append(String.format("%-5s ", r.protocolText(c.numeric))).append(r.optText()).append(' ');
        if (c.verbose) {
            sb.append(String.format(" %-6s %-6s ", r.inText(), r.outText()));
        }
        sb.append(String.format("%-20s %-20s ", r.sourceText(c.numeric), r.destinationText(c.numeric)));
        sb.append(r.extraText(c.numeric)).append('\n');
    }

    /** xtables_print_num: exact (-x) or in K, M, G, T when large; {@code bare} for the policy line's plain form. */
    static String number(long n, boolean exact, boolean bare) {
        if (exact) {
            return bare ? n + " " : String.format("%8d ", n);
        }
        if (n <= 99999) {
            return bare ? n + " " : String.format("%5d ", n);
        }
        String[] units = {"K", "M", "G", "T"};
        for (String u : units) {
            n = (n + 500) / 1000;
            if (n <= 9999 || u.equals("T")) {
                return bare ? n + u + " " : String.format("%4d%s ", n, u);
            }
        }
        throw new IllegalStateException();
    }
}
