package io.ustack.core.netfilter.rules;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.netfilter.HookFunction;
import io.ustack.core.netfilter.HookState;
import io.ustack.core.netfilter.Netfilter;
import io.ustack.core.netfilter.Verdict;
import io.ustack.core.netfilter.conntrack.Conntrack;
import io.ustack.core.netfilter.conntrack.CtInfo;
import io.ustack.core.netfilter.nat.NfNat;
import io.ustack.core.wire.Ipv4Packet;
import io.ustack.core.wire.TcpSegment;
import io.ustack.core.wire.UdpDatagram;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * ip_tables: the five built-in chains with their rules and policies, walked by {@link #doTable} as
 * ipt_do_table walks a table: first matching rule decides, else the chain's policy.
 *
 * <p>Cost on the packet path: a chain's function is registered on its hook only while the chain has rules
 * or a DROP policy, so an empty ACCEPT chain costs nothing (the netfilter core skips a hook with no
 * functions). Otherwise the packet's fields are read once and the walk compares integers, first match wins:
 * linear in the rules, with no allocation per packet. Protocol and addresses, which turn most packets away,
 * are checked from one packed array ({@link RuleSet}); interfaces, ports and state only for rules that pass.
 *
 * <p>Changes swap a chain's rule array whole (copy on write, like iptables replacing a table), so packets
 * walk a consistent chain without a lock; the rules keep their counters across the swap.
 */
public final class IpTables {
    /** A chain's current contents as a listing shows them. */
    public record ChainView(Chain chain, Verdict policy, long packets, long bytes, List<Rule> rules) {
    }

    /** One chain: its rules, policy and policy counters, and the hook function that walks it. */
    private final class ChainTable {
        final Chain chain;
        final String hookName;
        final HookFunction fn;
        volatile RuleSet rules = RuleSet.EMPTY;
        volatile Verdict policy = Verdict.ACCEPT;
        final LongAdder policyPackets = new LongAdder();
        final LongAdder policyBytes = new LongAdder();
        boolean registered;

        ChainTable(Chain chain) {
            this.chain = chain;
            this.hookName = "iptables " + chain;
            this.fn = (pkt, state) -> doTable(this, pkt, state);
        }
    }

    private final Netfilter netfilter;
    private final NfReject reject;
    private final Conntrack conntrack;
    private final NfNat nat;
    private final ChainTable[] chains = new ChainTable[Chain.values().length];

    public IpTables(Netfilter netfilter, NfReject reject, Conntrack conntrack, NfNat nat) {
        this.netfilter = netfilter;
        this.reject = reject;
        this.conntrack = conntrack;
        this.nat = nat;
        for (Chain c : Chain.values()) {
            chains[c.ordinal()] = new ChainTable(c);
        }
    }

    /** iptables -A: adds {@code rule} (parsed for this chain) at the end; returns its number (from 1). */
    public synchronized int append(Chain chain, Rule rule) {
        ChainTable t = chains[chain.ordinal()];
        insertAt(t, t.rules.size(), rule);
        return t.rules.size();
    }

    /** iptables -I CHAIN NUM: inserts {@code rule} so that it becomes rule {@code num} (from 1). */
    public synchronized void insert(Chain chain, int num, Rule rule) {
        ChainTable t = chains[chain.ordinal()];
        if (num < 1 || num > t.rules.size() + 1) {
            throw new IllegalArgumentException("cannot insert at " + num + " in " + chain + ": it has "
                    + rules(t.rules.size()) + ", so the position must be from 1 to " + (t.rules.size() + 1));
        }
        insertAt(t, num - 1, rule);
    }

    private void insertAt(ChainTable t, int index, Rule rule) {
        Rule[] old = t.rules.rules;
        Rule[] next = new Rule[old.length + 1];
        System.arraycopy(old, 0, next, 0, index);
        next[index] = rule;
        System.arraycopy(old, index, next, index + 1, old.length - index);
        if (rule.needsConntrack()) {
            conntrack.get();
        }
        if (rule.target().isNat()) {
            nat.get();
        }
        t.rules = new RuleSet(next);
        updateHook(t);
    }

    /** iptables -D CHAIN NUM: removes rule {@code num} (from 1) and returns it. */
    public synchronized Rule delete(Chain chain, int num) {
        ChainTable t = chains[chain.ordinal()];
        Rule[] old = t.rules.rules;
        if (num < 1 || num > old.length) {
            throw new IllegalArgumentException(chain + " has no rule " + num + "; it has " + rules(old.length));
        }
        Rule gone = old[num - 1];
        Rule[] next = new Rule[old.length - 1];
        System.arraycopy(old, 0, next, 0, num - 1);
        System.arraycopy(old, num, next, num - 1, old.length - num);
        t.rules = new RuleSet(next);
        updateHook(t);
        release(gone);
        return gone;
    }

    /** iptables -P: the verdict for packets no rule matched, ACCEPT or DROP. */
    public synchronized void setPolicy(Chain chain, Verdict policy) {
        if (policy != Verdict.ACCEPT && policy != Verdict.DROP) {
            throw new IllegalArgumentException("a policy is ACCEPT or DROP, not " + policy);
        }
        ChainTable t = chains[chain.ordinal()];
        t.policy = policy;
        updateHook(t);
    }

    /** iptables -F CHAIN: removes every rule of the chain; its policy stays. Returns how many went. */
    public synchronized int flush(Chain chain) {
        ChainTable t = chains[chain.ordinal()];
        Rule[] gone = t.rules.rules;
        t.rules = RuleSet.EMPTY;
        updateHook(t);
        for (Rule r : gone) {
            release(r);
        }
        return gone.length;
    }

    public ChainView list(Chain chain) {
        ChainTable t = chains[chain.ordinal()];
        return new ChainView(chain, t.policy, t.policyPackets.sum(), t.policyBytes.sum(), List.of(t.rules.rules));
    }

    /** Every chain, in hook order. */
    public List<ChainView> list() {
        List<ChainView> out = new ArrayList<>();
        for (Chain c : Chain.values()) {
            out.add(list(c));
        }
        return out;
    }

    /** A rule leaves: its hold on conntrack and NAT goes with it (nf_ct_netns_put in its destroy). */
    private void release(Rule r) {
        if (r.target().isNat()) {
            nat.put();
        }
        if (r.needsConntrack()) {
            conntrack.put();
        }
    }

    /** nf_register_net_hook / nf_unregister_net_hook as the chain comes to need a function or stops needing one. */
    private void updateHook(ChainTable t) {
        boolean needed = t.rules.size() > 0 || t.policy != Verdict.ACCEPT;
        if (needed && !t.registered) {
            netfilter.register(t.chain.hook(), t.chain.priority(), t.hookName, t.fn);
        } else if (!needed && t.registered) {
            netfilter.unregister(t.chain.hook(), t.hookName);
        }
        t.registered = needed;
    }

    /**
     * ipt_do_table for one chain: reads the packet's addresses, protocol, ports and state once, then the first
     * matching rule's target decides; no match, the policy. Borrows {@code pkt} (REJECT answers it, then
     * drops it by its DROP verdict).
     */
    private Verdict doTable(ChainTable t, PacketBuffer pkt, HookState state) {
        RuleSet rules = t.rules;
        Ipv4Packet ip = Ipv4Packet.wrap(pkt, pkt.networkHeader());
        int len = ip.totalLength();
        int proto = ip.protocol();
        int saddr = ip.saddr();
        int daddr = ip.daddr();
        int sport = Rule.ANY_PORT;
        int dport = Rule.ANY_PORT;
        if (ip.fragmentOffset() == 0) {
            int l4 = ip.offset() + ip.headerLength();
            if (proto == Ipv4Packet.IPPROTO_TCP) {
                TcpSegment th = TcpSegment.wrap(pkt, l4);
                if (th != null) {
                    sport = th.sourcePort();
                    dport = th.destinationPort();
                }
            } else if (proto == Ipv4Packet.IPPROTO_UDP) {
                UdpDatagram uh = UdpDatagram.wrap(pkt, l4);
                if (uh != null) {
                    sport = uh.sourcePort();
                    dport = uh.destinationPort();
                }
            }
        }
        CtInfo ctinfo = pkt.nfctInfo();
        int stateBit = ctinfo == null ? CtInfo.STATE_INVALID : ctinfo.stateBit();
        for (int i = rules.next(0, proto, saddr, daddr); i >= 0; i = rules.next(i + 1, proto, saddr, daddr)) {
            Rule r = rules.rules[i];
            Target target = r.target();
            // the nat table only sees a connection's first packet, while its binding is still undecided
            if (target.isNat() && !NfNat.decides(pkt, target.isSourceNat())) {
                continue;
            }
            if (r.matchesRest(sport, dport, state.in(), state.out(), stateBit)) {
                r.count(len);
                return fire(target, pkt);
            }
        }
        t.policyPackets.increment();
        t.policyBytes.add(len);
        return t.policy;
    }

    /**
     * The target's action. REJECT answers, then drops like DROP. The NAT targets choose the connection's
     * binding and accept (nf_nat then rewrites the packet at its own priority); they drop when no source
     * port is free, or, for MASQUERADE, when the route out has no source address to use.
     */
    private Verdict fire(Target target, PacketBuffer pkt) {
        switch (target.kind()) {
            case ACCEPT:
                return Verdict.ACCEPT;
            case DROP:
                return Verdict.DROP;
            case REJECT:
                if (target.rejectWith() == RejectWith.TCP_RESET) {
                    reject.sendReset(pkt);
                } else {
                    reject.sendUnreach(pkt, target.rejectWith().icmpCode());
                }
                return Verdict.DROP;
            case SNAT:
                return nat.setupSource(pkt, target.addr(), target.portLo(), target.portHi()) ? Verdict.ACCEPT : Verdict.DROP;
            case MASQUERADE:
                return nat.masquerade(pkt, target.portLo(), target.portHi()) ? Verdict.ACCEPT : Verdict.DROP;
            default:
                nat.setupDestination(pkt, target.addr(), target.portLo());
                return Verdict.ACCEPT;
        }
    }

    private static String rules(int n) {
        return n == 0 ? "no rules" : n == 1 ? "1 rule" : n + " rules";
    }
}
