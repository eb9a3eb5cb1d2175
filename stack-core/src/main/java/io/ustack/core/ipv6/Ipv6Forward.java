package io.ustack.core.ipv6;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.buffer.PacketBuffer.PacketType;
import io.ustack.core.buffer.PacketHandler;
import io.ustack.core.ipv4.IpProtocolHandler;
import io.ustack.core.ipv4.Ipv4Input.ErrorSender;
import io.ustack.core.netfilter.Hook;
import io.ustack.core.netfilter.Netfilter;
import io.ustack.core.offload.SkbGso;
import io.ustack.core.route.DstEntry;
import io.ustack.core.stats.DropReason;
import io.ustack.core.stats.Mib;
import io.ustack.core.stats.MibCounters;
import io.ustack.core.stats.PacketDrops;
import io.ustack.core.wire.Icmpv6Packet;
import io.ustack.core.wire.Ipv6Address;
import io.ustack.core.wire.Ipv6Packet;

/**
 * ip6_forward (net/ipv6/ip6_output.c): the dst.input of a route to another host while
 * net.ipv6.conf.all.forwarding is 1 (installed by {@link Ipv6Input#setForward}). In the kernel's order: a
 * frame not sent to our MAC is dropped; a hop limit of 1 or less is answered by ICMPv6 time exceeded (code 0,
 * traceroute6's answer); a packet leaving by another link than it came by must have a source that names one
 * node beyond its link (not ::, a group or the loopback; a link-local source gets destination unreachable
 * "beyond scope of source address", RFC 4291 2.5.6); a packet over the egress MTU gets Packet Too Big with
 * that MTU (RFC 8200 section 5: a router never fragments, only the source does); then the hop limit goes
 * down by one and the packet leaves by dst.output (ip6_output).
 *
 * <p>A packet to a link-local address is never passed to another link: ip6_route_input matches such a
 * destination on the link it came in by alone (RT6_LOOKUP_F_IFACE), so at most it goes back out that link. Redirects are not sent (as
 * {@code Ipv4Forward} sends none), nor is anything delivered to Router Alert sockets (there are none).
 */
public final class Ipv6Forward implements IpProtocolHandler {
    private final Netfilter netfilter;
    private final ErrorSender icmp;
    private final MibCounters mib;
    private final PacketDrops drops;
    private final PacketHandler forwardFinish = this::ip6ForwardFinish;

    public Ipv6Forward(Netfilter netfilter, ErrorSender icmp, MibCounters mib, PacketDrops drops) {
        this.netfilter = netfilter;
        this.icmp = icmp;
        this.mib = mib;
        this.drops = drops;
    }

    /** ip6_forward. Takes ownership; data and the network header at the IPv6 header, dst set. */
    @Override
    public void rcv(PacketBuffer pkt) {
        if (pkt.pktType() != PacketType.HOST) {
            drops.drop(pkt, DropReason.NOT_SPECIFIED); // ip6_forward's "goto drop": nothing counted
            return;
        }
        Ipv6Packet ip = Ipv6Packet.wrap(pkt, pkt.networkHeader());
        if (ip.hopLimit() <= 1) {
            mib.inc(Mib.Ip6InHdrErrors);
            icmp.send(pkt, Icmpv6Packet.TIME_EXCEED, Icmpv6Packet.EXC_HOPLIMIT, 0);
            drops.drop(pkt, DropReason.IP_INHDR);
            return;
        }
        DstEntry dst = pkt.dst();
        if (dst.dev() != pkt.dev() && !sourceMayLeaveItsLink(pkt, ip.saddr())) {
            return;
        }
        mib.inc(Mib.Ip6OutForwDatagrams);
        // ip6_dst_mtu_maybe_forward: the device's MTU, not a path MTU this host learnt for its own packets
        int mtu = Math.max(dst.dev().mtu(), Ipv6Packet.MIN_MTU);
        if (pkt.len() > mtu && !(pkt.isGso() && SkbGso.validateNetworkLen(pkt, mtu))) {
            // ip6_pkt_too_big: a super-packet (GRO) passes when each of its segments would
            mib.inc(Mib.Ip6InTooBigErrors);
            mib.inc(Mib.Ip6FragFails);
            icmp.send(pkt, Icmpv6Packet.PKT_TOOBIG, 0, mtu);
            drops.drop(pkt, DropReason.PKT_TOO_BIG);
            return;
        }
        ip.setHopLimit(ip.hopLimit() - 1);
        netfilter.hook(Hook.FORWARD, pkt, pkt.dev(), pkt.dst().dev(), forwardFinish);
    }

    /**
     * The check ip6_forward calls security critical, for a packet that leaves by another link: a source of
     * ::, a group or the loopback is an address error; a link-local source cannot be answered from beyond its
     * link, so its sender hears so. Returns false when the packet was dropped (Ip6InAddrErrors). Borrows,
     * unless it drops.
     */
    private boolean sourceMayLeaveItsLink(PacketBuffer pkt, Ipv6Address saddr) {
        if (saddr.isUnspecified() || saddr.isMulticast() || saddr.isLoopback() || saddr.isLinkLocal()) {
            if (saddr.isLinkLocal()) {
                icmp.send(pkt, Icmpv6Packet.DEST_UNREACH, Icmpv6Packet.NOT_NEIGHBOUR, 0);
            }
            mib.inc(Mib.Ip6InAddrErrors);
            drops.drop(pkt, DropReason.IP_INADDRERRORS);
            return false;
        }
        return true;
    }

    /** ip6_forward_finish: dst_output (ip6_output). Takes ownership. */
    private void ip6ForwardFinish(PacketBuffer pkt) {
        pkt.dst().output(pkt);
    }
}
