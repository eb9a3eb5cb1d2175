package io.ustack.core.ipv4;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.buffer.PacketBuffer.PacketType;
import io.ustack.core.buffer.PacketHandler;
import io.ustack.core.ipv4.Ipv4Input.ErrorSender;
import io.ustack.core.netfilter.Hook;
import io.ustack.core.netfilter.Netfilter;
import io.ustack.core.offload.SkbGso;
import io.ustack.core.route.DstEntry;
import io.ustack.core.route.Fib;
import io.ustack.core.route.Route;
import io.ustack.core.stats.DropReason;
import io.ustack.core.stats.Mib;
import io.ustack.core.stats.MibCounters;
import io.ustack.core.stats.PacketDrops;
import io.ustack.core.wire.IcmpPacket;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.Ipv4Packet;

/**
 * ip_forward: the dst.input of a unicast route to another host while forwarding is on
 * (net.ipv4.ip_forward = 1, installed by {@link Ipv4Input#setForward}). It refuses what a router must not
 * pass on, answers an expiring TTL or a DF packet over the egress MTU with ICMP, decrements the TTL, runs
 * NF FORWARD, and hands the packet to dst.output (ip_output), which fragments it if it is still too big.
 *
 * <p>ICMP redirects are not sent; the rest of the answers are the kernel's, with its counters and drop
 * reasons.
 */
public final class Ipv4Forward implements IpProtocolHandler {
    private final Fib fib;
    private final Netfilter netfilter;
    private final ErrorSender icmp;
    private final MibCounters mib;
    private final PacketDrops drops;
    /** ip_forward_finish as NF_HOOK's okfn: one object, rather than a new bound method reference per packet. */
    private final PacketHandler forwardFinish = this::ipForwardFinish;

    public Ipv4Forward(Fib fib, Netfilter netfilter, ErrorSender icmp, MibCounters mib, PacketDrops drops) {
        this.fib = fib;
        this.netfilter = netfilter;
        this.icmp = icmp;
        this.mib = mib;
        this.drops = drops;
    }

    /**
     * ip_forward, preceded by the source checks ip_route_input_slow makes (fib_validate_source) before it
     * chooses ip_forward. Takes ownership; data and the network header at the IP header, dst set.
     */
    @Override
    public void rcv(PacketBuffer pkt) {
        Ipv4Packet ip = Ipv4Packet.wrap(pkt, pkt.networkHeader());
        int saddr = ip.saddr();
        if (Ipv4Address.isLinkLocal(saddr) || !isUnicastSource(saddr)) {
            // RFC 3927 keeps 169.254/16 on its link; a broadcast source is the "martian source"
            // fib_validate_source refuses (our own addresses from the wire never get this far)
            mib.inc(Mib.IpInAddrErrors);
            drops.drop(pkt, DropReason.IP_INVALID_SOURCE);
            return;
        }
        if (Ipv4Address.isLinkLocal(ip.daddr())) {
            mib.inc(Mib.IpInAddrErrors);
            drops.drop(pkt, DropReason.IP_INVALID_DEST);
            return;
        }
        if (pkt.pktType() != PacketType.HOST) {
            // a link-layer broadcast or multicast is never passed on: ip_forward drops it, counting nothing
            drops.drop(pkt, DropReason.NOT_SPECIFIED);
            return;
        }
        if (ip.ttl() <= 1) {
            // "too_many_hops": the sender learns where its packet died (traceroute's answer)
            mib.inc(Mib.IpInHdrErrors);
            icmp.send(pkt, IcmpPacket.TIME_EXCEEDED, IcmpPacket.EXC_TTL, 0);
            drops.drop(pkt, DropReason.IP_INHDR);
            return;
        }
        DstEntry dst = pkt.dst();
        int mtu = dst.mtu();
        if (pkt.len() > mtu && ip.dontFragment() && !(pkt.isGso() && SkbGso.validateNetworkLen(pkt, mtu))) {
            // ip_exceeds_mtu: checked here, before the TTL changes, so the quoted header is the one sent; a
            // super-packet (GRO) passes when each of its segments would, and is cut or sent whole on the way out
            mib.inc(Mib.IpFragFails);
            icmp.send(pkt, IcmpPacket.DEST_UNREACH, IcmpPacket.FRAG_NEEDED, mtu);
            drops.drop(pkt, DropReason.PKT_TOO_BIG);
            return;
        }
        ip.decreaseTtl();
        netfilter.hook(Hook.FORWARD, pkt, pkt.dev(), dst.dev(), forwardFinish);
    }

    /** ip_forward_finish: counts ForwDatagrams and calls dst_output (ip_output). Takes ownership. */
    private void ipForwardFinish(PacketBuffer pkt) {
        mib.inc(Mib.IpForwDatagrams);
        pkt.dst().output(pkt);
    }

    /**
     * fib_validate_source without rp_filter: a source no route covers is accepted, one that is this host's
     * own address or a broadcast address is not.
     */
    private boolean isUnicastSource(int saddr) {
        Route r = fib.lookup(saddr);
        return r == null || r.type() == DstEntry.Type.UNICAST;
    }
}
