package io.ustack.core.ipv4;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.buffer.PacketBuffer.PacketType;
import io.ustack.core.netfilter.Hook;
import io.ustack.core.netfilter.Netfilter;
import io.ustack.core.route.DstEntry;
import io.ustack.core.route.Fib;
import io.ustack.core.route.InterfaceAddress;
import io.ustack.core.stats.DropReason;
import io.ustack.core.stats.Mib;
import io.ustack.core.stats.MibCounters;
import io.ustack.core.stats.PacketDrops;
import io.ustack.core.time.Clock;
import io.ustack.core.wire.IcmpPacket;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.Ipv4Packet;

/**
 * The IPv4 receive path: ip_rcv (validation), NF PRE_ROUTING, ip_rcv_finish (routing), then the route's
 * dst.input: ip_local_deliver (reassembly, NF LOCAL_IN, protocol dispatch) for this host, or ip_forward
 * ({@link Ipv4Forward}) for another while forwarding is on.
 */
public final class Ipv4Input {
    /** icmp_send, as the receive path needs it. Borrows the offending packet. */
    @FunctionalInterface
    public interface ErrorSender {
        void send(PacketBuffer offending, int type, int code, int info);
    }

    private final Fib fib;
    private final Netfilter netfilter;
    private final Reassembler reassembler;
    private final MibCounters mib;
    private final PacketDrops drops;
    private final IpProtocolHandler[] protocols = new IpProtocolHandler[256];
    private volatile ErrorSender icmp = (pkt, type, code, info) -> { };
    private volatile IpProtocolHandler forward;
    private volatile boolean defragBeforeHooks;
    private volatile Clock wallClock = Clock.SYSTEM;
    private static final long MS_PER_DAY = 86_400_000L;

    public Ipv4Input(Fib fib, Netfilter netfilter, Reassembler reassembler, MibCounters mib, PacketDrops drops) {
        this.fib = fib;
        this.netfilter = netfilter;
        this.reassembler = reassembler;
        this.mib = mib;
        this.drops = drops;
    }

    /** inet_add_protocol: the handler for IP protocol {@code protocol}. */
    public void addProtocol(int protocol, IpProtocolHandler handler) {
        protocols[protocol] = handler;
    }

    public void setErrorSender(ErrorSender icmp) {
        this.icmp = icmp;
    }

    /**
     * ip_rcv and ip_rcv_core: validates the header, counting each failure under its MIB name with a drop
     * reason, trims link-layer padding, then runs NF PRE_ROUTING. Takes ownership; data at the IP header.
     */
    public void ipRcv(PacketBuffer pkt) {
        if (pkt.pktType() == PacketType.OTHERHOST) {
            drops.drop(pkt, DropReason.OTHERHOST);
            return;
        }
        mib.inc(Mib.IpInReceives);
        mib.add(Mib.IpExtInOctets, pkt.len());
        Ipv4Packet ip = Ipv4Packet.wrap(pkt, pkt.data());
        if (ip == null || ip.version() != 4 || ip.ihl() < 5 || ip.headerLength() > pkt.len()) {
            mib.inc(Mib.IpInHdrErrors);
            drops.drop(pkt, DropReason.IP_INHDR);
            return;
        }
        if (!ip.checksumOk()) {
            mib.inc(Mib.IpExtInCsumErrors);
            mib.inc(Mib.IpInHdrErrors);
            drops.drop(pkt, DropReason.IP_CSUM);
            return;
        }
        int totLen = ip.totalLength();
        if (pkt.len() < totLen) {
            mib.inc(Mib.IpExtInTruncatedPkts);
            drops.drop(pkt, DropReason.IP_TRUNCATED);
            return;
        }
        if (totLen < ip.headerLength()) {
            mib.inc(Mib.IpInHdrErrors);
            drops.drop(pkt, DropReason.IP_INHDR);
            return;
        }
        pkt.trim(totLen);
        pkt.resetNetworkHeader();
        pkt.setTransportHeader(pkt.data() + ip.headerLength());
        if (defragBeforeHooks && ip.isFragment()) {
            // nf_defrag_ipv4 (NF_IP_PRI_CONNTRACK_DEFRAG): conntrack needs whole datagrams; one that is
            // forwarded is fragmented again on its way out
            pkt = reassembler.defrag(pkt);
            if (pkt == null) {
                return;
            }
        }
        netfilter.hook(Hook.PRE_ROUTING, pkt, pkt.dev(), null, this::ipRcvFinish);
    }

    /** nf_defrag_ipv4 on or off: reassembly before PRE_ROUTING, while connection tracking runs. */
    public void setDefragBeforeHooks(boolean on) {
        this.defragBeforeHooks = on;
    }

    /**
     * ip_rcv_finish: checks the addresses for martians, routes the packet and calls dst.input.
     * Takes ownership.
     */
    void ipRcvFinish(PacketBuffer pkt) {
        Ipv4Packet ip = Ipv4Packet.wrap(pkt, pkt.networkHeader());
        int saddr = ip.saddr();
        int daddr = ip.daddr();
        boolean fromWire = !pkt.dev().isLoopback();
        if (Ipv4Address.isMulticast(saddr) || saddr == Ipv4Address.BROADCAST || Ipv4Address.isReserved(saddr)
                || (fromWire && Ipv4Address.isLoopback(saddr)) || (Ipv4Address.isZeronet(saddr) && daddr != Ipv4Address.BROADCAST)) {
            // ip_route_input_slow: martian source
            mib.inc(Mib.IpInAddrErrors);
            drops.drop(pkt, DropReason.IP_INVALID_SOURCE);
            return;
        }
        if (fromWire && fib.isLocal(saddr)) {
            mib.inc(Mib.IpInAddrErrors);
            drops.drop(pkt, DropReason.IP_LOCAL_SOURCE); // martian too: this host's own address from outside
            return;
        }
        if (Ipv4Address.isZeronet(daddr) || Ipv4Address.isReserved(daddr) || (fromWire && Ipv4Address.isLoopback(daddr))) {
            mib.inc(Mib.IpInAddrErrors);
            drops.drop(pkt, DropReason.IP_INVALID_DEST);
            return;
        }
        if (Ipv4Address.isMulticast(daddr)) {
            // no multicast group is ever joined: ip_route_input_mc never finds this host a member
            mib.inc(Mib.IpExtInMcastPkts);
            mib.inc(Mib.IpInAddrErrors);
            drops.drop(pkt, DropReason.IP_INADDRERRORS);
            return;
        }
        DstEntry dst = fib.inputRoute(daddr, ip.saddr(), pkt.mark(), pkt.dev());
        if (dst == null) {
            ipErrorNoRoute(pkt);
            return;
        }
        if (dst.type() == DstEntry.Type.BROADCAST) {
            mib.inc(Mib.IpExtInBcastPkts);
        }
        pkt.setDst(dst);
        if (ip.ihl() > 5 && !ipRcvOptions(pkt, ip, dst)) {
            return;
        }
        dst.input(pkt);
    }

    /**
     * ip_rcv_options: compiles the options (Record Route and Timestamp get this host's entry), answers a
     * malformed one with ICMP parameter problem pointing at it (IpInHdrErrors), and drops source-routed
     * packets, since accept_source_route is off as Linux has it by default. Returns false if it took
     * {@code pkt}.
     */
    private boolean ipRcvOptions(PacketBuffer pkt, Ipv4Packet ip, DstEntry dst) {
        int daddr = ip.daddr();
        InterfaceAddress primary = fib.primaryAddress(pkt.dev());
        // spec_dst: the address the packet came to, or (a broadcast, say) the interface's own
        int specDst = dst.type() == DstEntry.Type.LOCAL ? daddr : primary == null ? 0 : primary.address();
        long opts = IpOptions.compile(pkt, ip.offset(), fib, specDst, (int) Math.floorMod(wallClock.wallMillis(), MS_PER_DAY));
        if (IpOptions.failed(opts)) {
            pkt.setIpOptions(IpOptions.partial(opts));
            mib.inc(Mib.IpInHdrErrors);
            icmp.send(pkt, IcmpPacket.PARAMETERPROB, 0, IpOptions.errorPointer(opts) << 24);
            drops.drop(pkt, DropReason.IP_INHDR);
            return false;
        }
        pkt.setIpOptions(opts);
        if (IpOptions.srr(opts) != 0) {
            drops.drop(pkt, DropReason.IP_SOURCE_ROUTE);
            return false;
        }
        if (dst.type() != DstEntry.Type.LOCAL) {
            // a packet that goes on carries the entries made here: its checksum must cover them
            // (ip_forward_options' ip_send_check); one delivered here keeps the header it came with
            ip.updateChecksum();
        }
        return true;
    }

    /** The clock whose time of day the Timestamp option records (inet_current_timestamp). */
    public void setWallClock(Clock clock) {
        this.wallClock = clock;
    }

    /**
     * The dst.input of routes this host does not own: ip_forward when forwarding is on (set with
     * {@link #setForward}); otherwise ip_error's answer with forwarding off, which counts InAddrErrors and
     * drops without an ICMP message, as Linux does. Takes ownership.
     */
    public void ipForwardOrError(PacketBuffer pkt) {
        IpProtocolHandler f = forward;
        if (f != null) {
            f.rcv(pkt);
            return;
        }
        mib.inc(Mib.IpInAddrErrors);
        drops.drop(pkt, DropReason.IP_INADDRERRORS);
    }

    /**
     * ip_error for a destination no route covers. With forwarding on the lookup failed with ENETUNREACH:
     * InNoRoutes and ICMP net unreachable to the sender. With it off ip_route_input_slow makes that
     * EHOSTUNREACH, which ip_error counts as InAddrErrors and drops without a word. Takes ownership.
     */
    private void ipErrorNoRoute(PacketBuffer pkt) {
        if (forward == null) {
            mib.inc(Mib.IpInAddrErrors);
            drops.drop(pkt, DropReason.IP_INADDRERRORS);
            return;
        }
        mib.inc(Mib.IpExtInNoRoutes);
        icmp.send(pkt, IcmpPacket.DEST_UNREACH, IcmpPacket.NET_UNREACH, 0);
        drops.drop(pkt, DropReason.IP_INNOROUTES);
    }

    /**
     * ip_error for a packet whose route is an error route (of a table or a policy rule's action): a blackhole
     * drops it without a word; with forwarding on, unreachable answers ICMP host unreachable and prohibit
     * ICMP communication administratively prohibited (EHOSTUNREACH and EACCES); with forwarding off ip_error
     * only counts an unreachable one as InAddrErrors. Takes ownership.
     */
    public void ipRouteError(PacketBuffer pkt) {
        DstEntry.Type type = pkt.dst().type();
        if (type == DstEntry.Type.BLACKHOLE) {
            drops.drop(pkt, type.errorDropReason());
            return;
        }
        if (forward == null) {
            if (type == DstEntry.Type.UNREACHABLE) {
                mib.inc(Mib.IpInAddrErrors);
            }
        } else {
            icmp.send(pkt, IcmpPacket.DEST_UNREACH,
                    type == DstEntry.Type.PROHIBIT ? IcmpPacket.PKT_FILTERED : IcmpPacket.HOST_UNREACH, 0);
        }
        drops.drop(pkt, type.errorDropReason());
    }

    /** Installs ip_forward as the input of non-local routes (null turns forwarding off). */
    public void setForward(IpProtocolHandler forward) {
        this.forward = forward;
    }

    /** Whether ip_forward is installed. */
    public boolean forwarding() {
        return forward != null;
    }

    /**
     * ip_local_deliver: reassembles fragments, then NF LOCAL_IN and ip_local_deliver_finish. Takes ownership.
     */
    public void ipLocalDeliver(PacketBuffer pkt) {
        Ipv4Packet ip = Ipv4Packet.wrap(pkt, pkt.networkHeader());
        if (ip.isFragment()) {
            pkt = reassembler.defrag(pkt);
            if (pkt == null) {
                return;
            }
        }
        netfilter.hook(Hook.LOCAL_IN, pkt, pkt.dev(), null, this::ipLocalDeliverFinish);
    }

    /**
     * ip_local_deliver_finish and ip_protocol_deliver_rcu: pulls the IP header and calls the protocol's
     * handler; an unknown protocol is answered with ICMP protocol unreachable. Takes ownership.
     */
    void ipLocalDeliverFinish(PacketBuffer pkt) {
        Ipv4Packet ip = Ipv4Packet.wrap(pkt, pkt.networkHeader());
        int proto = ip.protocol();
        pkt.setTransportHeader(pkt.networkHeader() + ip.headerLength());
        pkt.pull(pkt.transportHeader() - pkt.data());
        IpProtocolHandler h = protocols[proto];
        if (h == null) {
            mib.inc(Mib.IpInUnknownProtos);
            if (pkt.dst().type() == DstEntry.Type.LOCAL) {
                icmp.send(pkt, IcmpPacket.DEST_UNREACH, IcmpPacket.PROT_UNREACH, 0);
            }
            drops.drop(pkt, DropReason.IP_NOPROTO);
            return;
        }
        mib.inc(Mib.IpInDelivers);
        h.rcv(pkt);
    }
}
