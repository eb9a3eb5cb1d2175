package io.ustack.driver.tap;

import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.Errors;
import io.netty.channel.unix.FileDescriptor;
import io.netty.util.internal.PlatformDependent;
import io.ustack.core.buffer.BufferPool;
import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.link.NetDevice;
import io.ustack.core.link.NetDeviceHost;
import io.ustack.core.stats.DropReason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;

/**
 * One queue of a TAP: its fd, the NAPI context that polls it on one Netty epoll event loop, and the
 * transmit side of the same fd (one struct tun_file with its napi_struct and netdev_queue).
 *
 * <p>Readiness is edge-triggered (EPOLLET, as Netty's own channels use it): an edge means "new frames
 * arrived", and the poll must read until EAGAIN or it will not hear about the rest. A poll reads at most
 * {@link #NAPI_POLL_WEIGHT} frames; if that budget runs out it schedules itself again on the same loop
 * (napi_schedule) so one busy queue cannot keep the loop from its other work, and no edge is needed.
 * Draining the qdisc after EPOLLOUT is held to the same measure (dev_tx_weight frames a pass), so receive
 * and transmit take turns on the loop.
 *
 * <p>Threads: receive runs on the event loop only. Transmit runs on whichever thread runs the qdisc (one
 * at a time per queue, the core's guarantee) and on the event loop when EPOLLOUT wakes the queue.
 */
final class TapQueue implements EpollIoHandle {
    /** NAPI_POLL_WEIGHT: frames one poll may read before it yields. */
    static final int NAPI_POLL_WEIGHT = 64;
    static final int ETH_HLEN = 14;

    private static final System.Logger LOG = System.getLogger(TapQueue.class.getName());
    private static final EpollIoOps RX = EpollIoOps.EPOLLIN.with(EpollIoOps.EPOLLET);
    private static final EpollIoOps RX_TX = RX.with(EpollIoOps.EPOLLOUT);

    private final TapDevice dev;
    private final int index;
    private final FileDescriptor fd;
    private final Runnable napiPoll = this::napiPoll;
    private final Runnable txAction = this::txAction;
    private volatile IoEventLoop loop;
    private volatile IoRegistration registration;
    // event-loop state
    private boolean pollScheduled;
    private PacketBuffer spare;
    private boolean rxErrorLogged;
    // transmit state, one thread at a time
    private boolean txErrorLogged;

    TapQueue(TapDevice dev, int index, FileDescriptor fd) {
        this.dev = dev;
        this.index = index;
        this.fd = fd;
    }

    @Override
    public FileDescriptor fd() {
        return fd;
    }

    /** napi_enable: joins {@code loop} and asks for receive readiness. Frames already queued raise an edge at once. */
    void start(IoEventLoop loop) {
        this.loop = loop;
        IoRegistration reg = loop.register(this).syncUninterruptibly().getNow();
        registration = reg;
        reg.submit(RX);
    }

    /**
     * napi_disable: leaves the event loop; a poll already scheduled finds the registration cancelled and
     * does nothing. Runs on the loop so it cannot overlap a poll, then gives back the spare buffer.
     */
    void stop() {
        IoEventLoop l = loop;
        if (l == null) {
            return;
        }
        Runnable leave = () -> {
            IoRegistration reg = registration;
            if (reg != null) {
                reg.cancel();
            }
            if (spare != null) {
                spare.release();
                spare = null;
            }
        };
        if (l.inEventLoop()) {
            leave.run();
        } else if (!l.isShuttingDown()) {
            l.submit(leave).awaitUninterruptibly();
        }
    }

    /**
     * Closes the fd. Idempotent. Needs no lock against transmit: dev_close has deactivated the transmit
     * queues, and waited out any write in progress, before ndo_stop gets here.
     */
    @Override
    public void close() {
        if (!fd.isOpen()) {
            return;
        }
        try {
            fd.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> dev.name() + " queue " + index + ": close failed", e);
        }
    }

    /** Readiness from epoll: the "interrupt". EPOLLOUT wakes the transmit queue, EPOLLIN (or an error) polls. */
    @Override
    public void handle(IoRegistration reg, IoEvent event) {
        // nothing may escape: Netty's epoll loop answers an exception from a handle by sleeping a second
        try {
            EpollIoOps ops = ((EpollIoEvent) event).ops();
            if (ops.contains(EpollIoOps.EPOLLOUT)) {
                txWritable(reg);
            }
            if ((ops.contains(EpollIoOps.EPOLLIN) || ops.contains(EpollIoOps.EPOLLERR)) && !pollScheduled) {
                napiPoll();
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, dev.name() + " queue " + index + ": event handling failed", e);
        }
    }

    /**
     * napi_poll: reads up to {@link #NAPI_POLL_WEIGHT} frames; at EAGAIN it is done until the next edge,
     * otherwise it reschedules itself (napi_schedule) because the fd may still hold frames and, being
     * edge-triggered, epoll will not say so again.
     */
    private void napiPoll() {
        pollScheduled = false;
        IoRegistration reg = registration;
        if (reg == null || !reg.isValid()) {
            return;
        }
        NetDeviceHost host = dev.host();
        for (int work = 0; work < NAPI_POLL_WEIGHT; work++) {
            if (!receiveOne(host)) {
                return;
            }
        }
        pollScheduled = true;
        loop.execute(napiPoll);
    }

    /**
     * Reads one frame straight into a pooled direct buffer and hands it to the stack (netif_receive_skb).
     * Returns false when there is nothing more to read now (EAGAIN) or the read failed.
     */
    private boolean receiveOne(NetDeviceHost host) {
        PacketBuffer pkt = spare != null ? spare : host.pool().allocate(rxBufferCapacity());
        spare = null;
        int n;
        try {
            // the limit is the whole buffer, not MTU + 14, so an oversized frame shows as one (and is counted)
            n = fd.readAddress(address(pkt), 0, pkt.end());
        } catch (IOException e) {
            dev.stats().rxErrors.increment();
            host.drop(pkt, DropReason.DEV_HDR);
            if (!rxErrorLogged) {
                rxErrorLogged = true;
                LOG.log(Level.WARNING, dev.name() + " queue " + index + ": read failed: " + e.getMessage());
            }
            return false;
        }
        if (n <= 0) {
            // EAGAIN (0), or end of file (-1), which a TAP does not give: keep the buffer for the next poll
            spare = pkt;
            return false;
        }
        if (n > dev.mtu() + ETH_HLEN) {
            // rx_length_errors: the host side has a larger MTU than we do
            dev.stats().rxErrors.increment();
            host.drop(pkt, DropReason.DEV_HDR);
            return true;
        }
        pkt.setData(0, n);
        pkt.setDev(dev);
        dev.stats().rxPackets.increment();
        dev.stats().rxBytes.add(n);
        try {
            host.netifReceiveSkb(pkt);
        } catch (RuntimeException e) {
            // the stack owns the frame now; a bug there must not stop this queue from receiving
            LOG.log(Level.WARNING, dev.name() + " queue " + index + ": netif_receive_skb threw", e);
        }
        return true;
    }

    /**
     * ndo_start_xmit for this queue: one write(2) of the frame from its direct memory. Takes ownership
     * unless it returns NETDEV_TX_BUSY.
     */
    int startXmit(PacketBuffer pkt) {
        int len = pkt.len();
        if (len < ETH_HLEN) {
            // the tun driver rejects it anyway, and a zero-length write would read as EAGAIN
            return txError(pkt, "a frame of " + len + " bytes is shorter than an Ethernet header");
        }
        int n;
        try {
            n = fd.writeAddress(address(pkt), pkt.data(), pkt.tail());
        } catch (IOException e) {
            if (e instanceof Errors.NativeIoException ne && ne.expectedErr() == -Errno.EIO) {
                return carrierDown(pkt);
            }
            return txError(pkt, "write failed: " + e.getMessage());
        }
        if (n == len) {
            pkt.release();
            if (!dev.carrier()) {
                dev.carrierOn();
            }
            return NetDevice.NETDEV_TX_OK;
        }
        if (n == 0) {
            // EAGAIN: stop first, then ask for EPOLLOUT; if the fd became writable in between, adding
            // EPOLLOUT reports it at once and the wake finds the queue already stopped.
            dev.netifStopQueue(index);
            try {
                registration.submit(RX_TX);
            } catch (UncheckedIOException e) {
                // only when the fd is being closed: the device is going down and purges its qdisc
                LOG.log(Level.DEBUG, () -> dev.name() + " queue " + index + ": cannot wait for EPOLLOUT", e);
            }
            return NetDevice.NETDEV_TX_BUSY;
        }
        return txError(pkt, "short write of " + n + " of " + len + " bytes");
    }

    /**
     * EIO: the tun driver refuses frames while the host side of the TAP is down (not yet brought up, or just
     * moved to another namespace). That is carrier off, not an error: the frame is dropped as DEV_READY and
     * counted in tx_dropped, and the next frame that gets through turns the carrier back on.
     */
    private int carrierDown(PacketBuffer pkt) {
        if (dev.carrier()) {
            dev.carrierOff();
            LOG.log(Level.DEBUG, () -> dev.name() + ": host side is down, frames are dropped until it is up");
        }
        dev.stats().txDropped.increment();
        dev.host().drop(pkt, DropReason.DEV_READY);
        return NetDevice.NETDEV_TX_OK;
    }

    /** A frame that cannot be sent is gone, as with a driver that drops on a transmit error. */
    private int txError(PacketBuffer pkt, String why) {
        dev.stats().txErrors.increment();
        dev.host().drop(pkt, DropReason.DEV_TX_ERROR);
        if (!txErrorLogged) {
            txErrorLogged = true;
            LOG.log(Level.WARNING, dev.name() + " queue " + index + ": " + why);
        }
        return NetDevice.NETDEV_TX_OK;
    }

    /**
     * EPOLLOUT after a stop: drop the interest (edges would repeat for nothing) and wake the queue. The wake
     * sends at most dev_tx_weight frames; what remains goes in later passes queued behind the napi polls, so
     * a qdisc full of frames does not keep this thread from the receive ring.
     */
    private void txWritable(IoRegistration reg) {
        reg.submit(RX);
        if (dev.netifWakeQueue(index)) {
            loop.execute(txAction);
        }
    }

    /** net_tx_action rescheduled (__netif_schedule): one more pass, and another after it if frames remain. */
    private void txAction() {
        IoRegistration reg = registration;
        if (reg != null && reg.isValid() && dev.netifTxAction(index)) {
            loop.execute(txAction);
        }
    }

    /** A frame-sized buffer when MTU + 14 fits one (the usual case), a datagram-sized one for jumbo MTUs. */
    private int rxBufferCapacity() {
        return dev.mtu() + ETH_HLEN <= BufferPool.SMALL_CAPACITY ? BufferPool.SMALL_CAPACITY : BufferPool.LARGE_CAPACITY;
    }

    private static long address(PacketBuffer pkt) {
        return PlatformDependent.directBufferAddress(pkt.memory());
    }
}
