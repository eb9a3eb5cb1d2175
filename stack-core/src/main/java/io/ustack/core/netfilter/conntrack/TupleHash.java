package io.ustack.core.netfilter.conntrack;

import io.ustack.core.wire.Ipv6Address;

/**
 * struct nf_conntrack_tuple_hash: one direction of a connection as the packets going that way carry it, and
 * its link in the table's bucket. For TCP and UDP {@code sport}/{@code dport} are the ports; for ICMP
 * {@code sport} is the echo identifier and {@code dport} the type and code ({@code type << 8 | code}), as
 * the kernel keeps them in src.u.icmp.id and dst.u.icmp.type/code. An IPv6 direction keeps its addresses in
 * {@link #src6} and {@link #dst6}, and in {@link #src} and {@link #dst} their {@link #fold}s, which the table
 * hashes as it hashes IPv4's: an IPv4 lookup still compares ints (and two nulls) and allocates nothing.
 */
final class TupleHash {
    int src;
    int dst;
    /** An IPv6 connection's addresses; null for IPv4. */
    final Ipv6Address src6;
    final Ipv6Address dst6;
    int sport;
    int dport;
    final boolean reply;
    final Conn ct;
    /** The next entry in the same bucket. */
    TupleHash next;

    TupleHash(Conn ct, boolean reply, int src, int dst, int sport, int dport) {
        this(ct, reply, src, dst, null, null, sport, dport);
    }

    TupleHash(Conn ct, boolean reply, Ipv6Address src6, Ipv6Address dst6, int sport, int dport) {
        this(ct, reply, fold(src6), fold(dst6), src6, dst6, sport, dport);
    }

    private TupleHash(Conn ct, boolean reply, int src, int dst, Ipv6Address src6, Ipv6Address dst6, int sport, int dport) {
        this.ct = ct;
        this.reply = reply;
        this.src = src;
        this.dst = dst;
        this.src6 = src6;
        this.dst6 = dst6;
        this.sport = sport;
        this.dport = dport;
    }

    /** An IPv6 address as the int the table hashes it by (null: 0). */
    static int fold(Ipv6Address a) {
        if (a == null) {
            return 0;
        }
        long x = a.hi() ^ Long.rotateLeft(a.lo(), 17);
        return (int) (x ^ (x >>> 32));
    }

    /**
     * nf_ct_tuple_equal, against fields read from a packet: an IPv4 tuple's {@code src6} and {@code dst6} are
     * null, an IPv6 tuple's {@code src} and {@code dst} their folds.
     */
    boolean matches(int protocol, int src, int dst, Ipv6Address src6, Ipv6Address dst6, int sport, int dport) {
        return this.src == src && this.dst == dst && this.sport == sport && this.dport == dport
                && ct.protocol == protocol && same(this.src6, src6) && same(this.dst6, dst6);
    }

    private static boolean same(Ipv6Address a, Ipv6Address b) {
        return a == b || (a != null && a.equals(b));
    }

    void set(int src, int dst, int sport, int dport) {
        this.src = src;
        this.dst = dst;
        this.sport = sport;
        this.dport = dport;
    }
}
