package io.ustack.core.buffer;

import io.ustack.core.link.NetDevice;
import io.ustack.core.netfilter.conntrack.Conn;
import io.ustack.core.netfilter.conntrack.CtInfo;
import io.ustack.core.route.DstEntry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One packet and its metadata: the kernel's {@code struct sk_buff}.
 *
 * <p>The memory is a direct (off-heap) region so a driver can read a frame straight into it. Offsets are
 * measured from {@code head} (always 0): {@code 0 <= data <= tail <= end}. {@link #reserve}, {@link #push},
 * {@link #pull}, {@link #put} and {@link #trim} move {@code data} and {@code tail} as their sk_buff namesakes
 * do. Accessors ({@link #u8}, {@link #u16}, {@link #u32}) take offsets from head, so a header view keeps its
 * offset valid while the data pointer moves past it.
 *
 * <p>Ownership: a buffer has exactly one owner at a time. A method that "takes ownership" must release it
 * (or hand it on); one that "borrows" must not keep it. The owner calls {@link #release()}, or the stack's
 * single {@code drop(pkt, reason)} when the packet is discarded.
 */
public final class PacketBuffer {
    /** pkt_type values, as set by eth_type_trans. */
    public enum PacketType { HOST, BROADCAST, MULTICAST, OTHERHOST }

    /**
     * skb->ip_summed: what is known of the transport checksum. {@code NONE}: nothing, it must be verified
     * (receive) or is complete in the packet (transmit). {@code UNNECESSARY}: a device vouched for it
     * (virtio's DATA_VALID). {@code PARTIAL}: the checksum field at {@link #csumStart()} +
     * {@link #csumOffset()} holds only the pseudo-header's sum; whoever sends the packet on must fold in the
     * bytes from csum_start to the end (a device with NETIF_F_HW_CSUM, or skb_checksum_help). A partial
     * packet received is trusted as the kernel trusts it: the sender has not finished its checksum yet.
     */
    public enum IpSummed { NONE, UNNECESSARY, PARTIAL }

    /** SKB_GSO_TCPV4: a TCP over IPv4 super-packet, to be cut at gso_size bytes of payload. */
    public static final int SKB_GSO_TCPV4 = 1;
    /** SKB_GSO_DODGY: the GSO fields came from an untrusted source (a TAP's virtio header); re-checked. */
    public static final int SKB_GSO_DODGY = 1 << 1;
    /** SKB_GSO_TCP_ECN: the first segment carries CWR, the others must not. */
    public static final int SKB_GSO_TCP_ECN = 1 << 2;
    /**
     * SKB_GSO_TCP_FIXEDID: every segment carries the first one's IP ID (a sender of atomic datagrams, DF
     * set, that does not count IDs up, RFC 6864); segmentation copies the ID instead of counting it up.
     */
    public static final int SKB_GSO_TCP_FIXEDID = 1 << 3;
    /** SKB_GSO_TCPV6: a TCP over IPv6 super-packet, to be cut at gso_size bytes of payload. */
    public static final int SKB_GSO_TCPV6 = 1 << 4;
    /** SKB_GSO_UDP_L4: a UDP datagram to be cut into gso_size-byte datagrams (UDP segmentation offload). */
    public static final int SKB_GSO_UDP_L4 = 1 << 16;

    private final BufferPool pool;
    private final ByteBuffer mem;
    private final int end;
    private int data;
    private int tail;
    private boolean released;

    private int macHeader = -1;
    private int networkHeader = -1;
    private int transportHeader = -1;
    private NetDevice dev;
    private int protocol;
    private PacketType pktType = PacketType.HOST;
    private int hash;
    private boolean hashValid;
    private int mark;
    private long tstamp;
    private DstEntry dst;
    private Conn nfct;
    private CtInfo nfctInfo;
    private IpSummed ipSummed = IpSummed.NONE;
    private int csumStart;
    private int csumOffset;
    private int gsoSize;
    private int gsoSegs;
    private int gsoType;
    private long ipOptions;

    PacketBuffer(BufferPool pool, int capacity) {
        this.pool = pool;
        this.mem = ByteBuffer.allocateDirect(capacity).order(ByteOrder.BIG_ENDIAN);
        this.end = capacity;
    }

    /** Clears data pointers and metadata before the pool hands the buffer out again. */
    void reset() {
        data = 0;
        tail = 0;
        released = false;
        macHeader = networkHeader = transportHeader = -1;
        dev = null;
        protocol = 0;
        pktType = PacketType.HOST;
        hash = 0;
        hashValid = false;
        mark = 0;
        tstamp = 0;
        dst = null;
        nfct = null;
        nfctInfo = null;
        ipSummed = IpSummed.NONE;
        csumStart = csumOffset = 0;
        ipOptions = 0;
        clearGso();
    }

    /**
     * IPCB(skb)->opt: the IP options ip_options_compile found in this received packet, packed as
     * {@code io.ustack.core.ipv4.IpOptions} packs them; 0 for none.
     */
    public long ipOptions() {
        return ipOptions;
    }

    public void setIpOptions(long opts) {
        this.ipOptions = opts;
    }

    /**
     * Gives the buffer back to its pool: kfree_skb/consume_skb. A second release is a bug in the caller and
     * throws, so that double frees surface in tests rather than corrupting a later packet.
     */
    public void release() {
        if (released) {
            throw new IllegalStateException("packet buffer released twice");
        }
        released = true;
        dst = null;
        dev = null;
        nfct = null;
        pool.recycle(this);
    }

    public boolean isReleased() {
        return released;
    }

    /** The backing direct memory, positioned at 0; for drivers that need its native address. */
    public ByteBuffer memory() {
        return mem;
    }

    // ---- data pointers (skb_reserve, skb_push, skb_pull, skb_put, skb_trim) ----

    /** skb_reserve: leaves {@code len} bytes of headroom in an empty buffer. */
    public void reserve(int len) {
        if (tail != data || data + len > end || len < 0) {
            throw new IllegalStateException("reserve on a non-empty buffer or past the end");
        }
        data += len;
        tail += len;
    }

    /** skb_push: prepends {@code len} bytes; returns the new data offset. */
    public int push(int len) {
        if (len > data || len < 0) {
            throw new IllegalStateException("push of " + len + " with headroom " + data);
        }
        data -= len;
        return data;
    }

    /** skb_pull: removes {@code len} bytes from the front; returns the new data offset. */
    public int pull(int len) {
        if (len > tail - data || len < 0) {
            throw new IllegalStateException("pull of " + len + " from length " + len());
        }
        data += len;
        return data;
    }

    /** skb_put: appends {@code len} bytes; returns the offset where they start (the old tail). */
    public int put(int len) {
        if (len > end - tail || len < 0) {
            throw new IllegalStateException("put of " + len + " with tailroom " + tailroom());
        }
        int at = tail;
        tail += len;
        return at;
    }

    /** skb_trim: cuts the packet to {@code len} bytes from data, if it is longer. */
    public void trim(int len) {
        if (len < 0) {
            throw new IllegalArgumentException("negative trim");
        }
        if (tail - data > len) {
            tail = data + len;
        }
    }

    /** Sets data and tail outright, as a driver does after reading a frame into an empty buffer. */
    public void setData(int dataOffset, int length) {
        if (dataOffset < 0 || length < 0 || dataOffset + length > end) {
            throw new IllegalArgumentException("data range outside the buffer");
        }
        data = dataOffset;
        tail = dataOffset + length;
    }

    public int data() {
        return data;
    }

    public int tail() {
        return tail;
    }

    public int end() {
        return end;
    }

    /** skb->len: bytes between data and tail. */
    public int len() {
        return tail - data;
    }

    public int headroom() {
        return data;
    }

    public int tailroom() {
        return end - tail;
    }

    // ---- byte access, offsets from head ----

    public int u8(int off) {
        return mem.get(off) & 0xff;
    }

    public int u16(int off) {
        return mem.getShort(off) & 0xffff;
    }

    /** Unsigned 32 bits, as a long. */
    public long u32(int off) {
        return mem.getInt(off) & 0xffff_ffffL;
    }

    /** 32 bits as a Java int (for addresses, sequence numbers). */
    public int i32(int off) {
        return mem.getInt(off);
    }

    public void setU8(int off, int v) {
        mem.put(off, (byte) v);
    }

    public void setU16(int off, int v) {
        mem.putShort(off, (short) v);
    }

    public void setI32(int off, int v) {
        mem.putInt(off, v);
    }

    public void copyIn(int off, byte[] src, int srcOff, int len) {
        mem.put(off, src, srcOff, len);
    }

    public void copyOut(int off, byte[] dst, int dstOff, int len) {
        mem.get(off, dst, dstOff, len);
    }

    /** Copies {@code len} bytes from {@code src} at {@code srcOff} into this buffer at {@code off}. */
    public void copyFrom(PacketBuffer src, int srcOff, int off, int len) {
        mem.put(off, src.mem, srcOff, len);
    }

    public void fill(int off, int len, byte value) {
        for (int i = 0; i < len; i++) {
            mem.put(off + i, value);
        }
    }

    /**
     * skb_copy_expand: a new buffer from the same pool holding a copy of data..tail with at least
     * {@code headroom} bytes in front, its header offsets, offload state and other metadata following the
     * bytes. Borrows this buffer; the caller owns the copy.
     */
    public PacketBuffer copyExpand(int headroom) {
        PacketBuffer c = pool.allocate(headroom + len());
        c.reserve(headroom);
        int shift = c.data - data;
        c.copyFrom(this, data, c.put(len()), len());
        c.macHeader = macHeader < 0 ? -1 : macHeader + shift;
        c.networkHeader = networkHeader < 0 ? -1 : networkHeader + shift;
        c.transportHeader = transportHeader < 0 ? -1 : transportHeader + shift;
        c.copyMetadata(this);
        c.tstamp = tstamp;
        c.nfct = nfct;
        c.nfctInfo = nfctInfo;
        c.ipSummed = ipSummed;
        c.csumStart = csumStart + shift;
        c.csumOffset = csumOffset;
        c.gsoSize = gsoSize;
        c.gsoSegs = gsoSegs;
        c.gsoType = gsoType;
        return c;
    }

    /** The bytes between data and tail, copied out; for tests and diagnostics, not the packet path. */
    public byte[] toByteArray() {
        byte[] out = new byte[len()];
        mem.get(data, out, 0, out.length);
        return out;
    }

    // ---- header offsets ----

    public int macHeader() {
        return macHeader;
    }

    public void setMacHeader(int off) {
        macHeader = off;
    }

    public int networkHeader() {
        return networkHeader;
    }

    /** skb_reset_network_header: the network header starts at data. */
    public void resetNetworkHeader() {
        networkHeader = data;
    }

    public void setNetworkHeader(int off) {
        networkHeader = off;
    }

    public int transportHeader() {
        return transportHeader;
    }

    public void setTransportHeader(int off) {
        transportHeader = off;
    }

    // ---- metadata ----

    public NetDevice dev() {
        return dev;
    }

    public void setDev(NetDevice dev) {
        this.dev = dev;
    }

    /** skb->protocol: the EtherType, host order. */
    public int protocol() {
        return protocol;
    }

    public void setProtocol(int protocol) {
        this.protocol = protocol;
    }

    public PacketType pktType() {
        return pktType;
    }

    public void setPktType(PacketType t) {
        this.pktType = t;
    }

    /** skb->hash: the flow hash RPS and queue selection use; valid only if {@link #hashValid()}. */
    public int hash() {
        return hash;
    }

    public boolean hashValid() {
        return hashValid;
    }

    public void setHash(int hash) {
        this.hash = hash;
        this.hashValid = true;
    }

    public int mark() {
        return mark;
    }

    public void setMark(int mark) {
        this.mark = mark;
    }

    /**
     * skb->tstamp: when the frame was received, on the stack's clock (nanoseconds); 0 when nobody asked for
     * it (the receive path stamps frames only while a packet tap is attached, as net_timestamp_check does).
     */
    public long tstamp() {
        return tstamp;
    }

    public void setTstamp(long nanos) {
        this.tstamp = nanos;
    }

    /** skb_dst: the routing decision, set by ip_rcv_finish or the output route lookup. */
    public DstEntry dst() {
        return dst;
    }

    public void setDst(DstEntry dst) {
        this.dst = dst;
    }

    /** skb->_nfct: the connection conntrack tied this packet to, or null (untracked, or invalid). */
    public Conn nfct() {
        return nfct;
    }

    /** How the packet relates to {@link #nfct()}; null when there is none. */
    public CtInfo nfctInfo() {
        return nfctInfo;
    }

    /** nf_ct_set: ties the packet to {@code ct} as {@code info}. */
    public void setNfct(Conn ct, CtInfo info) {
        this.nfct = ct;
        this.nfctInfo = info;
    }

    /** nf_reset_ct: the packet is a new one now (a buffer reused for an answer) and belongs to no connection. */
    public void nfResetCt() {
        setNfct(null, null);
    }

    /**
     * ip_copy_metadata: a packet made from {@code from} (a fragment, a reassembled datagram, a GSO segment)
     * leaves by the same device and route, with its protocol, type, mark and flow hash.
     */
    public void copyMetadata(PacketBuffer from) {
        dev = from.dev;
        protocol = from.protocol;
        pktType = from.pktType;
        mark = from.mark;
        dst = from.dst;
        if (from.hashValid) {
            setHash(from.hash);
        }
    }

    // ---- checksum and segmentation offload state (skb->ip_summed, csum_start/offset, skb_shinfo gso_*) ----

    public IpSummed ipSummed() {
        return ipSummed;
    }

    /** Sets ip_summed to NONE or UNNECESSARY; a partial checksum is set with {@link #setChecksumPartial}. */
    public void setIpSummed(IpSummed s) {
        if (s == IpSummed.PARTIAL) {
            throw new IllegalArgumentException("a partial checksum needs its start and offset");
        }
        ipSummed = s;
    }

    /**
     * skb_csum_unnecessary: the transport checksum needs no check here, because a device vouched for it
     * (UNNECESSARY) or because it is not finished yet (PARTIAL: the packet was built on this host, or by the
     * host kernel behind a TAP, and never crossed a wire).
     */
    public boolean csumUnnecessary() {
        return ipSummed != IpSummed.NONE;
    }

    /**
     * CHECKSUM_PARTIAL: the 16-bit checksum at {@code start + offset} (offsets from head) covers the bytes
     * from {@code start} to the end, once someone folds them in; it holds the pseudo-header's sum meanwhile.
     */
    public void setChecksumPartial(int start, int offset) {
        ipSummed = IpSummed.PARTIAL;
        csumStart = start;
        csumOffset = offset;
    }

    /** skb->csum_start: where the checksummed bytes begin, from head; meaningful only when PARTIAL. */
    public int csumStart() {
        return csumStart;
    }

    /** skb->csum_offset: where the checksum field sits, from {@link #csumStart()}. */
    public int csumOffset() {
        return csumOffset;
    }

    /** skb_is_gso: the packet is a super-packet, to be cut into segments of {@link #gsoSize()} payload bytes. */
    public boolean isGso() {
        return gsoSize != 0;
    }

    /** skb_shinfo(skb)->gso_size: the payload of each segment (the MSS for TCP); 0 for an ordinary packet. */
    public int gsoSize() {
        return gsoSize;
    }

    /** skb_shinfo(skb)->gso_segs: how many segments the super-packet makes. */
    public int gsoSegs() {
        return gsoSegs;
    }

    /** skb_shinfo(skb)->gso_type: {@link #SKB_GSO_TCPV4}, {@link #SKB_GSO_TCPV6}, {@link #SKB_GSO_UDP_L4}, with DODGY, TCP_ECN and TCP_FIXEDID bits. */
    public int gsoType() {
        return gsoType;
    }

    /** Marks the packet a super-packet of {@code segs} segments of {@code size} payload bytes each (the last may be shorter). */
    public void setGso(int size, int segs, int type) {
        if (size <= 0 || segs <= 0) {
            throw new IllegalArgumentException("gso_size and gso_segs must be positive");
        }
        gsoSize = size;
        gsoSegs = segs;
        gsoType = type;
    }

    /** The packet is an ordinary one again (after segmentation, or when it fits one segment). */
    public void clearGso() {
        gsoSize = 0;
        gsoSegs = 0;
        gsoType = 0;
    }

    public BufferPool pool() {
        return pool;
    }

    @Override
    public String toString() {
        return "PacketBuffer[data=" + data + ", len=" + len() + ", proto=0x" + Integer.toHexString(protocol)
                + (ipSummed == IpSummed.NONE ? "" : ", " + ipSummed)
                + (gsoSize == 0 ? "" : ", gso " + gsoSegs + "x" + gsoSize) + "]";
    }
}
