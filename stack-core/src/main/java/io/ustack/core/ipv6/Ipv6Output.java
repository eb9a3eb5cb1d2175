package io.ustack.core.ipv6;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.ipv4.IpIdent;
import io.ustack.core.link.NetDevice;
import io.ustack.core.neigh.NeighbourTable;
import io.ustack.core.netfilter.Hook;
import io.ustack.core.netfilter.Netfilter;
import io.ustack.core.offload.PartialChecksum;
import io.ustack.core.offload.SkbGso;
import io.ustack.core.route.DstEntry;
import io.ustack.core.route.Ipv6Fib;
import io.ustack.core.route.PmtuCache;
import io.ustack.core.stats.DropReason;
import io.ustack.core.stats.Mib;
import io.ustack.core.stats.MibCounters;
import io.ustack.core.stats.PacketDrops;
import io.ustack.core.time.Clock;
import io.ustack.core.wire.EthernetFrame;
import io.ustack.core.wire.Ipv6Address;
import io.ustack.core.wire.Ipv6ExtHeader;
import io.ustack.core.wire.Ipv6Packet;

/**
 * The IPv6 transmit path (net/ipv6/ip6_output.c): ip6_xmit (route, source, header), ip6_local_out, then
 * dst.output = ip6_output, ip6_finish_output and ip6_finish_output2 into the ND neighbour table (or straight
 * to a 33:33 group MAC for multicast), and the device's dev_queue_xmit.
 *
 * <p>Every packet sent here is this host's own, so one over the path MTU is fragmented (ip6_fragment): IPv6
 * routers never fragment, only the source does. The path MTU of a destination is learnt from Packet Too Big
 * ({@link #updatePmtu}) and kept in a {@link PmtuCache} for ip6_rt_mtu_expires.
 *
 * <p>The IPv6 netfilter hooks sit where ip6_output.c calls them: LOCAL_OUT in ip6_local_out, POST_ROUTING in
 * ip6_output, before fragmentation, so the rules see the datagram whole.
 */
public final class Ipv6Output {
    private final BufferPool pool;
    private final IpIdent ident = new IpIdent();
    private volatile PmtuCache<Ipv6Address> pmtu = PmtuCache.ipv6(Clock.SYSTEM);
    private final Ipv6Fib fib;
    private final Netfilter netfilter;
    private final NeighbourTable nd;
    private final MibCounters mib;
    private final PacketDrops drops;
    /** The key of the flow label hash (the kernel's per-boot flow dissector key). */
    private final int flowSeed;

    /** @param netfilter the IPv6 hooks (NFPROTO_IPV6's, apart from IPv4's) */
    public Ipv6Output(BufferPool pool, Ipv6Fib fib, Netfilter netfilter, NeighbourTable nd, MibCounters mib,
                      PacketDrops drops, int flowSeed) {
        this.pool = pool;
        this.fib = fib;
        this.netfilter = netfilter;
        this.nd = nd;
        this.mib = mib;
        this.drops = drops;
        this.flowSeed = flowSeed;
    }

    /** The route exceptions path MTUs are learnt in (one on the stack's clock). */
    public void setPmtuCache(PmtuCache<Ipv6Address> cache) {
        this.pmtu = cache;
    }

    /**
     * ip6_update_pmtu: a Packet Too Big, come in on {@code dev}, said the path to {@code daddr} takes only
     * {@code mtu} bytes (1280 at least); later packets to it are fragmented to fit. Only a unicast route
     * learns one: the loopback's and a group's have none.
     */
    public void updatePmtu(Ipv6Address daddr, NetDevice dev, int mtu) {
        DstEntry base = fib.outputRoute(daddr, dev);
        if (base == null || base.type() != DstEntry.Type.UNICAST) {
            return;
        }
        pmtu.update(base, pmtu.dst(base, daddr), daddr, mtu);
    }

    /** The decision for {@code daddr} on the route {@code base}: its own path MTU's entry while one is fresh. */
    private DstEntry withPmtu(DstEntry base, Ipv6Address daddr) {
        return base != null && base.type() == DstEntry.Type.UNICAST ? pmtu.dst(base, daddr) : base;
    }

    /**
     * ip6_xmit for a payload of next header {@code nexthdr}: routes {@code daddr} (out {@code oif}, which a
     * link-scope destination needs; null otherwise), picks the source when {@code saddr} is null
     * (ipv6_dev_get_saddr) or checks that the given one is still ours, pushes the header and sends. Takes
     * ownership; data at the payload with room for the IPv6 and Ethernet headers in front. Returns false if
     * there was no route or no source (the packet is dropped and Ip6OutNoRoutes counted), or the route is an
     * error route (dropped with its reason).
     */
    public boolean send(PacketBuffer pkt, Ipv6Address saddr, Ipv6Address daddr, NetDevice oif, int nexthdr,
                        int hopLimit, int trafficClass) {
        return send(pkt, saddr, daddr, oif, nexthdr, hopLimit, trafficClass, withPmtu(fib.outputRoute(daddr, oif), daddr),
                true);
    }

    /**
     * {@link #send} straight out {@code dev} to a neighbour or group on its link, with no route lookup
     * (ndisc_send_skb's icmp6_dst_alloc): Neighbour Discovery answers whoever asked on the link, whether or not
     * a route covers its address. Its packets carry no flow label, as ip6_nd_hdr writes them.
     */
    public boolean sendOnLink(PacketBuffer pkt, Ipv6Address saddr, Ipv6Address daddr, NetDevice dev, int nexthdr,
                              int hopLimit, int trafficClass) {
        return send(pkt, saddr, daddr, dev, nexthdr, hopLimit, trafficClass, withPmtu(fib.linkRoute(daddr, dev), daddr),
                false);
    }

    private boolean send(PacketBuffer pkt, Ipv6Address saddr, Ipv6Address daddr, NetDevice oif, int nexthdr,
                         int hopLimit, int trafficClass, DstEntry dst, boolean autoFlowLabel) {
        if (dst != null && dst.type().isError()) {
            // ip6_dst_lookup_tail: an error route fails the send with its dst.error (EINVAL, EHOSTUNREACH,
            // EACCES), which is not ENETUNREACH and so not counted in Ip6OutNoRoutes
            drops.drop(pkt, dst.type().errorDropReason());
            return false;
        }
        NetDevice out = dst == null ? null : dst.type() == DstEntry.Type.LOCAL ? oif : dst.dev();
        Ipv6Address src = saddr;
        if (dst != null && src == null) {
            src = dst.type() == DstEntry.Type.LOCAL ? daddr : fib.chooseSource(daddr, out);
        }
        if (dst == null || src == null || (saddr != null && !saddr.isUnspecified() && !fib.isLocal(saddr, out))) {
            mib.inc(Mib.Ip6OutNoRoutes);
            drops.drop(pkt, DropReason.IP_OUTNOROUTES);
            return false;
        }
        int label = autoFlowLabel ? flowLabel(src, daddr, nexthdr) : 0;
        Ipv6Packet.push(pkt, trafficClass, label, pkt.len(), nexthdr, hopLimit, src, daddr);
        pkt.setTransportHeader(pkt.data() + Ipv6Packet.HEADER_LEN);
        pkt.setDst(dst);
        pkt.setProtocol(EthernetFrame.ETH_P_IPV6);
        ip6LocalOut(pkt);
        return true;
    }

    /**
     * ip6_make_flowlabel with auto_flowlabels on (Linux's default, RFC 6437): a 20-bit label hashed from the
     * flow (addresses and next header) with a key of this stack's, the same for every packet of the flow.
     */
    int flowLabel(Ipv6Address s, Ipv6Address d, int nexthdr) {
        long h = flowSeed;
        for (long v : new long[] {s.hi(), s.lo(), d.hi(), d.lo(), nexthdr}) {
            h = (h ^ v) * 0x9e37_79b9_7f4a_7c15L;
            h ^= h >>> 29;
        }
        return (int) (h ^ (h >>> 32)) & 0xf_ffff;
    }

    /** The decision a packet to {@code daddr} would get (its path MTU's while one is fresh), or null: no route. */
    public DstEntry dstFor(Ipv6Address daddr) {
        return dstFor(daddr, null);
    }

    /** {@link #dstFor(Ipv6Address)} out {@code oif}, which a link-scope destination needs (null: any). */
    public DstEntry dstFor(Ipv6Address daddr, NetDevice oif) {
        return withPmtu(fib.outputRoute(daddr, oif), daddr);
    }

    /** The source a packet to {@code daddr} out {@code oif} would carry, or null if there is no route. */
    public Ipv6Address sourceFor(Ipv6Address daddr, NetDevice oif) {
        DstEntry dst = fib.outputRoute(daddr, oif);
        if (dst == null) {
            return null;
        }
        return dst.type() == DstEntry.Type.LOCAL ? daddr : fib.chooseSource(daddr, dst.dev());
    }

    /**
     * ip6_local_out: the payload length, Ip6OutRequests, then NF LOCAL_OUT and dst_output. Takes ownership;
     * data at the IPv6 header, dst set.
     */
    public void ip6LocalOut(PacketBuffer pkt) {
        Ipv6Packet.wrap(pkt, pkt.data()).setPayloadLength(pkt.len() - Ipv6Packet.HEADER_LEN);
        mib.inc(Mib.Ip6OutRequests);
        netfilter.hook(Hook.LOCAL_OUT, pkt, null, pkt.dst().dev(), p -> p.dst().output(p));
    }

    /** ip6_output: the dst.output of every IPv6 decision. NF POST_ROUTING, then ip6_finish_output. Takes ownership. */
    public void ip6Output(PacketBuffer pkt) {
        NetDevice dev = pkt.dst().dev();
        mib.add(Mib.Ip6OutOctets, pkt.len());
        pkt.setDev(dev);
        pkt.setProtocol(EthernetFrame.ETH_P_IPV6);
        netfilter.hook(Hook.POST_ROUTING, pkt, null, dev, this::ip6FinishOutput);
    }

    /** ip6_finish_output: what is over the MTU is fragmented (a GSO packet is segmented later). Takes ownership. */
    void ip6FinishOutput(PacketBuffer pkt) {
        int mtu = pkt.dst().mtu();
        if (pkt.len() > mtu && !(pkt.isGso() && SkbGso.validateNetworkLen(pkt, mtu))) {
            ip6Fragment(pkt, mtu);
            return;
        }
        ip6FinishOutput2(pkt);
    }

    /**
     * ip6_fragment's slow path: each fragment is the fixed header (this stack adds no extension headers, so it
     * is the whole unfragmentable part), a fragment header with the datagram's identification, and a multiple
     * of 8 bytes of the rest (the last one what remains), each no larger than {@code mtu}. The identification
     * comes from the destination's counter (ipv6_select_ident). Takes ownership; data at the IPv6 header.
     */
    void ip6Fragment(PacketBuffer pkt, int mtu) {
        int hlen = Ipv6Packet.HEADER_LEN;
        int chunk = (mtu - hlen - Ipv6ExtHeader.MIN_LEN) & ~7;
        if (chunk < 8) {
            mib.inc(Mib.Ip6FragFails);
            drops.drop(pkt, DropReason.PKT_TOO_BIG); // no room for 8 bytes: a device under IPv6's minimum MTU
            return;
        }
        if (!PartialChecksum.complete(pkt)) { // skb_checksum_help: each fragment carries a piece of the sum
            mib.inc(Mib.Ip6FragFails);
            drops.drop(pkt, DropReason.SKB_CSUM);
            return;
        }
        Ipv6Packet ip = Ipv6Packet.wrap(pkt, pkt.data());
        int nexthdr = ip.nextHeader();
        int id = selectIdent(ip.saddr(), ip.daddr());
        int payload = pkt.len() - hlen;
        int src = pkt.data() + hlen;
        for (int off = 0; off < payload; off += chunk) {
            int len = Math.min(chunk, payload - off);
            PacketBuffer frag = pool.allocate(BufferPool.DEFAULT_HEADROOM + hlen + Ipv6ExtHeader.MIN_LEN + len);
            frag.reserve(BufferPool.DEFAULT_HEADROOM);
            int at = frag.put(hlen + Ipv6ExtHeader.MIN_LEN + len);
            frag.copyFrom(pkt, pkt.data(), at, hlen);
            Ipv6ExtHeader.writeFragment(frag, at + hlen, nexthdr, off, off + len < payload, id);
            frag.copyFrom(pkt, src + off, at + hlen + Ipv6ExtHeader.MIN_LEN, len);
            Ipv6Packet fip = Ipv6Packet.wrap(frag, at);
            fip.setNextHeader(Ipv6Packet.NEXTHDR_FRAGMENT);
            fip.setPayloadLength(Ipv6ExtHeader.MIN_LEN + len);
            frag.setNetworkHeader(at);
            frag.copyMetadata(pkt);
            mib.inc(Mib.Ip6FragCreates);
            ip6FinishOutput2(frag);
        }
        mib.inc(Mib.Ip6FragOKs);
        pkt.release();
    }

    /** ipv6_select_ident: the next identification of the counter this pair of addresses hashes to, never 0. */
    private int selectIdent(Ipv6Address saddr, Ipv6Address daddr) {
        int id;
        do {
            id = ident.nextId(saddr.hashCode(), daddr.hashCode(), 0);
        } while (id == 0);
        return id;
    }

    /**
     * ip6_finish_output2: multicast maps straight to its 33:33 MAC (ipv6_eth_mc_map), the loopback and IFF_NOARP
     * devices need none, and everything else asks the ND table for the next hop (rt6_nexthop: the route's
     * gateway, or the destination itself on the link). Takes ownership.
     */
    void ip6FinishOutput2(PacketBuffer pkt) {
        NetDevice dev = pkt.dst().dev();
        Ipv6Address daddr = Ipv6Packet.wrap(pkt, pkt.data()).daddr();
        if (daddr.isMulticast()) {
            mib.inc(Mib.Ip6OutMcastPkts);
            EthernetFrame.push(pkt, dev.noArp() ? dev.mac() : daddr.multicastMac(), dev.mac(), EthernetFrame.ETH_P_IPV6);
            dev.devQueueXmit(pkt);
        } else if (dev.noArp()) {
            EthernetFrame.push(pkt, dev.mac(), dev.mac(), EthernetFrame.ETH_P_IPV6);
            dev.devQueueXmit(pkt);
        } else {
            nd.output(pkt, dev, pkt.dst().nexthop6(daddr));
        }
    }
}
