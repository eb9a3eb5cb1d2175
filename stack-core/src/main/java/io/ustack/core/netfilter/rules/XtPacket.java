package io.ustack.core.netfilter.rules;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.link.NetDevice;
import io.ustack.core.netfilter.HookState;
import io.ustack.core.netfilter.conntrack.CtInfo;
import io.ustack.core.wire.Icmpv6Packet;
import io.ustack.core.wire.Ipv4Packet;
import io.ustack.core.wire.Ipv6ExtHeader;
import io.ustack.core.wire.Ipv6Packet;
import io.ustack.core.wire.TcpSegment;
import io.ustack.core.wire.UdpDatagram;
import java.util.Arrays;

/**
 * struct xt_action_param with the packet's header fields read once: what every match and target of a table
 * walk looks at. One per thread, reused for every packet ({@link #acquire}), so the walk allocates nothing;
 * a walk started from inside another on the same thread (REJECT's answer passing OUTPUT) takes a fresh one.
 */
final class XtPacket {
    /** No port (not TCP or UDP, a later fragment, a header cut short), no TCP flags, no ICMP type. */
    static final int NONE = -1;

    private static final ThreadLocal<XtPacket> CURRENT = ThreadLocal.withInitial(XtPacket::new);

    PacketBuffer pkt;
    NetDevice in;
    NetDevice out;
    XtEnv env;
    int ipOff;
    int len;
    int proto;
    int saddr;
    int daddr;
    /** An IPv6 packet ({@link #load6}): its addresses are the four halves below, and saddr and daddr are 0. */
    boolean v6;
    long saddr6Hi;
    long saddr6Lo;
    long daddr6Hi;
    long daddr6Lo;
    /** The TOS byte, or IPv6's traffic class. */
    int tos;
    /** The TTL, or IPv6's hop limit. */
    int ttl;
    /** A later fragment (offset not 0): no transport header to look at. */
    boolean fragment;
    int l4;
    int sport;
    int dport;
    int tcpFlags;
    int icmpType;
    int icmpCode;
    /** The --state bit (XT_STATE_BIT, or INVALID/UNTRACKED). */
    int stateBit;

    /** ipt_do_table's jump stack: the chain and the rule to go on from after a RETURN. */
    int[] stackChain = new int[8];
    int[] stackRule = new int[8];
    private boolean busy;

    /** This thread's context, or a new one if it is in use further up the stack. Give it back with {@link #release}. */
    static XtPacket acquire() {
        XtPacket p = CURRENT.get();
        if (p.busy) {
            p = new XtPacket();
        }
        p.busy = true;
        return p;
    }

    void release() {
        busy = false;
        pkt = null;
        in = null;
        out = null;
    }

    /** Reads the headers of {@code pkt}, whose network header is set and valid (ip_rcv checked it). Borrows. */
    void load(PacketBuffer pkt, HookState state, XtEnv env) {
        bind(pkt, state, env);
        Ipv4Packet ip = Ipv4Packet.wrap(pkt, pkt.networkHeader());
        v6 = false;
        ipOff = ip.offset();
        len = ip.totalLength();
        proto = ip.protocol();
        saddr = ip.saddr();
        daddr = ip.daddr();
        tos = ip.tos();
        ttl = ip.ttl();
        fragment = ip.fragmentOffset() != 0;
        l4 = ipOff + ip.headerLength();
        transport(Ipv4Packet.IPPROTO_ICMP);
        state();
    }

    /**
     * Reads the headers of an IPv6 {@code pkt} as ip6t_do_table does: the fixed header, then past the
     * extension headers (ipv6_find_hdr) to the upper layer's protocol and header. A later fragment has the
     * protocol its fragment header names and no transport header; a chain cut short, none. Borrows.
     */
    void load6(PacketBuffer pkt, HookState state, XtEnv env) {
        bind(pkt, state, env);
        Ipv6Packet ip = Ipv6Packet.wrap(pkt, pkt.networkHeader());
        v6 = true;
        ipOff = ip.offset();
        len = Ipv6Packet.HEADER_LEN + ip.payloadLength();
        saddr = 0;
        daddr = 0;
        saddr6Hi = ip.saddrHi();
        saddr6Lo = ip.saddrLo();
        daddr6Hi = ip.daddrHi();
        daddr6Lo = ip.daddrLo();
        tos = ip.trafficClass();
        ttl = ip.hopLimit();
        Ipv6ExtHeader.Skipped s = Ipv6ExtHeader.skip(pkt, ipOff + Ipv6Packet.HEADER_LEN, ip.nextHeader());
        fragment = (s.fragOff() & Ipv6ExtHeader.IP6_OFFSET) != 0;
        l4 = s.offset();
        proto = fragment ? pkt.u8(l4) : s.nexthdr();
        if (l4 < 0) {
            fragment = true; // no upper-layer header to read, as for a later fragment
        }
        transport(Ipv6Packet.NEXTHDR_ICMP);
        state();
    }

    /** The packet and where it is: what every load starts with. */
    private void bind(PacketBuffer pkt, HookState state, XtEnv env) {
        this.pkt = pkt;
        this.in = state.in();
        this.out = state.out();
        this.env = env;
    }

    /** The ports, TCP flags or ICMP type and code at {@link #l4}; {@code icmp} is the family's ICMP. */
    private void transport(int icmp) {
        sport = NONE;
        dport = NONE;
        tcpFlags = NONE;
        icmpType = NONE;
        icmpCode = NONE;
        if (!fragment) {
            if (proto == Ipv4Packet.IPPROTO_TCP) {
                TcpSegment th = TcpSegment.wrap(pkt, l4);
                if (th != null) {
                    sport = th.sourcePort();
                    dport = th.destinationPort();
                    tcpFlags = th.flags() & 0xff;
                }
            } else if (proto == Ipv4Packet.IPPROTO_UDP) {
                UdpDatagram uh = UdpDatagram.wrap(pkt, l4);
                if (uh != null) {
                    sport = uh.sourcePort();
                    dport = uh.destinationPort();
                }
            } else if (proto == icmp && pkt.tail() - l4 >= Icmpv6Packet.HEADER_LEN) {
                // ICMP and ICMPv6 share where the type and code are
                icmpType = pkt.u8(l4);
                icmpCode = pkt.u8(l4 + 1);
            }
        }
    }

    /** The --state bit of the packet's connection. */
    private void state() {
        CtInfo info = pkt.nfctInfo();
        stateBit = info == null ? CtInfo.STATE_INVALID : info == CtInfo.UNTRACKED ? CtInfo.STATE_UNTRACKED : info.stateBit();
    }

    /** Makes room for one more jump on the stack (only a chain nested deeper than any before grows it). */
    void ensureDepth(int sp) {
        if (sp == stackChain.length) {
            stackChain = Arrays.copyOf(stackChain, sp * 2);
            stackRule = Arrays.copyOf(stackRule, sp * 2);
        }
    }
}
