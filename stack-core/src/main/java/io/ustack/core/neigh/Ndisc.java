package io.ustack.core.neigh;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.icmp.Icmpv6Sender;
import io.ustack.core.link.NetDevice;
import io.ustack.core.route.Ipv6Fib;
import io.ustack.core.route.Ipv6Fib.Inet6Address;
import io.ustack.core.stats.DropReason;
import io.ustack.core.stats.Mib;
import io.ustack.core.stats.MibCounters;
import io.ustack.core.stats.PacketDrops;
import io.ustack.core.wire.EthernetFrame;
import io.ustack.core.wire.Icmpv6Packet;
import io.ustack.core.wire.Ipv6Address;
import io.ustack.core.wire.Ipv6Packet;
import io.ustack.core.wire.NdMessage;
import io.ustack.core.wire.NdOptions;

/**
 * Neighbour Discovery for this host's own addresses (net/ipv6/ndisc.c, RFC 4861): ndisc_rcv's checks,
 * ndisc_recv_ns (answer solicitations for our addresses, learn the asker), ndisc_recv_na (confirm or learn
 * a neighbour we asked about), and ndisc_solicit/ndisc_send_ns for the ND table ({@link NeighbourTable},
 * Family.ND: the same NUD state machine as ARP's). Hostile messages (a hop limit other than 255, a non-zero
 * code, malformed options, an NA nobody asked for) are counted and ignored, as RFC 4861 section 7.1 says.
 *
 * <p>An address still tentative is {@link Dad}'s: a solicitation from :: or an advertisement for it fails its
 * DAD, any other solicitation for it is ignored.
 *
 * <p>With forwarding on the stack is a router (idev->cnf.forwarding): its NAs carry the R flag, and a valid
 * Router Solicitation (RFC 4861 6.1.1) teaches us the asker's link-layer address, as ndisc_recv_rs does, and
 * is answered by the {@link RouterAdvertiser} where the interface advertises. A host silently discards
 * solicitations (RFC 4861 6.2.6).
 *
 * <p>Not there: host behaviour on RAs (SLAAC) and redirects; RAs and Redirects are counted
 * and dropped as ICMP_IGNORED, by a router as by a host (Linux's accept_ra takes no RA while forwarding).
 */
public final class Ndisc implements NeighbourTable.Solicitor6 {
    private final Ipv6Fib fib;
    private final NeighbourTable nd;
    private final Icmpv6Sender sender;
    private final BufferPool pool;
    private final MibCounters mib;
    private final PacketDrops drops;
    private volatile Dad dad;
    private volatile RouterAdvertiser advertiser;
    /** net.ipv6.conf.all.forwarding: whether this node is a router. */
    private volatile boolean forwarding;

    public Ndisc(Ipv6Fib fib, NeighbourTable nd, Icmpv6Sender sender, BufferPool pool, MibCounters mib, PacketDrops drops) {
        this.fib = fib;
        this.nd = nd;
        this.sender = sender;
        this.pool = pool;
        this.mib = mib;
        this.drops = drops;
    }

    /** The DAD that solicitations and advertisements for a tentative address are reported to. */
    public void setDad(Dad dad) {
        this.dad = dad;
    }

    /** The advertiser that answers Router Solicitations. */
    public void setRouterAdvertiser(RouterAdvertiser advertiser) {
        this.advertiser = advertiser;
    }

    /**
     * Whether this node is a router: its advertisements say so (R), it takes Router Solicitations. Joining
     * all-routers, the rest of addrconf's dev_forward_change, is the caller's.
     */
    public void setForwarding(boolean on) {
        this.forwarding = on;
    }

    public boolean forwarding() {
        return forwarding;
    }

    /**
     * ndisc_rcv: an ND message that icmpv6_rcv has checked and counted. Takes ownership; data at the ICMPv6
     * header, network header set.
     */
    public void rcv(PacketBuffer pkt) {
        Ipv6Packet ip = Ipv6Packet.wrap(pkt, pkt.networkHeader());
        if (ip.hopLimit() != NdMessage.HOP_LIMIT) {
            drops.drop(pkt, DropReason.IPV6_NDISC_HOP_LIMIT);
            return;
        }
        Icmpv6Packet icmp = Icmpv6Packet.wrap(pkt, pkt.data());
        if (icmp.code() != 0) {
            drops.drop(pkt, DropReason.IPV6_NDISC_BAD_CODE);
            return;
        }
        NdMessage m = NdMessage.wrap(pkt, pkt.data(), pkt.len());
        if (m == null && NdMessage.fixedLength(icmp.type()) > 0) {
            drops.drop(pkt, DropReason.IPV6_NDISC_INVALID); // "packet too short"
            return;
        }
        switch (icmp.type()) {
            case Icmpv6Packet.ND_NEIGHBOUR_SOLICIT -> recvNs(pkt, ip, m);
            case Icmpv6Packet.ND_NEIGHBOUR_ADVERT -> recvNa(pkt, ip, m);
            case Icmpv6Packet.ND_ROUTER_SOLICIT -> recvRs(pkt, ip, m);
            // a host here does nothing with RAs and redirects (no SLAAC client); a router takes neither
            default -> drops.drop(pkt, DropReason.ICMP_IGNORED);
        }
    }

    /**
     * ndisc_recv_ns: a Neighbour Solicitation. For one of our addresses on the interface it came in by, the
     * asker is learnt from its source link-layer address (STALE, neigh_update with OVERRIDE) and answered
     * with a solicited NA from the target: for address resolution (sent to a group) with the override flag and
     * our link-layer address, for a reachability probe (sent to the address) without either, as Linux's
     * ndisc_send_na. A Duplicate Address Detection probe (from ::) for an address we have is answered to
     * all-nodes. Takes ownership.
     */
    private void recvNs(PacketBuffer pkt, Ipv6Packet ip, NdMessage ns) {
        NetDevice dev = pkt.dev();
        Ipv6Address saddr = ip.saddr();
        Ipv6Address daddr = ip.daddr();
        Ipv6Address target = ns.target();
        boolean dad = saddr.isUnspecified();
        if (target.isMulticast() || (dad && !daddr.isSolicitedNode())) {
            drops.drop(pkt, DropReason.IPV6_NDISC_INVALID);
            return;
        }
        NdOptions opts = ns.options();
        if (opts == null) {
            drops.drop(pkt, DropReason.IPV6_NDISC_BAD_OPTIONS);
            return;
        }
        long lladdr = -1;
        if (opts.sourceLinkLayer() >= 0) {
            lladdr = NdOptions.linkLayerAddress(pkt, opts.sourceLinkLayer());
            if (lladdr < 0 || dad) { // RFC 4861 7.1.1: a DAD probe carries no link-layer address
                drops.drop(pkt, DropReason.IPV6_NDISC_INVALID);
                return;
            }
        }
        Inet6Address ifp = fib.address(target, dev);
        if (ifp == null) {
            drops.drop(pkt, DropReason.IPV6_NDISC_NS_OTHERHOST);
            return;
        }
        if (ifp.state() != Inet6Address.State.VALID) {
            tentativeTargetNs(pkt, ifp, dad ? NdOptions.nonce(pkt, opts.nonce()) : -1);
            return;
        }
        if (dad) {
            pkt.release();
            sendNa(dev, Ipv6Address.ALL_NODES, target, false, true, true);
            return;
        }
        boolean inc = daddr.isMulticast();
        mib.inc(inc ? Mib.NdiscRcvProbesMcast : Mib.NdiscRcvProbesUcast);
        boolean haveNeigh = nd.update(dev, saddr, lladdr, false, true, !inc || lladdr >= 0)
                || !inc; // a unicast probe without the option: sending the NA resolves the asker first
        if (!haveNeigh) {
            // a multicast NS must carry the asker's address (RFC 4861 7.2.3): Linux answers nobody it does not know
            drops.drop(pkt, DropReason.IPV6_NDISC_INVALID);
            return;
        }
        pkt.release();
        sendNa(dev, saddr, target, true, inc, inc);
    }

    /**
     * ndisc_recv_rs with RFC 4861 6.1.1's checks: a router learns the asker from its source link-layer address
     * (STALE, overriding what it knew) and schedules an answer where the interface advertises. A host, and a
     * router on an interface that does not advertise and learns nothing, ignore it. The fixed part's length,
     * hop limit and code were checked by {@link #rcv}; an option of length 0 (BAD_OPTIONS), a link-layer address
     * option from :: (an address nobody can answer to, 6.1.1's last rule) or of the wrong length (INVALID) make
     * it invalid. Takes ownership.
     */
    private void recvRs(PacketBuffer pkt, Ipv6Packet ip, NdMessage rs) {
        RouterAdvertiser ra = advertiser;
        if (!forwarding || ra == null) {
            drops.drop(pkt, DropReason.ICMP_IGNORED); // RFC 4861 6.2.6: hosts discard solicitations
            return;
        }
        NdOptions opts = rs.options();
        if (opts == null) {
            drops.drop(pkt, DropReason.IPV6_NDISC_BAD_OPTIONS);
            return;
        }
        Ipv6Address saddr = ip.saddr();
        long lladdr = -1;
        if (opts.sourceLinkLayer() >= 0) {
            lladdr = NdOptions.linkLayerAddress(pkt, opts.sourceLinkLayer());
            if (lladdr < 0 || saddr.isUnspecified()) {
                drops.drop(pkt, DropReason.IPV6_NDISC_INVALID);
                return;
            }
        }
        NetDevice dev = pkt.dev();
        boolean learnt = lladdr >= 0 && nd.update(dev, saddr, lladdr, false, true, true);
        if (!ra.solicited(dev) && !learnt) {
            drops.drop(pkt, DropReason.ICMP_IGNORED);
            return;
        }
        pkt.release();
    }

    /**
     * ndisc_recv_ns for a target not yet usable: a DAD probe ({@code nonce} not -1) that is not our own looped
     * back means another node wants the address, so its DAD fails; anything else is ignored (RFC 4862 5.4.3).
     * Takes ownership.
     */
    private void tentativeTargetNs(PacketBuffer pkt, Inet6Address ifp, long nonce) {
        Dad d = dad;
        if (nonce >= 0 && d != null && ifp.state() == Inet6Address.State.TENTATIVE
                && !d.isOwnProbe(ifp.dev(), ifp.address(), nonce)) {
            d.failed(ifp.dev(), ifp.address(), senderMac(pkt));
            pkt.release(); // taken in: it settled the address's fate
            return;
        }
        drops.drop(pkt, DropReason.IPV6_ADDR_TENTATIVE);
    }

    private static long senderMac(PacketBuffer pkt) {
        EthernetFrame eth = EthernetFrame.wrap(pkt, pkt.macHeader());
        return eth == null ? 0 : eth.source();
    }

    /**
     * ndisc_recv_na: a Neighbour Advertisement. It updates the entry of a neighbour we have one for (REACHABLE
     * when solicited, STALE otherwise; a different link-layer address replaces the known one only with the
     * override flag), and is ignored otherwise: nobody asked. Takes ownership.
     */
    private void recvNa(PacketBuffer pkt, Ipv6Packet ip, NdMessage na) {
        NetDevice dev = pkt.dev();
        Ipv6Address target = na.target();
        if (target.isMulticast() || (ip.daddr().isMulticast() && na.solicited())) {
            drops.drop(pkt, DropReason.IPV6_NDISC_INVALID);
            return;
        }
        NdOptions opts = na.options();
        if (opts == null) {
            drops.drop(pkt, DropReason.IPV6_NDISC_BAD_OPTIONS);
            return;
        }
        long lladdr = -1;
        if (opts.targetLinkLayer() >= 0) {
            lladdr = NdOptions.linkLayerAddress(pkt, opts.targetLinkLayer());
            if (lladdr < 0) {
                drops.drop(pkt, DropReason.IPV6_NDISC_INVALID);
                return;
            }
        }
        Inet6Address ifp = fib.address(target, dev);
        Dad d = dad;
        if (ifp != null && ifp.state() == Inet6Address.State.TENTATIVE && d != null) {
            d.failed(dev, target, senderMac(pkt)); // another node has the address DAD is testing
            pkt.release();
            return;
        }
        if (ifp != null) {
            drops.drop(pkt, DropReason.IPV6_NDISC_INVALID); // "NA: someone advertises our address"
            return;
        }
        if (!nd.update(dev, target, lladdr, na.solicited(), na.override(), false)) {
            drops.drop(pkt, DropReason.IPV6_NDISC_NA_UNREQUESTED);
            return;
        }
        pkt.release();
    }

    /**
     * ndisc_send_na: an advertisement for our address {@code target} to {@code daddr} out {@code dev}, from
     * the target itself, with the S and O flags given, R while we forward, and our link-layer address when
     * {@code withLladdr}.
     */
    public void sendNa(NetDevice dev, Ipv6Address daddr, Ipv6Address target, boolean solicited, boolean override,
                       boolean withLladdr) {
        PacketBuffer out = pool.allocateWithHeadroom(NdMessage.NA_LEN + NdOptions.LLADDR_OPT_LEN);
        int flags = (forwarding ? NdMessage.NA_ROUTER : 0) | (solicited ? NdMessage.NA_SOLICITED : 0)
                | (override ? NdMessage.NA_OVERRIDE : 0);
        NdMessage.appendNa(out, flags, target, withLladdr ? dev.mac() : -1);
        out.setDev(dev);
        sender.sendOnLink(out, target, daddr, dev, NdMessage.HOP_LIMIT);
    }

    /** ndisc_send_ns for DAD: a probe for our tentative {@code target} from :: to its solicited-node group. */
    void sendDadNs(NetDevice dev, Ipv6Address target, long nonce) {
        if (!dev.isUp()) {
            return;
        }
        PacketBuffer out = pool.allocateWithHeadroom(NdMessage.NS_LEN + NdOptions.NONCE_OPT_LEN);
        NdMessage.appendDadNs(out, target, nonce);
        out.setDev(dev);
        sender.sendOnLink(out, Ipv6Address.UNSPECIFIED, target.solicitedNode(), dev, NdMessage.HOP_LIMIT);
    }

    /**
     * ndisc_solicit and ndisc_send_ns: asks for {@code target}'s link-layer address, to its solicited-node
     * group ({@code targetMac} 0) or as a unicast probe, from the source of the packet waiting for it when that
     * is still ours on {@code dev}, else from the source selection picks (the link-local address for a
     * link-local target), with our link-layer address.
     */
    @Override
    public void solicit(NetDevice dev, Ipv6Address target, long targetMac, Ipv6Address waitingSource) {
        if (!dev.isUp()) {
            return;
        }
        Ipv6Address daddr = targetMac == 0 ? target.solicitedNode() : target;
        Ipv6Address saddr = waitingSource != null && fib.isLocal(waitingSource, dev) ? waitingSource
                : fib.chooseSource(target, dev);
        if (saddr == null) {
            return;
        }
        PacketBuffer out = pool.allocateWithHeadroom(NdMessage.NS_LEN + NdOptions.LLADDR_OPT_LEN);
        NdMessage.appendNs(out, target, dev.mac());
        out.setDev(dev);
        sender.sendOnLink(out, saddr, daddr, dev, NdMessage.HOP_LIMIT);
    }
}
