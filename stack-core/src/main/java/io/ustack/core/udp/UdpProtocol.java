package io.ustack.core.udp;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.buffer.PacketHandler;
import io.ustack.core.ipv4.IcmpErrorHandler;
import io.ustack.core.ipv4.IpProtocolHandler;
import io.ustack.core.ipv4.Ipv4Input;
import io.ustack.core.ipv4.Ipv4Output;
import io.ustack.core.ipv6.Ipv6Output;
import io.ustack.core.ipv6.Ipv6SocketContext;
import io.ustack.core.link.NetDevice;
import io.ustack.core.offload.Gso;
import io.ustack.core.offload.PartialChecksum;
import io.ustack.core.route.DstEntry;
import io.ustack.core.stats.DropReason;
import io.ustack.core.stats.Mib;
import io.ustack.core.stats.MibCounters;
import io.ustack.core.stats.PacketDrops;
import io.ustack.core.wire.IcmpPacket;
import io.ustack.core.wire.Icmpv6Packet;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.Ipv4Packet;
import io.ustack.core.wire.Ipv6Address;
import io.ustack.core.wire.Ipv6Packet;
import io.ustack.core.wire.UdpDatagram;
import java.io.IOException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.util.List;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * UDP (net/ipv4/udp.c, net/ipv6/udp.c): udp_rcv and udpv6_rcv deliver datagrams to sockets, udp_err hands
 * ICMP errors to the connected socket that caused them, and udp_sendmsg and udpv6_sendmsg build and send
 * datagrams. One socket table serves both families; IPv4 is this class's own {@link IpProtocolHandler}, IPv6
 * is {@link #ipv6Handler}.
 *
 * <p>Not yet over IPv6: UDP_SEGMENT, GSO super-packets received,
 * sends to a link-local destination (no scope id), v4-mapped addresses.
 */
public final class UdpProtocol implements IpProtocolHandler, IcmpErrorHandler {
    /** A family's receive counters: the UDP_MIB of /proc/net/snmp or of /proc/net/snmp6. */
    private record RcvCounters(Mib inDatagrams, Mib noPorts, Mib inErrors, Mib inCsumErrors, Mib rcvbufErrors) { }

    private static final RcvCounters V4 = new RcvCounters(Mib.UdpInDatagrams, Mib.UdpNoPorts, Mib.UdpInErrors,
            Mib.UdpInCsumErrors, Mib.UdpRcvbufErrors);
    private static final RcvCounters V6 = new RcvCounters(Mib.Udp6InDatagrams, Mib.Udp6NoPorts, Mib.Udp6InErrors,
            Mib.Udp6InCsumErrors, Mib.Udp6RcvbufErrors);

    private final UdpTable table;
    private final BufferPool pool;
    private final Ipv4Output out;
    private final Ipv4Input.ErrorSender icmp;
    private final Ipv6Output out6;
    private final Ipv4Input.ErrorSender icmp6;
    private final MibCounters mib;
    private final PacketDrops drops;
    private volatile Ipv6SocketContext ctx6 = Ipv6SocketContext.NONE;

    /**
     * @param icmp  icmp_send, for port unreachable over IPv4
     * @param icmp6 icmp6_send, for port unreachable over IPv6
     */
    public UdpProtocol(BufferPool pool, Ipv4Output out, Ipv4Input.ErrorSender icmp, Ipv6Output out6,
                       Ipv4Input.ErrorSender icmp6, MibCounters mib, PacketDrops drops, RandomGenerator random) {
        this.table = new UdpTable(random);
        this.pool = pool;
        this.out = out;
        this.icmp = icmp;
        this.out6 = out6;
        this.icmp6 = icmp6;
        this.mib = mib;
        this.drops = drops;
    }

    /** socket(AF_INET, SOCK_DGRAM, 0). */
    public UdpSocket open() {
        return new UdpSocket(this, false, false);
    }

    /** socket(AF_INET6, SOCK_DGRAM, 0), its IPV6_V6ONLY as net.ipv6.bindv6only says. */
    public UdpSocket open6() {
        return new UdpSocket(this, true, ctx6.bindV6Only().getAsBoolean());
    }

    /** What IPv6 sockets read from the stack: bindv6only, and the interfaces scope ids name. */
    public void setIpv6Context(Ipv6SocketContext ctx) {
        this.ctx6 = ctx;
    }

    Ipv6SocketContext ipv6Context() {
        return ctx6;
    }

    /** inet6_add_protocol's udpv6_protocol: the handler of next header 17, {@link #rcv6}. */
    public IpProtocolHandler ipv6Handler() {
        return this::rcv6;
    }

    /** Every bound socket, for `ustack ss`. */
    public List<UdpSocket> sockets() {
        return table.sockets();
    }

    UdpTable table() {
        return table;
    }

    PacketDrops drops() {
        return drops;
    }

    /**
     * udp_rcv: checks length and checksum, finds the socket and queues the datagram; a datagram nobody wants
     * is counted in UdpNoPorts and, if it was addressed to this host alone, answered with ICMP port
     * unreachable. Takes ownership; data at the UDP header.
     */
    @Override
    public void rcv(PacketBuffer pkt) {
        UdpDatagram udp = checkLength(pkt, V4);
        if (udp == null) {
            return;
        }
        Ipv4Packet ip = Ipv4Packet.wrap(pkt, pkt.networkHeader());
        if (!pkt.csumUnnecessary() && !udp.checksumOk(ip.saddr(), ip.daddr(), udp.length())) {
            csumError(pkt, V4);
            return;
        }
        UdpSocket sk = table.lookup(ip.saddr(), udp.sourcePort(), ip.daddr(), udp.destinationPort());
        if (sk == null) {
            mib.inc(Mib.UdpNoPorts);
            if (pkt.dst().type() == DstEntry.Type.LOCAL) {
                icmp.send(pkt, IcmpPacket.DEST_UNREACH, IcmpPacket.PORT_UNREACH, 0);
            }
            drops.drop(pkt, DropReason.NO_SOCKET);
            return;
        }
        if (pkt.isGso()) {
            rcvSegment(pkt, this::rcv);
            return;
        }
        enqueue(sk, pkt, V4);
    }

    /**
     * udpv6_rcv (__udp6_lib_rcv): as {@link #rcv}, but the checksum is mandatory (RFC 8200 section 8.1: a zero
     * one fails it, Udp6InCsumErrors) and covers the IPv6 pseudo-header. A datagram nobody wants counts
     * Udp6NoPorts and is answered by ICMPv6 port unreachable, which icmp6_send itself withholds when the
     * datagram went to a group. Takes ownership; data at the UDP header, network header set.
     */
    void rcv6(PacketBuffer pkt) {
        UdpDatagram udp = checkLength(pkt, V6);
        if (udp == null) {
            return;
        }
        Ipv6Packet ip = Ipv6Packet.wrap(pkt, pkt.networkHeader());
        if (!pkt.csumUnnecessary() && !udp.checksumOk6(ip.saddr(), ip.daddr(), udp.length())) {
            csumError(pkt, V6);
            return;
        }
        UdpSocket sk = table.lookup6(ip.saddr(), udp.sourcePort(), ip.daddr(), udp.destinationPort());
        if (sk == null) {
            mib.inc(Mib.Udp6NoPorts);
            icmp6.send(pkt, Icmpv6Packet.DEST_UNREACH, Icmpv6Packet.PORT_UNREACH, 0);
            drops.drop(pkt, DropReason.NO_SOCKET);
            return;
        }
        if (pkt.isGso()) {
            rcvSegment(pkt, this::rcv6);
            return;
        }
        enqueue(sk, pkt, V6);
    }

    /**
     * The UDP length checks of udp_rcv and udpv6_rcv: at least a header, no more than the packet, which is
     * trimmed to it. Returns the header, or null when the packet was dropped (InErrors). Takes ownership on
     * failure.
     */
    private UdpDatagram checkLength(PacketBuffer pkt, RcvCounters c) {
        UdpDatagram udp = UdpDatagram.wrap(pkt, pkt.data());
        int ulen = udp == null ? 0 : udp.length();
        if (udp == null || ulen < UdpDatagram.HEADER_LEN || ulen > pkt.len()) {
            mib.inc(c.inErrors());
            drops.drop(pkt, DropReason.UDP_LEN);
            return null;
        }
        pkt.trim(ulen);
        return udp;
    }

    /** csum_error: InCsumErrors and InErrors, and the datagram dropped. Takes ownership. */
    private void csumError(PacketBuffer pkt, RcvCounters c) {
        mib.inc(c.inCsumErrors());
        mib.inc(c.inErrors());
        drops.drop(pkt, DropReason.UDP_CSUM);
    }

    /**
     * __udp_queue_rcv_skb: the payload onto the socket's queue, InDatagrams; a full receive buffer counts
     * RcvbufErrors and InErrors. Takes ownership.
     */
    private void enqueue(UdpSocket sk, PacketBuffer pkt, RcvCounters c) {
        pkt.pull(UdpDatagram.HEADER_LEN);
        if (!sk.enqueue(pkt)) {
            mib.inc(c.rcvbufErrors());
            mib.inc(c.inErrors());
            drops.drop(pkt, DropReason.SOCKET_RCVBUFF);
            return;
        }
        mib.inc(c.inDatagrams());
    }

    /**
     * udp_queue_rcv_skb's udp_rcv_segment: a socket takes datagrams, never a super-packet (one the host sent
     * with USO, through a TAP that offers it), so it is cut as software GSO cuts one, from its Ethernet header
     * on, and each datagram is received on its own. Their checksums stay partial, trusted as the super-packet's
     * was. Over IPv6 as over IPv4 (udpv6_queue_rcv_skb). Takes ownership; data at the UDP header. {@code rcv}
     * is the family's udp_rcv, each datagram's way on.
     */
    private void rcvSegment(PacketBuffer pkt, PacketHandler rcv) {
        pkt.push(pkt.data() - pkt.macHeader());
        Gso.segment(pkt, pool, drops::drop, true, seg -> {
            seg.pull(seg.transportHeader() - seg.data());
            rcv.handle(seg);
        });
    }

    /**
     * udp_err: an ICMP error about a datagram we sent. Like Linux without IP_RECVERR, only a connected socket
     * hears of it, and only of hard errors: port unreachable becomes ECONNREFUSED on its next call.
     */
    @Override
    public void err(int type, int code, int info, int saddr, int daddr, int sport, int dport) {
        UdpSocket sk = table.lookup(daddr, dport, saddr, sport);
        if (sk != null && type == IcmpPacket.DEST_UNREACH && code == IcmpPacket.FRAG_NEEDED) {
            // __udp4_lib_err: a socket sent it, connected or not: learn the path MTU (ipv4_sk_update_pmtu)
            out.updatePmtu(daddr, info & 0xffff);
            return;
        }
        if (sk == null || sk.remotePort() == 0) {
            return;
        }
        if (type == IcmpPacket.DEST_UNREACH && code == IcmpPacket.PORT_UNREACH) {
            sk.error(UdpSocket.refused(daddr, dport));
        } else if (type == IcmpPacket.DEST_UNREACH && code != IcmpPacket.FRAG_NEEDED) {
            sk.error(new NoRouteToHostException(Ipv4Address.format(daddr) + " is unreachable (ICMP code " + code + ")"));
        }
    }

    /**
     * udpv6_err (__udp6_lib_err): an ICMPv6 error about a datagram we sent. A Packet Too Big teaches the path
     * MTU (ip6_sk_update_pmtu) whether or not the socket is connected. As without IPV6_RECVERR, only a
     * connected socket hears of an error, and only of a hard one as icmpv6_err_convert grades them: port
     * unreachable (ECONNREFUSED), administratively prohibited and the policy codes (EACCES), a parameter problem
     * (EPROTO), Packet Too Big (EMSGSIZE, as IPV6_PMTUDISC_WANT makes it hard). No socket: Icmp6InErrors.
     */
    public void err6(int type, int code, int info, NetDevice dev, Ipv6Address saddr, Ipv6Address daddr, int sport,
                     int dport) {
        UdpSocket sk = table.lookup6(daddr, dport, saddr, sport);
        if (sk == null) {
            mib.inc(Mib.Icmp6InErrors);
            return;
        }
        if (type == Icmpv6Packet.PKT_TOOBIG) {
            out6.updatePmtu(daddr, dev, info);
        }
        if (sk.remotePort() == 0) {
            return;
        }
        String peer = "[" + daddr + "]:" + dport;
        IOException e = switch (type) {
            case Icmpv6Packet.DEST_UNREACH -> switch (code) {
                case Icmpv6Packet.PORT_UNREACH -> new PortUnreachableException("connection refused by " + peer);
                case Icmpv6Packet.ADM_PROHIBITED, Icmpv6Packet.POLICY_FAIL, Icmpv6Packet.REJECT_ROUTE ->
                        new SocketException("permission denied: " + peer + " is administratively prohibited (ICMPv6 code " + code + ")");
                default -> null;
            };
            case Icmpv6Packet.PARAMPROB -> new SocketException("protocol error: " + peer + " reported a parameter problem");
            case Icmpv6Packet.PKT_TOOBIG -> new SocketException("message too long: the path to " + peer + " takes " + info + " bytes");
            default -> null;
        };
        if (e != null) {
            sk.error(e);
        }
    }

    /**
     * udp_sendmsg: one datagram from {@code sk} to {@code daddr}:{@code dport}, checksummed, through
     * ip_local_out (fragmented there when over the MTU; with DF, and ID 0 unless the socket is connected,
     * when it fits). With UDP_SEGMENT ({@link UdpSocket#setSegmentSize}) a send longer than the segment size
     * is one super-packet (SKB_GSO_UDP_L4) with its checksum partial, as udp_send_skb builds it: each
     * datagram cut from it gets its own length and checksum. It leaves without DF, as __ip_make_skb gives a
     * datagram over the MTU none, and so do the datagrams cut from it.
     */
    void sendmsg(UdpSocket sk, byte[] data, int off, int len, int daddr, int dport) throws IOException {
        checkSend(len, UdpDatagram.MAX_PAYLOAD, dport);
        int saddr = sk.localAddress() != 0 ? sk.localAddress() : out.sourceFor(daddr);
        if (saddr == 0) {
            throw new NoRouteToHostException("no route to " + Ipv4Address.format(daddr));
        }
        PacketBuffer pkt = segmentedDatagram(sk, data, off, len, dport, () -> out.dstFor(daddr), Ipv4Packet.MIN_HEADER_LEN);
        UdpDatagram udp = UdpDatagram.wrap(pkt, pkt.data());
        if (pkt.isGso()) {
            // udp_send_skb: the payload is summed per datagram once cut (udp4_hwcsum), never here as a whole
            PartialChecksum.set(pkt, udp.offset(), UdpDatagram.CSUM_OFFSET, saddr, daddr, Ipv4Packet.IPPROTO_UDP, pkt.len());
        } else {
            udp.updateChecksum(saddr, daddr);
        }
        mib.inc(Mib.UdpOutDatagrams); // once for a super-packet too, as udp_send_skb counts it
        // IP_PMTUDISC_WANT, a UDP socket's default: DF on what fits the path, fragments for what does not
        if (!out.sendDatagram(pkt, saddr, daddr, Ipv4Packet.IPPROTO_UDP, 0, Ipv4Packet.DEFAULT_TTL, sk.remotePort() != 0)) {
            throw new NoRouteToHostException("no route to " + Ipv4Address.format(daddr));
        }
    }

    /**
     * udpv6_sendmsg: one datagram from {@code sk} to {@code daddr}:{@code dport}, from the socket's address or
     * the one source address selection (RFC 6724) picks, checksummed over the IPv6 pseudo-header, through
     * ip6_xmit with hop limit 64, out the interface {@code scopeId} names for a link-local destination;
     * Ipv6Output fragments it at this source when it is over the path MTU. With UDP_SEGMENT a send longer than
     * the segment size is one super-packet, as over IPv4 (udp_v6_send_skb, udp6_hwcsum_outgoing's partial
     * sum). To a v4-mapped address it is udp_sendmsg's, over IPv4, unless the socket has IPV6_V6ONLY
     * (ENETUNREACH).
     */
    void sendmsg6(UdpSocket sk, byte[] data, int off, int len, Ipv6Address daddr, int scopeId, int dport)
            throws IOException {
        if (daddr.isV4Mapped()) {
            if (sk.v6only()) {
                throw new NoRouteToHostException("network is unreachable: " + daddr + " is an IPv4 address and the "
                        + "socket has IPV6_V6ONLY");
            }
            sendmsg(sk, data, off, len, daddr.v4(), dport);
            return;
        }
        NetDevice oif = ctx6.scope(daddr, scopeId);
        checkSend(len, UdpDatagram.MAX_PAYLOAD6, dport);
        Ipv6Address saddr = sk.localAddress6().isUnspecified() ? out6.sourceFor(daddr, oif) : sk.localAddress6();
        if (saddr == null) {
            throw new NoRouteToHostException("no route to " + daddr);
        }
        PacketBuffer pkt = segmentedDatagram(sk, data, off, len, dport, () -> out6.dstFor(daddr, oif), Ipv6Packet.HEADER_LEN);
        UdpDatagram udp = UdpDatagram.wrap(pkt, pkt.data());
        if (pkt.isGso()) {
            PartialChecksum.set6(pkt, udp.offset(), UdpDatagram.CSUM_OFFSET, saddr, daddr, Ipv6Packet.NEXTHDR_UDP, pkt.len());
        } else {
            udp.updateChecksum6(saddr, daddr);
        }
        mib.inc(Mib.Udp6OutDatagrams);
        if (!out6.send(pkt, saddr, daddr, oif, Ipv6Packet.NEXTHDR_UDP, Ipv6Packet.DEFAULT_HOP_LIMIT, 0)) {
            throw new NoRouteToHostException("no route to " + daddr);
        }
    }

    /** udp_sendmsg's EMSGSIZE for more than {@code max} bytes, and EINVAL for port 0. */
    private static void checkSend(int len, int max, int dport) throws SocketException {
        if (len > max) {
            throw new SocketException("message too long: " + len + " bytes, at most " + max + " fit a datagram");
        }
        if (dport == 0) {
            throw new SocketException("port 0 is not a destination");
        }
    }

    /** The payload copied into a new buffer behind a UDP header from the socket's port; the checksum is left zero. */
    private PacketBuffer datagram(UdpSocket sk, byte[] data, int off, int len, int dport) {
        PacketBuffer pkt = pool.allocateWithHeadroom(UdpDatagram.HEADER_LEN + len);
        pkt.copyIn(pkt.put(len), data, off, len);
        UdpDatagram.push(pkt, sk.localPort(), dport);
        return pkt;
    }

    /**
     * {@link #datagram}, made a super-packet (SKB_GSO_UDP_L4, the checksum left to the caller) when the socket
     * has UDP_SEGMENT and the send is longer than a segment, after {@link #checkSegmentation} against the
     * route {@code dst} gives (asked only then).
     */
    private PacketBuffer segmentedDatagram(UdpSocket sk, byte[] data, int off, int len, int dport,
                                           Supplier<DstEntry> dst, int ipHeaderLen) throws SocketException {
        int gsoSize = sk.segmentSize();
        if (gsoSize > 0) {
            checkSegmentation(gsoSize, len, dst.get(), ipHeaderLen);
        }
        PacketBuffer pkt = datagram(sk, data, off, len, dport);
        if (gsoSize > 0 && len > gsoSize) {
            pkt.setGso(gsoSize, (len + gsoSize - 1) / gsoSize, PacketBuffer.SKB_GSO_UDP_L4);
        }
        return pkt;
    }

    /**
     * udp_send_skb's checks on a send with UDP_SEGMENT, each EINVAL there: every datagram, headers included,
     * must fit the path MTU of {@code dst} (behind an IP header of {@code ipHeaderLen}), and there may be no
     * more than {@link Gso#UDP_MAX_SEGMENTS} of them.
     */
    private static void checkSegmentation(int gsoSize, int len, DstEntry dst, int ipHeaderLen) throws SocketException {
        int mtu = dst == null ? 0 : dst.mtu();
        if (ipHeaderLen + UdpDatagram.HEADER_LEN + gsoSize > mtu) {
            throw new SocketException("UDP_SEGMENT of " + gsoSize + " bytes: a datagram would exceed the path MTU of " + mtu);
        }
        if (len > gsoSize * Gso.UDP_MAX_SEGMENTS) {
            throw new SocketException("UDP_SEGMENT: " + len + " bytes would make more than " + Gso.UDP_MAX_SEGMENTS
                    + " datagrams of " + gsoSize);
        }
    }

    /** udp_sendmsg to 255.255.255.255 out of {@code dev} (SO_BINDTODEVICE), from {@code saddr}. */
    void sendBroadcast(UdpSocket sk, byte[] data, int off, int len, NetDevice dev, int saddr, int dport)
            throws IOException {
        checkSend(len, UdpDatagram.MAX_PAYLOAD, dport);
        PacketBuffer pkt = datagram(sk, data, off, len, dport);
        UdpDatagram.wrap(pkt, pkt.data()).updateChecksum(saddr, Ipv4Address.BROADCAST);
        mib.inc(Mib.UdpOutDatagrams);
        if (!out.sendBroadcast(pkt, saddr, dev, Ipv4Packet.IPPROTO_UDP, Ipv4Packet.DEFAULT_TTL)) {
            throw new NoRouteToHostException("no broadcast route on " + dev.name());
        }
    }
}
