package io.ustack.core.netfilter.conntrack;

import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.Ipv4Packet;

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
    /** Removed from the table (expired, killed, flushed): a packet still holding it is no longer tracked by it. */
    static final int IPS_DYING = 1 << 9;

    final int protocol;
    final TupleHash orig;
    final TupleHash reply;
    int status;
    /** When it expires (Clock nanos); refreshed by nf_ct_refresh as packets pass. */
    long deadline;

    // TCP (struct ip_ct_tcp), without window tracking
    TcpCtState tcpState = TcpCtState.NONE;
    /** IP_CT_TCP_FLAG_CLOSE_INIT per direction: that side sent the first FIN. */
    final boolean[] closeInit = new boolean[2];
    int lastIndex = -1;
    boolean lastReply;
    int lastEnd;
    boolean simultaneousOpen;

    /** UDP: after this (nanos), a flow with replies counts as a stream (nf_conntrack_udp_timeout_stream). */
    long udpStreamAfter;

    Conn(int protocol, int src, int dst, int sport, int dport, int rsport, int rdport) {
        this.protocol = protocol;
        this.orig = new TupleHash(this, false, src, dst, sport, dport);
        this.reply = new TupleHash(this, true, dst, src, rsport, rdport);
    }

    TupleHash tuple(boolean replyDir) {
        return replyDir ? reply : orig;
    }

    boolean has(int bits) {
        return (status & bits) == bits;
    }

    // ---- as conntrack -L shows it ----

    public int protocol() {
        return protocol;
    }

    /** The protocol as conntrack -L names it: tcp, udp, icmp, or "unknown" for the generic tracker. */
    public String protocolName() {
        return switch (protocol) {
            case Ipv4Packet.IPPROTO_TCP -> "tcp";
            case Ipv4Packet.IPPROTO_UDP -> "udp";
            case Ipv4Packet.IPPROTO_ICMP -> "icmp";
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
        String addrs = "src=" + Ipv4Address.format(t.src) + " dst=" + Ipv4Address.format(t.dst);
        return switch (protocol) {
            case Ipv4Packet.IPPROTO_TCP, Ipv4Packet.IPPROTO_UDP -> addrs + " sport=" + t.sport + " dport=" + t.dport;
            case Ipv4Packet.IPPROTO_ICMP -> addrs + " type=" + (t.dport >>> 8) + " code=" + (t.dport & 0xff) + " id=" + t.sport;
            default -> addrs;
        };
    }

    @Override
    public String toString() {
        return protocolName() + " " + tupleText(false) + " " + tupleText(true);
    }
}
