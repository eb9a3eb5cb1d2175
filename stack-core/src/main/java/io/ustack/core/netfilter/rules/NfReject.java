package io.ustack.core.netfilter.rules;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.icmp.IcmpSender;
import io.ustack.core.ipv4.Ipv4Output;
import io.ustack.core.netfilter.conntrack.Conn;
import io.ustack.core.netfilter.conntrack.CtInfo;
import io.ustack.core.route.DstEntry;
import io.ustack.core.wire.IcmpPacket;
import io.ustack.core.wire.Ipv4Packet;
import io.ustack.core.wire.TcpSegment;
import io.ustack.core.wire.UdpDatagram;
import java.util.function.BooleanSupplier;

/**
 * nf_reject_ipv4: the answers REJECT sends about a packet it refuses, an ICMP destination unreachable
 * (nf_send_unreach) or a TCP RST (nf_send_reset). Neither answers a later fragment or a packet whose
 * transport checksum is wrong, which might not be what its sender sent.
 */
public final class NfReject implements RejectSender {
    private final BufferPool pool;
    private final Ipv4Output out;
    private final IcmpSender icmp;

    public NfReject(BufferPool pool, Ipv4Output out, IcmpSender icmp) {
        this.pool = pool;
        this.out = out;
        this.icmp = icmp;
    }

    /**
     * nf_send_unreach: ICMP destination unreachable with {@code code} about {@code pkt} (network header
     * set), through icmp_send and so under its rules and rate limits. Borrows.
     */
    @Override
    public void sendUnreach(PacketBuffer pkt, int code) {
        Ipv4Packet ip = Ipv4Packet.wrap(pkt, pkt.networkHeader());
        if (ip.fragmentOffset() != 0 || !transportChecksumOk(pkt, ip)) {
            return;
        }
        icmp.send(pkt, IcmpPacket.DEST_UNREACH, code, 0);
    }

    /**
     * nf_send_reset: a RST for the TCP segment in {@code pkt}, from its destination to its source, with
     * the sequence numbers of {@link #reset}. Sent with DF through
     * ip_local_out, so OUTPUT and POSTROUTING see it, tied to the segment's connection (if tracked). Nothing answers a RST, a later fragment, a segment cut
     * short or with a bad checksum, or one that was not addressed to a single host. Borrows.
     */
    @Override
    public void sendReset(PacketBuffer pkt) {
        Ipv4Packet ip = Ipv4Packet.wrap(pkt, pkt.networkHeader());
        if (ip.fragmentOffset() != 0 || ip.protocol() != Ipv4Packet.IPPROTO_TCP) {
            return;
        }
        DstEntry dst = pkt.dst();
        if (dst != null && (dst.type() == DstEntry.Type.BROADCAST || dst.type() == DstEntry.Type.MULTICAST)) {
            return;
        }
        int tcpLen = ip.totalLength() - ip.headerLength();
        TcpSegment th = TcpSegment.wrap(pkt, ip.offset() + ip.headerLength());
        PacketBuffer rst = reset(pool, pkt, th, tcpLen, () -> th.checksumOk(ip.saddr(), ip.daddr(), tcpLen));
        if (rst == null) {
            return;
        }
        TcpSegment.wrap(rst, rst.data()).updateChecksum(ip.daddr(), ip.saddr(), TcpSegment.MIN_HEADER_LEN);
        out.sendFromAnySource(rst, ip.daddr(), ip.saddr(), Ipv4Packet.IPPROTO_TCP, 0, Ipv4Packet.DEFAULT_TTL, true);
    }

    /**
     * The RST both families' nf_send_reset answers {@code th} with ({@code tcpLen} bytes of TCP in
     * {@code refused}), its checksum left for the family's pseudo-header; null when nothing answers: a segment
     * cut short, a RST, or one whose checksum is wrong ({@code checksumOk}, asked unless the device vouched for
     * it). Sequence numbers per RFC 9293's reset generation: if the segment had ACK, the RST takes its
     * acknowledgment number as sequence number and carries no ACK; otherwise it has sequence 0 and
     * acknowledges everything the segment occupied (SYN and FIN count one each). Borrows {@code refused}.
     */
    static PacketBuffer reset(BufferPool pool, PacketBuffer refused, TcpSegment th, int tcpLen, BooleanSupplier checksumOk) {
        if (th == null || th.headerLength() < TcpSegment.MIN_HEADER_LEN || th.headerLength() > tcpLen
                || th.hasFlags(TcpSegment.RST) || !(refused.csumUnnecessary() || checksumOk.getAsBoolean())) {
            return null;
        }
        int seq;
        int ackSeq;
        int flags;
        if (th.hasFlags(TcpSegment.ACK)) {
            seq = th.ackSeq();
            ackSeq = 0;
            flags = TcpSegment.RST;
        } else {
            int occupied = tcpLen - th.headerLength() + (th.hasFlags(TcpSegment.SYN) ? 1 : 0)
                    + (th.hasFlags(TcpSegment.FIN) ? 1 : 0);
            seq = 0;
            ackSeq = th.seq() + occupied;
            flags = TcpSegment.RST | TcpSegment.ACK;
        }
        PacketBuffer rst = pool.allocateWithHeadroom(0);
        TcpSegment.push(rst, th.destinationPort(), th.sourcePort(), seq, ackSeq, flags, 0, 0);
        Conn ct = refused.nfct();
        if (ct != null) {
            // nf_ct_attach: the RST belongs to the refused packet's connection, going the other way, so NAT
            // translates it back (a DNATed client hears from the address it asked) and conntrack passes it
            rst.setNfct(ct, refused.nfctInfo().isReply() ? CtInfo.RELATED : CtInfo.RELATED_REPLY);
        }
        return rst;
    }

    /**
     * nf_reject_verify_csum and nf_ip_checksum: the TCP, UDP (unless it sent none) or ICMP checksum of the
     * packet is right; other protocols are not checked.
     */
    private static boolean transportChecksumOk(PacketBuffer pkt, Ipv4Packet ip) {
        if (pkt.csumUnnecessary()) {
            return true;
        }
        int l4 = ip.offset() + ip.headerLength();
        int len = ip.totalLength() - ip.headerLength();
        switch (ip.protocol()) {
            case Ipv4Packet.IPPROTO_TCP: {
                TcpSegment th = TcpSegment.wrap(pkt, l4);
                return th != null && th.checksumOk(ip.saddr(), ip.daddr(), len);
            }
            case Ipv4Packet.IPPROTO_UDP: {
                UdpDatagram uh = UdpDatagram.wrap(pkt, l4);
                return uh != null && uh.checksumOk(ip.saddr(), ip.daddr(), len);
            }
            case Ipv4Packet.IPPROTO_ICMP: {
                IcmpPacket ih = IcmpPacket.wrap(pkt, l4);
                return ih != null && ih.checksumOk(len);
            }
            default:
                return true;
        }
    }
}
