package io.ustack.core.ipv4;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.buffer.PacketHandler;
import io.ustack.core.stats.Mib;
import io.ustack.core.stats.MibCounters;
import io.ustack.core.wire.Ipv4Packet;

/**
 * ip_do_fragment (the slow path): splits an IPv4 packet that is larger than the MTU into fragments, each
 * with a copy of the header, offsets in 8-byte units, and MF on all but the last. A packet that is itself a
 * fragment keeps its offset and MF in the pieces, so a router can fragment further.
 */
public final class Fragmenter {
    private static final int IPOPT_END = 0;
    private static final int IPOPT_NOOP = 1;
    /** The "copied" flag of an option type: it must appear in every fragment. */
    private static final int IPOPT_COPY = 0x80;

    private final BufferPool pool;
    private final MibCounters mib;

    public Fragmenter(BufferPool pool, MibCounters mib) {
        this.pool = pool;
        this.mib = mib;
    }

    /**
     * Splits {@code pkt} (data at the IP header; DF already checked by the caller) into fragments no larger
     * than {@code mtu} and hands each to {@code out} in order. Takes ownership of {@code pkt}. Returns false,
     * without consuming it, if the MTU cannot carry a header and eight bytes of payload.
     */
    public boolean fragment(PacketBuffer pkt, int mtu, PacketHandler out) {
        Ipv4Packet ip = Ipv4Packet.wrap(pkt, pkt.data());
        int hlen = ip.headerLength();
        int chunk = (mtu - hlen) & ~7;
        if (chunk < 8) {
            return false;
        }
        int payload = pkt.len() - hlen;
        int baseOffset = ip.fragmentOffset();
        boolean baseMf = ip.moreFragments();
        int src = pkt.data() + hlen;
        for (int off = 0; off < payload; off += chunk) {
            int len = Math.min(chunk, payload - off);
            boolean last = off + len == payload;
            PacketBuffer frag = pool.allocate(BufferPool.DEFAULT_HEADROOM + hlen + len);
            frag.reserve(BufferPool.DEFAULT_HEADROOM);
            int at = frag.put(hlen + len);
            frag.copyFrom(pkt, pkt.data(), at, hlen);
            frag.copyFrom(pkt, src + off, at + hlen, len);
            if (off > 0) {
                optionsFragment(frag, at, hlen);
            }
            frag.setNetworkHeader(at);
            Ipv4Packet fip = Ipv4Packet.wrap(frag, at);
            fip.setTotalLength(hlen + len);
            boolean mf = !last || baseMf;
            // as ip_do_fragment: offset and MF only; DF is clear (we are fragmenting) and the reserved bit goes
            fip.setFragOffField(((baseOffset + off) >> 3) | (mf ? Ipv4Packet.IP_MF : 0));
            fip.updateChecksum();
            frag.copyMetadata(pkt);
            mib.inc(Mib.IpFragCreates);
            out.handle(frag);
        }
        mib.inc(Mib.IpFragOKs);
        pkt.release();
        return true;
    }

    /** ip_options_fragment: options without the copied flag become NOOPs in the second and later fragments. */
    private static void optionsFragment(PacketBuffer b, int ipOff, int hlen) {
        int i = ipOff + Ipv4Packet.MIN_HEADER_LEN;
        int end = ipOff + hlen;
        while (i < end) {
            int type = b.u8(i);
            if (type == IPOPT_END) {
                return;
            }
            if (type == IPOPT_NOOP) {
                i++;
                continue;
            }
            int optLen = i + 1 < end ? b.u8(i + 1) : 0;
            if (optLen < 2 || i + optLen > end) {
                return;
            }
            if ((type & IPOPT_COPY) == 0) {
                b.fill(i, optLen, (byte) IPOPT_NOOP);
            }
            i += optLen;
        }
    }
}
