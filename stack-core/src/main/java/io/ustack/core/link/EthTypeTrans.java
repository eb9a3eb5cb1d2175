package io.ustack.core.link;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.buffer.PacketBuffer.PacketType;
import io.ustack.core.wire.EthernetFrame;
import io.ustack.core.wire.MacAddress;

/** eth_type_trans: classifies a received frame and strips its Ethernet header. */
public final class EthTypeTrans {
    private EthTypeTrans() {
    }

    /**
     * Sets the MAC header, pkt_type (HOST, BROADCAST, MULTICAST or OTHERHOST by the destination MAC against
     * {@code dev}'s) and protocol (the EtherType), then pulls the header. Borrows {@code pkt}. Returns false,
     * touching nothing, if the frame is shorter than an Ethernet header.
     */
    public static boolean apply(PacketBuffer pkt, NetDevice dev) {
        EthernetFrame eth = EthernetFrame.wrap(pkt, pkt.data());
        if (eth == null) {
            return false;
        }
        pkt.setMacHeader(eth.offset());
        pkt.setDev(dev);
        long dst = eth.destination();
        if (MacAddress.isMulticast(dst)) {
            pkt.setPktType(dst == MacAddress.BROADCAST ? PacketType.BROADCAST : PacketType.MULTICAST);
        } else {
            pkt.setPktType(dst == dev.mac() ? PacketType.HOST : PacketType.OTHERHOST);
        }
        pkt.setProtocol(eth.etherType());
        pkt.pull(EthernetFrame.HEADER_LEN);
        pkt.resetNetworkHeader();
        return true;
    }
}
