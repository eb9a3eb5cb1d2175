package io.ustack.cli.packetdrill;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.link.NetDevice;
import io.ustack.core.link.NetdevFeatures;
import io.ustack.core.time.Clock;
import io.ustack.core.wire.EthernetFrame;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * The device a script talks to, as packetdrill's tun device: IPv4 packets the stack sends are kept, stamped
 * with the virtual clock, for the runner to check; packets the script sends are handed to the stack as the
 * device had received them. It needs no ARP (IFF_NOARP, as a tun device) and takes partial checksums and
 * TCP super-packets whole, as packetdrill's tun does, so segments of a TSO size reach the script as the
 * kernel's do. With {@code tc qdisc ... root fq} it paces as sch_fq does: each packet leaves at its departure
 * time (skb->tstamp, TCP's earliest departure time) when that is later than the moment it was sent.
 */
final class ScriptDevice extends NetDevice {

    /** A packet the stack sent: its bytes from the IP header on, when it left, and its place in the queue. */
    record Sent(byte[] ip, long atNanos, int gsoSize, long order) {
    }

    private final Clock clock;
    /** Packets sent and not yet taken, in the order they leave: by time, then as they were sent. */
    private final PriorityQueue<Sent> sent = new PriorityQueue<>(
            Comparator.comparingLong(Sent::atNanos).thenComparingLong(Sent::order));
    private long sentCount;
    private volatile boolean fq;

    ScriptDevice(String name, long mac, int mtu, Clock clock) {
        super(name, mac, mtu, 1, NetDevice.DEFAULT_TX_QUEUE_LEN);
        this.clock = clock;
        setHwFeatures(NetdevFeatures.HW_CSUM | NetdevFeatures.RXCSUM | NetdevFeatures.TSO);
    }

    /** Whether the root qdisc is sch_fq, which holds packets to their departure times. */
    void setFq(boolean on) {
        fq = on;
    }

    @Override
    public boolean pacesDepartures() {
        return fq;
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
        long at = clock.nanos();
        if (fq && pkt.tstamp() - at > 0) {
            at = pkt.tstamp();
        }
        synchronized (sent) {
            sent.add(new Sent(ip, at, pkt.isGso() ? pkt.gsoSize() : 0, sentCount++));
        }
        pkt.release();
        return NETDEV_TX_OK;
    }

    /** The first packet that has left by now and is not yet taken, or null. */
    Sent poll() {
        synchronized (sent) {
            Sent first = sent.peek();
            return first != null && first.atNanos() - clock.nanos() <= 0 ? sent.poll() : null;
        }
    }

    /** When the next packet held by the qdisc leaves, on the stack's clock; {@link Long#MAX_VALUE} if none. */
    long nextDeparture() {
        synchronized (sent) {
            Sent first = sent.peek();
            return first == null ? Long.MAX_VALUE : first.atNanos();
        }
    }

    /** Puts back a packet taken by {@link #poll} that belongs to a later line: it is first again. */
    void pushBack(Sent s) {
        synchronized (sent) {
            sent.add(s);
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
