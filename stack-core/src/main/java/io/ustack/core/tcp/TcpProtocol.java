package io.ustack.core.tcp;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.ipv4.IcmpErrorHandler;
import io.ustack.core.ipv4.IpOptions;
import io.ustack.core.ipv4.IpProtocolHandler;
import io.ustack.core.ipv4.Ipv4Output;
import io.ustack.core.ipv6.Icmpv6ErrorHandler;
import io.ustack.core.ipv6.Ipv6Output;
import io.ustack.core.ipv6.Ipv6SocketContext;
import io.ustack.core.link.NetDevice;
import io.ustack.core.link.NetdevFeatures;
import io.ustack.core.route.DstEntry;
import io.ustack.core.softnet.Cpu;
import io.ustack.core.softnet.FlowHash;
import io.ustack.core.stats.DropReason;
import io.ustack.core.stats.Mib;
import io.ustack.core.stats.MibCounters;
import io.ustack.core.stats.PacketDrops;
import io.ustack.core.time.Clock;
import io.ustack.core.wire.IcmpPacket;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.Ipv4Packet;
import io.ustack.core.wire.Ipv6Address;
import io.ustack.core.wire.TcpSegment;
import java.io.IOException;
import java.net.BindException;
import java.net.NoRouteToHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;
import java.util.random.RandomGenerator;

/**
 * TCP over IPv4 (net/ipv4/tcp_ipv4.c): tcp_v4_rcv checks a segment and finds its connection or listener,
 * tcp_v4_send_reset answers segments nobody owns, tcp_v4_err hears ICMP errors, and tcp_v4_connect opens
 * connections. Each connection is served on the Cpu its flow hashes to (see {@link TcpSocket}). The same
 * connections and Tcbs serve IPv6, whose own receive and send halves are {@link TcpIpv6}.
 */
public final class TcpProtocol implements IpProtocolHandler, IcmpErrorHandler {
    /**
     * The four-tuple that names a connection, from this host's side: IPv4 addresses in {@code laddr} and
     * {@code raddr}, or IPv6 ones in {@code laddr6} and {@code raddr6} (null over IPv4, and the ints 0 over
     * IPv6), so that one table holds both families and an IPv4 lookup still makes one object.
     */
    public record Key(int laddr, int lport, int raddr, int rport, Ipv6Address laddr6, Ipv6Address raddr6) {
        public Key(int laddr, int lport, int raddr, int rport) {
            this(laddr, lport, raddr, rport, null, null);
        }

        static Key v6(Ipv6Address laddr, int lport, Ipv6Address raddr, int rport) {
            return new Key(0, lport, 0, rport, laddr, raddr);
        }

        public boolean isIpv6() {
            return laddr6 != null;
        }
    }

    /** ip_local_port_range: where connect(2) picks its local ports. */
    public static final int EPHEMERAL_LOW = 32768;
    public static final int EPHEMERAL_HIGH = 60999;
    /** The gso_size of segments that carry no data: never cut. */
    static final int NO_GSO = Integer.MAX_VALUE;

    private final BufferPool pool;
    private final Ipv4Output out;
    private final MibCounters mib;
    private final PacketDrops drops;
    private final Clock clock;
    private final RandomGenerator random;
    private final IntFunction<Cpu> cpuFor;
    private final IsnGenerator isn;
    private final SynCookies cookies;
    private volatile TcpConfig config;
    private volatile Ipv6SocketContext ctx6 = Ipv6SocketContext.NONE;
    private final ConcurrentHashMap<Key, TcpSocket> connections = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, TcpListener> listeners = new ConcurrentHashMap<>();
    /**
     * IPv6 listeners, by port, beside the IPv4 ones: one with IPV6_V6ONLY shares its port with an IPv4
     * listener; one without it on :: holds the port for both families and takes IPv4 when no IPv4 listener does.
     */
    private final ConcurrentHashMap<Integer, TcpListener> listeners6 = new ConcurrentHashMap<>();
    private final AtomicInteger currEstab = new AtomicInteger();
    private final ThreadLocal<TcpWire> wire = ThreadLocal.withInitial(TcpWire::new);
    private final TcpIpv6 ipv6;

    public TcpProtocol(BufferPool pool, Ipv4Output out, Ipv6Output out6, MibCounters mib, PacketDrops drops, Clock clock,
                       RandomGenerator random, RandomGenerator secrets, IntFunction<Cpu> cpuFor, TcpConfig config) {
        this.pool = pool;
        this.out = out;
        this.mib = mib;
        this.drops = drops;
        this.clock = clock;
        this.random = random;
        this.cpuFor = cpuFor;
        this.config = config;
        this.isn = new IsnGenerator(clock, secrets);
        this.cookies = new SynCookies(isn, clock);
        this.ipv6 = new TcpIpv6(this, pool, out6, mib, drops, isn, cookies);
        mib.gauge("TcpCurrEstab", currEstab::get);
    }

    long now() {
        return clock.nanos();
    }

    /** The settings new connections get. */
    public void setConfig(TcpConfig config) {
        this.config = config;
    }

    public TcpConfig config() {
        return config;
    }

    // ---- receive (tcp_v4_rcv) ----

    /** inet6_add_protocol's tcpv6_protocol: the handler of next header 6 ({@link TcpIpv6#rcv}). */
    public IpProtocolHandler ipv6Handler() {
        return ipv6::rcv;
    }

    /** tcpv6_protocol's err_handler ({@link TcpIpv6#err}), for Icmpv6Protocol.addErrorHandler. */
    public Icmpv6ErrorHandler ipv6ErrorHandler() {
        return ipv6::err;
    }

    /** Takes ownership; data at the TCP header, network header and dst set. */
    @Override
    public void rcv(PacketBuffer pkt) {
        TcpSegment tcp = header(pkt);
        if (tcp == null) {
            return;
        }
        Ipv4Packet ip = Ipv4Packet.wrap(pkt, pkt.networkHeader());
        int saddr = ip.saddr();
        int daddr = ip.daddr();
        if (!pkt.csumUnnecessary() && !tcp.checksumOk(saddr, daddr, pkt.len())) {
            checksumError(pkt);
            return;
        }
        if (!deliverable(pkt, tcp)) {
            return;
        }
        // the segment's payload is the packet's own bytes (copied once, into the receive buffer), so the packet
        // is released only after the segment has been handled
        Segment seg = wire.get().parse(pkt, tcp, ip.tos());
        int sport = tcp.sourcePort();
        int dport = tcp.destinationPort();
        if (toConnection(connections.get(new Key(daddr, dport, saddr, sport)), seg, pkt)) {
            return;
        }
        TcpListener l = listener(daddr, dport);
        if (l != null && ignoredByListener(seg, pkt)) {
            return;
        }
        if (l != null && seg.has(TcpSegment.SYN) && !seg.has(TcpSegment.ACK) && !seg.has(TcpSegment.RST)) {
            byte[] ipOptions = echoedOptions(pkt, daddr);
            passiveOpen(l, seg, daddr, dport, saddr, sport, isn.isn(daddr, dport, saddr, sport), ipOptions);
            pkt.release();
            return;
        }
        if (l != null && seg.has(TcpSegment.ACK) && !seg.has(TcpSegment.SYN) && !seg.has(TcpSegment.RST)) {
            int mss = cookies.check(daddr, dport, saddr, sport, seg.seq(), seg.ack());
            if (mss > 0 && !l.acceptQueueFull()) {
                mib.inc(Mib.TcpExtSyncookiesRecv);
                cookieOpen(l, seg, mss, daddr, dport, saddr, sport);
                pkt.release();
                return;
            }
            mib.inc(Mib.TcpExtSyncookiesFailed);
        }
        if (!seg.has(TcpSegment.RST)) {
            sendReset(seg, daddr, dport, saddr, sport, pkt);
        }
        drops.drop(pkt, DropReason.NO_SOCKET);
    }

    /**
     * The first checks of tcp_v4_rcv and tcp_v6_rcv: the TCP header, or null when the packet (owned) was
     * dropped: one sent to a link-layer broadcast or multicast is no one's, whatever its IP destination, and
     * is dropped before anything else, answered by no reset; a bad data offset counts TcpInErrs.
     */
    TcpSegment header(PacketBuffer pkt) {
        if (pkt.pktType() != PacketBuffer.PacketType.HOST) {
            drops.drop(pkt, DropReason.OTHERHOST);
            return null;
        }
        TcpSegment tcp = TcpSegment.wrap(pkt, pkt.data());
        if (tcp == null || tcp.headerLength() < TcpSegment.MIN_HEADER_LEN || tcp.headerLength() > pkt.len()) {
            mib.inc(Mib.TcpInErrs);
            drops.drop(pkt, DropReason.TCP_HDR);
            return null;
        }
        return tcp;
    }

    /** A segment whose checksum failed: counted and dropped (owned). */
    void checksumError(PacketBuffer pkt) {
        mib.inc(Mib.TcpInCsumErrors);
        mib.inc(Mib.TcpInErrs);
        drops.drop(pkt, DropReason.TCP_CSUM);
    }

    /**
     * After the checksum: counts TcpInSegs and says whether the segment (owned; dropped if not) may go to a
     * socket: only to a local destination, and only without an MD5 signature.
     */
    boolean deliverable(PacketBuffer pkt, TcpSegment tcp) {
        mib.inc(Mib.TcpInSegs); // one a packet, a GRO'd super-packet too: Linux's tcp_v4_rcv counts skbs
        if (pkt.dst().type() != DstEntry.Type.LOCAL) {
            drops.drop(pkt, DropReason.NO_SOCKET); // TCP is never broadcast or multicast
            return false;
        }
        if (hasMd5Option(pkt, tcp)) {
            // tcp_inbound_hash: no MD5 key is ever configured here, so a signed segment is unexpected and
            // dropped, for a connection or listener and (tcp_v4_send_reset finds no key) with no reset either
            drops.drop(pkt, DropReason.TCP_MD5UNEXPECTED);
            return false;
        }
        return true;
    }

    /** Hands {@code seg} to {@code sock} if there is one, then releases {@code pkt} (owned); false: no socket. */
    static boolean toConnection(TcpSocket sock, Segment seg, PacketBuffer pkt) {
        if (sock == null) {
            return false;
        }
        sock.segmentArrives(seg);
        pkt.release();
        return true;
    }

    /**
     * tcp_rcv_state_process in LISTEN: without ACK or RST only a SYN (and not SYN+FIN) means anything; FIN,
     * NULL, XMAS and SYN+FIN scans are dropped (the packet, owned) without a word. True if it was.
     */
    boolean ignoredByListener(Segment seg, PacketBuffer pkt) {
        if (!seg.has(TcpSegment.ACK) && !seg.has(TcpSegment.RST)
                && (!seg.has(TcpSegment.SYN) || seg.has(TcpSegment.FIN))) {
            drops.drop(pkt, DropReason.TCP_FLAGS);
            return true;
        }
        return false;
    }

    /** tcp_parse_md5sig_option: whether the options hold a TCPOPT_MD5SIG (kind 19, length 18). */
    static boolean hasMd5Option(PacketBuffer pkt, TcpSegment tcp) {
        int at = tcp.offset() + TcpSegment.MIN_HEADER_LEN;
        int end = tcp.offset() + tcp.headerLength();
        while (at < end) {
            int kind = pkt.u8(at);
            if (kind == 0) {
                return false;
            }
            if (kind == 1) {
                at++;
                continue;
            }
            if (at + 1 >= end) {
                return false;
            }
            int len = pkt.u8(at + 1);
            if (len < 2 || at + len > end) {
                return false;
            }
            if (kind == 19 && len == 18) {
                return true;
            }
            at += len;
        }
        return false;
    }

    /**
     * __inet_lookup_listener for IPv4: the IPv4 listener for {@code daddr}:{@code dport}, else an IPv6 one
     * that takes IPv4 (v4-mapped), else null. The port is boxed once for both maps, so an IPv4 lookup
     * allocates no more than it did with one.
     */
    private TcpListener listener(int daddr, int dport) {
        Integer port = dport;
        TcpListener l = listeners.get(port);
        if (l != null) {
            return l.address() == 0 || l.address() == daddr ? l : null;
        }
        l = listeners6.get(port);
        return l != null && l.takesIpv4(daddr) ? l : null;
    }

    /**
     * tcp_conn_request: a SYN for a listener makes a connection in SYN_RECEIVED if the SYN queue has room;
     * with the queue full (a SYN flood, say) it is answered with a SYN cookie instead, which keeps no state.
     */
    private void passiveOpen(TcpListener l, Segment syn, int laddr, int lport, int raddr, int rport, int iss,
                             byte[] ipOptions) {
        if (!l.reserveSynSlot()) {
            sendCookie(l, syn, laddr, lport, raddr, rport, ipOptions);
            return;
        }
        Key key = new Key(laddr, lport, raddr, rport);
        TcpSocket s = new TcpSocket(this, key, cpuFor.apply(FlowHash.ofFlow(raddr, laddr, Ipv4Packet.IPPROTO_TCP, rport, lport)), l, true);
        connections.put(key, s);
        mib.inc(Mib.TcpPassiveOpens);
        s.attach(Tcb.accept(l.options().apply(configFor(raddr)), this::transmit, s.events(), mib, laddr, lport, raddr, rport, syn,
                iss, isn.tsOffset(laddr, raddr), now(), ipOptions));
    }

    /**
     * tcp_v4_save_options: the IP options of {@code syn} (borrowed) turned round for our answers
     * (ip_options_echo, our address and the time filled in), or null when it has none or they cannot be
     * echoed, in which case the connection goes on without them, as Linux's does.
     */
    private byte[] echoedOptions(PacketBuffer syn, int laddr) {
        if (syn.ipOptions() == 0) {
            return null;
        }
        byte[] options = new byte[IpOptions.MAX_LEN];
        int len = IpOptions.echo(syn, syn.networkHeader(), syn.ipOptions(), laddr, timeOfDayMs(), options);
        return len <= 0 ? null : Arrays.copyOf(options, len);
    }

    /** The IP Timestamp option's clock: milliseconds since midnight UT (RFC 791). */
    private int timeOfDayMs() {
        return (int) Math.floorMod(clock.wallMillis(), 86_400_000L);
    }

    /**
     * tcp_v4_rcv's TCP_TW_SYN: a SYN ended a connection's TIME_WAIT (the connection is already out of the
     * table), so it goes to the listener as a new connection numbered above the old one; with no listener it
     * is refused like any segment for no connection. On the old connection's Cpu, which is the flow's;
     * {@code iif} the old connection's interface, for a link-local IPv6 peer.
     */
    void synAfterTimeWait(Key key, NetDevice iif, Segment syn, int iss) {
        if (key.isIpv6()) {
            ipv6.synAfterTimeWait(key, iif, syn, iss);
            return;
        }
        TcpListener l = listener(key.laddr(), key.lport());
        if (l != null) {
            passiveOpen(l, syn, key.laddr(), key.lport(), key.raddr(), key.rport(), iss, null);
        } else {
            sendReset(syn, key.laddr(), key.lport(), key.raddr(), key.rport());
        }
    }

    /** cookie_v4_init_sequence and tcp_v4_send_synack: a SYN-ACK whose ISN is the cookie, MSS its only option. */
    private void sendCookie(TcpListener l, Segment syn, int laddr, int lport, int raddr, int rport, byte[] ipOptions) {
        if (l.acceptQueueFull()) {
            mib.inc(Mib.TcpExtListenDrops); // even a cookie cannot help when nobody accepts
            return;
        }
        TcpConfig c = l.options().apply(configFor(raddr));
        int cookie = cookies.make(laddr, lport, raddr, rport, syn.seq(), syn.mss() > 0 ? syn.mss() : Tcb.DEFAULT_PEER_MSS);
        // tcp_conn_request decides ECN (tcp_ecn_create_request) before choosing a cookie, so a cookie SYN-ACK
        // answers an ECN-setup SYN with ECE as well; the connection the cookie makes has no ECN (without
        // timestamps the cookie cannot remember it: cookie_v4_check's TS_OPT_ECN)
        int flags = TcpSegment.SYN | TcpSegment.ACK | (Tcb.ecnSetupSyn(c, syn) ? TcpSegment.ECE : 0);
        send(new Segment(cookie, syn.seq() + 1, flags, Receiver.initialWindow(c, c.mss()), c.mss(), -1,
                false, false, 0, 0, Segment.NO_SACK, Payload.NONE, 0), laddr, lport, raddr, rport, false, NO_GSO, null,
                ipOptions, ipOptions == null ? 0 : ipOptions.length, 0);
        mib.inc(Mib.TcpExtSyncookiesSent);
    }

    /** tcp_get_cookie_sock: the returning ACK's cookie checked out; the connection starts established. */
    private void cookieOpen(TcpListener l, Segment ack, int mss, int laddr, int lport, int raddr, int rport) {
        Key key = new Key(laddr, lport, raddr, rport);
        TcpSocket s = new TcpSocket(this, key, cpuFor.apply(FlowHash.ofFlow(raddr, laddr, Ipv4Packet.IPPROTO_TCP, rport, lport)), l, false);
        if (connections.putIfAbsent(key, s) != null) {
            return;
        }
        mib.inc(Mib.TcpPassiveOpens);
        s.attachEstablished(Tcb.fromCookie(l.options().apply(configFor(raddr)), this::transmit, s.events(), mib, laddr, lport, raddr, rport, ack,
                mss, isn.tsOffset(laddr, raddr)), ack);
    }

    /**
     * tcp_v4_send_reset (RFC 9293 3.10.7.1): a segment for no connection is answered with a RST that the
     * sender will accept: at the ACK it carried, or acknowledging what it sent.
     */
    private void sendReset(Segment seg, int laddr, int lport, int raddr, int rport) {
        sendReset(seg, laddr, lport, raddr, rport, null);
    }

    /**
     * {@link #sendReset} answering {@code received} (borrowed): ip_send_unicast_reply gives the reset the
     * segment's IP options back (ip_options_echo), and sends nothing if they cannot be echoed.
     */
    private void sendReset(Segment seg, int laddr, int lport, int raddr, int rport, PacketBuffer received) {
        byte[] options = null;
        int optLen = 0;
        if (received != null && received.ipOptions() != 0) {
            options = new byte[IpOptions.MAX_LEN];
            optLen = IpOptions.echo(received, received.networkHeader(), received.ipOptions(), laddr, timeOfDayMs(),
                    options);
            if (optLen < 0) {
                return;
            }
        }
        Segment rst = Segment.resetFor(seg);
        send(rst, laddr, lport, raddr, rport, false, NO_GSO, null, options, optLen, 0);
    }

    // ---- send (tcp_transmit_skb) ----

    private void transmit(Tcb tcb, Segment seg, boolean retransmission, long departureNanos) {
        byte[] options = tcb.ipOptions();
        send(seg, tcb.localAddress(), tcb.localPort(), tcb.remoteAddress(), tcb.remotePort(), retransmission,
                tcb.gsoSize(), tcb, options, options == null ? 0 : options.length, departureNanos);
    }

    /**
     * tcp_transmit_skb: segments counted as the segments a super-segment holds (tcp_skb_pcount). The IP ID is
     * the connection's counter, advanced by those segments (ip_select_ident_segs with inet_id, which starts
     * at a random value), for what a full socket sends; 0 for what Linux sends with DF from a request socket
     * (SYN-ACKs), a TIME_WAIT socket or the control socket (resets for no connection, cookie SYN-ACKs):
     * {@code tcb} null, or {@link Tcb#takeIpId} says so. {@code ipOptions}: what a reset echoes of the
     * segment it answers, or a passive open's of its SYN (ip_options_echo). {@code departureNanos}: the
     * earliest departure time (skb->tstamp), 0 for at once.
     */
    private void send(Segment seg, int laddr, int lport, int raddr, int rport, boolean retransmission, int gsoSize,
                      Tcb tcb, byte[] ipOptions, int ipOptLen, long departureNanos) {
        PacketBuffer pkt = wire.get().build(pool, seg, laddr, lport, raddr, rport, gsoSize);
        pkt.setTstamp(departureNanos);
        pkt.setHash(FlowHash.ofFlow(laddr, raddr, Ipv4Packet.IPPROTO_TCP, lport, rport));
        int pcount = pkt.isGso() ? pkt.gsoSegs() : 1;
        countOut(seg, pcount, retransmission);
        int id = 0;
        if (tcb != null) {
            if (!tcb.hasIpId()) {
                tcb.startIpId(random.nextInt(65_536)); // get_random_u16 in tcp_v4_connect, tcp_v4_syn_recv_sock
            }
            id = tcb.takeIpId(seg, pcount);
        }
        // Linux sets DF on TCP (path MTU discovery): the MSS keeps segments under the route's MTU
        if (ipOptLen > 0) {
            out.sendWithOptions(pkt, laddr, raddr, Ipv4Packet.IPPROTO_TCP, seg.ipEcn(), Ipv4Packet.DEFAULT_TTL, true,
                    ipOptions, ipOptLen, id);
        } else {
            out.sendWithId(pkt, laddr, raddr, Ipv4Packet.IPPROTO_TCP, seg.ipEcn(), Ipv4Packet.DEFAULT_TTL, true, id);
        }
    }

    /** tcp_transmit_skb's counters for {@code seg}, sent as {@code pcount} segments. */
    void countOut(Segment seg, int pcount, boolean retransmission) {
        mib.add(Mib.TcpOutSegs, pcount);
        if (retransmission) {
            mib.add(Mib.TcpRetransSegs, pcount);
        }
        if (seg.has(TcpSegment.RST)) {
            mib.inc(Mib.TcpOutRsts);
        }
    }

    // ---- ICMP errors (tcp_v4_err) ----

    /** Hard errors (port or protocol unreachable) fail a connection still opening; others are soft, as in Linux. */
    @Override
    public void err(int type, int code, int info, int saddr, int daddr, int sport, int dport) {
        TcpSocket s = connections.get(new Key(saddr, sport, daddr, dport));
        if (s != null && type == IcmpPacket.DEST_UNREACH && code == IcmpPacket.FRAG_NEEDED) {
            // tcp_v4_err: the route learns the path MTU (inet_csk_update_pmtu), then tcp_v4_mtu_reduced
            // shrinks the connection's segments to what the route now says (at least min_pmtu's worth)
            out.updatePmtu(daddr, info & 0xffff);
            DstEntry dst = out.dstFor(daddr);
            if (dst != null) {
                int pmtu = dst.mtu();
                s.cpu().execute(() -> s.onCpu(t -> t.pathMtuReduced(pmtu, Ipv4Packet.MIN_HEADER_LEN, now())));
            }
            return;
        }
        if (s != null && type == IcmpPacket.DEST_UNREACH
                && (code == IcmpPacket.PORT_UNREACH || code == IcmpPacket.PROT_UNREACH)) {
            s.cpu().execute(() -> s.hardError(CloseReason.ICMP_UNREACHABLE));
        }
    }

    // ---- the application's side ----

    /** listen(2) on {@code addr} (0: any) and {@code port}. */
    public TcpListener listen(int addr, int port, int backlog) throws BindException {
        return listen(addr, port, backlog, UnaryOperator.identity());
    }

    /**
     * listen(2) for a socket whose options ({@code options}, applied over the route's settings) its
     * connections inherit, as accepted sockets inherit their listener's.
     */
    public synchronized TcpListener listen(int addr, int port, int backlog, UnaryOperator<TcpConfig> options)
            throws BindException {
        TcpListener l6 = listeners6.get(port);
        if (l6 != null && l6.bindsIpv4()) {
            throw new BindException("TCP port " + port + " is already in use by an IPv6 listener that takes IPv4 too ("
                    + "without IPV6_V6ONLY)");
        }
        TcpListener l = new TcpListener(this, addr, port, Math.max(1, backlog), options);
        if (listeners.putIfAbsent(port, l) != null) {
            throw new BindException("TCP port " + port + " is already in use");
        }
        return l;
    }

    /**
     * listen(2) on an IPv6 socket bound to {@code addr} (:: for any) and {@code port}, its IPV6_V6ONLY as
     * net.ipv6.bindv6only says (0, Linux's default: on :: it takes IPv4 too).
     */
    public TcpListener listen6(Ipv6Address addr, int port, int backlog) throws BindException {
        return listen6(addr, port, backlog, ctx6.bindV6Only().getAsBoolean());
    }

    /**
     * listen(2) on an IPv6 socket bound to {@code addr} and {@code port} with IPV6_V6ONLY {@code v6only}: on,
     * it takes IPv6 alone and may share its port with an IPv4 listener; off, on :: (or a v4-mapped address) it
     * takes IPv4 as well, as v4-mapped connections, and holds the port for both families (a v4-mapped address
     * with IPV6_V6ONLY is refused, as inet6_bind refuses it).
     */
    public synchronized TcpListener listen6(Ipv6Address addr, int port, int backlog, boolean v6only) throws BindException {
        if (v6only && addr.isV4Mapped()) {
            throw new BindException("a v4-mapped address on a socket with IPV6_V6ONLY: " + addr);
        }
        TcpListener l = new TcpListener(this, addr, v6only, port, Math.max(1, backlog), UnaryOperator.identity());
        if (l.bindsIpv4() && listeners.containsKey(port)) {
            throw new BindException("TCP port " + port + " is already in use over IPv4 (an IPv6 listener that takes "
                    + "IPv4 too needs it free; IPV6_V6ONLY shares it)");
        }
        if (listeners6.putIfAbsent(port, l) != null) {
            throw new BindException("TCP port " + port + " is already in use over IPv6");
        }
        return l;
    }

    /** What IPv6 sockets read from the stack: bindv6only, and the interfaces scope ids name. */
    public void setIpv6Context(Ipv6SocketContext ctx) {
        this.ctx6 = ctx;
    }

    Ipv6SocketContext ipv6Context() {
        return ctx6;
    }

    /** The IPv6 listener for {@code daddr}:{@code dport}, or null. */
    TcpListener listener6(Ipv6Address daddr, int dport) {
        TcpListener l = listeners6.get(dport);
        return l != null && (l.address6().isUnspecified() || l.address6().equals(daddr)) ? l : null;
    }

    void unlisten(TcpListener l) {
        (l.address6() == null ? listeners : listeners6).remove(l.port(), l);
    }

    TcpSocket connection(Key key) {
        return connections.get(key);
    }

    /** A new connection under {@code key}, unless one holds it already (then null). */
    TcpSocket register(Key key, TcpSocket s) {
        return connections.putIfAbsent(key, s);
    }

    Cpu cpuFor(int flowHash) {
        return cpuFor.apply(flowHash);
    }

    /** connect(2): sends the SYN and returns; {@link TcpSocket#awaitConnected} waits for the handshake. */
    public TcpSocket connect(int raddr, int rport) throws IOException {
        return connect(0, 0, raddr, rport, UnaryOperator.identity());
    }

    /**
     * connect(2) from a socket bound to {@code laddr}:{@code lport}; 0 leaves the address to the route
     * (inet_select_addr) and the port to inet_hash_connect's search of ip_local_port_range. The socket's
     * options ({@code options}) apply over the route's settings. A four-tuple already in use is refused
     * (BindException), as __inet_hash_connect refuses it with EADDRNOTAVAIL.
     */
    public TcpSocket connect(int laddr, int lport, int raddr, int rport, UnaryOperator<TcpConfig> options)
            throws IOException {
        return connect(laddr, lport, raddr, rport, options, false);
    }

    /** {@link #connect(int, int, int, int, UnaryOperator)} of an IPv4 or ({@code v4Mapped}) an IPv6 socket. */
    private TcpSocket connect(int laddr, int lport, int raddr, int rport, UnaryOperator<TcpConfig> options,
                              boolean v4Mapped) throws IOException {
        int saddr = laddr != 0 ? laddr : out.sourceFor(raddr);
        if (saddr == 0) {
            throw new NoRouteToHostException("no route to " + Ipv4Address.format(raddr));
        }
        TcpConfig cfg = options.apply(configFor(raddr));
        if (lport != 0) {
            TcpSocket s = tryConnect(new Key(saddr, lport, raddr, rport), cfg, v4Mapped);
            if (s == null) {
                throw new BindException(Ipv4Address.format(saddr) + ":" + lport + " is already connected to "
                        + Ipv4Address.format(raddr) + ":" + rport);
            }
            return s;
        }
        TcpSocket s = ephemeral(port -> tryConnect(new Key(saddr, port, raddr, rport), cfg, v4Mapped));
        if (s == null) {
            throw new BindException("no free local port to " + Ipv4Address.format(raddr) + ":" + rport);
        }
        return s;
    }

    /**
     * inet_hash_connect's search of ip_local_port_range from a random start: the first port no listener
     * of either family holds for which {@code tryPort} claims a connection, or null.
     */
    TcpSocket ephemeral(IntFunction<TcpSocket> tryPort) {
        int span = EPHEMERAL_HIGH - EPHEMERAL_LOW + 1;
        int start = random.nextInt(span);
        for (int i = 0; i < span; i++) {
            int port = EPHEMERAL_LOW + (start + i) % span;
            if (listeners.containsKey(port) || listeners6.containsKey(port)) {
                continue;
            }
            TcpSocket s = tryPort.apply(port);
            if (s != null) {
                return s;
            }
        }
        return null;
    }

    /** connect(2) over IPv6: {@link #connect6(Ipv6Address, int, Ipv6Address, int, int, UnaryOperator)} from any. */
    public TcpSocket connect6(Ipv6Address raddr, int rport) throws IOException {
        return connect6(raddr, 0, rport);
    }

    /** connect(2) over IPv6 from any to {@code raddr} on the link of interface {@code scopeId} (0: none). */
    public TcpSocket connect6(Ipv6Address raddr, int scopeId, int rport) throws IOException {
        return connect6(Ipv6Address.UNSPECIFIED, 0, raddr, scopeId, rport, UnaryOperator.identity());
    }

    /**
     * tcp_v6_connect from a socket bound to {@code laddr}:{@code lport}: :: leaves the address to source
     * selection (RFC 6724), 0 the port to the ephemeral search; otherwise as {@link #connect}. A link-local
     * {@code raddr} needs {@code scopeId}, the index of the interface it is on (sin6_scope_id; EINVAL
     * without), and the connection stays on that interface. To a v4-mapped {@code raddr} it is
     * tcp_v4_connect's IPv4 connection, its ends named v4-mapped, unless IPV6_V6ONLY (net.ipv6.bindv6only
     * here, a new socket's default) refuses it with ENETUNREACH.
     */
    public TcpSocket connect6(Ipv6Address laddr, int lport, Ipv6Address raddr, int scopeId, int rport,
                              UnaryOperator<TcpConfig> options) throws IOException {
        if (raddr.isV4Mapped()) {
            if (ctx6.bindV6Only().getAsBoolean()) {
                throw new NoRouteToHostException("network is unreachable: " + raddr + " is an IPv4 address and the "
                        + "socket has IPV6_V6ONLY");
            }
            if (!laddr.isUnspecified() && !laddr.isV4Mapped()) {
                throw new NoRouteToHostException("network is unreachable: " + raddr + " is an IPv4 address and the "
                        + "socket is bound to the IPv6 address " + laddr);
            }
            return connect(laddr.isUnspecified() ? 0 : laddr.v4(), lport, raddr.v4(), rport, options, true);
        }
        return ipv6.connect(laddr, lport, raddr, ctx6.scope(raddr, scopeId), rport, options);
    }

    /**
     * Claims {@code key} and sends the SYN, or returns null if a connection holds that four-tuple;
     * {@code v4Mapped} for an IPv6 socket's.
     */
    private TcpSocket tryConnect(Key key, TcpConfig cfg, boolean v4Mapped) {
        Cpu cpu = cpuFor.apply(FlowHash.ofFlow(key.raddr(), key.laddr(), Ipv4Packet.IPPROTO_TCP, key.rport(), key.lport()));
        TcpSocket s = new TcpSocket(this, key, cpu, null, false, null, v4Mapped);
        if (connections.putIfAbsent(key, s) != null) {
            return null;
        }
        mib.inc(Mib.TcpActiveOpens);
        cpu.execute(() -> s.attach(Tcb.connect(cfg, this::transmit, s.events(), mib, key.laddr(), key.lport(),
                key.raddr(), key.rport(), isn.isn(key.laddr(), key.lport(), key.raddr(), key.rport()),
                isn.tsOffset(key.laddr(), key.raddr()), now())));
        return s;
    }

    /**
     * The settings for a connection to {@code raddr}: the MSS the route's MTU allows and, as sk_setup_caps
     * finds it, whether its device takes super-segments (NETIF_F_GSO, software or not); and whether the
     * device's qdisc paces (sch_fq marks the sockets whose packets it sees SK_PACING_FQ).
     */
    private TcpConfig configFor(int raddr) {
        TcpConfig c = config;
        DstEntry dst = out.dstFor(raddr);
        if (dst == null) {
            return c;
        }
        int mss = dst.mtu() - Ipv4Packet.MIN_HEADER_LEN - TcpSegment.MIN_HEADER_LEN;
        c = mss < c.mss() ? c.withMss(mss) : c;
        return c.withGsoMaxSize(dst.dev().hasFeatures(NetdevFeatures.GSO) ? TcpConfig.GSO_MAX_SIZE : 0)
                .withFqPacing(dst.dev().pacesDepartures());
    }

    /** A connection entered (+1) or left (-1) the states TcpCurrEstab counts. */
    void currEstabChanged(int delta) {
        currEstab.addAndGet(delta);
    }

    /** A connection ended: out of the table, and counted as the kernel counts its ends. */
    void closed(TcpSocket s, boolean wasEstablished, CloseReason reason) {
        connections.remove(s.key(), s);
        if (wasEstablished) {
            if (reason == CloseReason.RESET_RECEIVED) {
                mib.inc(Mib.TcpEstabResets);
            }
        } else {
            mib.inc(Mib.TcpAttemptFails);
        }
        if (reason == CloseReason.TIMEOUT) {
            mib.inc(Mib.TcpExtTCPAbortOnTimeout);
        }
    }

    /** TcpCurrEstab: connections in ESTABLISHED or CLOSE_WAIT now (RFC 1213's tcpCurrEstab). */
    public int currEstab() {
        return currEstab.get();
    }

    /** Every connection and listener, for `ustack ss`. */
    public List<TcpSocket> connections() {
        return new ArrayList<>(connections.values());
    }

    public List<TcpListener> listeners() {
        List<TcpListener> all = new ArrayList<>(listeners.values());
        all.addAll(listeners6.values());
        return all;
    }
}
