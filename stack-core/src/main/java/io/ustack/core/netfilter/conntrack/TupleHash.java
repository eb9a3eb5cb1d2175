package io.ustack.core.netfilter.conntrack;

/**
 * struct nf_conntrack_tuple_hash: one direction of a connection as the packets going that way carry it, and
 * its link in the table's bucket. For TCP and UDP {@code sport}/{@code dport} are the ports; for ICMP
 * {@code sport} is the echo identifier and {@code dport} the type and code ({@code type << 8 | code}), as
 * the kernel keeps them in src.u.icmp.id and dst.u.icmp.type/code.
 */
final class TupleHash {
    int src;
    int dst;
    int sport;
    int dport;
    final boolean reply;
    final Conn ct;
    /** The next entry in the same bucket. */
    TupleHash next;

    TupleHash(Conn ct, boolean reply, int src, int dst, int sport, int dport) {
        this.ct = ct;
        this.reply = reply;
        this.src = src;
        this.dst = dst;
        this.sport = sport;
        this.dport = dport;
    }

    /** nf_ct_tuple_equal, against fields read from a packet. */
    boolean matches(int protocol, int src, int dst, int sport, int dport) {
        return this.src == src && this.dst == dst && this.sport == sport && this.dport == dport
                && ct.protocol == protocol;
    }

    void set(int src, int dst, int sport, int dport) {
        this.src = src;
        this.dst = dst;
        this.sport = sport;
        this.dport = dport;
    }
}
