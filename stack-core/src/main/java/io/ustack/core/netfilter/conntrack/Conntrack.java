package io.ustack.core.netfilter.conntrack;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.netfilter.Hook;
import io.ustack.core.netfilter.HookState;
import io.ustack.core.netfilter.Netfilter;
import io.ustack.core.netfilter.NfProto;
import io.ustack.core.netfilter.Priority;
import io.ustack.core.netfilter.Verdict;
import io.ustack.core.time.Clock;
import io.ustack.core.wire.IcmpPacket;
import io.ustack.core.wire.Icmpv6Packet;
import io.ustack.core.wire.Ipv4Packet;
import io.ustack.core.wire.Ipv6Address;
import io.ustack.core.wire.Ipv6ExtHeader;
import io.ustack.core.wire.Ipv6Packet;
import io.ustack.core.wire.TcpSegment;
import io.ustack.core.wire.UdpDatagram;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * nf_conntrack: connection tracking for TCP (with its states), UDP, ICMP queries and, generically, any
 * other protocol; ICMP errors are tied to the connection they are about (RELATED). IPv6 flows
 * (nf_conntrack_l3proto_ipv6) share the table: the same trackers, ICMPv6 echo as the query, ICMPv6 errors
 * RELATED, Neighbour Discovery and MLD left UNTRACKED (icmpv6_error's noct_valid_new); the hooks of each
 * family are registered while that family's rules need them ({@link #get(NfProto)}).
 *
 * <p>nf_conntrack_in runs at PRE_ROUTING and LOCAL_OUT ({@link Priority#CONNTRACK}): it finds the packet's
 * connection or starts a new one (not yet in the table) and attaches it to the packet with its
 * {@link CtInfo}. nf_conntrack_confirm at LOCAL_IN and POST_ROUTING ({@link Priority#CONNTRACK_CONFIRM})
 * enters a new connection into the table once its first packet has passed every rule, so a dropped first
 * packet leaves nothing behind. A packet conntrack cannot make sense of gets no connection: --state calls
 * it INVALID.
 *
 * <p>Like nf_ct_netns_get/put, the hooks are registered only while something needs them ({@link #get},
 * {@link #put}: rules matching --state or doing NAT); while they are, fragments are reassembled before
 * PRE_ROUTING (nf_defrag_ipv4), as conntrack needs whole datagrams. The table holds at most
 * {@link #max()} connections (nf_conntrack_max); when it is full a connection that never saw traffic both
 * ways is evicted (early_drop), and failing that the new connection's packet is dropped and counted.
 * Timeouts are the kernel's defaults; TCP segments are checked against the windows both ends advertised
 * ({@link TcpWindow}). One lock guards the table and every connection's state.
 */
public final class Conntrack {
    /** nf_conntrack_max's value on a machine with a few GiB of memory. */
    public static final int DEFAULT_MAX = 65536;
    /** nf_conntrack_udp_timeout, nf_conntrack_udp_timeout_stream, nf_conntrack_icmp_timeout, generic. */
    static final long UDP_TIMEOUT_S = 30;
    static final long UDP_STREAM_TIMEOUT_S = 120;
    static final long ICMP_TIMEOUT_S = 30;
    static final long GENERIC_TIMEOUT_S = 600;
    /** How long a replied UDP flow must live before it counts as a stream (stream_ts). */
    static final long UDP_STREAM_AFTER_S = 2;
    private static final long NS = 1_000_000_000L;
    /** Where an echo's identifier is, in ICMP and ICMPv6 alike. */
    private static final int ECHO_ID = 4;
    /** ICMPV6_NI_QUERY and ICMPV6_NI_REPLY (RFC 4620). */
    private static final int NI_QUERY = 139;
    private static final int NI_REPLY = 140;

    private static final String IN = "nf_conntrack_in";
    private static final String CONFIRM = "nf_conntrack_confirm";

    private final Netfilter netfilter;
    private final Netfilter netfilter6;
    private final Clock clock;
    private final Consumer<Boolean> defrag;
    private final Consumer<Boolean> defrag6;
    private final int seed;
    /** Guards the table, every connection's state and the counters. */
    private final Object lock = new Object();
    private ConntrackTable table;
    private volatile int max = DEFAULT_MAX;
    private int users;
    private int users6;

    // /proc/net/stat/nf_conntrack, guarded by the table's lock
    private long found;
    private long invalid;
    private long insert;
    private long insertFailed;
    private long drop;
    private long earlyDrop;

    /**
     * @param netfilter  IPv4's hooks
     * @param netfilter6 IPv6's hooks
     * @param defrag     turned on while IPv4's hooks are registered: reassembly before PRE_ROUTING
     * @param defrag6    IPv6's (nf_defrag_ipv6), turned on while IPv6's hooks are registered
     * @param seed       the hash seed
     */
    public Conntrack(Netfilter netfilter, Netfilter netfilter6, Clock clock, int seed, Consumer<Boolean> defrag,
                     Consumer<Boolean> defrag6) {
        this.netfilter = netfilter;
        this.netfilter6 = netfilter6;
        this.defrag6 = defrag6;
        this.clock = clock;
        this.defrag = defrag;
        this.seed = seed;
        this.table = new ConntrackTable(bucketsFor(DEFAULT_MAX), seed);
    }

    /** nf_ct_netns_get for {@code family}'s rules: the first IPv6 user registers the IPv6 hooks. */
    public synchronized void get(NfProto family) {
        if (family == NfProto.IPV4) {
            get();
        } else if (users6++ == 0) {
            defrag6.accept(true);
            netfilter6.register(Hook.PRE_ROUTING, Priority.CONNTRACK, IN, this::in6);
            netfilter6.register(Hook.LOCAL_OUT, Priority.CONNTRACK, IN, this::in6);
            netfilter6.register(Hook.LOCAL_IN, Priority.CONNTRACK_CONFIRM, CONFIRM, this::confirm);
            netfilter6.register(Hook.POST_ROUTING, Priority.CONNTRACK_CONFIRM, CONFIRM, this::confirm);
        }
    }

    /** nf_ct_netns_put for {@code family}'s rules: the last unregisters that family's hooks and forgets its flows. */
    public synchronized void put(NfProto family) {
        if (family == NfProto.IPV4) {
            put();
            return;
        }
        if (users6 == 0) {
            throw new IllegalStateException("conntrack put without get");
        }
        if (--users6 == 0) {
            for (Hook h : Hook.values()) {
                netfilter6.unregister(h, IN);
                netfilter6.unregister(h, CONFIRM);
            }
            defrag6.accept(false);
            cleanup(Conn::ipv6);
        }
    }

    /** nf_ct_netns_get: one more user; the first registers the hooks. */
    public synchronized void get() {
        if (users++ == 0) {
            defrag.accept(true);
            netfilter.register(Hook.PRE_ROUTING, Priority.CONNTRACK, IN, this::in);
            netfilter.register(Hook.LOCAL_OUT, Priority.CONNTRACK, IN, this::in);
            netfilter.register(Hook.LOCAL_IN, Priority.CONNTRACK_CONFIRM, CONFIRM, this::confirm);
            netfilter.register(Hook.POST_ROUTING, Priority.CONNTRACK_CONFIRM, CONFIRM, this::confirm);
        }
    }

    /** nf_ct_netns_put: one user fewer; the last unregisters the hooks and forgets every IPv4 connection. */
    public synchronized void put() {
        if (users == 0) {
            throw new IllegalStateException("conntrack put without get");
        }
        if (--users == 0) {
            for (Hook h : Hook.values()) {
                netfilter.unregister(h, IN);
                netfilter.unregister(h, CONFIRM);
            }
            defrag.accept(false);
            cleanup(ct -> !ct.ipv6());
        }
    }

    /** Whether the hooks of either family are registered. */
    public synchronized boolean enabled() {
        return users > 0 || users6 > 0;
    }

    public int max() {
        return max;
    }

    /**
     * nf_conntrack_max, with nf_conntrack_buckets following it at a quarter of it, as the kernel sizes them
     * by default; the connections are rehashed into the new buckets (nf_conntrack_hash_resize), so a full
     * table is dense enough for early_drop to find its victims near where it looks.
     */
    public void setMax(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("nf_conntrack_max must be at least 1, not " + max);
        }
        synchronized (lock) {
            this.max = max;
            ConntrackTable next = new ConntrackTable(bucketsFor(max), seed);
            long now = clock.nanos();
            for (Conn ct : table.connections()) {
                ct.status &= ~Conn.IPS_CONFIRMED;
                next.insert(ct, now);
                ct.status |= Conn.IPS_CONFIRMED;
            }
            table = next;
        }
    }

    private static int bucketsFor(int max) {
        return Math.max(1, max / 4);
    }

    /**
     * nf_conntrack_in: attaches the packet's connection and ctinfo, starting a connection if it has none;
     * leaves the packet without one when it is invalid. Borrows {@code pkt}; DROP only when the table is
     * full and nothing could be evicted.
     */
    Verdict in(PacketBuffer pkt, HookState state) {
        if (pkt.nfct() != null || pkt.nfctInfo() == CtInfo.UNTRACKED) {
            // seen already (looped back, or an answer attached to its connection), or NOTRACK
            return Verdict.ACCEPT;
        }
        Ipv4Packet ip = Ipv4Packet.wrap(pkt, pkt.networkHeader());
        if (ip.isFragment()) {
            return invalid(); // only while defrag is being switched on
        }
        return track(pkt, state, ip.protocol(), ip.offset() + ip.headerLength(), ip.totalLength() - ip.headerLength(),
                ip.saddr(), ip.daddr(), null, null);
    }

    /**
     * nf_conntrack_in for an IPv6 packet: past the extension headers (ipv6_skip_exthdr) to the upper layer,
     * then as {@link #in}. Fragments were reassembled before PRE_ROUTING (nf_defrag_ipv6); one met here is
     * INVALID (only while defrag is being switched on). Borrows {@code pkt}.
     */
    Verdict in6(PacketBuffer pkt, HookState state) {
        if (pkt.nfct() != null || pkt.nfctInfo() == CtInfo.UNTRACKED) {
            return Verdict.ACCEPT;
        }
        int nh = pkt.networkHeader();
        Ipv6Packet ip = Ipv6Packet.wrap(pkt, nh);
        Ipv6ExtHeader.Skipped s = Ipv6ExtHeader.skip(pkt, nh + Ipv6Packet.HEADER_LEN, ip.nextHeader());
        if (s.offset() < 0 || (s.fragOff() & (Ipv6ExtHeader.IP6_OFFSET | Ipv6ExtHeader.IP6_MF)) != 0) {
            return invalid();
        }
        Ipv6Address saddr = ip.saddr();
        Ipv6Address daddr = ip.daddr();
        return track(pkt, state, s.nexthdr(), s.offset(), nh + Ipv6Packet.HEADER_LEN + ip.payloadLength() - s.offset(),
                TupleHash.fold(saddr), TupleHash.fold(daddr), saddr, daddr);
    }

    /**
     * The protocol trackers' part of nf_conntrack_in, both families': the upper layer's header at {@code l4},
     * {@code l4len} bytes of it, the addresses as ints (IPv4's, or IPv6's folds with the addresses in
     * {@code saddr6} and {@code daddr6}, null for IPv4).
     */
    private Verdict track(PacketBuffer pkt, HookState state, int proto, int l4, int l4len, int saddr, int daddr,
                          Ipv6Address saddr6, Ipv6Address daddr6) {
        boolean v6 = saddr6 != null;
        // nf_conntrack_checksum: what comes from the wire is checked before it can change any state
        boolean verify = state.hook() == Hook.PRE_ROUTING && !pkt.csumUnnecessary();
        int sport = 0;
        int dport = 0;
        int rsport = 0;
        int rdport = 0;
        TcpSegment tcp = null;
        int end = 0;
        switch (proto) {
            case Ipv4Packet.IPPROTO_TCP: {
                TcpSegment th = TcpSegment.wrap(pkt, l4);
                if (th == null || th.dataOffset() < 5 || th.headerLength() > l4len || !TcpTracker.validFlags(th.flags())
                        || (verify && !(v6 ? th.checksumOk6(saddr6, daddr6, l4len) : th.checksumOk(saddr, daddr, l4len)))) {
                    return invalid();
                }
                sport = th.sourcePort();
                dport = th.destinationPort();
                rsport = dport;
                rdport = sport;
                tcp = th;
                // segment_seq_plus_len
                end = th.seq() + l4len - th.headerLength() + ((th.flags() & TcpSegment.SYN) != 0 ? 1 : 0)
                        + ((th.flags() & TcpSegment.FIN) != 0 ? 1 : 0);
                break;
            }
            case Ipv4Packet.IPPROTO_UDP: {
                UdpDatagram uh = UdpDatagram.wrap(pkt, l4);
                if (uh == null || uh.length() < UdpDatagram.HEADER_LEN || uh.length() > l4len
                        || (verify && !(v6 ? uh.checksumOk6(saddr6, daddr6, uh.length())
                                : uh.checksumOk(saddr, daddr, uh.length())))) {
                    return invalid();
                }
                sport = uh.sourcePort();
                dport = uh.destinationPort();
                rsport = dport;
                rdport = sport;
                break;
            }
            case Ipv4Packet.IPPROTO_ICMP: {
                if (v6) {
                    break; // ICMP inside IPv6 is no query of either family: the generic tracker's
                }
                IcmpPacket ih = IcmpPacket.wrap(pkt, l4);
                if (ih == null || (verify && !ih.checksumOk(l4len))) {
                    return invalid();
                }
                if (IcmpPacket.isError(ih.type())) {
                    return icmpError(pkt, l4 + IcmpPacket.HEADER_LEN);
                }
                int inverse = icmpInverse(ih.type());
                if (inverse < 0) {
                    return invalid();
                }
                sport = ih.echoId();
                dport = ih.type() << 8 | ih.code();
                rsport = sport;
                rdport = inverse << 8 | ih.code();
                break;
            }
            case Ipv6Packet.NEXTHDR_ICMP: {
                if (!v6) {
                    break;
                }
                Icmpv6Packet ih = Icmpv6Packet.wrap(pkt, l4);
                if (ih == null || (verify && !ih.checksumOk(saddr6, daddr6, l4len))) {
                    return invalid();
                }
                int type = ih.type();
                if (type < Icmpv6Packet.ECHO_REQUEST) { // RFC 4443 2.1: types 0 to 127 are errors
                    return icmpv6Error(pkt, l4 + Icmpv6Packet.HEADER_LEN);
                }
                if (untrackedIcmpv6(type)) {
                    pkt.setNfct(null, CtInfo.UNTRACKED);
                    return Verdict.ACCEPT;
                }
                int inverse = icmpv6Inverse(type);
                if (inverse < 0) {
                    return invalid();
                }
                sport = pkt.u16(l4 + ECHO_ID);
                dport = type << 8 | ih.code();
                rsport = sport;
                rdport = inverse << 8 | ih.code();
                break;
            }
            default:
                break;
        }
        return resolve(pkt, proto, saddr, daddr, saddr6, daddr6, sport, dport, rsport, rdport, tcp, end);
    }

    /**
     * icmpv6_error's noct_valid_new: Neighbour Discovery and MLD are a link's business, not a connection's;
     * they pass conntrack UNTRACKED, so that a rule dropping INVALID does not cut a host off its neighbours.
     */
    private static boolean untrackedIcmpv6(int type) {
        return (type >= Icmpv6Packet.MGM_QUERY && type <= Icmpv6Packet.ND_REDIRECT) || type == Icmpv6Packet.MLD2_REPORT;
    }

    /** icmpv6_invert_tuple's map: echo request and reply, node information query and reply; -1 for others. */
    static int icmpv6Inverse(int type) {
        return switch (type) {
            case Icmpv6Packet.ECHO_REQUEST -> Icmpv6Packet.ECHO_REPLY;
            case Icmpv6Packet.ECHO_REPLY -> Icmpv6Packet.ECHO_REQUEST;
            case NI_QUERY -> NI_REPLY;
            case NI_REPLY -> NI_QUERY;
            default -> -1;
        };
    }


    /**
     * resolve_normal_ct and the protocol's packet handler, under the lock. {@code tcp} is the TCP header
     * (null for other protocols) and {@code end} its segment's seq + data + SYN + FIN.
     */
    private Verdict resolve(PacketBuffer pkt, int proto, int saddr, int daddr, Ipv6Address saddr6, Ipv6Address daddr6,
                            int sport, int dport, int rsport, int rdport, TcpSegment tcp, int end) {
        long now = clock.nanos();
        synchronized (lock) {
            while (true) {
                TupleHash h = table.find(proto, saddr, daddr, saddr6, daddr6, sport, dport, now);
                Conn ct;
                CtInfo info;
                if (h == null) {
                    if (!canStart(proto, tcp, dport, saddr6 != null)) {
                        invalid++;
                        return Verdict.ACCEPT;
                    }
                    if (table.count() >= max) {
                        if (!table.earlyDrop(proto, saddr, daddr, sport, dport)) {
                            drop++; // "nf_conntrack: table full, dropping packet"
                            return Verdict.DROP;
                        }
                        earlyDrop++;
                    }
                    ct = saddr6 == null ? new Conn(proto, saddr, daddr, sport, dport, rsport, rdport)
                            : new Conn(proto, saddr6, daddr6, sport, dport, rsport, rdport);
                    if (tcp != null) {
                        TcpTracker.start(ct, pkt, tcp, end);
                    }
                    ct.udpStreamAfter = now + UDP_STREAM_AFTER_S * NS;
                    h = ct.orig;
                    info = CtInfo.NEW;
                } else {
                    found++;
                    ct = h.ct;
                    info = h.reply ? CtInfo.ESTABLISHED_REPLY : ct.has(Conn.IPS_SEEN_REPLY) ? CtInfo.ESTABLISHED : CtInfo.NEW;
                }
                if (proto == Ipv4Packet.IPPROTO_TCP) {
                    TcpTracker.Result r = TcpTracker.packet(ct, h.reply, pkt, tcp, end, now, table);
                    if (r == TcpTracker.Result.REOPEN) {
                        table.remove(ct);
                        continue;
                    }
                    if (r == TcpTracker.Result.INVALID) {
                        invalid++;
                        return Verdict.ACCEPT;
                    }
                } else {
                    refresh(ct, now);
                }
                if (h.reply) {
                    ct.status |= Conn.IPS_SEEN_REPLY;
                }
                pkt.setNfct(ct, info);
                return Verdict.ACCEPT;
            }
        }
    }

    /** tcp_new's and icmp_new's test: whether a packet with no connection may start one. */
    private static boolean canStart(int proto, TcpSegment tcp, int icmpTypeCode, boolean v6) {
        switch (proto) {
            case Ipv4Packet.IPPROTO_TCP:
                return TcpTracker.newState(tcp.flags()) != null;
            case Ipv4Packet.IPPROTO_ICMP:
                int type = icmpTypeCode >>> 8;
                // icmp_packet's valid_new: only queries start a connection; their answers need one
                return type == IcmpPacket.ECHO || type == IcmpPacket.TIMESTAMP || type == IcmpPacket.INFO_REQUEST
                        || type == IcmpPacket.ADDRESS;
            case Ipv6Packet.NEXTHDR_ICMP:
                // icmpv6_packet's valid_new; inside IPv4, protocol 58 has no ICMPv6 type and is the generic tracker's
                int type6 = icmpTypeCode >>> 8;
                return !v6 || type6 == Icmpv6Packet.ECHO_REQUEST || type6 == NI_QUERY;
            default:
                return true;
        }
    }

    /** udp_packet, icmp_packet and the generic tracker: the deadline each keeps. */
    private static void refresh(Conn ct, long now) {
        long timeout;
        switch (ct.protocol) {
            case Ipv4Packet.IPPROTO_UDP:
                timeout = UDP_TIMEOUT_S;
                // traffic both ways for a while: a stream, which is kept longer and is ASSURED
                if (ct.has(Conn.IPS_SEEN_REPLY) && now - ct.udpStreamAfter > 0) {
                    timeout = UDP_STREAM_TIMEOUT_S;
                    ct.status |= Conn.IPS_ASSURED;
                }
                break;
            case Ipv4Packet.IPPROTO_ICMP, Ipv6Packet.NEXTHDR_ICMP: // nf_conntrack_icmpv6_timeout is 30 s too
                timeout = ICMP_TIMEOUT_S;
                break;
            default:
                timeout = GENERIC_TIMEOUT_S;
                break;
        }
        ct.deadline = now + timeout * NS;
    }

    /** icmp_invert_tuple's map from a query type to its answer and back; -1 for types with none. */
    static int icmpInverse(int type) {
        return switch (type) {
            case IcmpPacket.ECHO -> IcmpPacket.ECHOREPLY;
            case IcmpPacket.ECHOREPLY -> IcmpPacket.ECHO;
            case IcmpPacket.TIMESTAMP -> IcmpPacket.TIMESTAMPREPLY;
            case IcmpPacket.TIMESTAMPREPLY -> IcmpPacket.TIMESTAMP;
            case IcmpPacket.INFO_REQUEST -> IcmpPacket.INFO_REPLY;
            case IcmpPacket.INFO_REPLY -> IcmpPacket.INFO_REQUEST;
            case IcmpPacket.ADDRESS -> IcmpPacket.ADDRESSREPLY;
            case IcmpPacket.ADDRESSREPLY -> IcmpPacket.ADDRESS;
            default -> -1;
        };
    }

    /**
     * nf_conntrack_inet_error: an ICMP error quotes a packet of some connection; inverting the quoted tuple
     * gives the direction the error travels, and the packet is RELATED (or RELATED_REPLY) to it. An error
     * about no connection we know is INVALID. {@code inner} is where the quoted IP header starts.
     */
    private Verdict icmpError(PacketBuffer pkt, int inner) {
        Ipv4Packet q = Ipv4Packet.wrap(pkt, inner);
        if (q == null || q.ihl() < 5 || inner + q.headerLength() + 8 > pkt.tail()) {
            return invalid();
        }
        int qproto = q.protocol();
        int ql4 = inner + q.headerLength();
        int src = q.daddr();
        int dst = q.saddr();
        int sport = 0;
        int dport = 0;
        switch (qproto) {
            case Ipv4Packet.IPPROTO_TCP, Ipv4Packet.IPPROTO_UDP -> {
                sport = pkt.u16(ql4 + 2);
                dport = pkt.u16(ql4);
            }
            case Ipv4Packet.IPPROTO_ICMP -> {
                IcmpPacket qi = IcmpPacket.wrap(pkt, ql4);
                int inverse = icmpInverse(qi.type());
                if (inverse < 0) {
                    return invalid(); // an error about an error, or about something untracked
                }
                sport = qi.echoId();
                dport = inverse << 8 | qi.code();
            }
            default -> {
            }
        }
        return related(pkt, qproto, src, dst, null, null, sport, dport);
    }

    /**
     * nf_conntrack_icmpv6_error with nf_conntrack_inet_error: an ICMPv6 error quotes an IPv6 packet of some
     * connection (past its extension headers), and is RELATED to it; {@code inner} is where the quoted IPv6
     * header starts. An error about an error, about a fragment, or about no connection we know is INVALID.
     */
    private Verdict icmpv6Error(PacketBuffer pkt, int inner) {
        Ipv6Packet q = Ipv6Packet.wrap(pkt, inner);
        if (q == null) {
            return invalid();
        }
        Ipv6ExtHeader.Skipped s = Ipv6ExtHeader.skip(pkt, inner + Ipv6Packet.HEADER_LEN, q.nextHeader());
        int ql4 = s.offset();
        if (ql4 < 0 || ql4 + 8 > pkt.tail() || (s.fragOff() & Ipv6ExtHeader.IP6_OFFSET) != 0) {
            return invalid();
        }
        int qproto = s.nexthdr();
        int sport = 0;
        int dport = 0;
        switch (qproto) {
            case Ipv6Packet.NEXTHDR_TCP, Ipv6Packet.NEXTHDR_UDP -> {
                sport = pkt.u16(ql4 + 2);
                dport = pkt.u16(ql4);
            }
            case Ipv6Packet.NEXTHDR_ICMP -> {
                int inverse = icmpv6Inverse(pkt.u8(ql4));
                if (inverse < 0) {
                    return invalid();
                }
                sport = pkt.u16(ql4 + ECHO_ID);
                dport = inverse << 8 | pkt.u8(ql4 + 1);
            }
            default -> {
            }
        }
        Ipv6Address src = q.daddr();
        Ipv6Address dst = q.saddr();
        return related(pkt, qproto, TupleHash.fold(src), TupleHash.fold(dst), src, dst, sport, dport);
    }

    /** The end of nf_conntrack_inet_error: the quoted packet's connection, inverted, is the error's, RELATED. */
    private Verdict related(PacketBuffer pkt, int qproto, int src, int dst, Ipv6Address src6, Ipv6Address dst6, int sport,
                            int dport) {
        long now = clock.nanos();
        synchronized (lock) {
            TupleHash h = table.find(qproto, src, dst, src6, dst6, sport, dport, now);
            if (h == null) {
                invalid++;
                return Verdict.ACCEPT;
            }
            found++;
            pkt.setNfct(h.ct, h.reply ? CtInfo.RELATED_REPLY : CtInfo.RELATED);
            return Verdict.ACCEPT;
        }
    }

    private Verdict invalid() {
        synchronized (lock) {
            invalid++;
        }
        return Verdict.ACCEPT;
    }

    /**
     * nf_conntrack_confirm: a new connection whose first packet got this far enters the table. If its tuples
     * were taken meanwhile (a clash), the packet is dropped and insert_failed counted. Borrows {@code pkt}.
     */
    Verdict confirm(PacketBuffer pkt, HookState state) {
        Conn ct = pkt.nfct();
        if (ct == null || pkt.nfctInfo().isReply()) {
            return Verdict.ACCEPT;
        }
        synchronized (lock) {
            if (ct.has(Conn.IPS_CONFIRMED) || ct.has(Conn.IPS_DYING)) {
                return Verdict.ACCEPT;
            }
            if (!table.insert(ct, clock.nanos())) {
                insertFailed++;
                return Verdict.DROP;
            }
            ct.status |= Conn.IPS_CONFIRMED;
            insert++;
            return Verdict.ACCEPT;
        }
    }

    /**
     * nf_conntrack_tuple_taken: whether a live connection has a direction with this tuple, so a NAT binding
     * that would give a new connection that tuple must choose another.
     */
    public boolean tupleTaken(int protocol, int src, int dst, int sport, int dport) {
        long now = clock.nanos();
        synchronized (lock) {
            return table.taken(protocol, src, dst, sport, dport, now);
        }
    }

    /** gc_worker: removes the connections whose time is up. */
    public void gc() {
        synchronized (lock) {
            table.expire(clock.nanos());
        }
    }

    /**
     * nf_ct_iterate_cleanup: forgets every connection {@code kill} picks; returns how many went. {@code kill}
     * runs under the table's lock, so it may read the connections' state.
     */
    public int cleanup(Predicate<Conn> kill) {
        int n = 0;
        synchronized (lock) {
            for (Conn ct : table.connections()) {
                if (kill.test(ct)) {
                    table.remove(ct);
                    n++;
                }
            }
        }
        return n;
    }

    /** conntrack -F: forgets every connection; returns how many there were. */
    public int flush() {
        synchronized (lock) {
            return table.flush();
        }
    }

    /** One connection as conntrack -L shows it. */
    public record Entry(String protocol, int protocolNumber, long timeoutSeconds, String state, String original,
                        String reply, boolean unreplied, boolean assured) {
    }

    /**
     * conntrack -L: every live connection, with the seconds left to each, in the order of their original
     * tuples (protocol, addresses, ports) rather than the table's, which its random seed shuffles.
     */
    public List<Entry> list() {
        long now = clock.nanos();
        List<Entry> out = new ArrayList<>();
        synchronized (lock) {
            List<Conn> all = table.connections();
            all.sort(Comparator.comparingInt((Conn c) -> c.protocol)
                    .thenComparing(c -> c.orig.src, Integer::compareUnsigned)
                    .thenComparing(c -> c.orig.dst, Integer::compareUnsigned)
                    .thenComparingInt(c -> c.orig.sport)
                    .thenComparingInt(c -> c.orig.dport));
            for (Conn ct : all) {
                long left = Math.max(0, (ct.deadline - now) / NS);
                TcpCtState s = ct.tcpState();
                out.add(new Entry(ct.protocolName(), ct.protocol, left, s == null ? null : s.name(),
                        ct.tupleText(false), ct.tupleText(true), !ct.seenReply(), ct.assured()));
            }
        }
        return out;
    }

    /** /proc/net/stat/nf_conntrack's counters under conntrack -S's names, with the table's size and limit. */
    public Map<String, Long> stats() {
        Map<String, Long> m = new LinkedHashMap<>();
        synchronized (lock) {
            m.put("entries", (long) table.count());
            m.put("max", (long) max);
            m.put("found", found);
            m.put("invalid", invalid);
            m.put("insert", insert);
            m.put("insert_failed", insertFailed);
            m.put("drop", drop);
            m.put("early_drop", earlyDrop);
        }
        return m;
    }
}
