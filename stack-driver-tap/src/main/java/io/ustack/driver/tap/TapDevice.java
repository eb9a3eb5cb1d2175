package io.ustack.driver.tap;

import com.sun.jna.LastErrorException;
import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.FileDescriptor;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.link.NetDevice;
import io.ustack.core.link.NetdevFeatures;
import io.ustack.core.wire.VirtioNetHdr;
import java.io.IOException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Linux TAP as a {@link NetDevice}: the stack's Ethernet link to the host kernel.
 *
 * <p>Lifecycle: {@link #open(TapConfig)} attaches to (or creates) the TAP and configures its host side;
 * {@link NetDevice#open} (dev_open, calling {@link #ndoOpen}) starts one NAPI poller per queue, each on its
 * own thread {@code ustack-napi-NAME-Q}; {@link NetDevice#close} (dev_close, calling {@link #ndoStop})
 * stops them and closes the fds, which removes the TAP if {@link #created()} it. A device that never came up
 * is released with {@link #unregister()}.
 *
 * <p>Receive: each queue's fd is registered with a Netty epoll event loop (see {@link TapQueue}); frames are
 * read straight into pooled direct buffers and handed to {@code NetDeviceHost.netifReceiveSkb}.
 * Transmit: {@link #ndoStartXmit} writes on the caller's thread from the buffer's direct memory.
 *
 * <p>Offloads ({@link TapConfig#offload()}): the TAP is opened with IFF_VNET_HDR, so every frame carries a
 * virtio_net_hdr both ways. Then the device can finish partial checksums and take TCP super-packets (the host
 * kernel cuts them: HW_CSUM, TSO), and the host may hand us partial checksums (RXCSUM, TUN_F_CSUM) and its
 * own GSO packets whole (GRO_HW, TUN_F_TSO4). Where the kernel takes TUN_F_TSO6 the same goes for TCP over
 * IPv6 (TSO6); where it takes USO (TUN_F_USO4 and TUN_F_USO6, Linux 6.2 and later) the same goes for UDP:
 * the device takes UDP super-packets (GSO_UDP_L4) and the host may hand us its own. A kernel that refuses
 * those bits gets the call again without them, and the device goes on without those features.
 * {@link #setFeatures} switches them as ethtool -K does.
 */
public final class TapDevice extends NetDevice {
    private static final System.Logger LOG = System.getLogger(TapDevice.class.getName());
    private final TapConfig config;
    private final boolean created;
    private final TapQueue[] queues;
    private MultiThreadIoEventLoopGroup napi;
    private volatile boolean fdsClosed;
    /** The optional features the kernel took with TUNSETOFFLOAD: TSO6, GSO_UDP_L4 or both. */
    private final int optional;

    /** The offloads a TAP with a virtio header offers: checksums both ways, TSO out, the host's GSO packets in. */
    static final int VNET_FEATURES = NetdevFeatures.HW_CSUM | NetdevFeatures.RXCSUM | NetdevFeatures.TSO
            | NetdevFeatures.GRO_HW;
    /**
     * What TUNSETOFFLOAD is tried with, best first: TSO6 and USO, then TSO6 alone (a kernel before 6.2 refuses
     * USO), then neither.
     */
    private static final int[] OPTIONAL_TRIES = {NetdevFeatures.TSO6 | NetdevFeatures.GSO_UDP_L4, NetdevFeatures.TSO6, 0};

    /**
     * @param optional the features beyond {@link #VNET_FEATURES} the kernel took: TSO6 (TUN_F_TSO6, TCP/IPv6
     *                 super-packets both ways), GSO_UDP_L4 (TUN_F_USO4 and TUN_F_USO6: UDP ones)
     */
    TapDevice(TapConfig config, FileDescriptor[] fds, boolean created, int optional) {
        super(config.name(), config.mac(), config.mtu(), fds.length, DEFAULT_TX_QUEUE_LEN);
        this.config = config;
        this.created = created;
        this.queues = new TapQueue[fds.length];
        for (int i = 0; i < fds.length; i++) {
            queues[i] = new TapQueue(this, i, fds[i]);
        }
        this.optional = optional;
        setHwFeatures(config.offload() ? VNET_FEATURES | optional : 0);
    }

    /**
     * Attaches to the TAP {@code config.name()}, creating it if it does not exist (TUNSETIFF once per
     * queue), sets the host side's MTU to {@code config.mtu()} if it differs and, if {@code config.host()}
     * is given, its address and netmask, and brings it up. The device is not polling yet: attach it to a
     * stack with {@link NetDevice#open}.
     *
     * @throws TapException with one sentence saying what went wrong and what to do (no privileges, busy,
     *                      not a TAP, /dev/net/tun missing...); nothing is left open or created then
     */
    public static TapDevice open(TapConfig config) throws TapException {
        if (!Tap.isAvailable()) {
            throw new TapException(Tap.unavailabilityCause());
        }
        Tun.Attached tap = Tun.attach(config.name(), config.queues(), config.offload());
        int optional = 0;
        try {
            if (config.offload()) {
                optional = setOffload(tap.fds()[0]);
            }
            HostSide.configure(config.name(), config.mtu(), config.host());
            HostSide.configure6(config.name(), config.host6());
        } catch (LastErrorException | TapException e) {
            for (int fd : tap.fds()) {
                LibC.closeQuietly(fd);
            }
            throw e instanceof LastErrorException le
                    ? new TapException("the kernel refused the offloads of " + config.name() + " (TUNSETOFFLOAD, errno "
                            + le.getErrorCode() + "); open it with offload=off")
                    : (TapException) e;
        }
        FileDescriptor[] fds = new FileDescriptor[tap.fds().length];
        for (int i = 0; i < fds.length; i++) {
            fds[i] = new FileDescriptor(tap.fds()[i]);
        }
        return new TapDevice(config, fds, tap.created(), optional);
    }

    /** True if frames carry a virtio_net_hdr (the TAP was opened with IFF_VNET_HDR). */
    boolean vnetHdr() {
        return config.offload();
    }

    /** dev->needed_headroom: room for the virtio header in front of every frame written. */
    @Override
    public int neededHeadroom() {
        return vnetHdr() ? VirtioNetHdr.LEN : 0;
    }

    /**
     * TUNSETOFFLOAD's bits for the receive features in {@code features}: with GRO_HW the host's TCP/IPv4
     * super-packets and, of the {@code optional} ones the kernel takes, its TCP/IPv6 (TSO6) and UDP (USO) ones.
     */
    private static int tunOffloadBits(int features, int optional) {
        int bits = (features & NetdevFeatures.RXCSUM) != 0 ? Tun.TUN_F_CSUM : 0;
        if ((features & NetdevFeatures.GRO_HW) != 0) {
            bits |= Tun.TUN_F_TSO4 | Tun.TUN_F_TSO_ECN;
            bits |= (optional & NetdevFeatures.TSO6) != 0 ? Tun.TUN_F_TSO6 : 0;
            bits |= (optional & NetdevFeatures.GSO_UDP_L4) != 0 ? Tun.TUN_F_USO4 | Tun.TUN_F_USO6 : 0;
        }
        return bits;
    }

    /**
     * TUNSETOFFLOAD with every offload on, the optional ones included where the kernel takes them:
     * tun_set_offload refuses bits it does not know with EINVAL, "a way to test for new features", so a
     * refusal is tried again with fewer ({@link #OPTIONAL_TRIES}). Returns the optional features taken;
     * throws what the kernel refuses otherwise.
     */
    private static int setOffload(int fd) {
        for (int i = 0; ; i++) {
            int optional = OPTIONAL_TRIES[i];
            try {
                Tun.setOffload(fd, tunOffloadBits(VNET_FEATURES, optional));
                return optional;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINVAL || optional == 0) {
                    throw e;
                }
            }
        }
    }

    /**
     * ndo_set_features: the receive offloads are the host's to honour, so they go to the kernel
     * (TUNSETOFFLOAD); the transmit ones are ours alone. If the kernel refuses, nothing changes.
     */
    @Override
    protected int ndoSetFeatures(int on) {
        if (vnetHdr() && tunOffloadBits(on, optional) != tunOffloadBits(features(), optional)) {
            try {
                Tun.setOffload(queues[0].fd().intValue(), tunOffloadBits(on, optional));
            } catch (LastErrorException e) {
                return features();
            }
        }
        return on;
    }

    /** netif_carrier_on: the host side takes frames again. */
    void carrierOn() {
        setCarrier(true);
    }

    /** netif_carrier_off: the host side is down and the tun driver refuses frames (EIO). */
    void carrierOff() {
        setCarrier(false);
    }

    /**
     * The TAP was deleted under the stack ({@code ip link del}), as a queue found out ({@code how}, such as
     * "read: EBADFD"): the device is detached for good (netif_device_detach), which the log says once. Its
     * addresses and routes stay until it is removed; the daemon's reload opens the TAP anew.
     */
    void deleted(String how) {
        synchronized (this) {
            if (!present()) {
                return;
            }
            netifDeviceDetach();
        }
        LOG.log(System.Logger.Level.WARNING, name() + ": the TAP was deleted under the stack (" + how
                + "); the interface is given up, and ustack reload opens it again");
    }

    /** True if {@link #open(TapConfig)} created the TAP (it did not exist): closing the device removes it. */
    public boolean created() {
        return created;
    }

    /** The number of queues, each with its own fd, poll thread and transmit queue. */
    public int queueCount() {
        return queues.length;
    }

    public TapConfig config() {
        return config;
    }

    /**
     * ndo_open: starts a NAPI poller for every queue, queue q on event loop q of a group of its own.
     *
     * @throws IOException if the device was closed before (reopen the TAP with {@link #open(TapConfig)}) or
     *                     a poller could not be registered with epoll
     */
    @Override
    protected void ndoOpen() throws IOException {
        if (fdsClosed) {
            throw new IOException(name() + " was closed; open the TAP again with TapDevice.open");
        }
        napi = new MultiThreadIoEventLoopGroup(queues.length, napiThreads(name()), EpollIoHandler.newFactory());
        try {
            int q = 0;
            for (EventExecutor loop : napi) {
                queues[q++].start((IoEventLoop) loop);
            }
        } catch (RuntimeException e) {
            stopPolling();
            throw new IOException("cannot poll " + name() + ": " + e.getMessage(), e);
        }
    }

    /** ndo_stop: stops the pollers and closes the fds (which removes the TAP if we created it). */
    @Override
    protected void ndoStop() {
        stopPolling();
        closeFds();
    }

    /**
     * ndo_start_xmit: writes the frame (data to tail) on queue {@code queue}'s fd. Takes ownership and
     * returns {@link #NETDEV_TX_OK} when the frame was written or dropped (a write error counts tx_errors);
     * returns {@link #NETDEV_TX_BUSY} without taking it when the fd would block, having stopped the queue;
     * EPOLLOUT then wakes it (netif_wake_queue) on the queue's poll thread.
     */
    @Override
    protected int ndoStartXmit(PacketBuffer pkt, int queue) {
        return queues[queue].startXmit(pkt);
    }

    /**
     * unregister_netdev: closes the device if it is up, then the TAP's fds. For a device whose
     * {@link NetDevice#open} failed or was never called; after {@link NetDevice#close} there is nothing left
     * to do. Idempotent.
     */
    public void unregister() {
        close();
        stopPolling();
        closeFds();
    }

    private void stopPolling() {
        MultiThreadIoEventLoopGroup group = napi;
        if (group == null) {
            return;
        }
        napi = null;
        for (TapQueue q : queues) {
            q.stop();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        boolean onOwnLoop = false;
        for (EventExecutor loop : group) {
            onOwnLoop |= loop.inEventLoop();
        }
        if (!onOwnLoop) {
            group.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    private void closeFds() {
        fdsClosed = true;
        for (TapQueue q : queues) {
            q.close();
        }
    }

    /** Daemon threads: a stack that forgets to close a device must not keep the JVM alive. */
    private static ThreadFactory napiThreads(String name) {
        AtomicInteger next = new AtomicInteger();
        return r -> {
            Thread t = new FastThreadLocalThread(r, "ustack-napi-" + name + "-" + next.getAndIncrement());
            t.setDaemon(true);
            return t;
        };
    }
}
