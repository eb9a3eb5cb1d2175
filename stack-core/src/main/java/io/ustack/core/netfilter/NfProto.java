package io.ustack.core.netfilter;

/**
 * The netfilter families this stack has (NFPROTO_IPV4, NFPROTO_IPV6): each has its own five hooks, its own
 * tables (ip_tables, ip6_tables) and its own tool's name, in which the tables' messages speak.
 */
public enum NfProto {
    IPV4("iptables"),
    IPV6("ip6tables");

    private final String tool;

    NfProto(String tool) {
        this.tool = tool;
    }

    /** The tool that edits this family's tables, as its messages name it: iptables or ip6tables. */
    public String tool() {
        return tool;
    }
}
