package io.ustack.core.offload;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.buffer.PacketBuffer.IpSummed;
import io.ustack.core.wire.Checksum;
import io.ustack.core.wire.Ipv6Address;

/**
 * CHECKSUM_PARTIAL on the way out: a TCP or UDP checksum left for someone else to finish. The field holds
 * the pseudo-header's sum meanwhile ({@link Checksum#pseudoHeaderPartial}); a device with NETIF_F_HW_CSUM
 * finishes it on the wire, and {@link #complete} (skb_checksum_help) finishes it in software for a device
 * that cannot, or for anything that must see a finished checksum.
 */
public final class PartialChecksum {
    private PartialChecksum() {
    }

    /**
     * __tcp_v4_send_check and udp4_hwcsum when the device will finish the sum: the checksum field at
     * {@code l4 + csumOffset} (offsets from head) gets the pseudo-header's sum over {@code len} transport
     * bytes, and the packet is marked PARTIAL from {@code l4}. Borrows {@code pkt}.
     */
    public static void set(PacketBuffer pkt, int l4, int csumOffset, int saddr, int daddr, int protocol, int len) {
        pkt.setU16(l4 + csumOffset, Checksum.pseudoHeaderPartial(saddr, daddr, protocol, len));
        pkt.setChecksumPartial(l4, csumOffset);
    }

    /** {@link #set} over the IPv6 pseudo-header: __tcp_v6_send_check and udp6_hwcsum_outgoing's partial case. */
    public static void set6(PacketBuffer pkt, int l4, int csumOffset, Ipv6Address saddr, Ipv6Address daddr,
                            int nextHeader, int len) {
        pkt.setU16(l4 + csumOffset, Checksum.pseudoHeaderPartial6(saddr, daddr, nextHeader, len));
        pkt.setChecksumPartial(l4, csumOffset);
    }

    /**
     * Whether {@code pkt}'s checksum is partial and its field is the one at {@code field} (from head). The
     * kernel asks only whether the packet is partial; asking for the field too keeps the checksum of a
     * header quoted inside an ICMP error, which is always a finished one, out of the partial rules.
     */
    public static boolean isAt(PacketBuffer pkt, int field) {
        return pkt.ipSummed() == IpSummed.PARTIAL && pkt.csumStart() + pkt.csumOffset() == field;
    }

    /**
     * skb_checksum_help: finishes a partial checksum in place, summing the bytes from csum_start to the end
     * (the field among them, holding the pseudo-header's sum) into the field, and sets ip_summed NONE. A
     * checksum that comes out 0 is stored as 0xffff (CSUM_MANGLED_0), which means the same to TCP and is
     * what UDP needs. A packet that is not partial has nothing to finish: true, unchanged. Borrows
     * {@code pkt}.
     *
     * @return false, changing nothing, for a super-packet (only its segments can have checksums) or a
     *     start or field that lies outside the data; the caller drops it as
     *     {@link io.ustack.core.stats.DropReason#SKB_CSUM}
     */
    public static boolean complete(PacketBuffer pkt) {
        if (pkt.ipSummed() != IpSummed.PARTIAL) {
            return true;
        }
        int start = pkt.csumStart();
        int field = start + pkt.csumOffset();
        if (pkt.isGso() || start < pkt.data() || pkt.csumOffset() < 0 || field + 2 > pkt.tail()) {
            return false;
        }
        int sum = Checksum.compute(pkt, start, pkt.tail() - start);
        pkt.setU16(field, sum == 0 ? 0xffff : sum);
        pkt.setIpSummed(IpSummed.NONE);
        return true;
    }
}
