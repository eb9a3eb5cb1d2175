package io.ustack.cli.packetdrill;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.link.NetDevice;
import io.ustack.core.link.NetdevFeatures;
import io.ustack.core.time.Clock;
import io.ustack.core.wire.EthernetFrame;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * The device a script talks to, as packetdrill's tun device: IPv4 packets the stack sends are kept, stamped
 * with the virtual clock, for the runner to check; packets the script sends are handed to the stack as the
 * device had received them. It needs no ARP (IFF_NOARP, as a tun device) and takes partial checksums and
 * TCP super-packets whole, as packetdrill's tun does, so segments of a TSO size reach the script as the
 * kernel's do.
 */
final class ScriptDevice extends NetDevice {

    /** A packet the stack sent: its bytes from the IP header on, and when. */
    record Sent(byte[] ip, long atNanos, int gsoSize) {
    }

    private final Clock clock;
    private final ArrayDeque<Sent> sent = new ArrayDeque<>();

    ScriptDevice(String name, long mac, int mtu, Clock clock) {
        super(name, mac, mtu, 1, NetDevice.DEFAULT_TX_QUEUE_LEN);
        this.clock = clock;
        setHwFeatures(NetdevFeatures.HW_CSUM | NetdevFeatures.RXCSUM | NetdevFeatures.TSO);
    }

    @Override
    public boolean noArp() {
        return true;
    }

    @Override
    protected void ndoOpen() {
        // no wire to open
    }

    @Override
    protected void ndoStop() {
        // no wire to close
    }

    /** Keeps a copy of the packet for the script and releases it. Takes ownership. */
    @Override
    protected int ndoStartXmit(PacketBuffer pkt, int queue) {
        byte[] frame = pkt.toByteArray();
        byte[] ip = new byte[frame.length - EthernetFrame.HEADER_LEN];
        System.arraycopy(frame, EthernetFrame.HEADER_LEN, ip, 0, ip.length);
        synchronized (sent) {
            sent.addLast(new Sent(ip, clock.nanos(), pkt.isGso() ? pkt.gsoSize() : 0));
        }
        pkt.release();
        return NETDEV_TX_OK;
    }

    /** The oldest packet sent and not yet taken, or null. */
    Sent poll() {
        synchronized (sent) {
            return sent.pollFirst();
        }
    }

    /** Puts back a packet taken by {@link #poll} that belongs to a later line. */
    void pushBack(Sent s) {
        synchronized (sent) {
            sent.addFirst(s);
        }
    }

    /** Hands an IPv4 packet to the stack as received on this device; {@code asDriver} may mark its checksum. */
    void inject(byte[] ip, Consumer<PacketBuffer> asDriver) {
        PacketBuffer pkt = host().pool().allocateWithHeadroom(ip.length);
        pkt.copyIn(pkt.put(ip.length), ip, 0, ip.length);
        EthernetFrame.push(pkt, mac(), 0L, EthernetFrame.ETH_P_IP);
        asDriver.accept(pkt);
        pkt.setDev(this);
        stats().rxPackets.increment();
        stats().rxBytes.add(pkt.len());
        host().netifReceiveSkb(pkt);
    }
}
