package io.ustack.core.netfilter.rules;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.link.NetDevice;
import io.ustack.core.netfilter.HookState;
import io.ustack.core.netfilter.conntrack.CtInfo;
import io.ustack.core.wire.IcmpPacket;
import io.ustack.core.wire.Ipv4Packet;
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
    int tos;
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
        this.pkt = pkt;
        this.in = state.in();
        this.out = state.out();
        this.env = env;
        Ipv4Packet ip = Ipv4Packet.wrap(pkt, pkt.networkHeader());
        ipOff = ip.offset();
        len = ip.totalLength();
        proto = ip.protocol();
        saddr = ip.saddr();
        daddr = ip.daddr();
        tos = ip.tos();
        ttl = ip.ttl();
        fragment = ip.fragmentOffset() != 0;
        l4 = ipOff + ip.headerLength();
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
            } else if (proto == Ipv4Packet.IPPROTO_ICMP) {
                IcmpPacket ih = IcmpPacket.wrap(pkt, l4);
                if (ih != null) {
                    icmpType = ih.type();
                    icmpCode = ih.code();
                }
            }
        }
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
