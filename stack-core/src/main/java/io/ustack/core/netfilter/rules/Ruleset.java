package io.ustack.core.netfilter.rules;

import io.ustack.core.netfilter.NfProto;
import io.ustack.core.netfilter.Verdict;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The tables as commands edit them: per table its built-in chains (policy, policy counters) and its
 * user-defined chains, each a list of rules. A command or a whole restore works on a {@link #copy()} and
 * {@link IpTables} commits the copy in one step, so that a failure half-way changes nothing (as the kernel
 * replaces a table whole). Copies share the {@link Rule}s and counters, so counters live on through edits.
 */
final class Ruleset {
    /** A built-in chain's policy counters: what fell off the end of the chain. */
    static final class PolicyCounters {
        final LongAdder packets = new LongAdder();
        final LongAdder bytes = new LongAdder();

        void set(long p, long b) {
            packets.reset();
            bytes.reset();
            packets.add(p);
            bytes.add(b);
        }
    }

    static final class ChainModel {
        final String name;
        /** The hook chain for a built-in chain, null for a user-defined one. */
        final Chain builtin;
        Verdict policy;
        final PolicyCounters counters;
        final List<Rule> rules;
        /** Policy counters a restore with --counters sets once it is committed; null for none. */
        long[] pendingCounters;

        ChainModel(String name, Chain builtin, Verdict policy, PolicyCounters counters, List<Rule> rules) {
            this.name = name;
            this.builtin = builtin;
            this.policy = policy;
            this.counters = counters;
            this.rules = rules;
        }

        ChainModel copy() {
            ChainModel c = new ChainModel(name, builtin, policy, counters, new ArrayList<>(rules));
            c.pendingCounters = pendingCounters;
            return c;
        }
    }

    static final class TableModel {
        final Table table;
        /** Whose table it is: its rules are read as iptables or ip6tables reads them. */
        final NfProto family;
        final Map<Chain, ChainModel> builtins = new EnumMap<>(Chain.class);
        final TreeMap<String, ChainModel> users = new TreeMap<>();

        TableModel(Table table, NfProto family) {
            this.table = table;
            this.family = family;
            for (Chain c : table.chains()) {
                builtins.put(c, new ChainModel(c.name(), c, Verdict.ACCEPT, new PolicyCounters(), new ArrayList<>()));
            }
        }

        private TableModel(TableModel from) {
            this.table = from.table;
            this.family = from.family;
            from.builtins.forEach((c, m) -> builtins.put(c, m.copy()));
            from.users.forEach((n, m) -> users.put(n, m.copy()));
        }

        /** The chain named {@code name}, built-in or user-defined, or null. */
        ChainModel chain(String name) {
            Chain c = Chain.byName(name);
            if (c != null && builtins.containsKey(c)) {
                return builtins.get(c);
            }
            return users.get(name);
        }

        /** Built-in chains in their order, then user-defined ones by name: as iptables lists them. */
        List<ChainModel> chains() {
            List<ChainModel> all = new ArrayList<>(builtins.values());
            all.addAll(users.values());
            return all;
        }

        /** How many rules jump or go to {@code name} (a user chain's "references"). */
        int references(String name) {
            int n = 0;
            for (ChainModel c : chains()) {
                for (Rule r : c.rules) {
                    if (name.equals(r.jump())) {
                        n++;
                    }
                }
            }
            return n;
        }
    }

    final NfProto family;
    final Map<Table, TableModel> tables = new LinkedHashMap<>();

    Ruleset(NfProto family) {
        this.family = family;
    }

    /** The table, loaded on first use as the kernel loads iptable_* modules; iptables-save lists them in that order. */
    TableModel table(Table t) {
        return tables.computeIfAbsent(check(t), u -> new TableModel(u, family));
    }

    /** A new empty {@code t} in place of what the table held (a restore that flushes it). */
    TableModel replaceTable(Table t) {
        TableModel m = new TableModel(check(t), family);
        tables.put(t, m);
        return m;
    }

    /**
     * {@code t}, if this family has it: ustack's IPv6 has no nat table (ip6table_nat), as it does no IPv6 NAT,
     * and says so rather than take rules it could not carry out.
     */
    private Table check(Table t) {
        if (family == NfProto.IPV6 && t == Table.NAT) {
            throw new IptablesException(IptablesCommand.NO_TABLE, "table 'nat' does not exist (ustack does no IPv6 NAT)");
        }
        return t;
    }

    Ruleset copy() {
        Ruleset r = new Ruleset(family);
        tables.forEach((t, m) -> r.tables.put(t, new TableModel(m)));
        return r;
    }
}
