package io.ustack.core.netfilter.rules;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.netfilter.HookFunction;
import io.ustack.core.netfilter.HookState;
import io.ustack.core.netfilter.Netfilter;
import io.ustack.core.netfilter.NfProto;
import io.ustack.core.netfilter.Verdict;
import io.ustack.core.netfilter.conntrack.Conntrack;
import io.ustack.core.netfilter.nat.NfNat;
import io.ustack.core.route.Fib;
import io.ustack.core.time.Clock;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * ip_tables (and, for {@link NfProto#IPV6}, ip6_tables: one engine, the family a parameter, as both walk
 * the same x_tables): the raw, mangle, nat and filter tables, changed by iptables command lines ({@link #execute}),
 * written and read in iptables-save's format ({@link #save}, {@link #restore}), and walked by
 * {@link #walk} as ipt_do_table walks a table: the first matching rule's target decides, a jump descends
 * into a user-defined chain (RETURN, or its end, comes back), and a built-in chain's policy decides what
 * falls off its end.
 *
 * <p>Every change is made on a copy of the tables and committed whole ({@link #commit}): checked first
 * (no jump loops; every target and match usable from every hook that reaches it, as xt_check_target and
 * mark_source_chains check a new table), then compiled to immutable {@link RuleSet}s with jumps resolved
 * to chain indices and swapped in at once, so packets walk either the old tables or the new ones, and a
 * restore with a bad line in it changes nothing.
 *
 * <p>Cost on the packet path: a table's function is registered on a hook only while that built-in chain
 * has rules or a DROP policy, so an unused chain costs nothing. Otherwise the packet's fields are read once
 * ({@link XtPacket}) and the walk compares integers from packed arrays, a jump costing what a rule costs
 * (a push and an index), with no allocation.
 */
public final class IpTables {
    /** One table ready for packets: per chain its rules and, for the built-in ones, policy and counters. */
    private record Compiled(RuleSet[] sets, Verdict[] policies, Ruleset.PolicyCounters[] counters, int[] builtin) {
    }

    private final NfProto family;
    private final Netfilter netfilter;
    private final Conntrack conntrack;
    private final NfNat nat;
    private final XtEnv env;
    private final AtomicReferenceArray<Compiled> compiled = new AtomicReferenceArray<>(Table.values().length);
    private final HookFunction[][] functions = new HookFunction[Table.values().length][Chain.values().length];
    private final boolean[][] registered = new boolean[Table.values().length][Chain.values().length];
    private Ruleset committed;
    private int conntrackHolds;
    private int natHolds;

    /**
     * ip_tables on IPv4's hooks: REJECT answers through {@code reject}, NAT through {@code nat}, addrtype asks
     * {@code fib}.
     */
    public IpTables(Netfilter netfilter, RejectSender reject, Conntrack conntrack, NfNat nat, Fib fib, Clock clock) {
        this(NfProto.IPV4, netfilter, reject, conntrack, nat, fib, clock);
    }

    /**
     * ip6_tables on IPv6's hooks ({@code netfilter}): REJECT answers through {@code reject}; the matches and
     * targets that read IPv4 headers or need NAT are not there for its rules (see {@link Modules}).
     */
    public static IpTables ipv6(Netfilter netfilter, RejectSender reject, Conntrack conntrack, Clock clock) {
        return new IpTables(NfProto.IPV6, netfilter, reject, conntrack, null, null, clock);
    }

    private IpTables(NfProto family, Netfilter netfilter, RejectSender reject, Conntrack conntrack, NfNat nat, Fib fib,
                     Clock clock) {
        this.family = family;
        this.committed = new Ruleset(family);
        this.netfilter = netfilter;
        this.conntrack = conntrack;
        this.nat = nat;
        this.env = new XtEnv(reject, nat, fib, clock, new RecentTables());
        for (Table t : Table.values()) {
            for (Chain c : t.chains()) {
                functions[t.ordinal()][c.ordinal()] = (pkt, state) -> doTable(t, c, pkt, state);
            }
        }
    }

    /**
     * iptables ARGS: carries out one command line, as iptables would, and answers what it prints (a
     * listing, or nothing). Refusals are {@link IptablesException}s in iptables' words, with its exit status.
     */
    public synchronized String execute(List<String> args) {
        try {
            IptablesCommand c = IptablesCommand.parse(args);
            Ruleset tx = committed.copy();
            String out = c.execute(tx);
            commit(tx);
            return out;
        } catch (IptablesException e) {
            throw e.by(family.tool());
        }
    }

    /** The family whose hooks these tables sit on. */
    public NfProto family() {
        return family;
    }

    /** {@link #execute} for a command line in one string, split as iptables-restore splits its lines. */
    public String iptables(String commandLine) {
        return execute(SaveFormat.split(commandLine));
    }

    /** iptables-save [-c]: every table in use, in iptables-save's format. */
    public synchronized String save(boolean counters) {
        return SaveFormat.save(committed, counters);
    }

    /**
     * iptables-restore [--noflush] [--counters]: reads {@code text} in iptables-save's format and replaces each
     * table it names (or, with {@code noflush}, adds to it), all or nothing: a line that fails leaves every
     * table as it was, and the exception names the line.
     */
    public synchronized void restore(String text, boolean noflush, boolean counters) {
        try {
            Ruleset tx = committed.copy();
            SaveFormat.restore(tx, text, noflush, counters);
            commit(tx);
        } catch (IptablesException e) {
            throw e.by(family.tool());
        }
    }

    /**
     * iptables-restore of a whole ruleset, as a configuration file gives one: the tables {@code text} names
     * as it says them, and every other table empty with ACCEPT policies, all or nothing.
     */
    public synchronized void replace(String text) {
        try {
            Ruleset tx = new Ruleset(family);
            SaveFormat.restore(tx, text, false, false);
            commit(tx);
        } catch (IptablesException e) {
            throw e.by(family.tool());
        }
    }

    /** The rules of {@code chain} in {@code table}, with their counters; empty for a chain that does not exist. */
    public synchronized List<Rule> rules(Table table, String chain) {
        Ruleset.TableModel t = committed.tables.get(table);
        Ruleset.ChainModel c = t == null ? null : t.chain(chain);
        return c == null ? List.of() : List.copyOf(c.rules);
    }

    /** How many packets the policy of a built-in chain decided. */
    public synchronized long policyPackets(Table table, Chain chain) {
        Ruleset.TableModel t = committed.tables.get(table);
        return t == null ? 0 : t.builtins.get(chain).counters.packets.sum();
    }

    /** How many bytes (of IP) the policy of a built-in chain decided. */
    public synchronized long policyBytes(Table table, Chain chain) {
        Ruleset.TableModel t = committed.tables.get(table);
        return t == null ? 0 : t.builtins.get(chain).counters.bytes.sum();
    }

    /** Checks {@code tx}, then makes it the tables packets walk, holding conntrack and NAT as its rules need. */
    private void commit(Ruleset tx) {
        Map<Table, Compiled> next = new HashMap<>();
        for (Ruleset.TableModel t : tx.tables.values()) {
            next.put(t.table, compile(t));
        }
        int ctNeeded = 0;
        int natNeeded = 0;
        for (Ruleset.TableModel t : tx.tables.values()) {
            for (Ruleset.ChainModel c : t.chains()) {
                for (Rule r : c.rules) {
                    // the nat table sees only packets conntrack has classified, and holds nf_nat (iptable_nat)
                    ctNeeded += r.needsConntrack() || t.table == Table.NAT ? 1 : 0;
                    natNeeded += t.table == Table.NAT ? 1 : 0;
                }
            }
        }
        for (; conntrackHolds < ctNeeded; conntrackHolds++) {
            conntrack.get(family);
        }
        for (; natHolds < natNeeded; natHolds++) {
            nat.get();
        }
        next.forEach((t, c) -> compiled.set(t.ordinal(), c));
        committed = tx;
        for (Ruleset.TableModel t : tx.tables.values()) {
            for (Ruleset.ChainModel c : t.builtins.values()) {
                if (c.pendingCounters != null) {
                    c.counters.set(c.pendingCounters[0], c.pendingCounters[1]);
                    c.pendingCounters = null;
                }
                updateHook(t.table, c);
            }
        }
        for (; natHolds > natNeeded; natHolds--) {
            nat.put();
        }
        for (; conntrackHolds > ctNeeded; conntrackHolds--) {
            conntrack.put(family);
        }
    }

    /** nf_register_net_hook / nf_unregister_net_hook as a built-in chain comes to need its function or stops. */
    private void updateHook(Table table, Ruleset.ChainModel c) {
        boolean needed = !c.rules.isEmpty() || c.policy != Verdict.ACCEPT;
        int t = table.ordinal();
        int h = c.builtin.ordinal();
        String name = family.tool() + " " + table.text() + " " + c.name;
        if (needed && !registered[t][h]) {
            netfilter.register(c.builtin.hook(), table.priority(c.builtin), name, functions[t][h]);
        } else if (!needed && registered[t][h]) {
            netfilter.unregister(c.builtin.hook(), name);
        }
        registered[t][h] = needed;
    }

    /**
     * translate_table: chain indices for the jumps, then mark_source_chains' walk from each built-in chain,
     * which finds loops and which hooks reach each chain, then each reached rule's checks.
     */
    private static Compiled compile(Ruleset.TableModel t) {
        List<Ruleset.ChainModel> chains = t.chains();
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < chains.size(); i++) {
            index.put(chains.get(i).name, i);
        }
        int n = chains.size();
        int[][] jumps = new int[n][];
        for (int i = 0; i < n; i++) {
            List<Rule> rules = chains.get(i).rules;
            jumps[i] = new int[rules.size()];
            for (int k = 0; k < rules.size(); k++) {
                String j = rules.get(k).jump();
                jumps[i][k] = j == null ? -1 : index.get(j);
            }
        }
        int[] hooks = new int[n];
        int[] builtin = new int[Chain.values().length];
        Arrays.fill(builtin, -1);
        for (Chain c : t.table.chains()) {
            builtin[c.ordinal()] = index.get(c.name());
            markSource(index.get(c.name()), c.bit(), jumps, hooks, new boolean[n]);
        }
        RuleSet[] sets = new RuleSet[n];
        Verdict[] policies = new Verdict[n];
        Ruleset.PolicyCounters[] counters = new Ruleset.PolicyCounters[n];
        for (int i = 0; i < n; i++) {
            Ruleset.ChainModel c = chains.get(i);
            if (hooks[i] != 0) {
                for (Rule r : c.rules) {
                    check(r, t.table, hooks[i]);
                }
            }
            sets[i] = new RuleSet(c.rules.toArray(new Rule[0]), jumps[i]);
            policies[i] = c.policy;
            counters[i] = c.counters;
        }
        return new Compiled(sets, policies, counters, builtin);
    }

    /** mark_source_chains: {@code hook} reaches chain {@code i} and everything it jumps to; a cycle is refused. */
    private static void markSource(int i, int hook, int[][] jumps, int[] hooks, boolean[] onPath) {
        if (onPath[i]) {
            throw IptablesException.refused("iptables: Too many levels of symbolic links.");
        }
        if ((hooks[i] & hook) != 0) {
            return; // reached from this hook already, and found loop-free then
        }
        hooks[i] |= hook;
        onPath[i] = true;
        for (int j : jumps[i]) {
            if (j >= 0) {
                markSource(j, hook, jumps, hooks, onPath);
            }
        }
        onPath[i] = false;
    }

    /** xt_check_match and xt_check_target for a rule reached from {@code hooks}. */
    private static void check(Rule r, Table table, int hooks) {
        for (Match m : r.matches) {
            if ((hooks & ~m.hooks()) != 0) {
                throw invalid(m.name() + " match: used from hooks " + Chain.names(hooks)
                        + ", but only valid from " + Chain.names(m.hooks()));
            }
        }
        String why = r.target == null ? null : r.target.check(r, table, hooks);
        if (why != null) {
            throw invalid(why);
        }
    }

    /** EINVAL from the kernel, with what its log line would have said. */
    private static IptablesException invalid(String why) {
        return IptablesException.refused("iptables: Invalid argument: " + why + ".");
    }

    /** The hook function of one built-in chain. Borrows {@code pkt}. */
    private Verdict doTable(Table table, Chain chain, PacketBuffer pkt, HookState state) {
        // iptable_nat: the table decides a connection's binding on its first packet only
        if (table == Table.NAT && !NfNat.decides(pkt, chain == Chain.POSTROUTING || chain == Chain.INPUT)) {
            return Verdict.ACCEPT;
        }
        Compiled t = compiled.get(table.ordinal());
        XtPacket p = XtPacket.acquire();
        try {
            if (family == NfProto.IPV6) {
                p.load6(pkt, state, env);
            } else {
                p.load(pkt, state, env);
            }
            return walk(t, t.builtin[chain.ordinal()], p);
        } finally {
            p.release();
        }
    }

    /** ipt_do_table from built-in chain {@code start}. */
    private static Verdict walk(Compiled t, int start, XtPacket p) {
        int c = start;
        RuleSet rs = t.sets[c];
        int i = 0;
        int sp = 0;
        while (true) {
            int k = p.v6 ? rs.next6(i, p.proto, p.saddr6Hi, p.saddr6Lo, p.daddr6Hi, p.daddr6Lo)
                    : rs.next(i, p.proto, p.saddr, p.daddr, p.fragment);
            if (k >= 0 && !rs.rules[k].matchesRest(p)) {
                i = k + 1;
                continue;
            }
            int v;
            if (k < 0) {
                v = Target.RETURN; // the end of a chain returns as RETURN does
            } else {
                Rule r = rs.rules[k];
                r.count(p.len);
                int j = rs.jumps[k];
                if (j >= 0) {
                    if (!((StandardTarget) r.target).isGoto()) {
                        p.ensureDepth(sp);
                        p.stackChain[sp] = c;
                        p.stackRule[sp] = k + 1;
                        sp++;
                    }
                    c = j;
                    rs = t.sets[c];
                    i = 0;
                    continue;
                }
                v = r.target == null ? Target.CONTINUE : r.target.fire(p);
                if (v == Target.CONTINUE) {
                    i = k + 1;
                    continue;
                }
            }
            if (v == Target.RETURN) {
                if (sp == 0) {
                    Ruleset.PolicyCounters pc = t.counters[start];
                    pc.packets.increment();
                    pc.bytes.add(p.len);
                    return t.policies[start];
                }
                sp--;
                c = p.stackChain[sp];
                i = p.stackRule[sp];
                rs = t.sets[c];
                continue;
            }
            return v == Target.ACCEPT ? Verdict.ACCEPT : Verdict.DROP;
        }
    }
}
