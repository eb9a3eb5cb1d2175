package io.ustack.core.wire;

import io.ustack.core.buffer.PacketBuffer;

/**
 * An ARP packet for IPv4 over Ethernet (struct arphdr and the Ethernet/IPv4 body, RFC 826), 28 bytes.
 * {@link #wrap} checks only the length; {@link #isEthernetIpv4} is arp_rcv's format check.
 */
public final class ArpPacket {
    public static final int LEN = 28;
    public static final int ARPHRD_ETHER = 1;
    public static final int ARPOP_REQUEST = 1;
    public static final int ARPOP_REPLY = 2;

    private static final int HTYPE = 0;
    private static final int PTYPE = 2;
    private static final int HLEN = 4;
    private static final int PLEN = 5;
    private static final int OPER = 6;
    private static final int SHA = 8;
    private static final int SPA = 14;
    private static final int THA = 18;
    private static final int TPA = 24;

    private final PacketBuffer b;
    private final int off;

    private ArpPacket(PacketBuffer b, int off) {
        this.b = b;
        this.off = off;
    }

    /** A view at {@code off}, or null if fewer than 28 bytes lie between it and tail. */
    public static ArpPacket wrap(PacketBuffer b, int off) {
        return off >= 0 && b.tail() - off >= LEN ? new ArpPacket(b, off) : null;
    }

    /** Appends a 28-byte Ethernet/IPv4 ARP packet at tail and returns its view. */
    public static ArpPacket append(PacketBuffer b, int op, long sha, int spa, long tha, int tpa) {
        int at = b.put(LEN);
        ArpPacket p = new ArpPacket(b, at);
        b.setU16(at + HTYPE, ARPHRD_ETHER);
        b.setU16(at + PTYPE, EthernetFrame.ETH_P_IP);
        b.setU8(at + HLEN, 6);
        b.setU8(at + PLEN, 4);
        b.setU16(at + OPER, op);
        MacAddress.write(b, at + SHA, sha);
        b.setI32(at + SPA, spa);
        MacAddress.write(b, at + THA, tha);
        b.setI32(at + TPA, tpa);
        return p;
    }

    /** The hardware and protocol types and lengths are Ethernet (1, 6) and IPv4 (0x0800, 4). */
    public boolean isEthernetIpv4() {
        return hardwareType() == ARPHRD_ETHER && protocolType() == EthernetFrame.ETH_P_IP
                && b.u8(off + HLEN) == 6 && b.u8(off + PLEN) == 4;
    }

    public int hardwareType() {
        return b.u16(off + HTYPE);
    }

    public int protocolType() {
        return b.u16(off + PTYPE);
    }

    public int hardwareLength() {
        return b.u8(off + HLEN);
    }

    public int protocolLength() {
        return b.u8(off + PLEN);
    }

    public int operation() {
        return b.u16(off + OPER);
    }

    public long senderMac() {
        return MacAddress.read(b, off + SHA);
    }

    public int senderIp() {
        return b.i32(off + SPA);
    }

    public long targetMac() {
        return MacAddress.read(b, off + THA);
    }

    public int targetIp() {
        return b.i32(off + TPA);
    }
}
