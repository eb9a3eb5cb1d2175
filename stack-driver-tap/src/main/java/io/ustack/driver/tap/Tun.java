package io.ustack.driver.tap;

import com.sun.jna.LastErrorException;
import com.sun.jna.NativeLong;
import io.ustack.core.wire.VirtioNetHdr;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The tun driver's character device: opens /dev/net/tun once per queue and binds each fd to the TAP with
 * TUNSETIFF (tun_set_iff), which creates the interface on the first call if it does not exist.
 */
final class Tun {
    static final String DEVICE = "/dev/net/tun";
    static final long TUNSETIFF = 0x400454caL;
    static final int IFF_TUN = 0x0001;
    static final int IFF_TAP = 0x0002;
    static final int IFF_NO_PI = 0x1000;
    static final int IFF_MULTI_QUEUE = 0x0100;
    static final int IFF_VNET_HDR = 0x4000;
    static final long TUNSETOFFLOAD = 0x400454d0L;
    static final long TUNSETVNETHDRSZ = 0x400454d8L;
    /** TUNSETOFFLOAD's bits: what the host may hand us (partial checksums, GSO packets of each kind). */
    static final int TUN_F_CSUM = 0x01;
    static final int TUN_F_TSO4 = 0x02;
    static final int TUN_F_TSO6 = 0x04;
    static final int TUN_F_TSO_ECN = 0x08;
    /**
     * USO: UDP GSO packets (6.2 and later). tun_set_offload takes USO4 and USO6 only together, and only with
     * CSUM; a kernel that does not know them refuses the whole call with EINVAL.
     */
    static final int TUN_F_USO4 = 0x20;
    static final int TUN_F_USO6 = 0x40;

    /**
     * The fds of an attached TAP, one per queue, all non-blocking.
     *
     * @param created the interface did not exist before: closing the last fd removes it
     */
    record Attached(int[] fds, boolean created) {
    }

    private Tun() {
    }

    /**
     * Attaches {@code queues} fds to the TAP {@code name}, creating it if needed. IFF_NO_PI: frames come
     * without the 4-byte packet-information header; IFF_MULTI_QUEUE when there is more than one queue, so
     * that each open of the same name adds a queue instead of failing with EBUSY; IFF_VNET_HDR with
     * {@code vnetHdr}, so that every frame read or written has a {@link VirtioNetHdr} in front. On failure
     * closes every fd it opened (which removes a TAP it had just created) and throws the reason as one sentence.
     */
    static Attached attach(String name, int queues, boolean vnetHdr) throws TapException {
        ExistingInterface before = ExistingInterface.probe(name);
        int flags = IFF_TAP | IFF_NO_PI | (queues > 1 ? IFF_MULTI_QUEUE : 0) | (vnetHdr ? IFF_VNET_HDR : 0);
        int[] fds = new int[queues];
        int opened = 0;
        try {
            for (; opened < queues; opened++) {
                fds[opened] = openDevice();
                try {
                    LibC.ioctl(fds[opened], new NativeLong(TUNSETIFF), IfReq.forName(name).flags(flags).bytes());
                } catch (LastErrorException e) {
                    LibC.closeQuietly(fds[opened]);
                    throw new TapException(TapErrors.tunSetIff(e.getErrorCode(), name, queues, before));
                }
                if (vnetHdr) {
                    setVnetHdrSize(fds[opened], name);
                }
            }
            return new Attached(fds, !before.exists());
        } catch (TapException e) {
            for (int i = 0; i < opened; i++) {
                LibC.closeQuietly(fds[i]);
            }
            throw e;
        }
    }

    /** TUNSETVNETHDRSZ: the plain 10-byte struct virtio_net_hdr (no num_buffers). */
    private static void setVnetHdrSize(int fd, String name) throws TapException {
        byte[] size = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(VirtioNetHdr.LEN).array();
        try {
            LibC.ioctl(fd, new NativeLong(TUNSETVNETHDRSZ), size);
        } catch (LastErrorException e) {
            LibC.closeQuietly(fd);
            throw new TapException("cannot set the virtio header size on " + name + " (errno " + e.getErrorCode()
                    + "); open it with offload=off");
        }
    }

    /**
     * TUNSETOFFLOAD: which offloads the host may use in what it hands us (they become the host side's
     * features: TSO4 lets it send us its GSO packets whole). Throws LastErrorException if the kernel refuses.
     */
    static void setOffload(int fd, int bits) {
        LibC.ioctl(fd, new NativeLong(TUNSETOFFLOAD), new NativeLong(bits));
    }

    /** open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC): non-blocking because epoll drives the fd. */
    static int openDevice() throws TapException {
        try {
            return LibC.open(DEVICE, LibC.O_RDWR | LibC.O_NONBLOCK | LibC.O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new TapException(TapErrors.openTun(e.getErrorCode()));
        }
    }
}
