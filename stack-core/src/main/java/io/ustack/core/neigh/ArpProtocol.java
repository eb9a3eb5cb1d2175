package io.ustack.core.neigh;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.buffer.PacketBuffer.PacketType;
import io.ustack.core.link.NetDevice;
import io.ustack.core.route.Fib;
import io.ustack.core.route.InterfaceAddress;
import io.ustack.core.stats.DropReason;
import io.ustack.core.stats.Mib;
import io.ustack.core.stats.MibCounters;
import io.ustack.core.stats.PacketDrops;
import io.ustack.core.wire.ArpPacket;
import io.ustack.core.wire.EthernetFrame;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.MacAddress;

/** ARP over Ethernet (net/ipv4/arp.c): arp_rcv, arp_process, arp_solicit and gratuitous announcements. */
public final class ArpProtocol implements NeighbourTable.Solicitor {
    private final Fib fib;
    private final NeighbourTable neigh;
    private final BufferPool pool;
    private final MibCounters mib;
    private final PacketDrops drops;

    public ArpProtocol(Fib fib, NeighbourTable neigh, BufferPool pool, MibCounters mib, PacketDrops drops) {
        this.fib = fib;
        this.neigh = neigh;
        this.pool = pool;
        this.mib = mib;
        this.drops = drops;
    }

    /**
     * arp_rcv and arp_process: checks the packet, answers requests for this host's addresses (duplicate
     * address probes from 0.0.0.0 included), and feeds the neighbour table. Takes ownership; data at the ARP
     * header.
     */
    public void arpRcv(PacketBuffer pkt) {
        if (pkt.pktType() == PacketType.OTHERHOST) {
            drops.drop(pkt, DropReason.OTHERHOST);
            return;
        }
        ArpPacket arp = ArpPacket.wrap(pkt, pkt.data());
        if (arp == null || !arp.isEthernetIpv4()
                || (arp.operation() != ArpPacket.ARPOP_REQUEST && arp.operation() != ArpPacket.ARPOP_REPLY)) {
            drops.drop(pkt, DropReason.ARP_INVALID);
            return;
        }
        NetDevice dev = pkt.dev();
        int sip = arp.senderIp();
        int tip = arp.targetIp();
        long sha = arp.senderMac();
        if (Ipv4Address.isMulticast(tip) || Ipv4Address.isLoopback(tip) || Ipv4Address.isMulticast(sip)
                || Ipv4Address.isLoopback(sip) || MacAddress.isMulticast(sha)) {
            drops.drop(pkt, DropReason.ARP_INVALID);
            return;
        }
        boolean request = arp.operation() == ArpPacket.ARPOP_REQUEST;
        mib.inc(request ? Mib.ArpInRequests : Mib.ArpInReplies);
        boolean forUs = fib.isLocal(tip);
        if (request && forUs && sip != 0 && !validSource(sip)) {
            // arp_process asks ip_route_input(tip, sip) first: a martian sender (one of this host's own
            // addresses, a broadcast, zeronet) fails it, so the request goes unanswered and teaches nothing
            drops.drop(pkt, DropReason.ARP_INVALID);
            return;
        }
        if (request && forUs) {
            if (sip != 0) {
                neigh.update(dev, sip, sha, false, true); // neigh_event_ns: the asker is a neighbour
            }
            send(dev, ArpPacket.ARPOP_REPLY, sha, tip, sha, sip);
            mib.inc(Mib.ArpOutReplies);
        } else if (sip != 0) {
            // A reply to us proves reachability; a broadcast reply or someone else's request only says where.
            boolean solicited = !request && pkt.pktType() == PacketType.HOST;
            neigh.update(dev, sip, sha, solicited, false);
        }
        pkt.release();
    }

    /**
     * ip_route_input_slow's check of a request's sender: not the limited broadcast or zeronet, and (the
     * rp_filter-off fast path of fib_validate_source) not one of this host's own addresses. A network's
     * broadcast address passes, as in Linux. Multicast and loopback senders are refused earlier.
     */
    private boolean validSource(int sip) {
        return !Ipv4Address.isZeronet(sip) && sip != Ipv4Address.BROADCAST && !fib.isLocal(sip);
    }

    /** arp_solicit: asks who has {@code target}, by broadcast or (targetMac non-zero) a unicast probe. */
    @Override
    public void solicit(NetDevice dev, int target, long targetMac) {
        InterfaceAddress src = fib.primaryAddress(dev);
        if (src == null || !dev.isUp()) {
            return;
        }
        long dst = targetMac == 0 ? MacAddress.BROADCAST : targetMac;
        send(dev, ArpPacket.ARPOP_REQUEST, dst, src.address(), 0L, target);
        mib.inc(Mib.ArpOutRequests);
    }

    /** A gratuitous ARP request (sender and target both {@code addr}), sent when an address comes up. */
    public void announce(NetDevice dev, int addr) {
        send(dev, ArpPacket.ARPOP_REQUEST, MacAddress.BROADCAST, addr, 0L, addr);
        mib.inc(Mib.ArpOutRequests);
    }

    /** arp_send: one ARP packet from {@code dev}'s MAC. */
    private void send(NetDevice dev, int op, long ethDst, int spa, long tha, int tpa) {
        PacketBuffer out = pool.allocateWithHeadroom(ArpPacket.LEN);
        ArpPacket.append(out, op, dev.mac(), spa, tha, tpa);
        EthernetFrame.push(out, ethDst, dev.mac(), EthernetFrame.ETH_P_ARP);
        out.setProtocol(EthernetFrame.ETH_P_ARP);
        out.setDev(dev);
        dev.devQueueXmit(out);
    }
}
