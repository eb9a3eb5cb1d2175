package io.ustack.core.wire;

import io.ustack.core.buffer.PacketBuffer;

/** The Ethernet II header (struct ethhdr): destination, source, EtherType. Offsets are from head. */
public final class EthernetFrame {
    public static final int HEADER_LEN = 14;
    public static final int ETH_P_IP = 0x0800;
    public static final int ETH_P_ARP = 0x0806;
    public static final int ETH_P_IPV6 = 0x86dd;
    /** Values below this are 802.3 lengths, not EtherTypes. */
    public static final int ETH_P_802_3_MIN = 0x0600;

    private static final int DST = 0;
    private static final int SRC = 6;
    private static final int TYPE = 12;

    private final PacketBuffer b;
    private final int off;

    private EthernetFrame(PacketBuffer b, int off) {
        this.b = b;
        this.off = off;
    }

    /** A view of the header at {@code off}, or null if fewer than 14 bytes lie between it and tail. */
    public static EthernetFrame wrap(PacketBuffer b, int off) {
        return off >= 0 && b.tail() - off >= HEADER_LEN ? new EthernetFrame(b, off) : null;
    }

    /** dev_hard_header: pushes a header in front of data. */
    public static EthernetFrame push(PacketBuffer b, long dst, long src, int type) {
        int off = b.push(HEADER_LEN);
        EthernetFrame f = new EthernetFrame(b, off);
        f.setDestination(dst);
        f.setSource(src);
        f.setEtherType(type);
        b.setMacHeader(off);
        return f;
    }

    public int offset() {
        return off;
    }

    public long destination() {
        return MacAddress.read(b, off + DST);
    }

    public long source() {
        return MacAddress.read(b, off + SRC);
    }

    public int etherType() {
        return b.u16(off + TYPE);
    }

    public void setDestination(long mac) {
        MacAddress.write(b, off + DST, mac);
    }

    public void setSource(long mac) {
        MacAddress.write(b, off + SRC, mac);
    }

    public void setEtherType(int type) {
        b.setU16(off + TYPE, type);
    }
}
