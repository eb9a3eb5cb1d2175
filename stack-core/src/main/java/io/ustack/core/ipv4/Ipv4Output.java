package io.ustack.core.ipv4;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.link.NetDevice;
import io.ustack.core.neigh.NeighbourTable;
import io.ustack.core.netfilter.Hook;
import io.ustack.core.netfilter.Netfilter;
import io.ustack.core.offload.SkbGso;
import io.ustack.core.route.DstEntry;
import io.ustack.core.route.Fib;
import io.ustack.core.route.PmtuCache;
import io.ustack.core.route.Route;
import io.ustack.core.stats.DropReason;
import io.ustack.core.stats.Mib;
import io.ustack.core.stats.MibCounters;
import io.ustack.core.stats.PacketDrops;
import io.ustack.core.time.Clock;
import io.ustack.core.wire.EthernetFrame;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.Ipv4Packet;
import io.ustack.core.wire.MacAddress;

/**
 * The IPv4 transmit path: ip_local_out, NF LOCAL_OUT, ip_output, NF POST_ROUTING, ip_finish_output (with
 * fragmentation), then ip_finish_output2 into the neighbour layer.
 */
public final class Ipv4Output {
    /** icmp_send for "fragmentation needed", which ip_fragment owes a sender that set DF. Borrows. */
    @FunctionalInterface
    public interface FragNeededReporter {
        void fragmentationNeeded(PacketBuffer pkt, int mtu);
    }

    private final Fib fib;
    private final Netfilter netfilter;
    private final NeighbourTable neigh;
    private final Fragmenter fragmenter;
    private final MibCounters mib;
    private final PacketDrops drops;
    private final IpIdent ident = new IpIdent();
    private volatile FragNeededReporter fragNeeded = (pkt, mtu) -> { };
    private volatile PmtuCache<Integer> pmtu = PmtuCache.ipv4(Clock.SYSTEM);

    public Ipv4Output(Fib fib, Netfilter netfilter, NeighbourTable neigh, Fragmenter fragmenter,
                      MibCounters mib, PacketDrops drops) {
        this.fib = fib;
        this.netfilter = netfilter;
        this.neigh = neigh;
        this.fragmenter = fragmenter;
        this.mib = mib;
        this.drops = drops;
    }

    public void setFragNeededReporter(FragNeededReporter r) {
        this.fragNeeded = r;
    }

    /** The route exceptions path MTUs are learnt in (one on the stack's clock). */
    public void setPmtuCache(PmtuCache<Integer> cache) {
        this.pmtu = cache;
    }

    /**
     * ipv4_update_pmtu: an ICMP "fragmentation needed" said the path to {@code daddr} takes only {@code mtu}
     * bytes; later packets to it are sized or fragmented to fit (see {@link PmtuCache}).
     */
    public void updatePmtu(int daddr, int mtu) {
        Route r = fib.lookup(daddr);
        if (r == null || r.dst().type() != DstEntry.Type.UNICAST) {
            return;
        }
        pmtu.update(r.dst(), pmtu.dst(r.dst(), daddr), daddr, mtu);
    }

    /**
     * ip_build_and_send_pkt / ip_queue_xmit for a transport payload: routes {@code daddr}, pushes a header
     * and sends. Takes ownership; data must be at the transport header with room for the IP and Ethernet
     * headers in front. A zero {@code saddr} takes the route's preferred source; any other must still be one
     * of ours (__ip_route_output_key's __ip_dev_find): a socket bound to an address since removed cannot send
     * from it. Returns false if there was no route or the source is not ours (the packet is dropped and
     * IpOutNoRoutes counted, as ip_queue_xmit does).
     */
    public boolean send(PacketBuffer pkt, int saddr, int daddr, int protocol, int tos, int ttl, boolean df) {
        return send(pkt, saddr, daddr, protocol, tos, ttl, df ? Df.SET : Df.CLEAR, false, false, 0, CHOOSE_ID);
    }

    /**
     * {@link #send} with the IP ID the caller chose (0 to 65535), as ip_select_ident_segs takes a connected
     * TCP socket's inet_id, and as what TCP sends with DF and no such socket gets 0.
     */
    public boolean sendWithId(PacketBuffer pkt, int saddr, int daddr, int protocol, int tos, int ttl, boolean df,
                              int id) {
        return send(pkt, saddr, daddr, protocol, tos, ttl, df ? Df.SET : Df.CLEAR, false, false, 0, id & 0xffff);
    }

    /**
     * {@link #send} for a datagram socket's default, IP_PMTUDISC_WANT (__ip_make_skb): DF when the datagram
     * fits the path MTU, so that a smaller path is learnt; a larger one leaves without DF, fragmented here.
     * Such a DF may be ignored (ignore_df), so the ID is a real one even then, counted per destination.
     */
    public boolean sendDatagram(PacketBuffer pkt, int saddr, int daddr, int protocol, int tos, int ttl, boolean connected) {
        return send(pkt, saddr, daddr, protocol, tos, ttl, Df.IF_FITS, connected, false, 0, CHOOSE_ID);
    }

    /**
     * {@link #send} with IP options (ip_build_and_send_pkt and icmp_push_reply with the options
     * ip_options_echo made): the first {@code optLen} bytes of {@code options}, a multiple of four, go between
     * the 20-byte header and the payload.
     */
    public boolean sendWithOptions(PacketBuffer pkt, int saddr, int daddr, int protocol, int tos, int ttl, boolean df,
                                   byte[] options, int optLen) {
        return sendWithOptions(pkt, saddr, daddr, protocol, tos, ttl, df, options, optLen, CHOOSE_ID);
    }

    /** {@link #sendWithOptions} with the IP ID the caller chose, as {@link #sendWithId} takes it. */
    public boolean sendWithOptions(PacketBuffer pkt, int saddr, int daddr, int protocol, int tos, int ttl, boolean df,
                                   byte[] options, int optLen, int id) {
        if (optLen > 0) {
            pkt.copyIn(pkt.push(optLen), options, 0, optLen);
        }
        return send(pkt, saddr, daddr, protocol, tos, ttl, df ? Df.SET : Df.CLEAR, false, false, optLen, id);
    }

    /**
     * ip_route_output with oif set and daddr 255.255.255.255: the limited broadcast out of {@code dev} alone
     * (the device's broadcast dst, which fib_add_ifaddr made), from {@code saddr}. Takes ownership; data at
     * the transport header. Returns false (the packet dropped, IpOutNoRoutes counted) if {@code dev} has no
     * IPv4 address and so no such dst.
     */
    public boolean sendBroadcast(PacketBuffer pkt, int saddr, NetDevice dev, int protocol, int ttl) {
        DstEntry dst = fib.inputRoute(Ipv4Address.BROADCAST, dev);
        if (dst == null) {
            mib.inc(Mib.IpOutNoRoutes);
            drops.drop(pkt, DropReason.IP_OUTNOROUTES);
            return false;
        }
        int total = Ipv4Packet.MIN_HEADER_LEN + pkt.len();
        Ipv4Packet.push(pkt, 0, total, ident.next(saddr, Ipv4Address.BROADCAST, protocol, 1), 0, ttl, protocol, saddr,
                Ipv4Address.BROADCAST);
        pkt.setTransportHeader(pkt.data() + Ipv4Packet.MIN_HEADER_LEN);
        pkt.setDst(dst);
        pkt.setProtocol(EthernetFrame.ETH_P_IP);
        ipLocalOut(pkt);
        return true;
    }

    /** What {@link #send} is given when the ID is ip_select_ident's to choose. */
    private static final int CHOOSE_ID = -1;

    /** Whether a packet gets DF: always, never, or when it fits the path MTU (IP_PMTUDISC_WANT). */
    private enum Df { SET, CLEAR, IF_FITS }

    /**
     * {@link #send} from any source (FLOWI_FLAG_ANYSRC): nf_send_reset answers a forwarded packet from that
     * packet's destination, which is not ours.
     */
    public boolean sendFromAnySource(PacketBuffer pkt, int saddr, int daddr, int protocol, int tos, int ttl, boolean df) {
        return send(pkt, saddr, daddr, protocol, tos, ttl, df ? Df.SET : Df.CLEAR, false, true, 0, CHOOSE_ID);
    }

    /** {@code chosenId}: the caller's IP ID, or {@link #CHOOSE_ID} for ip_select_ident's. */
    private boolean send(PacketBuffer pkt, int saddr, int daddr, int protocol, int tos, int ttl, Df dfMode,
                         boolean connected, boolean anySource, int optLen, int chosenId) {
        Route r = fib.outputRoute(daddr, saddr, pkt.mark());
        // the route's own source is ours by construction: only another one costs a lookup
        if (r == null || !(anySource || saddr == 0 || saddr == r.prefsrc() || fib.isLocal(saddr))) {
            mib.inc(Mib.IpOutNoRoutes);
            drops.drop(pkt, DropReason.IP_OUTNOROUTES);
            return false;
        }
        if (r.type().isError()) {
            // ip_route_output_key_hash: unreachable and prohibit fail the send (EHOSTUNREACH, EACCES: counted
            // as OutNoRoutes by the caller); a blackhole takes the packet and discards it
            if (r.type() != DstEntry.Type.BLACKHOLE) {
                mib.inc(Mib.IpOutNoRoutes);
            }
            drops.drop(pkt, r.type().errorDropReason());
            return r.type() == DstEntry.Type.BLACKHOLE;
        }
        int src = saddr != 0 ? saddr : r.prefsrc();
        int total = Ipv4Packet.MIN_HEADER_LEN + pkt.len();
        DstEntry dst = pmtu.dst(r.dst(), daddr);
        // ip_dont_fragment: a path MTU locked at min_pmtu takes DF away (nf_send_reset sets it regardless)
        boolean df = (dfMode == Df.SET && (anySource || !dst.mtuLocked()))
                || (dfMode == Df.IF_FITS && !dst.mtuLocked() && total <= dst.mtu());
        int segs = pkt.isGso() ? pkt.gsoSegs() : 1;
        int id = chosenId != CHOOSE_ID ? chosenId : dfMode == Df.IF_FITS ? selectIdentIgnoringDf(src, daddr, protocol, segs)
                : selectIdent(df, connected, src, daddr, protocol, segs);
        Ipv4Packet.push(pkt, tos, total, id, df ? Ipv4Packet.IP_DF : 0, ttl, protocol, src, daddr);
        if (optLen > 0) {
            pkt.setU8(pkt.data(), 0x40 | ((Ipv4Packet.MIN_HEADER_LEN + optLen) >>> 2)); // IHL counts the options
        }
        pkt.setTransportHeader(pkt.data() + Ipv4Packet.MIN_HEADER_LEN + optLen);
        pkt.setDst(dst);
        pkt.setProtocol(EthernetFrame.ETH_P_IP);
        ipLocalOut(pkt);
        return true;
    }

    /**
     * ip_select_ident_segs: a DF packet cannot be fragmented, so its ID needs to be unique only for a
     * connected socket, whose packets count up from where its counter stands (Linux starts each socket's
     * at random; here the per-destination counter of {@link IpIdent} serves); any other DF packet carries
     * 0. Packets that may be fragmented take the next ID of their destination's counter, a super-packet one
     * for each of its {@code segs} segments.
     */
    private int selectIdent(boolean df, boolean connected, int saddr, int daddr, int protocol, int segs) {
        return df && !connected ? 0 : ident.next(saddr, daddr, protocol, segs);
    }

    /**
     * The ID of a packet whose DF may be ignored (skb->ignore_df: a datagram socket short of
     * IP_PMTUDISC_DO, which lets a later hop fragment it anyway): never 0 for being DF.
     */
    private int selectIdentIgnoringDf(int saddr, int daddr, int protocol, int segs) {
        return ident.next(saddr, daddr, protocol, segs);
    }

    /**
     * The route's destination entry for {@code daddr}, or null if there is none: what a socket learns of its
     * path when it connects (sk_setup_caps: dst_mtu, and the device's features).
     */
    public DstEntry dstFor(int daddr) {
        Route r = fib.lookup(daddr);
        return r == null ? null : pmtu.dst(r.dst(), daddr);
    }

    /** The source address a reply to {@code daddr} would carry, or 0 if there is no route. */
    public int sourceFor(int daddr) {
        Route r = fib.lookup(daddr);
        return r == null ? 0 : r.prefsrc();
    }

    /**
     * ip_local_out: fixes the total length and checksum, then NF LOCAL_OUT and dst_output. Takes ownership;
     * data at the IP header, dst set.
     */
    public void ipLocalOut(PacketBuffer pkt) {
        Ipv4Packet ip = Ipv4Packet.wrap(pkt, pkt.data());
        ip.setTotalLength(pkt.len());
        ip.updateChecksum();
        mib.inc(Mib.IpOutRequests);
        netfilter.hook(Hook.LOCAL_OUT, pkt, null, pkt.dst().dev(), p -> p.dst().output(p));
    }

    /** ip_output: the dst.output of every route. NF POST_ROUTING, then ip_finish_output. Takes ownership. */
    public void ipOutput(PacketBuffer pkt) {
        NetDevice dev = pkt.dst().dev();
        mib.add(Mib.IpExtOutOctets, pkt.len());
        pkt.setDev(dev);
        pkt.setProtocol(EthernetFrame.ETH_P_IP);
        netfilter.hook(Hook.POST_ROUTING, pkt, null, dev, this::ipFinishOutput);
    }

    /** ip_finish_output: fragments what is over the route's MTU. Takes ownership. */
    void ipFinishOutput(PacketBuffer pkt) {
        int mtu = pkt.dst().mtu();
        if (pkt.len() <= mtu || (pkt.isGso() && SkbGso.validateNetworkLen(pkt, mtu))) {
            // a super-packet is judged by its segments (ip_finish_output_gso)
            ipFinishOutput2(pkt);
            return;
        }
        Ipv4Packet ip = Ipv4Packet.wrap(pkt, pkt.data());
        if (ip.dontFragment()) {
            // ip_fragment: DF forbids it; tell the sender the MTU that would pass.
            mib.inc(Mib.IpFragFails);
            fragNeeded.fragmentationNeeded(pkt, mtu);
            drops.drop(pkt, DropReason.PKT_TOO_BIG);
            return;
        }
        if (!fragmenter.fragment(pkt, mtu, this::ipFinishOutput2)) {
            mib.inc(Mib.IpFragFails);
            drops.drop(pkt, DropReason.PKT_TOO_BIG);
        }
    }

    /**
     * ip_finish_output2: the link-layer destination. Broadcasts and multicasts map straight to a MAC, the
     * loopback needs none, and everything else asks the neighbour table. Takes ownership.
     */
    void ipFinishOutput2(PacketBuffer pkt) {
        DstEntry dst = pkt.dst();
        NetDevice dev = dst.dev();
        int daddr = Ipv4Packet.wrap(pkt, pkt.data()).daddr();
        if (dev.noArp()) {
            EthernetFrame.push(pkt, dev.mac(), dev.mac(), EthernetFrame.ETH_P_IP);
            dev.devQueueXmit(pkt);
        } else if (dst.type() == DstEntry.Type.BROADCAST || daddr == Ipv4Address.BROADCAST) {
            mib.inc(Mib.IpExtOutBcastPkts);
            EthernetFrame.push(pkt, MacAddress.BROADCAST, dev.mac(), EthernetFrame.ETH_P_IP);
            dev.devQueueXmit(pkt);
        } else if (Ipv4Address.isMulticast(daddr)) {
            mib.inc(Mib.IpExtOutMcastPkts);
            EthernetFrame.push(pkt, multicastMac(daddr), dev.mac(), EthernetFrame.ETH_P_IP);
            dev.devQueueXmit(pkt);
        } else {
            neigh.output(pkt, dev, dst.nexthop(daddr));
        }
    }

    /** ip_eth_mc_map: 01:00:5e and the low 23 bits of the group address. */
    static long multicastMac(int group) {
        return 0x0100_5e00_0000L | (group & 0x7f_ffffL);
    }
}
