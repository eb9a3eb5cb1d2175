package io.ustack.core.netfilter.nat;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.link.NetDevice;
import io.ustack.core.netfilter.Hook;
import io.ustack.core.netfilter.HookState;
import io.ustack.core.netfilter.Netfilter;
import io.ustack.core.netfilter.Priority;
import io.ustack.core.netfilter.Verdict;
import io.ustack.core.netfilter.conntrack.Conn;
import io.ustack.core.netfilter.conntrack.Conntrack;
import io.ustack.core.netfilter.conntrack.CtInfo;
import io.ustack.core.route.DstEntry;
import io.ustack.core.wire.IcmpPacket;
import io.ustack.core.wire.Ipv4Packet;
import java.util.concurrent.ThreadLocalRandom;

/**
 * nf_nat: address translation bound to connections. A rule's SNAT, MASQUERADE or DNAT target chooses a
 * connection's binding on its first packet ({@link #setupSource}, {@link #setupDestination}:
 * nf_nat_setup_info), which changes the reply tuple conntrack expects; from then on every packet of the
 * connection, both ways, is rewritten from the conntrack entry by the hooks here ({@link #natFn}:
 * nf_nat_inet_fn and nf_nat_packet): destination NAT (and undoing source NAT on replies) at PRE_ROUTING
 * ({@link Priority#NAT_DST}), source NAT (and undoing destination NAT on replies) at POST_ROUTING
 * ({@link Priority#NAT_SRC}). A new connection no rule translated gets a null binding, which still moves
 * its source port if keeping it would clash with a translated connection. ICMP errors about a translated
 * connection have the packet they quote translated back too (nf_nat_icmp_reply_translation).
 *
 * <p>The hooks are registered while a NAT rule exists ({@link #get}, {@link #put}); such rules hold
 * conntrack as well.
 */
public final class NfNat {
    private static final String NAME = "nf_nat";

    private final Netfilter netfilter;
    private final Conntrack conntrack;
    private int users;

    public NfNat(Netfilter netfilter, Conntrack conntrack) {
        this.netfilter = netfilter;
        this.conntrack = conntrack;
    }

    /** One more NAT rule: the first registers the hooks. */
    public synchronized void get() {
        if (users++ == 0) {
            netfilter.register(Hook.PRE_ROUTING, Priority.NAT_DST, NAME, (pkt, st) -> natFn(pkt, false));
            netfilter.register(Hook.POST_ROUTING, Priority.NAT_SRC, NAME, (pkt, st) -> natFn(pkt, true));
        }
    }

    /** One NAT rule fewer: the last unregisters the hooks. */
    public synchronized void put() {
        if (users == 0) {
            throw new IllegalStateException("nat put without get");
        }
        if (--users == 0) {
            netfilter.unregister(Hook.PRE_ROUTING, NAME);
            netfilter.unregister(Hook.POST_ROUTING, NAME);
        }
    }

    /**
     * Whether a NAT target may decide for this packet: it starts a connection (not yet confirmed) whose
     * binding of that kind (source NAT for {@code src}) is not chosen yet. The nat table sees no other packets.
     */
    public static boolean decides(PacketBuffer pkt, boolean src) {
        Conn ct = pkt.nfct();
        return ct != null && pkt.nfctInfo() == CtInfo.NEW && !ct.confirmed() && !ct.natInitialized(src);
    }

    /**
     * SNAT and MASQUERADE (nf_nat_setup_info for NF_NAT_MANIP_SRC): the connection's packets leave from
     * {@code addr}, keeping their source port if the resulting connection is unique, else taking a free
     * one from {@code portLo..portHi} (or, with no range, from the kernel's default class of the original
     * port). Returns false if no port is free. Borrows {@code pkt}, whose connection {@link #decides}.
     */
    public boolean setupSource(PacketBuffer pkt, int addr, int portLo, int portHi) {
        Conn ct = pkt.nfct();
        int proto = ct.protocol();
        // the tuple as the packet now reads (after any destination NAT): the inverse of the reply tuple
        int dst = ct.src(true);
        int origPort = sourcePort(ct);
        int port = uniquePort(ct, proto, dst, addr, origPort, portLo, portHi);
        if (port < 0) {
            return false;
        }
        bindSource(ct, addr, port);
        return true;
    }

    /**
     * MASQUERADE (masquerade_tg, nf_nat_masquerade_ipv4): source NAT to the address the route out gives a
     * packet of our own, remembering the out device (masq_index) so that {@link #masqInetEvent} can forget
     * the connection when that address goes. Returns false when the route has no source address or no port
     * is free. Borrows {@code pkt}, whose connection {@link #decides}.
     */
    public boolean masquerade(PacketBuffer pkt, int portLo, int portHi) {
        DstEntry dst = pkt.dst();
        int src = dst.prefsrc();
        if (src == 0 || !setupSource(pkt, src, portLo, portHi)) {
            return false;
        }
        pkt.nfct().setMasqIndex(dst.dev().ifindex());
        return true;
    }

    /**
     * masq_inet_event (an address removed, NETDEV_DOWN): forgets the connections masqueraded to {@code addr}
     * on {@code dev}, whose replies could no longer reach this host; the flows start over, masqueraded to
     * whatever address the device has now. Returns how many went.
     */
    public int masqInetEvent(NetDevice dev, int addr) {
        int ifindex = dev.ifindex();
        // inet_cmp: masqueraded on this device, to this address (the reply direction's destination)
        return conntrack.cleanup(ct -> ct.masqIndex() == ifindex && ct.natted(true) && ct.dst(true) == addr);
    }

    /**
     * DNAT (nf_nat_setup_info for NF_NAT_MANIP_DST): the connection's packets go to {@code addr} and, if
     * {@code port} is not negative and it is TCP or UDP, to that port. Borrows {@code pkt}, whose
     * connection {@link #decides}.
     */
    public void setupDestination(PacketBuffer pkt, int addr, int port) {
        Conn ct = pkt.nfct();
        boolean ports = hasPorts(ct.protocol());
        int newPort = ports && port >= 0 ? port : ct.sport(true);
        boolean changed = addr != ct.src(true) || newPort != ct.sport(true);
        ct.bindNat(false, changed, addr, ct.dst(true), newPort, ct.dport(true));
    }

    /** The source port (TCP, UDP) or identifier (ICMP) the original direction carries now. */
    private static int sourcePort(Conn ct) {
        return ct.protocol() == Ipv4Packet.IPPROTO_ICMP ? ct.sport(true) : ct.dport(true);
    }

    private static boolean hasPorts(int proto) {
        return proto == Ipv4Packet.IPPROTO_TCP || proto == Ipv4Packet.IPPROTO_UDP;
    }

    /** The reply tuple after source NAT to {@code addr}:{@code port}, and whether anything changed. */
    private static void bindSource(Conn ct, int addr, int port) {
        boolean icmp = ct.protocol() == Ipv4Packet.IPPROTO_ICMP;
        boolean changed = addr != ct.dst(true) || port != sourcePort(ct);
        if (icmp) {
            ct.bindNat(true, changed, ct.src(true), addr, port, ct.dport(true));
        } else if (hasPorts(ct.protocol())) {
            ct.bindNat(true, changed, ct.src(true), addr, ct.sport(true), port);
        } else {
            ct.bindNat(true, changed, ct.src(true), addr, ct.sport(true), ct.dport(true));
        }
    }

    /**
     * get_unique_tuple and nf_nat_l4proto_unique_tuple for source NAT: the original port if the new reply
     * tuple is free (and the port is in range), else the first free one from a random point of the range;
     * -1 if every port is taken. Protocols without ports keep what they have.
     */
    private int uniquePort(Conn ct, int proto, int peer, int addr, int origPort, int lo, int hi) {
        boolean icmp = proto == Ipv4Packet.IPPROTO_ICMP;
        if (!icmp && !hasPorts(proto)) {
            return origPort;
        }
        boolean ranged = lo >= 0;
        if ((!ranged || (origPort >= lo && origPort <= hi)) && !taken(ct, proto, peer, addr, origPort)) {
            return origPort;
        }
        int min;
        int size;
        if (ranged) {
            min = lo;
            size = hi - lo + 1;
        } else if (icmp) {
            min = 0;
            size = 65536;
        } else if (origPort < 512) {
            min = 1; // below 512 by convention credentials: stay there
            size = 511;
        } else if (origPort < 1024) {
            min = 600;
            size = 1024 - 600;
        } else {
            min = 1024;
            size = 65536 - 1024;
        }
        int start = ThreadLocalRandom.current().nextInt(size);
        for (int i = 0; i < size; i++) {
            int p = min + (start + i) % size;
            if (!taken(ct, proto, peer, addr, p)) {
                return p;
            }
        }
        return -1;
    }

    /** nf_nat_used_tuple: would the reply tuple (from {@code peer} to {@code addr}:{@code port}) clash? */
    private boolean taken(Conn ct, int proto, int peer, int addr, int port) {
        if (proto == Ipv4Packet.IPPROTO_ICMP) {
            return conntrack.tupleTaken(proto, peer, addr, port, ct.dport(true));
        }
        return conntrack.tupleTaken(proto, peer, addr, ct.sport(true), port);
    }

    /**
     * nf_nat_ipv4_fn / nf_nat_inet_fn at one hook: source NAT ({@code src}) at POST_ROUTING, destination
     * NAT at PRE_ROUTING. A new connection that no rule translated gets its null binding; then the packet is
     * rewritten as its connection's binding says. Borrows {@code pkt}; DROP for an ICMP error about a
     * translated connection whose checksum is wrong, or a null binding with no free port.
     */
    Verdict natFn(PacketBuffer pkt, boolean src) {
        Conn ct = pkt.nfct();
        if (ct == null) {
            return Verdict.ACCEPT;
        }
        CtInfo info = pkt.nfctInfo();
        Ipv4Packet ip = Ipv4Packet.wrap(pkt, pkt.networkHeader());
        if (info.isRelated() && ip.protocol() == Ipv4Packet.IPPROTO_ICMP) {
            return icmpReplyTranslation(pkt, ip, ct, info, src) ? Verdict.ACCEPT : Verdict.DROP;
        }
        if (decides(pkt, src)) {
            // nf_nat_alloc_null_binding: keep the addresses, move only a clashing source port
            if (src) {
                if (!setupSource(pkt, ct.dst(true), -1, -1)) {
                    return Verdict.DROP;
                }
            } else {
                setupDestination(pkt, ct.src(true), -1);
            }
        }
        natPacket(pkt, ct, info.isReply(), src);
        return Verdict.ACCEPT;
    }

    /**
     * nf_nat_packet: if the connection's binding rewrites this side ({@code src}) of packets going this way,
     * rewrite it to the tuple the other direction expects.
     */
    private static void natPacket(PacketBuffer pkt, Conn ct, boolean reply, boolean src) {
        // IPS_SRC_NAT means original-direction sources are rewritten, which on replies are destinations
        if (!ct.natted(src != reply)) {
            return;
        }
        boolean other = !reply;
        // the target tuple is the inverse of the other direction's
        int addr = src ? ct.dst(other) : ct.src(other);
        int port = src ? ct.dport(other) : ct.sport(other);
        NatManip.manip(pkt, pkt.networkHeader(), src, addr, port, ct.sport(other));
    }

    /**
     * nf_nat_icmp_reply_translation: an ICMP error about a translated connection. The packet it quotes went
     * the other way, so it is rewritten with the other kind of NAT to what the other direction's tuple
     * reads; the ICMP checksum is recomputed over the message, then the error itself is rewritten as the
     * connection's packets going its way are. Returns false if its checksum is wrong. Borrows {@code pkt}.
     */
    private static boolean icmpReplyTranslation(PacketBuffer pkt, Ipv4Packet ip, Conn ct, CtInfo info, boolean src) {
        int icmpOff = ip.offset() + ip.headerLength();
        int len = ip.totalLength() - ip.headerLength();
        IcmpPacket icmp = IcmpPacket.wrap(pkt, icmpOff);
        if (icmp == null || !IcmpPacket.isError(icmp.type())) {
            return true;
        }
        if (!icmp.checksumOk(len)) {
            return false;
        }
        boolean reply = info.isReply();
        if (!ct.natted(src != reply)) {
            return true;
        }
        boolean other = !reply;
        // inner: the quoted packet went the other way; it gets the other manip, to that direction's tuple
        int innerAddr = src ? ct.dst(other) : ct.src(other);
        int innerPort = src ? ct.dport(other) : ct.sport(other);
        NatManip.manip(pkt, icmpOff + IcmpPacket.HEADER_LEN, !src, innerAddr, innerPort, ct.sport(other));
        icmp.updateChecksum(len);
        // outer: like any packet of the connection going this way
        NatManip.manip(pkt, ip.offset(), src, src ? ct.dst(other) : ct.src(other), 0, 0);
        return true;
    }
}
