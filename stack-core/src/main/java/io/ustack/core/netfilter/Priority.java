package io.ustack.core.netfilter;

/**
 * enum nf_ip_hook_priorities: where the parts of netfilter sit in a hook's order (lower runs first), so
 * that conntrack has classified a packet before the rules look at its state and NAT translates it after
 * the rules chose a binding.
 */
public final class Priority {
    /** NF_IP_PRI_CONNTRACK_DEFRAG: reassembly before conntrack, which needs whole datagrams. */
    public static final int CONNTRACK_DEFRAG = -400;
    /** NF_IP_PRI_RAW: the raw table, before conntrack, so that NOTRACK keeps a packet out of it. */
    public static final int RAW = -300;
    /** NF_IP_PRI_CONNTRACK: nf_conntrack_in finds or creates the packet's connection. */
    public static final int CONNTRACK = -200;
    /** NF_IP_PRI_MANGLE: the PREROUTING chain, after conntrack and before destination NAT. */
    public static final int MANGLE = -150;
    /** NF_IP_PRI_NAT_DST: destination NAT (and undoing source NAT on replies) before routing. */
    public static final int NAT_DST = -100;
    /** NF_IP_PRI_FILTER: the INPUT, FORWARD, OUTPUT and POSTROUTING chains. */
    public static final int FILTER = 0;
    /** NF_IP_PRI_NAT_SRC: source NAT (and undoing destination NAT on replies) after the rules. */
    public static final int NAT_SRC = 100;
    /** NF_IP_PRI_CONNTRACK_CONFIRM: a new connection enters the table once its first packet has passed. */
    public static final int CONNTRACK_CONFIRM = Integer.MAX_VALUE;

    private Priority() {
    }
}
