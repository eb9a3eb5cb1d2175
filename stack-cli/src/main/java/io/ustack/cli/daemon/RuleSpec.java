package io.ustack.cli.daemon;

import io.ustack.core.route.Fib;
import io.ustack.core.route.FibRule;
import io.ustack.core.wire.Ipv4Prefix;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * One policy rule in ip-rule's words: {@code [from PREFIX|all] [to PREFIX|all] [fwmark MARK[/MASK]]
 * [iif NAME] [oif NAME] [priority|pref N] (lookup|table TABLE | blackhole | unreachable | prohibit)}.
 * Without a priority the rule goes just before the second rule, if that one's priority is above 0, as
 * the kernel places it (fib_default_rule_pref).
 */
public final class RuleSpec {
    private static final String FORM = "[from PREFIX] [to PREFIX] [fwmark MARK[/MASK]] [iif NAME] [oif NAME] "
            + "[priority N] then lookup TABLE, blackhole, unreachable or prohibit";

    private RuleSpec() {
    }

    /**
     * The rule {@code words} say, numbered against {@code existing} when they give no priority.
     *
     * @throws IllegalArgumentException whose message is one sentence naming the bad part
     */
    public static FibRule parse(List<String> words, List<FibRule> existing) {
        Ipv4Prefix from = null;
        Ipv4Prefix to = null;
        int mark = 0;
        int mask = 0;
        String iif = null;
        String oif = null;
        Integer priority = null;
        FibRule.Action action = null;
        int table = 0;
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            switch (w) {
                case "blackhole", "unreachable", "prohibit" -> {
                    action = setOnce(action, FibRule.Action.valueOf(w.toUpperCase(Locale.ROOT)), "the action");
                    continue;
                }
                default -> {
                }
            }
            if (i + 1 == words.size()) {
                throw new IllegalArgumentException("'" + w + "' needs a value; a rule reads " + FORM);
            }
            String v = words.get(++i);
            switch (w) {
                case "from" -> from = v.equals("all") ? null : prefix(v);
                case "to" -> to = v.equals("all") ? null : prefix(v);
                case "fwmark" -> {
                    int slash = v.indexOf('/');
                    mark = number(slash < 0 ? v : v.substring(0, slash), "fwmark");
                    mask = slash < 0 ? -1 : number(v.substring(slash + 1), "fwmark's mask");
                }
                case "iif", "dev" -> iif = v;
                case "oif" -> oif = v;
                case "priority", "pref", "preference" -> priority = number(v, "priority");
                case "lookup", "table" -> {
                    action = setOnce(action, FibRule.Action.LOOKUP, "the action");
                    table = RouteSpec.table(v);
                }
                default -> throw new IllegalArgumentException("'" + w + "' is not understood; a rule reads " + FORM);
            }
        }
        if (action == null) {
            throw new IllegalArgumentException("a rule needs 'lookup TABLE' or blackhole, unreachable or prohibit");
        }
        int prio = priority != null ? priority : defaultPriority(existing);
        return new FibRule(prio, from, to, mark & mask, mask, iif, oif, action, table);
    }

    /** fib_default_rule_pref: one below the second rule's priority when that is above 0, else 0. */
    private static int defaultPriority(List<FibRule> existing) {
        return existing.size() > 1 && existing.get(1).priority() > 0 ? existing.get(1).priority() - 1 : 0;
    }

    private static <T> T setOnce(T before, T now, String what) {
        if (before != null) {
            throw new IllegalArgumentException(what + " is given twice");
        }
        return now;
    }

    private static Ipv4Prefix prefix(String v) {
        Ipv4Prefix p = RouteSpec.destination(v);
        return new Ipv4Prefix(p.network(), p.prefixLen());
    }

    private static int number(String v, String what) {
        try {
            long n = v.startsWith("0x") || v.startsWith("0X") ? Long.parseLong(v.substring(2), 16) : Long.parseLong(v);
            if (n >= 0 && n <= 0xffff_ffffL) {
                return (int) n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException(what + " '" + v + "' is not a number from 0 to 4294967295");
    }

    /**
     * The rules {@code texts} say, each numbered as if added in turn after Linux's three ({@link Fib#defaultRules}).
     *
     * @throws IllegalArgumentException with one sentence that starts with where the bad rule was written
     */
    public static List<FibRule> parseAll(List<Sourced> texts) {
        List<FibRule> all = new ArrayList<>(Fib.defaultRules());
        List<FibRule> out = new ArrayList<>();
        for (Sourced t : texts) {
            FibRule r;
            try {
                r = parse(List.of(t.text().strip().split("\\s+")), all);
            } catch (IllegalArgumentException e) {
                throw t.refuse(e.getMessage());
            }
            out.add(r);
            all.add(r);
            all.sort(Comparator.comparingInt(FibRule::priority));
        }
        return out;
    }

    /** {@code r} in the words {@link #parse} reads back, its priority spelt out. */
    public static String describe(FibRule r) {
        StringBuilder sb = new StringBuilder("priority ").append(Integer.toUnsignedString(r.priority()));
        if (r.from() != null) {
            sb.append(" from ").append(r.from());
        }
        if (r.to() != null) {
            sb.append(" to ").append(r.to());
        }
        if (r.fwmask() != 0) {
            sb.append(" fwmark 0x").append(Integer.toHexString(r.fwmark()));
            if (r.fwmask() != -1) {
                sb.append("/0x").append(Integer.toHexString(r.fwmask()));
            }
        }
        if (r.iif() != null) {
            sb.append(" iif ").append(r.iif());
        }
        if (r.oif() != null) {
            sb.append(" oif ").append(r.oif());
        }
        return sb.append(r.action() == FibRule.Action.LOOKUP ? " lookup " + Fib.tableName(r.table())
                : " " + r.action().name().toLowerCase(Locale.ROOT)).toString();
    }
}
