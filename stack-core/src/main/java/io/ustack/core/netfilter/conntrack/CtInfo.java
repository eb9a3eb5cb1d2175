package io.ustack.core.netfilter.conntrack;

/**
 * enum ip_conntrack_info: how a packet relates to its connection. The first three are the original
 * direction, the last two the reply direction (IP_CT_IS_REPLY and above); NEW exists only originally.
 */
public enum CtInfo {
    /** IP_CT_ESTABLISHED: the original direction of a connection that has seen a reply. */
    ESTABLISHED,
    /** IP_CT_RELATED: an ICMP error (or REJECT's reset) about a connection, original direction. */
    RELATED,
    /** IP_CT_NEW: a connection's first packet, or a later one while no reply has been seen. */
    NEW,
    /** IP_CT_ESTABLISHED_REPLY: the reply direction. */
    ESTABLISHED_REPLY,
    /** IP_CT_RELATED_REPLY. */
    RELATED_REPLY,
    /**
     * IP_CT_UNTRACKED: the raw table's NOTRACK (CT --notrack) kept the packet out of conntrack; it has no
     * connection, and conntrack leaves it alone.
     */
    UNTRACKED;

    /** The --state bit that matches no connection at all: XT_STATE_INVALID. */
    public static final int STATE_INVALID = 1;
    /** XT_STATE_BIT(IP_CT_ESTABLISHED), XT_STATE_BIT(IP_CT_RELATED) and XT_STATE_BIT(IP_CT_NEW). */
    public static final int STATE_ESTABLISHED = 1 << 1;
    public static final int STATE_RELATED = 1 << 2;
    public static final int STATE_NEW = 1 << 3;
    /** XT_STATE_UNTRACKED: 1 << (IP_CT_NUMBER + 1). */
    public static final int STATE_UNTRACKED = 1 << 6;

    /** CTINFO2DIR: whether the packet goes the reply way. */
    public boolean isReply() {
        return this == ESTABLISHED_REPLY || this == RELATED_REPLY;
    }

    public boolean isRelated() {
        return this == RELATED || this == RELATED_REPLY;
    }

    /** XT_STATE_BIT: the --state bit of a packet with this ctinfo (directions share a bit). */
    public int stateBit() {
        if (this == UNTRACKED) {
            return STATE_UNTRACKED;
        }
        return 1 << (ordinal() % ESTABLISHED_REPLY.ordinal() + 1);
    }
}
