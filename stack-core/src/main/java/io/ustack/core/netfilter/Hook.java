package io.ustack.core.netfilter;

/** The five netfilter hook points (enum nf_inet_hooks), in the order a forwarded packet meets them. */
public enum Hook {
    /** NF_INET_PRE_ROUTING: every IPv4 packet received, after ip_rcv's checks, before routing. */
    PRE_ROUTING,
    /** NF_INET_LOCAL_IN: packets for this host, after reassembly, before the protocol handler. */
    LOCAL_IN,
    /** NF_INET_FORWARD: packets routed through this host. */
    FORWARD,
    /** NF_INET_LOCAL_OUT: packets this host sends, after routing. */
    LOCAL_OUT,
    /** NF_INET_POST_ROUTING: every packet leaving, before fragmentation and the neighbour layer. */
    POST_ROUTING
}
