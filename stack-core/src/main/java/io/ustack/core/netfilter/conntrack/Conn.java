package io.ustack.core.netfilter.conntrack;

import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.Ipv4Packet;
import io.ustack.core.wire.Ipv6Address;
import io.ustack.core.wire.Ipv6Packet;

/**
 * struct nf_conn: one tracked connection, its two directions ({@link TupleHash}), its status bits, its
 * deadline and, for TCP, what conntrack believes of its state. All mutable fields are guarded by the
 * {@link ConntrackTable}'s lock.
 */
public final class Conn {
    /** enum ip_conntrack_status bits this stack uses. */
    static final int IPS_SEEN_REPLY = 1 << 1;
    static final int IPS_ASSURED = 1 << 2;
    static final int IPS_CONFIRMED = 1 << 3;
    /** Packets going the original way have their source (SRC_NAT) or destination (DST_NAT) rewritten. */
    static final int IPS_SRC_NAT = 1 << 4;
    static final int IPS_DST_NAT = 1 << 5;
    /** nf_nat_initialized: the binding for that kind of NAT was chosen (possibly "none", a null binding). */
    static final int IPS_SRC_NAT_DONE = 1 << 7;
    static final int IPS_DST_NAT_DONE = 1 << 8;
    /** Removed from the table (expired, killed, flushed): a packet still holding it is no longer tracked by it. */
    static final int IPS_DYING = 1 << 9;

    final int protocol;
    final TupleHash orig;
    final TupleHash reply;
    int status;
    /** When it expires (Clock nanos); refreshed by nf_ct_refresh as packets pass. */
    long deadline;

    // TCP (struct ip_ct_tcp)
    TcpCtState tcpState = TcpCtState.NONE;
    /** seen[]: what was seen of each direction's sequence space and window (null for other protocols). */
    private final TcpWindow[] seen;
    /** IP_CT_TCP_FLAG_CLOSE_INIT per direction: that side sent the first FIN. */
    final boolean[] closeInit = new boolean[2];
    // the last segment the state table ignored or accepted: a SYN/ACK may resynchronise from an ignored SYN
    int lastIndex = -1;
    boolean lastReply;
    int lastEnd;
    int lastWin;
    /** The ignored SYN's Window Scale and SACK Permitted, as {@link TcpWindow#scale} and {@link TcpWindow#flags}. */
    int lastWscale;
    int lastFlags;
    boolean simultaneousOpen;

    /** UDP: after this (nanos), a flow with replies counts as a stream (nf_conntrack_udp_timeout_stream). */
    long udpStreamAfter;

    /**
     * nf_conn_nat's masq_index: the ifindex of the device whose address MASQUERADE gave the connection, so
     * that it can be forgotten when that address goes; 0 if it was not masqueraded.
     */
    private int masqIndex;

    /** ct->mark: the connection's mark (CONNMARK, -m connmark); read and written without the table's lock. */
    private volatile int mark;

    Conn(int protocol, int src, int dst, int sport, int dport, int rsport, int rdport) {
        this.protocol = protocol;
        this.orig = new TupleHash(this, false, src, dst, sport, dport);
        this.reply = new TupleHash(this, true, dst, src, rsport, rdport);
        this.seen = protocol == Ipv4Packet.IPPROTO_TCP ? new TcpWindow[] {new TcpWindow(), new TcpWindow()} : null;
    }

    /** An IPv6 connection (l3num AF_INET6): the same state, its tuples with IPv6 addresses. */
    Conn(int protocol, Ipv6Address src, Ipv6Address dst, int sport, int dport, int rsport, int rdport) {
        this.protocol = protocol;
        this.orig = new TupleHash(this, false, src, dst, sport, dport);
        this.reply = new TupleHash(this, true, dst, src, rsport, rdport);
        this.seen = protocol == Ipv4Packet.IPPROTO_TCP ? new TcpWindow[] {new TcpWindow(), new TcpWindow()} : null;
    }

    /** Whether it is an IPv6 connection. */
    public boolean ipv6() {
        return orig.src6 != null;
    }

    /** seen[dir]: the window tracking of the original ({@code replyDir} false) or reply direction; TCP only. */
    TcpWindow window(boolean replyDir) {
        return seen[replyDir ? 1 : 0];
    }

    TupleHash tuple(boolean replyDir) {
        return replyDir ? reply : orig;
    }

    boolean has(int bits) {
        return (status & bits) == bits;
    }

    // ---- for NAT (nf_nat_core) ----

    /** A direction's tuple: source and destination address. */
    public int src(boolean replyDir) {
        return tuple(replyDir).src;
    }

    public int dst(boolean replyDir) {
        return tuple(replyDir).dst;
    }

    /** A direction's source port (TCP, UDP) or echo identifier (ICMP). */
    public int sport(boolean replyDir) {
        return tuple(replyDir).sport;
    }

    /** A direction's destination port (TCP, UDP), or ICMP type and code ({@code type << 8 | code}). */
    public int dport(boolean replyDir) {
        return tuple(replyDir).dport;
    }

    /** nf_ct_is_confirmed: whether the connection is in the table (its first packet got through). */
    public boolean confirmed() {
        return has(IPS_CONFIRMED);
    }

    /** nf_nat_initialized: whether source ({@code srcManip}) or destination NAT has been decided. */
    public boolean natInitialized(boolean srcManip) {
        return has(srcManip ? IPS_SRC_NAT_DONE : IPS_DST_NAT_DONE);
    }

    /** IPS_SRC_NAT / IPS_DST_NAT: original-direction packets get their source (destination) rewritten. */
    public boolean natted(boolean srcManip) {
        return has(srcManip ? IPS_SRC_NAT : IPS_DST_NAT);
    }

    /**
     * The end of nf_nat_setup_info: the binding for source ({@code srcManip}) or destination NAT is decided,
     * and the reply direction now reads as given; {@code changed} says whether that rewrites anything. Only
     * for a connection not yet confirmed, whose tuples are not in the table.
     */
    public void bindNat(boolean srcManip, boolean changed, int src, int dst, int sport, int dport) {
        if (has(IPS_CONFIRMED)) {
            throw new IllegalStateException("NAT binding for a confirmed connection");
        }
        reply.set(src, dst, sport, dport);
        status |= srcManip ? IPS_SRC_NAT_DONE : IPS_DST_NAT_DONE;
        if (changed) {
            status |= srcManip ? IPS_SRC_NAT : IPS_DST_NAT;
        }
    }

    /** MASQUERADE chose the binding from {@code ifindex}'s address; only before confirmation, as {@link #bindNat}. */
    public void setMasqIndex(int ifindex) {
        masqIndex = ifindex;
    }

    public int masqIndex() {
        return masqIndex;
    }

    /** ct->mark. */
    public int mark() {
        return mark;
    }

    public void setMark(int mark) {
        this.mark = mark;
    }

    // ---- as conntrack -L shows it ----

    public int protocol() {
        return protocol;
    }

    /** The protocol as conntrack -L names it: tcp, udp, icmp, icmpv6, or "unknown" for the generic tracker. */
    public String protocolName() {
        return switch (protocol) {
            case Ipv4Packet.IPPROTO_TCP -> "tcp";
            case Ipv4Packet.IPPROTO_UDP -> "udp";
            case Ipv4Packet.IPPROTO_ICMP -> "icmp";
            case Ipv6Packet.NEXTHDR_ICMP -> "icmpv6";
            default -> "unknown";
        };
    }

    /** The TCP state, or null for other protocols. */
    public TcpCtState tcpState() {
        return protocol == Ipv4Packet.IPPROTO_TCP ? tcpState : null;
    }

    public boolean seenReply() {
        return has(IPS_SEEN_REPLY);
    }

    public boolean assured() {
        return has(IPS_ASSURED);
    }

    /** One direction's tuple as conntrack -L prints it: {@code src=... dst=... sport=... dport=...}. */
    public String tupleText(boolean replyDir) {
        TupleHash t = tuple(replyDir);
        String addrs = t.src6 != null ? "src=" + t.src6 + " dst=" + t.dst6
                : "src=" + Ipv4Address.format(t.src) + " dst=" + Ipv4Address.format(t.dst);
        return switch (protocol) {
            case Ipv4Packet.IPPROTO_TCP, Ipv4Packet.IPPROTO_UDP -> addrs + " sport=" + t.sport + " dport=" + t.dport;
            case Ipv4Packet.IPPROTO_ICMP, Ipv6Packet.NEXTHDR_ICMP ->
                    addrs + " type=" + (t.dport >>> 8) + " code=" + (t.dport & 0xff) + " id=" + t.sport;
            default -> addrs;
        };
    }

    @Override
    public String toString() {
        return protocolName() + " " + tupleText(false) + " " + tupleText(true);
    }
}
