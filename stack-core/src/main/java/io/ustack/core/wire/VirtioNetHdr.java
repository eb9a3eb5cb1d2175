package io.ustack.core.wire;

import io.ustack.core.buffer.PacketBuffer;
import java.nio.ByteOrder;

/**
 * struct virtio_net_hdr (the virtio spec's 5.1.6), the 10 bytes a TAP opened with IFF_VNET_HDR puts in front
 * of every frame, both ways: checksum and segmentation offload state (the driver's counterpart of
 * ip_summed and skb_shinfo's gso fields). The 16-bit fields are in the host's byte order, as the tun driver
 * keeps them for a legacy header (tun_is_little_endian without TUNSETVNETLE/BE): little-endian on x86.
 * Offsets ({@link #csumStart()}, {@link #hdrLen()}) count from the start of the Ethernet frame.
 */
public final class VirtioNetHdr {
    public static final int LEN = 10;

    /** VIRTIO_NET_HDR_F_NEEDS_CSUM: the checksum at csum_start + csum_offset is partial (CHECKSUM_PARTIAL). */
    public static final int F_NEEDS_CSUM = 1;
    /** VIRTIO_NET_HDR_F_DATA_VALID: the checksums were checked and are good (CHECKSUM_UNNECESSARY). */
    public static final int F_DATA_VALID = 2;

    public static final int GSO_NONE = 0;
    public static final int GSO_TCPV4 = 1;
    /** VIRTIO_NET_HDR_GSO_UDP: UFO, IP fragmentation of a large UDP datagram; not taken. */
    public static final int GSO_UDP = 3;
    public static final int GSO_TCPV6 = 4;
    /** VIRTIO_NET_HDR_GSO_UDP_L4: USO, a UDP payload cut into datagrams of gso_size. */
    public static final int GSO_UDP_L4 = 5;
    /** VIRTIO_NET_HDR_GSO_ECN: with TCPV4, the first segment has CWR set. */
    public static final int GSO_ECN = 0x80;

    private static final int FLAGS = 0;
    private static final int GSO_TYPE = 1;
    private static final int HDR_LEN = 2;
    private static final int GSO_SIZE = 4;
    private static final int CSUM_START = 6;
    private static final int CSUM_OFFSET = 8;
    private static final boolean SWAP = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private final PacketBuffer b;
    private final int off;

    private VirtioNetHdr(PacketBuffer b, int off) {
        this.b = b;
        this.off = off;
    }

    /** A view at {@code off}, or null if fewer than {@value #LEN} bytes lie between it and tail. */
    public static VirtioNetHdr wrap(PacketBuffer b, int off) {
        return off >= 0 && b.tail() - off >= LEN ? new VirtioNetHdr(b, off) : null;
    }

    /** A view at {@code off} to write, whatever the buffer holds there; the caller made room for {@value #LEN} bytes. */
    public static VirtioNetHdr at(PacketBuffer b, int off) {
        if (off < 0 || off + LEN > b.end()) {
            throw new IllegalArgumentException("no room for a virtio_net_hdr at " + off);
        }
        return new VirtioNetHdr(b, off);
    }

    public int offset() {
        return off;
    }

    public int flags() {
        return b.u8(off + FLAGS);
    }

    public int gsoType() {
        return b.u8(off + GSO_TYPE);
    }

    /** Bytes of headers (Ethernet, IP, transport) in front of the payload; a hint. */
    public int hdrLen() {
        return host16(HDR_LEN);
    }

    public int gsoSize() {
        return host16(GSO_SIZE);
    }

    public int csumStart() {
        return host16(CSUM_START);
    }

    public int csumOffset() {
        return host16(CSUM_OFFSET);
    }

    /** Writes every field at once, so no stale byte of an earlier frame survives. */
    public void set(int flags, int gsoType, int hdrLen, int gsoSize, int csumStart, int csumOffset) {
        b.setU8(off + FLAGS, flags);
        b.setU8(off + GSO_TYPE, gsoType);
        setHost16(HDR_LEN, hdrLen);
        setHost16(GSO_SIZE, gsoSize);
        setHost16(CSUM_START, csumStart);
        setHost16(CSUM_OFFSET, csumOffset);
    }

    private int host16(int field) {
        int v = b.u16(off + field);
        return SWAP ? Short.reverseBytes((short) v) & 0xffff : v;
    }

    private void setHost16(int field, int v) {
        b.setU16(off + field, SWAP ? Short.reverseBytes((short) v) : v);
    }
}
