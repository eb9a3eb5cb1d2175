package io.ustack.core.offload;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.buffer.PacketBuffer.IpSummed;
import io.ustack.core.wire.EthernetFrame;
import io.ustack.core.wire.TcpSegment;
import io.ustack.core.wire.UdpDatagram;
import io.ustack.core.wire.VirtioNetHdr;

/**
 * Between a {@link VirtioNetHdr} and a packet's offload state, both ways: include/linux/virtio_net.h's
 * virtio_net_hdr_to_skb (a frame read from the TAP) and virtio_net_hdr_from_skb (a frame written to it).
 * The header comes from the host kernel, but a driver trusts nothing it reads: every field that would point
 * outside the frame, or name a kind of segmentation this stack does not take, makes the frame a drop.
 */
public final class VirtioNet {
    private VirtioNet() {
    }

    /**
     * virtio_net_hdr_to_skb: sets {@code pkt}'s ip_summed, csum_start/offset and GSO fields from {@code hdr}.
     * The frame lies from data to tail, Ethernet header first. Borrows both. Returns null, or why the header
     * cannot be believed (the caller drops the frame as DEV_HDR): a partial checksum whose field lies past the
     * frame or before the network header, a GSO type this stack does not take (UFO, unknown) or that is not the
     * frame's family (TCPV6 in an IPv4 frame, as virtio_net_hdr_match_proto refuses it),
     * a GSO frame with gso_size 0, a header length past the frame, or a TCP or UDP GSO frame whose checksum
     * field is not that protocol's.
     */
    public static String toSkb(VirtioNetHdr hdr, PacketBuffer pkt) {
        int len = pkt.len();
        int flags = hdr.flags();
        if ((flags & VirtioNetHdr.F_NEEDS_CSUM) != 0) {
            int start = hdr.csumStart();
            int off = hdr.csumOffset();
            // skb_partial_csum_set: the 2-byte field must lie inside the frame, past the link header
            if (start < EthernetFrame.HEADER_LEN || start + off + 2 > len) {
                return "csum_start " + start + " + csum_offset " + off + " outside a frame of " + len + " bytes";
            }
            pkt.setChecksumPartial(pkt.data() + start, off);
        } else if ((flags & VirtioNetHdr.F_DATA_VALID) != 0) {
            pkt.setIpSummed(IpSummed.UNNECESSARY);
        }
        int type = hdr.gsoType();
        if (type == VirtioNetHdr.GSO_NONE) {
            return null;
        }
        int gsoType = switch (type & ~VirtioNetHdr.GSO_ECN) {
            case VirtioNetHdr.GSO_TCPV4 -> PacketBuffer.SKB_GSO_TCPV4;
            case VirtioNetHdr.GSO_TCPV6 -> PacketBuffer.SKB_GSO_TCPV6;
            case VirtioNetHdr.GSO_UDP_L4 -> PacketBuffer.SKB_GSO_UDP_L4;
            default -> 0;
        };
        if (gsoType == 0) {
            return "gso_type " + type + " is not taken";
        }
        if (!matchesProtocol(gsoType, pkt)) {
            return "gso_type " + type + " on a frame of EtherType 0x" + Integer.toHexString(etherType(pkt));
        }
        if ((type & VirtioNetHdr.GSO_ECN) != 0) {
            gsoType |= PacketBuffer.SKB_GSO_TCP_ECN;
        }
        int size = hdr.gsoSize();
        int hdrLen = hdr.hdrLen();
        if (size == 0) {
            return "gso_size 0 with gso_type " + type;
        }
        if (hdrLen > len) {
            return "hdr_len " + hdrLen + " past a frame of " + len + " bytes";
        }
        if (pkt.ipSummed() == IpSummed.PARTIAL) {
            int want = gsoType == PacketBuffer.SKB_GSO_UDP_L4 ? UdpDatagram.CSUM_OFFSET : TcpSegment.CSUM_OFFSET;
            if (pkt.csumOffset() != want) {
                return "csum_offset " + pkt.csumOffset() + " is not the checksum of a GSO type " + type + " packet";
            }
        }
        // DODGY: gso_segs is the header's word until the receive path has parsed the headers (tcp_gso_segment
        // recounts it); the payload is at most what lies past hdr_len
        int segs = Math.max(1, (len - hdrLen + size - 1) / size);
        pkt.setGso(size, segs, gsoType | PacketBuffer.SKB_GSO_DODGY);
        return null;
    }

    /**
     * virtio_net_hdr_match_proto: TCPV4 comes in an IPv4 frame and TCPV6 in an IPv6 one; UDP_L4 in either.
     */
    private static boolean matchesProtocol(int gsoType, PacketBuffer pkt) {
        int proto = etherType(pkt);
        return switch (gsoType) {
            case PacketBuffer.SKB_GSO_TCPV4 -> proto == EthernetFrame.ETH_P_IP;
            case PacketBuffer.SKB_GSO_TCPV6 -> proto == EthernetFrame.ETH_P_IPV6;
            default -> proto == EthernetFrame.ETH_P_IP || proto == EthernetFrame.ETH_P_IPV6;
        };
    }

    /** The frame's EtherType, or -1 if it is shorter than an Ethernet header. */
    private static int etherType(PacketBuffer pkt) {
        EthernetFrame eth = EthernetFrame.wrap(pkt, pkt.data());
        return eth == null ? -1 : eth.etherType();
    }

    /**
     * virtio_net_hdr_from_skb: fills {@code hdr} for {@code pkt}, whose Ethernet frame begins right after the
     * header and runs to tail (network and transport header offsets set when it is partial or a
     * super-packet). Borrows both. A super-packet must carry a partial checksum: the host finishes each
     * segment's.
     */
    public static void fromSkb(PacketBuffer pkt, VirtioNetHdr hdr) {
        int frame = hdr.offset() + VirtioNetHdr.LEN;
        int flags = 0;
        int csumStart = 0;
        int csumOffset = 0;
        if (pkt.ipSummed() == IpSummed.PARTIAL) {
            flags = VirtioNetHdr.F_NEEDS_CSUM;
            csumStart = pkt.csumStart() - frame;
            csumOffset = pkt.csumOffset();
        }
        if (!pkt.isGso()) {
            hdr.set(flags, VirtioNetHdr.GSO_NONE, 0, 0, csumStart, csumOffset);
            return;
        }
        int th = pkt.transportHeader();
        int type;
        int hdrEnd;
        if ((pkt.gsoType() & PacketBuffer.SKB_GSO_UDP_L4) != 0) {
            type = VirtioNetHdr.GSO_UDP_L4;
            hdrEnd = th + UdpDatagram.HEADER_LEN;
        } else {
            int tcp = (pkt.gsoType() & PacketBuffer.SKB_GSO_TCPV6) != 0 ? VirtioNetHdr.GSO_TCPV6 : VirtioNetHdr.GSO_TCPV4;
            type = tcp | ((pkt.gsoType() & PacketBuffer.SKB_GSO_TCP_ECN) != 0 ? VirtioNetHdr.GSO_ECN : 0);
            hdrEnd = th + TcpSegment.wrap(pkt, th).headerLength();
        }
        hdr.set(flags, type, hdrEnd - frame, pkt.gsoSize(), csumStart, csumOffset);
    }
}
