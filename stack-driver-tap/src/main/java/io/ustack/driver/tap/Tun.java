package io.ustack.driver.tap;

import com.sun.jna.LastErrorException;
import com.sun.jna.NativeLong;

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
     * that each open of the same name adds a queue instead of failing with EBUSY. On failure closes every fd
     * it opened (which removes a TAP it had just created) and throws the reason as one sentence.
     */
    static Attached attach(String name, int queues) throws TapException {
        ExistingInterface before = ExistingInterface.probe(name);
        int flags = IFF_TAP | IFF_NO_PI | (queues > 1 ? IFF_MULTI_QUEUE : 0);
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
            }
            return new Attached(fds, !before.exists());
        } catch (TapException e) {
            for (int i = 0; i < opened; i++) {
                LibC.closeQuietly(fds[i]);
            }
            throw e;
        }
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
