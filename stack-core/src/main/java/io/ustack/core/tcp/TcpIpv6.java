package io.ustack.core.tcp;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.ipv6.Ipv6Output;
import io.ustack.core.link.NetDevice;
import io.ustack.core.link.NetdevFeatures;
import io.ustack.core.route.DstEntry;
import io.ustack.core.softnet.Cpu;
import io.ustack.core.softnet.FlowHash;
import io.ustack.core.stats.DropReason;
import io.ustack.core.stats.Mib;
import io.ustack.core.stats.MibCounters;
import io.ustack.core.stats.PacketDrops;
import io.ustack.core.wire.Icmpv6Packet;
import io.ustack.core.wire.Ipv6Address;
import io.ustack.core.wire.Ipv6Packet;
import io.ustack.core.wire.TcpSegment;
import java.io.IOException;
import java.net.BindException;
import java.net.NoRouteToHostException;
import java.util.function.UnaryOperator;

/**
 * TCP over IPv6 (net/ipv6/tcp_ipv6.c): tcp_v6_rcv finds a segment's connection or IPv6 listener,
 * tcp_v6_send_reset answers segments nobody owns, tcp_v6_err hears ICMPv6 errors, tcp_v6_connect opens
 * connections, and every segment leaves through ip6_xmit. The connections are {@link TcpProtocol}'s, in its one table, and their
 * {@link Tcb}s are the same state machine as over IPv4: only the {@link TcpOutput} each is given knows the
 * family.
 *
 * <p>A connection to or from a link-local peer keeps the peer's interface (sk_bound_dev_if: the scope id
 * connect6 was given, or the interface the SYN came in by, as tcp_v6_syn_recv_sock keeps ir_iif) and sends
 * out it. The connection table's key is the four-tuple alone, so one peer's link-local address on two
 * links at once would be one connection.
 */
final class TcpIpv6 {
    private final TcpProtocol tcp;
    private final BufferPool pool;
    private final Ipv6Output out;
    private final MibCounters mib;
    private final PacketDrops drops;
    private final IsnGenerator isn;
    private final SynCookies cookies;
    private final ThreadLocal<TcpWire> wire = ThreadLocal.withInitial(TcpWire::new);

    TcpIpv6(TcpProtocol tcp, BufferPool pool, Ipv6Output out, MibCounters mib, PacketDrops drops, IsnGenerator isn,
            SynCookies cookies) {
        this.tcp = tcp;
        this.pool = pool;
        this.out = out;
        this.mib = mib;
        this.drops = drops;
        this.isn = isn;
        this.cookies = cookies;
    }

    /** tcp_v6_rcv. Takes ownership; data at the TCP header, network header and dst set. */
    void rcv(PacketBuffer pkt) {
        TcpSegment th = tcp.header(pkt);
        if (th == null) {
            return;
        }
        Ipv6Packet ip = Ipv6Packet.wrap(pkt, pkt.networkHeader());
        Ipv6Address saddr = ip.saddr();
        Ipv6Address daddr = ip.daddr();
        if (!pkt.csumUnnecessary() && !th.checksumOk6(saddr, daddr, pkt.len())) {
            tcp.checksumError(pkt);
            return;
        }
        if (!tcp.deliverable(pkt, th)) {
            return;
        }
        Segment seg = wire.get().parse(pkt, th, ip.trafficClass());
        int sport = th.sourcePort();
        int dport = th.destinationPort();
        if (TcpProtocol.toConnection(tcp.connection(TcpProtocol.Key.v6(daddr, dport, saddr, sport)), seg, pkt)) {
            return;
        }
        TcpListener l = tcp.listener6(daddr, dport);
        if (l != null && tcp.ignoredByListener(seg, pkt)) {
            return;
        }
        NetDevice iif = saddr.needsScopeId() ? pkt.dev() : null;
        if (l != null && seg.has(TcpSegment.SYN) && !seg.has(TcpSegment.ACK) && !seg.has(TcpSegment.RST)) {
            passiveOpen(l, seg, TcpProtocol.Key.v6(daddr, dport, saddr, sport), iif, isn.isn(daddr, dport, saddr, sport));
            pkt.release();
            return;
        }
        if (l != null && seg.has(TcpSegment.ACK) && !seg.has(TcpSegment.SYN) && !seg.has(TcpSegment.RST)) {
            int mss = cookies.check6(daddr, dport, saddr, sport, seg.seq(), seg.ack());
            if (mss > 0 && !l.acceptQueueFull()) {
                mib.inc(Mib.TcpExtSyncookiesRecv);
                cookieOpen(l, seg, mss, TcpProtocol.Key.v6(daddr, dport, saddr, sport), iif);
                pkt.release();
                return;
            }
            mib.inc(Mib.TcpExtSyncookiesFailed);
        }
        if (!seg.has(TcpSegment.RST)) {
            send(Segment.resetFor(seg), daddr, dport, saddr, sport, iif, false, TcpProtocol.NO_GSO, 0);
        }
        drops.drop(pkt, DropReason.NO_SOCKET);
    }

    /**
     * tcp_v6_conn_request (tcp_conn_request): a connection in SYN_RECEIVED if the SYN queue has room; with the
     * queue full it is answered with a SYN cookie instead, as over IPv4. A link-local peer's connection keeps
     * {@code iif}, the interface its SYN came in by.
     */
    private void passiveOpen(TcpListener l, Segment syn, TcpProtocol.Key key, NetDevice iif, int iss) {
        if (!l.reserveSynSlot()) {
            sendCookie(l, syn, key, iif);
            return;
        }
        TcpSocket s = new TcpSocket(tcp, key, tcp.cpuFor(flowHash(key)), l, true, iif, false);
        if (tcp.register(key, s) != null) {
            l.releaseSynSlot();
            return;
        }
        mib.inc(Mib.TcpPassiveOpens);
        s.attach(Tcb.accept(l.options().apply(configFor(key.raddr6(), iif)), output(key, iif), s.events(), mib, 0, key.lport(), 0,
                key.rport(), syn, iss, isn.tsOffset(key.laddr6(), key.raddr6()), tcp.now(), null));
    }

    /**
     * cookie_v6_init_sequence and tcp_v6_send_synack: a SYN-ACK whose ISN is the cookie, the MSS its only option
     * (and ECE for an ECN-setup SYN, as TcpProtocol's IPv4 cookie answers it).
     */
    private void sendCookie(TcpListener l, Segment syn, TcpProtocol.Key key, NetDevice iif) {
        if (l.acceptQueueFull()) {
            mib.inc(Mib.TcpExtListenDrops); // even a cookie cannot help when nobody accepts
            return;
        }
        TcpConfig c = l.options().apply(configFor(key.raddr6(), iif));
        int cookie = cookies.make6(key.laddr6(), key.lport(), key.raddr6(), key.rport(), syn.seq(),
                syn.mss() > 0 ? syn.mss() : Tcb.DEFAULT_PEER_MSS);
        int flags = TcpSegment.SYN | TcpSegment.ACK | (Tcb.ecnSetupSyn(c, syn) ? TcpSegment.ECE : 0);
        send(new Segment(cookie, syn.seq() + 1, flags, Receiver.initialWindow(c, c.mss()), c.mss(), -1,
                false, false, 0, 0, Segment.NO_SACK, Payload.NONE, 0), key.laddr6(), key.lport(), key.raddr6(),
                key.rport(), iif, false, TcpProtocol.NO_GSO, 0);
        mib.inc(Mib.TcpExtSyncookiesSent);
    }

    /** tcp_get_cookie_sock over IPv6 (cookie_v6_check): the connection starts established. */
    private void cookieOpen(TcpListener l, Segment ack, int mss, TcpProtocol.Key key, NetDevice iif) {
        TcpSocket s = new TcpSocket(tcp, key, tcp.cpuFor(flowHash(key)), l, false, iif, false);
        if (tcp.register(key, s) != null) {
            return;
        }
        mib.inc(Mib.TcpPassiveOpens);
        s.attachEstablished(Tcb.fromCookie(l.options().apply(configFor(key.raddr6(), iif)), output(key, iif), s.events(), mib, 0,
                key.lport(), 0, key.rport(), ack, mss, isn.tsOffset(key.laddr6(), key.raddr6())), ack);
    }

    /** tcp_v6_connect: see {@link TcpProtocol#connect6}; {@code oif} the link-local peer's interface, else null. */
    TcpSocket connect(Ipv6Address laddr, int lport, Ipv6Address raddr, NetDevice oif, int rport,
                      UnaryOperator<TcpConfig> options) throws IOException {
        Ipv6Address saddr = laddr.isUnspecified() ? out.sourceFor(raddr, oif) : laddr;
        if (saddr == null) {
            throw new NoRouteToHostException("no route to " + raddr);
        }
        TcpConfig cfg = options.apply(configFor(raddr, oif));
        TcpSocket s = lport != 0 ? tryConnect(TcpProtocol.Key.v6(saddr, lport, raddr, rport), oif, cfg)
                : tcp.ephemeral(port -> tryConnect(TcpProtocol.Key.v6(saddr, port, raddr, rport), oif, cfg));
        if (s == null) {
            throw new BindException(lport != 0 ? "[" + saddr + "]:" + lport + " is already connected to [" + raddr + "]:" + rport
                    : "no free local port to [" + raddr + "]:" + rport);
        }
        return s;
    }

    /** Claims {@code key} and sends the SYN, or returns null if a connection holds that four-tuple. */
    private TcpSocket tryConnect(TcpProtocol.Key key, NetDevice oif, TcpConfig cfg) {
        Cpu cpu = tcp.cpuFor(flowHash(key));
        TcpSocket s = new TcpSocket(tcp, key, cpu, null, false, oif, false);
        if (tcp.register(key, s) != null) {
            return null;
        }
        mib.inc(Mib.TcpActiveOpens);
        cpu.execute(() -> s.attach(Tcb.connect(cfg, output(key, oif), s.events(), mib, 0, key.lport(), 0, key.rport(),
                isn.isn(key.laddr6(), key.lport(), key.raddr6(), key.rport()), isn.tsOffset(key.laddr6(), key.raddr6()),
                tcp.now())));
        return s;
    }

    /**
     * The connection's tcp_transmit_skb: its Tcb holds IPv4 addresses only (0 here), so the key's are kept here,
     * with the interface a link-local peer is on ({@code oif}, else null).
     */
    private TcpOutput output(TcpProtocol.Key key, NetDevice oif) {
        return (tcb, seg, retransmission, departure) -> send(seg, key.laddr6(), key.lport(), key.raddr6(), key.rport(),
                oif, retransmission, tcb.gsoSize(), departure);
    }

    /**
     * tcp_v6_err: an ICMPv6 error about a segment of ours. Packet Too Big teaches the route its path MTU
     * (inet6_csk_update_pmtu), then tcp_v6_mtu_reduced shrinks the connection's segments to it; port
     * unreachable and parameter problem (what icmpv6_err_convert calls fatal, besides the prohibited codes,
     * which like IPv4's filtered ones are left soft here) fail a connection as IPv4's port and protocol
     * unreachable do. An error about no connection counts Icmp6InErrors.
     */
    void err(int type, int code, int info, NetDevice dev, Ipv6Address saddr, Ipv6Address daddr, int sport, int dport) {
        TcpSocket s = tcp.connection(TcpProtocol.Key.v6(saddr, sport, daddr, dport));
        if (s == null) {
            mib.inc(Mib.Icmp6InErrors);
            return;
        }
        if (type == Icmpv6Packet.PKT_TOOBIG) {
            out.updatePmtu(daddr, dev, info);
            DstEntry dst = out.dstFor(daddr, s.boundDevice());
            if (dst != null) {
                int pmtu = dst.mtu();
                s.cpu().execute(() -> s.onCpu(t -> t.pathMtuReduced(pmtu, Ipv6Packet.HEADER_LEN, tcp.now())));
            }
            return;
        }
        if ((type == Icmpv6Packet.DEST_UNREACH && code == Icmpv6Packet.PORT_UNREACH) || type == Icmpv6Packet.PARAMPROB) {
            s.cpu().execute(() -> s.hardError(CloseReason.ICMP_UNREACHABLE));
        }
    }

    /** TcpProtocol#synAfterTimeWait for an IPv6 connection: to the IPv6 listener, or refused. */
    void synAfterTimeWait(TcpProtocol.Key key, NetDevice iif, Segment syn, int iss) {
        TcpListener l = tcp.listener6(key.laddr6(), key.lport());
        if (l != null) {
            passiveOpen(l, syn, key, iif, iss);
        } else {
            send(Segment.resetFor(syn), key.laddr6(), key.lport(), key.raddr6(), key.rport(), iif, false,
                    TcpProtocol.NO_GSO, 0);
        }
    }

    /**
     * tcp_transmit_skb over IPv6 (inet6_csk_xmit): hop limit 64, the segment's ECN bits in the traffic class; a
     * payload over {@code gsoSize} leaves as one super-segment (SKB_GSO_TCPV6), counted as its segments; out
     * {@code oif} when the peer is link-local.
     */
    private void send(Segment seg, Ipv6Address laddr, int lport, Ipv6Address raddr, int rport, NetDevice oif,
                      boolean retransmission, int gsoSize, long departureNanos) {
        PacketBuffer pkt = wire.get().build6(pool, seg, laddr, lport, raddr, rport, gsoSize);
        pkt.setTstamp(departureNanos);
        pkt.setHash(FlowHash.ofFlow6(laddr, raddr, Ipv6Packet.NEXTHDR_TCP, lport, rport));
        tcp.countOut(seg, pkt.isGso() ? pkt.gsoSegs() : 1, retransmission);
        out.send(pkt, laddr, raddr, oif, Ipv6Packet.NEXTHDR_TCP, Ipv6Packet.DEFAULT_HOP_LIMIT, seg.ipEcn());
    }

    /**
     * The settings for a connection to {@code raddr}: the MSS the route's MTU allows (less the 40-byte IPv6
     * header: tcp_v6_connect's and tcp_v6_syn_recv_sock's mtu minus 60) and, as for IPv4 (sk_setup_caps),
     * super-segments when the route's device has GSO.
     */
    private TcpConfig configFor(Ipv6Address raddr, NetDevice oif) {
        TcpConfig c = tcp.config();
        DstEntry dst = out.dstFor(raddr, oif);
        if (dst == null) {
            return c;
        }
        int mss = dst.mtu() - Ipv6Packet.HEADER_LEN - TcpSegment.MIN_HEADER_LEN;
        c = mss < c.mss() ? c.withMss(mss) : c;
        return c.withGsoMaxSize(dst.dev().hasFeatures(NetdevFeatures.GSO) ? TcpConfig.GSO_MAX_SIZE : 0)
                .withFqPacing(dst.dev().pacesDepartures());
    }

    /** The flow's hash, for the Cpu that serves it: the one RPS gives its packets ({@link FlowHash#ofFlow6}). */
    private static int flowHash(TcpProtocol.Key key) {
        return FlowHash.ofFlow6(key.raddr6(), key.laddr6(), Ipv6Packet.NEXTHDR_TCP, key.rport(), key.lport());
    }
}
