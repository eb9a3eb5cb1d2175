package io.ustack.core.netfilter.rules;

import io.ustack.core.netfilter.Verdict;
import java.util.ArrayList;
import java.util.List;

/**
 * One iptables command line ({@code -t nat -A POSTROUTING -o eth1 -j MASQUERADE}): read as iptables reads it
 * (do_command4), then carried out on a {@link Ruleset} copy, answering what iptables prints. Errors are
 * iptables' own words and exit statuses ({@link IptablesException}).
 */
final class IptablesCommand {
    /** XT_EXTENSION_MAXNAMELEN - 1: the longest chain name. */
    static final int MAX_CHAIN_NAME = 28;
    /** iptables' RESOURCE_PROBLEM: a table that does not exist. */
    static final int NO_TABLE = 3;

    Table table = Table.FILTER;
    char command;
    String chain;
    String newName;
    int num = -1;
    String policy;
    boolean verbose;
    boolean numeric;
    boolean exact;
    boolean lineNumbers;
    final List<String> ruleWords = new ArrayList<>();

    /** The options whose value may list several addresses, each making a rule of its own. */
    private static final List<String> ADDRESS_OPTIONS = List.of("-s", "--source", "--src", "-d", "--destination", "--dst");

    /** The short options that take no value of their own, which getopt lets a user bundle ({@code -nvL}). */
    private static final String BUNDLED = "nvxLSFZX";

    /** Reads {@code args} (the words after "iptables"). */
    static IptablesCommand parse(List<String> args) {
        IptablesCommand c = new IptablesCommand();
        Words w = new Words(unbundle(args));
        while (w.hasNext()) {
            String a = w.next();
            switch (a) {
                case "-t", "--table" -> {
                    String name = w.value(a);
                    c.table = Table.byName(name);
                    if (c.table == null) {
                        throw new IptablesException(NO_TABLE, "table '" + name + "' does not exist");
                    }
                }
                case "-A", "--append" -> c.command(w, 'A', a, true);
                case "-C", "--check" -> c.command(w, 'C', a, true);
                case "-D", "--delete" -> {
                    c.command(w, 'D', a, true);
                    c.optionalNumber(w, false);
                }
                case "-I", "--insert" -> {
                    c.command(w, 'I', a, true);
                    c.optionalNumber(w, false);
                }
                case "-R", "--replace" -> {
                    c.command(w, 'R', a, true);
                    c.optionalNumber(w, true);
                }
                case "-L", "--list" -> c.listing(w, 'L', a);
                case "-S", "--list-rules" -> c.listing(w, 'S', a);
                case "-F", "--flush" -> c.command(w, 'F', a, false);
                case "-Z", "--zero" -> {
                    // -L -Z lists and then zeroes, as iptables does
                    if (c.command == 'L') {
                        c.command = 'z';
                        c.optionalChain(w);
                    } else {
                        c.listing(w, 'Z', a);
                    }
                }
                case "-N", "--new-chain" -> c.command(w, 'N', a, true);
                case "-X", "--delete-chain" -> c.command(w, 'X', a, false);
                case "-E", "--rename-chain" -> {
                    c.command(w, 'E', a, true);
                    c.newName = w.value(a);
                }
                case "-P", "--policy" -> {
                    c.command(w, 'P', a, true);
                    c.policy = w.value(a);
                }
                case "-v", "--verbose" -> c.verbose = true;
                case "-n", "--numeric" -> c.numeric = true;
                case "-x", "--exact" -> c.exact = true;
                case "--line-numbers" -> c.lineNumbers = true;
                case "-w", "--wait" -> {
                    // the xtables lock: ustack's tables change one command at a time anyway
                    if (w.hasNext() && Xt.number(w.peek(), Integer.MAX_VALUE) >= 0) {
                        w.next();
                    }
                }
                case "-W", "--wait-interval" -> w.value(a);
                default -> c.ruleWords.add(a);
            }
        }
        if (c.command == 0) {
            throw IptablesException.usage("no command specified");
        }
        boolean takesRule = "ACDIR".indexOf(c.command) >= 0 && !(c.command == 'D' && c.num > 0);
        if (!takesRule && !c.ruleWords.isEmpty()) {
            String first = c.ruleWords.get(0);
            throw IptablesException.usage(first.startsWith("-") && !first.equals("!")
                    ? "Illegal option `" + first + "' with this command" : "Bad argument `" + first + "'");
        }
        return c;
    }

    /** {@code -nvL} as {@code -n -v -L}, as getopt reads a bundle of short options. */
    private static List<String> unbundle(List<String> args) {
        List<String> out = new ArrayList<>();
        for (String a : args) {
            if (a.length() > 2 && a.charAt(0) == '-' && a.chars().skip(1).allMatch(ch -> BUNDLED.indexOf(ch) >= 0)) {
                a.chars().skip(1).forEach(ch -> out.add("-" + (char) ch));
            } else {
                out.add(a);
            }
        }
        return out;
    }

    private void command(Words w, char cmd, String option, boolean needsChain) {
        if (command != 0) {
            throw IptablesException.usage("Cannot use -" + cmd + " with -" + (command == 'z' ? 'L' : command));
        }
        command = cmd;
        if (needsChain) {
            chain = w.value(option);
        } else {
            optionalChain(w);
        }
    }

    /** -L, -S and -Z take a chain and, after it, a rule number. */
    private void listing(Words w, char cmd, String option) {
        command(w, cmd, option, false);
        if (chain != null) {
            optionalNumber(w, false);
        }
    }

    private void optionalChain(Words w) {
        if (w.hasNext() && !w.peek().startsWith("-") && !w.peek().equals("!")) {
            chain = w.next();
        }
    }

    /** A rule number after the chain: required for -R, optional for -I and -D. */
    private void optionalNumber(Words w, boolean required) {
        if (w.hasNext() && !w.peek().isEmpty() && w.peek().chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            String v = w.next();
            long n = Xt.number(v, Integer.MAX_VALUE);
            if (n < 1) {
                throw IptablesException.usage("Invalid rule number `" + v + "'");
            }
            num = (int) n;
        } else if (required) {
            throw IptablesException.usage("-R requires a rule number");
        }
    }

    /** Carries the command out on {@code rs}; answers what iptables prints (empty for most commands). */
    String execute(Ruleset rs) {
        Ruleset.TableModel t = rs.table(table);
        switch (command) {
            case 'A', 'I', 'R', 'C' -> {
                Ruleset.ChainModel c = existing(t, chain);
                List<Rule> rules = rules(t, c);
                int size = c.rules.size();
                switch (command) {
                    case 'A' -> c.rules.addAll(rules);
                    case 'I' -> {
                        int at = num < 0 ? 1 : num;
                        if (at > size + 1) {
                            throw IptablesException.refused("iptables: Index of insertion too big.");
                        }
                        c.rules.addAll(at - 1, rules);
                    }
                    case 'R' -> {
                        if (rules.size() > 1) {
                            throw IptablesException.usage("-R requires a single source and destination address");
                        }
                        if (num > size) {
                            throw IptablesException.refused("iptables: Index of replacement too big.");
                        }
                        c.rules.set(num - 1, rules.get(0));
                    }
                    default -> {
                        for (Rule r : rules) {
                            if (find(c, r) < 0) {
                                throw badRule();
                            }
                        }
                    }
                }
                return "";
            }
            case 'D' -> {
                Ruleset.ChainModel c = existing(t, chain);
                if (num > 0) {
                    if (num > c.rules.size()) {
                        throw IptablesException.refused("iptables: Index of deletion too big.");
                    }
                    c.rules.remove(num - 1);
                } else {
                    for (Rule r : rules(t, c)) {
                        int index = find(c, r);
                        if (index < 0) {
                            throw badRule();
                        }
                        c.rules.remove(index);
                    }
                }
                return "";
            }
            case 'L', 'S', 'z' -> {
                List<Ruleset.ChainModel> chains = chain == null ? t.chains() : List.of(existing(t, chain));
                String out = command == 'S' ? Listing.rules(t, chains, num, verbose)
                        : Listing.list(t, chains, num, this);
                if (command == 'z') {
                    zero(chains, -1);
                }
                return out;
            }
            case 'Z' -> {
                zero(chain == null ? t.chains() : List.of(existing(t, chain)), num);
                return "";
            }
            case 'F' -> {
                for (Ruleset.ChainModel c : chain == null ? t.chains() : List.of(existing(t, chain))) {
                    c.rules.clear();
                }
                return "";
            }
            case 'N' -> {
                newChain(t, chain);
                return "";
            }
            case 'X' -> {
                deleteChains(t);
                return "";
            }
            case 'E' -> {
                rename(t);
                return "";
            }
            default -> {
                setPolicy(t);
                return "";
            }
        }
    }

    private static IptablesException badRule() {
        return IptablesException.refused("iptables: Bad rule (does a matching rule exist in that chain?).");
    }

    private static IptablesException noChain() {
        return IptablesException.refused("iptables: No chain/target/match by that name.");
    }

    private static Ruleset.ChainModel existing(Ruleset.TableModel t, String name) {
        Ruleset.ChainModel c = t.chain(name);
        if (c == null) {
            throw noChain();
        }
        return c;
    }

    /**
     * The rule's words read as rules for chain {@code c}: one, or one per source and destination when -s or
     * -d list several (A,B), as iptables makes them, sources outermost.
     */
    private List<Rule> rules(Ruleset.TableModel t, Ruleset.ChainModel c) {
        List<List<String>> variants = List.of(ruleWords);
        for (int i = 0; i < ruleWords.size() - 1; i++) {
            if (ADDRESS_OPTIONS.contains(ruleWords.get(i)) && ruleWords.get(i + 1).contains(",")) {
                List<List<String>> next = new ArrayList<>();
                for (List<String> v : variants) {
                    for (String a : ruleWords.get(i + 1).split(",", -1)) {
                        List<String> words = new ArrayList<>(v);
                        words.set(i + 1, a);
                        next.add(words);
                    }
                }
                variants = next;
            }
        }
        List<Rule> rules = new ArrayList<>();
        for (List<String> v : variants) {
            rules.add(rule(t, c, v));
        }
        return rules;
    }

    /** {@code words} read as a rule for chain {@code c}; -i and -o where a built-in chain has no such device. */
    private static Rule rule(Ruleset.TableModel t, Ruleset.ChainModel c, List<String> words) {
        Rule r = RuleParser.parse(t.family, words, name -> t.users.containsKey(name));
        if (c.builtin != null && r.in != null && !c.builtin.hasIn()) {
            throw IptablesException.usage("Can't use -i with " + c.name);
        }
        if (c.builtin != null && r.out != null && !c.builtin.hasOut()) {
            throw IptablesException.usage("Can't use -o with " + c.name);
        }
        return r;
    }

    /** The first rule that reads as {@code rule} does (iptables compares the whole entry), or -1. */
    private static int find(Ruleset.ChainModel c, Rule rule) {
        String spec = rule.spec();
        for (int i = 0; i < c.rules.size(); i++) {
            if (c.rules.get(i).spec().equals(spec)) {
                return i;
            }
        }
        return -1;
    }

    private static void zero(List<Ruleset.ChainModel> chains, int num) {
        for (Ruleset.ChainModel c : chains) {
            for (int i = 0; i < c.rules.size(); i++) {
                if (num < 0 || i == num - 1) {
                    c.rules.get(i).setCounters(0, 0);
                }
            }
            if (num < 0) {
                c.counters.set(0, 0);
            }
        }
    }

    static void newChain(Ruleset.TableModel t, String name) {
        if (t.chain(name) != null || (Chain.byName(name) != null && t.table.has(Chain.byName(name)))) {
            throw IptablesException.refused("iptables: Chain already exists.");
        }
        if (Modules.isTarget(t.family, name)) {
            throw IptablesException.usage("chain name may not clash with target name");
        }
        if (name.length() > MAX_CHAIN_NAME) {
            throw IptablesException.usage("chain name `" + name + "' too long (must be under " + (MAX_CHAIN_NAME + 1)
                    + " chars)");
        }
        if (name.isEmpty() || name.startsWith("-") || name.startsWith("!") || name.chars().anyMatch(ch -> ch <= ' ')) {
            throw IptablesException.usage("Invalid chain name `" + name + "'");
        }
        t.users.put(name, new Ruleset.ChainModel(name, null, null, new Ruleset.PolicyCounters(), new ArrayList<>()));
    }

    /** -X CHAIN, or -X alone: every user-defined chain, each of which must be empty and not jumped to. */
    private void deleteChains(Ruleset.TableModel t) {
        if (chain != null && t.users.get(chain) == null) {
            if (t.chain(chain) != null) {
                throw IptablesException.refused("iptables: Can't delete built-in chain.");
            }
            throw noChain();
        }
        List<String> names = chain == null ? new ArrayList<>(t.users.keySet()) : List.of(chain);
        for (String n : names) {
            if (t.references(n) > 0) {
                throw IptablesException.refused("iptables: Too many links.");
            }
            if (!t.users.get(n).rules.isEmpty()) {
                throw IptablesException.refused("iptables: Directory not empty.");
            }
        }
        names.forEach(t.users::remove);
    }

    /** -E OLD NEW: the chain and every jump to it take the new name. */
    private void rename(Ruleset.TableModel t) {
        Ruleset.ChainModel old = t.users.get(chain);
        if (old == null) {
            throw t.chain(chain) != null ? IptablesException.refused("iptables: Invalid argument.") : noChain();
        }
        if (t.chain(newName) != null || (Chain.byName(newName) != null && t.table.has(Chain.byName(newName)))) {
            throw IptablesException.refused("iptables: File exists.");
        }
        newChain(t, newName);
        t.users.remove(newName);
        t.users.remove(chain);
        t.users.put(newName, new Ruleset.ChainModel(newName, null, null, old.counters, old.rules));
        for (Ruleset.ChainModel c : t.chains()) {
            c.rules.replaceAll(r -> chain.equals(r.jump()) ? r.withJump(newName) : r);
        }
    }

    private void setPolicy(Ruleset.TableModel t) {
        Ruleset.ChainModel c = t.chain(chain);
        if (c == null || c.builtin == null) {
            throw IptablesException.refused("iptables: Bad built-in chain name.");
        }
        if (!policy.equals("ACCEPT") && !policy.equals("DROP")) {
            throw IptablesException.refused("iptables: Bad policy name. Run `dmesg' for more information.");
        }
        c.policy = Verdict.valueOf(policy);
    }
}
