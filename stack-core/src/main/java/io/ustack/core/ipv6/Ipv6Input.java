package io.ustack.core.ipv6;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.buffer.PacketBuffer.PacketType;
import io.ustack.core.ipv4.IpProtocolHandler;
import io.ustack.core.ipv4.Ipv4Input.ErrorSender;
import io.ustack.core.netfilter.Hook;
import io.ustack.core.netfilter.Netfilter;
import io.ustack.core.route.DstEntry;
import io.ustack.core.route.Ipv6Fib;
import io.ustack.core.stats.DropReason;
import io.ustack.core.stats.Mib;
import io.ustack.core.stats.MibCounters;
import io.ustack.core.stats.PacketDrops;
import io.ustack.core.wire.Icmpv6Packet;
import io.ustack.core.wire.Ipv6Address;
import io.ustack.core.wire.Ipv6ExtHeader;
import io.ustack.core.wire.Ipv6Packet;

/**
 * The IPv6 receive path (net/ipv6/ip6_input.c): ipv6_rcv with ip6_rcv_core's validation, ip6_rcv_finish's
 * route lookup (ip6_route_input) or, for multicast, ip6_mc_input's membership check, then dst.input:
 * ip6_input for this host, ip6_forward ({@link Ipv6Forward}, refused while forwarding is off) for others,
 * ip6_pkt_discard and its kin for error routes.
 * Extension headers are walked in the order they come (RFC 8200 section 4.1): hop-by-hop only first, in
 * ipv6_rcv; destination options and routing headers in ip6_input's loop ({@link ExtHeaders}), fragments
 * checked here (ipv6_frag_rcv) and reassembled by {@link Ipv6Reassembler}.
 *
 * <p>The IPv6 netfilter hooks sit where ip6_input.c calls NF_HOOK: PRE_ROUTING after ip6_rcv_core, LOCAL_IN
 * in ip6_input before the extension headers are walked, so (as in Linux without conntrack's nf_defrag_ipv6)
 * the rules there see each fragment, not the datagram.
 */
public final class Ipv6Input {
    private final Ipv6Fib fib;
    private final Netfilter netfilter;
    private final MibCounters mib;
    private final PacketDrops drops;
    private final IpProtocolHandler[] protocols = new IpProtocolHandler[256];
    private final ExtHeaders ext;
    private volatile ErrorSender icmp = (pkt, type, code, info) -> { };
    private volatile boolean defragBeforeHooks;
    /** ip6_forward while net.ipv6.conf.all.forwarding is 1; null while it is 0. */
    private volatile IpProtocolHandler forward;

    private final Ipv6Reassembler reassembler;

    /** @param netfilter the IPv6 hooks (NFPROTO_IPV6's, apart from IPv4's) */
    public Ipv6Input(Ipv6Fib fib, Netfilter netfilter, Ipv6Reassembler reassembler, MibCounters mib, PacketDrops drops) {
        this.fib = fib;
        this.netfilter = netfilter;
        this.reassembler = reassembler;
        this.mib = mib;
        this.drops = drops;
        this.ext = new ExtHeaders(mib, drops, (pkt, type, code, info) -> icmp.send(pkt, type, code, info));
    }

    /** icmp6_send, for the errors the receive path owes (parameter problem, unreachable). */
    public void setErrorSender(ErrorSender icmp) {
        this.icmp = icmp;
    }

    /** inet6_add_protocol: the handler of next header {@code nexthdr} on local delivery. */
    public void addProtocol(int nexthdr, IpProtocolHandler handler) {
        protocols[nexthdr] = handler;
    }

    private void hdrError(PacketBuffer pkt, DropReason reason) {
        mib.inc(Mib.Ip6InHdrErrors);
        drops.drop(pkt, reason);
    }

    /**
     * ipv6_rcv and ip6_rcv_core: validates the fixed header, counting each failure under its snmp6 name with
     * Linux's drop reason, trims link-layer padding to the payload length, parses a hop-by-hop header that
     * comes first (its options are every node's business), then NF PRE_ROUTING and ip6_rcv_finish. Takes
     * ownership; data at the IPv6 header.
     */
    public void ipv6Rcv(PacketBuffer pkt) {
        if (pkt.pktType() == PacketType.OTHERHOST) {
            drops.drop(pkt, DropReason.OTHERHOST);
            return;
        }
        mib.inc(Mib.Ip6InReceives);
        mib.add(Mib.Ip6InOctets, pkt.len());
        Ipv6Packet ip = Ipv6Packet.wrap(pkt, pkt.data());
        if (ip == null) {
            hdrError(pkt, DropReason.IP_INHDR);
            return;
        }
        if (ip.version() != 6) {
            hdrError(pkt, DropReason.UNHANDLED_PROTO);
            return;
        }
        boolean fromWire = !pkt.dev().isLoopback();
        Ipv6Address saddr = ip.saddr();
        Ipv6Address daddr = ip.daddr();
        // RFC 4291 2.5.3: the loopback address never comes from outside, nor goes to it
        if (fromWire && (saddr.isLoopback() || daddr.isLoopback())) {
            hdrError(pkt, DropReason.IP_INHDR);
            return;
        }
        if (daddr.isMulticast()) {
            // RFC 4291 errata 3480: interface-local scope never crosses a wire; 2.7: scope 0 is reserved
            if ((fromWire && daddr.multicastScope() == 1) || daddr.multicastScope() == 0) {
                hdrError(pkt, DropReason.IP_INHDR);
                return;
            }
        }
        if (saddr.isMulticast()) { // RFC 4291 2.7: a group is never a source
            hdrError(pkt, DropReason.IP_INHDR);
            return;
        }
        int payloadLen = ip.payloadLength();
        // a zero payload length with a hop-by-hop header is a jumbogram's, whose length is an option's
        if (payloadLen != 0 || ip.nextHeader() != Ipv6Packet.NEXTHDR_HOP) {
            if (Ipv6Packet.HEADER_LEN + payloadLen > pkt.len()) {
                mib.inc(Mib.Ip6InTruncatedPkts);
                drops.drop(pkt, DropReason.PKT_TOO_SMALL);
                return;
            }
            pkt.trim(Ipv6Packet.HEADER_LEN + payloadLen);
        }
        pkt.resetNetworkHeader();
        int hdrLen = Ipv6Packet.HEADER_LEN;
        if (ip.nextHeader() == Ipv6Packet.NEXTHDR_HOP) {
            int hop = ext.parseHopopts(pkt);
            if (hop < 0) {
                return;
            }
            hdrLen += hop;
        }
        pkt.setTransportHeader(pkt.data() + hdrLen);
        if (defragBeforeHooks) {
            pkt = defragForConntrack(pkt);
            if (pkt == null) {
                return;
            }
        }
        netfilter.hook(Hook.PRE_ROUTING, pkt, pkt.dev(), null, this::ip6RcvFinish);
    }

    /** nf_defrag_ipv6 on or off: reassembly before PRE_ROUTING, while IPv6 connection tracking runs. */
    public void setDefragBeforeHooks(boolean on) {
        this.defragBeforeHooks = on;
    }

    /**
     * nf_ct_frag6_gather (NF_IP6_PRI_CONNTRACK_DEFRAG): conntrack needs whole datagrams, so a fragment is held
     * until its datagram is whole, which then passes the hooks and ip6_input as one packet without its
     * fragment header. The headers before the fragment header are skipped unchecked (ip6_input checks them
     * on the datagram); a packet with no fragment header, or an atomic fragment, passes as it is. Takes
     * ownership; returns the packet to go on with, or null (held, or dropped and counted by ipv6_frag_rcv's
     * checks).
     */
    private PacketBuffer defragForConntrack(PacketBuffer pkt) {
        int nh = pkt.networkHeader();
        int off = pkt.transportHeader() - nh;
        int nhoff = off == Ipv6Packet.HEADER_LEN ? Ipv6Packet.NEXT_HEADER : Ipv6Packet.HEADER_LEN;
        int nexthdr = pkt.u8(nh + nhoff);
        while (nexthdr == Ipv6Packet.NEXTHDR_DEST || nexthdr == Ipv6Packet.NEXTHDR_ROUTING) {
            Ipv6ExtHeader h = Ipv6ExtHeader.wrap(pkt, nh + off, nexthdr);
            if (h == null) {
                return pkt; // cut short: ip6_input's walk refuses it
            }
            nhoff = off;
            off += h.length();
            nexthdr = pkt.u8(nh + nhoff);
        }
        Ipv6ExtHeader fh = Ipv6ExtHeader.wrap(pkt, nh + off, Ipv6Packet.NEXTHDR_FRAGMENT);
        if (nexthdr != Ipv6Packet.NEXTHDR_FRAGMENT || fh == null || (fh.fragmentOffset() == 0 && !fh.moreFragments())) {
            return pkt;
        }
        int transport = pkt.transportHeader() - nh;
        PacketBuffer whole = fragRcv(pkt, off, nhoff);
        if (whole != null) {
            whole.setTransportHeader(whole.networkHeader() + transport); // the same headers before the fragment's
        }
        return whole;
    }

    /**
     * ip6_rcv_finish: multicast to ip6_mc_input (Ip6InMcastPkts; delivered only for a group the device has
     * joined), unicast through ip6_route_input to the decision's input; no route is ip6_null_entry's
     * ip6_pkt_discard. The destination is read after PRE_ROUTING, whose functions may have changed it.
     * Takes ownership.
     */
    private void ip6RcvFinish(PacketBuffer pkt) {
        Ipv6Address daddr = Ipv6Packet.wrap(pkt, pkt.networkHeader()).daddr();
        DstEntry dst;
        if (daddr.isMulticast()) {
            mib.inc(Mib.Ip6InMcastPkts);
            if (!fib.isMember(pkt.dev(), daddr)) {
                drops.drop(pkt, DropReason.IPV6_MC_NOT_JOINED);
                return;
            }
            dst = fib.multicastInput(pkt.dev());
        } else {
            dst = fib.inputRoute(daddr, pkt.dev());
            if (dst == null) {
                ip6PktDrop(pkt, Icmpv6Packet.NOROUTE);
                return;
            }
        }
        pkt.setDst(dst);
        dst.input(pkt);
    }

    /**
     * ip6_pkt_drop for a packet that came in: to :: is an address error (Ip6InAddrErrors), anything else a
     * missing route (Ip6InNoRoutes); either way ICMPv6 destination unreachable with {@code code} goes back,
     * whether or not this host forwards. Takes ownership.
     */
    private void ip6PktDrop(PacketBuffer pkt, int code) {
        boolean any = Ipv6Packet.wrap(pkt, pkt.networkHeader()).daddr().isUnspecified();
        mib.inc(any ? Mib.Ip6InAddrErrors : Mib.Ip6InNoRoutes);
        icmp.send(pkt, Icmpv6Packet.DEST_UNREACH, code, 0);
        drops.drop(pkt, any ? DropReason.IP_INADDRERRORS : DropReason.IP_INNOROUTES);
    }

    /**
     * The dst.input of error routes (ip6_rt_init_dst_reject): a blackhole discards without a word
     * (dst_discard); unreachable is ip6_pkt_discard (no route) and prohibit ip6_pkt_prohibit (administratively
     * prohibited). Takes ownership.
     */
    public void ip6RouteError(PacketBuffer pkt) {
        DstEntry.Type type = pkt.dst().type();
        if (type == DstEntry.Type.BLACKHOLE) {
            drops.drop(pkt, type.errorDropReason());
            return;
        }
        ip6PktDrop(pkt, type == DstEntry.Type.PROHIBIT ? Icmpv6Packet.ADM_PROHIBITED : Icmpv6Packet.NOROUTE);
    }

    /**
     * The dst.input of routes that are not ours: ip6_forward when forwarding is on ({@link #setForward}); with
     * it off (net.ipv6.conf.all.forwarding 0, Linux's default) ip6_forward counts Ip6InAddrErrors and drops.
     * Takes ownership.
     */
    public void ip6ForwardOrError(PacketBuffer pkt) {
        IpProtocolHandler f = forward;
        if (f != null) {
            f.rcv(pkt);
            return;
        }
        mib.inc(Mib.Ip6InAddrErrors);
        drops.drop(pkt, DropReason.IP_INADDRERRORS);
    }

    /** Installs ip6_forward as the input of routes to other hosts (null turns forwarding off). */
    public void setForward(IpProtocolHandler forward) {
        this.forward = forward;
    }

    /** Whether ip6_forward is installed: net.ipv6.conf.all.forwarding. */
    public boolean forwarding() {
        return forward != null;
    }

    /** ip6_input: NF LOCAL_IN, then ip6_input_finish. The dst.input of local routes. Takes ownership. */
    public void ip6Input(PacketBuffer pkt) {
        netfilter.hook(Hook.LOCAL_IN, pkt, pkt.dev(), null, this::ip6InputFinish);
    }

    /**
     * ip6_input_finish and ip6_protocol_deliver_rcu: walks the extension headers after the fixed
     * one (and a first hop-by-hop one, which ipv6_rcv parsed), then hands the packet to its upper layer's
     * handler. A hop-by-hop header anywhere else, like any next header nobody handles, counts
     * Ip6InUnknownProtos and is answered by a parameter problem (code 1) pointing at the field that named it;
     * no next header (59) is delivered to nobody, as ipv6_nodata_protocol takes it. The walk is bounded: every
     * step moves at least 8 bytes further into the packet or ends it. Takes ownership.
     */
    private void ip6InputFinish(PacketBuffer pkt) {
        int nh = pkt.networkHeader();
        // where the next header's type is written: the fixed header's field, or the first hop-by-hop header's
        int nhoff = pkt.u8(nh + Ipv6Packet.NEXT_HEADER) == Ipv6Packet.NEXTHDR_HOP ? Ipv6Packet.HEADER_LEN
                : Ipv6Packet.NEXT_HEADER;
        int off = pkt.transportHeader() - nh;
        while (true) {
            int nexthdr = pkt.u8(nh + nhoff);
            int len;
            switch (nexthdr) {
                case Ipv6Packet.NEXTHDR_DEST -> len = ext.destoptRcv(pkt, off);
                case Ipv6Packet.NEXTHDR_ROUTING -> len = ext.rthdrRcv(pkt, off);
                case Ipv6Packet.NEXTHDR_FRAGMENT -> {
                    PacketBuffer whole = fragRcv(pkt, off, nhoff);
                    if (whole == null) {
                        return; // held, or dropped and counted
                    }
                    // an atomic fragment is itself the datagram: its header is skipped; a reassembled one has
                    // lost its fragment header, and the type now named at nhoff is read again in place
                    len = whole == pkt ? Ipv6ExtHeader.MIN_LEN : 0;
                    pkt = whole;
                    nh = pkt.networkHeader();
                }
                case Ipv6Packet.NEXTHDR_NONE -> {
                    mib.inc(Mib.Ip6InDelivers);
                    pkt.release(); // consumed: nothing follows
                    return;
                }
                default -> {
                    deliver(pkt, nexthdr, nhoff, off);
                    return;
                }
            }
            if (len < 0) {
                return; // dropped and counted by the header's check
            }
            if (len > 0) {
                nhoff = off;
                off += len;
            }
        }
    }

    /**
     * ipv6_frag_rcv for the fragment header {@code off} bytes into the packet, named at {@code nhoff}. A
     * fragment of a jumbogram, or a header cut short, is a header error pointing at it. An atomic fragment
     * (offset 0, M clear; RFC 6946) is no fragment: the packet itself comes back, to go on past the header.
     * A first fragment without the whole header chain up to the upper layer's header is answered by a
     * parameter problem code 3 (RFC 7112, RFC 8200 4.5); a datagram that would pass 65535 bytes points at the
     * offset, and a fragment but the last that is not a multiple of 8 bytes at the payload length. Takes
     * ownership. Returns the packet itself (atomic), the reassembled datagram, or null.
     */
    private PacketBuffer fragRcv(PacketBuffer pkt, int off, int nhoff) {
        int nh = pkt.networkHeader();
        Ipv6Packet ip = Ipv6Packet.wrap(pkt, nh);
        Ipv6ExtHeader fh = Ipv6ExtHeader.wrap(pkt, nh + off, Ipv6Packet.NEXTHDR_FRAGMENT);
        if (ip.payloadLength() == 0 || fh == null) {
            ext.paramProb(pkt, Icmpv6Packet.HDR_FIELD, off, DropReason.IP_INHDR);
            return null;
        }
        mib.inc(Mib.Ip6ReasmReqds);
        int start = fh.fragmentOffset();
        boolean more = fh.moreFragments();
        if (start == 0 && !more) {
            mib.inc(Mib.Ip6ReasmOKs);
            return pkt;
        }
        if (start == 0 && headerChainTruncated(pkt, nh + off)) {
            ext.paramProb(pkt, Icmpv6Packet.HDR_INCOMP, 0, DropReason.IPV6_BAD_EXTHDR);
            return null;
        }
        int end = start + ip.payloadLength() - (off + Ipv6ExtHeader.MIN_LEN - Ipv6Packet.HEADER_LEN);
        if (end > Ipv6Reassembler.MAXPLEN) {
            ext.paramProb(pkt, Icmpv6Packet.HDR_FIELD, off + Ipv6ExtHeader.FRAG_OFF, DropReason.IP_INHDR);
            return null;
        }
        if (more && (end & 7) != 0) {
            ext.paramProb(pkt, Icmpv6Packet.HDR_FIELD, Ipv6Packet.PAYLOAD_LEN, DropReason.IP_INHDR);
            return null;
        }
        return reassembler.defrag(pkt, off, nhoff, start, end, more);
    }

    /**
     * ipv6frag_thdr_truncated: whether the first fragment, from its fragment header at {@code at}, lacks the
     * rest of the extension headers or the upper layer's header (TCP's 20 bytes, UDP's and ICMPv6's 8, one
     * byte of anything else).
     */
    private static boolean headerChainTruncated(PacketBuffer pkt, int at) {
        Ipv6ExtHeader.Skipped s = Ipv6ExtHeader.skip(pkt, at, Ipv6Packet.NEXTHDR_FRAGMENT);
        if (s.offset() < 0) {
            return false; // no upper layer to look for (no next header), or the walk ran out: ipv6_skip_exthdr's -1
        }
        int need = switch (s.nexthdr()) {
            case Ipv6Packet.NEXTHDR_TCP -> 20;
            case Ipv6Packet.NEXTHDR_UDP, Ipv6Packet.NEXTHDR_ICMP -> 8;
            default -> 1;
        };
        return s.offset() + need > pkt.tail();
    }

    /** The end of ip6_protocol_deliver_rcu: the upper layer at {@code off}, named at {@code nhoff}. */
    private void deliver(PacketBuffer pkt, int nexthdr, int nhoff, int off) {
        IpProtocolHandler h = protocols[nexthdr];
        if (h == null) {
            mib.inc(Mib.Ip6InUnknownProtos);
            icmp.send(pkt, Icmpv6Packet.PARAMPROB, Icmpv6Packet.UNK_NEXTHDR, nhoff);
            drops.drop(pkt, DropReason.IP_NOPROTO);
            return;
        }
        mib.inc(Mib.Ip6InDelivers);
        pkt.setTransportHeader(pkt.networkHeader() + off);
        pkt.pull(pkt.transportHeader() - pkt.data());
        h.rcv(pkt);
    }
}
