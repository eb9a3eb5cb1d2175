package io.ustack.driver.tap;

/**
 * Turns an errno from open, TUNSETIFF or a host-side ioctl into the one sentence a user needs: what went
 * wrong and what to do about it. Pure functions, so every sentence is tested without privileges.
 */
final class TapErrors {
    static final String PERSISTENT_HINT = "`ip tuntap add dev %s mode tap user $USER`";

    private TapErrors() {
    }

    /** open("/dev/net/tun") failed. */
    static String openTun(int errno) {
        return switch (errno) {
            case Errno.ENOENT ->
                    "/dev/net/tun does not exist (load the tun module or run in a container with --device /dev/net/tun)";
            case Errno.ENODEV, Errno.ENXIO ->
                    "/dev/net/tun exists but no tun driver is behind it (load it with `modprobe tun`)";
            case Errno.EACCES, Errno.EPERM ->
                    "permission denied opening /dev/net/tun: creating a TAP needs root or CAP_NET_ADMIN (or attach to "
                            + "a persistent TAP made with " + String.format(PERSISTENT_HINT, "NAME") + ")";
            case Errno.EMFILE, Errno.ENFILE -> "cannot open /dev/net/tun: too many open files";
            default -> "cannot open /dev/net/tun: " + Errno.describe(errno);
        };
    }

    /**
     * TUNSETIFF for {@code name} failed. {@code before} is what existed under that name beforehand; it tells
     * "cannot create" from "cannot attach" and explains EINVAL, which the kernel returns for several reasons.
     */
    static String tunSetIff(int errno, String name, int queues, ExistingInterface before) {
        String hint = String.format(PERSISTENT_HINT, name);
        return switch (errno) {
            case Errno.EPERM, Errno.EACCES -> before.exists()
                    ? "permission denied attaching to " + name + ": it belongs to another user, so attaching needs "
                            + "root or CAP_NET_ADMIN (or recreate it as yours with " + hint + ")"
                    : "permission denied creating " + name + ": creating a TAP needs root or CAP_NET_ADMIN (or attach "
                            + "to a persistent TAP made with " + hint + ")";
            case Errno.EBUSY -> name + " is busy: another process has it open";
            case Errno.EINVAL -> invalid(name, queues, before);
            default -> "TUNSETIFF on " + name + " failed: " + Errno.describe(errno);
        };
    }

    private static String invalid(String name, int queues, ExistingInterface before) {
        if (!before.exists()) {
            return "the kernel refused to create the TAP " + name + " (EINVAL)";
        }
        if (before.tunFlags() < 0) {
            return name + " exists and is not a TAP device";
        }
        if (before.isTun()) {
            return name + " exists and is a TUN device (layer 3), not a TAP";
        }
        if (before.isMultiQueue() && queues == 1) {
            return name + " is a multi-queue TAP: open it with 2 or more queues";
        }
        if (!before.isMultiQueue() && queues > 1) {
            return name + " is a single-queue TAP and cannot take " + queues + " queues: open it with 1 queue, "
                    + "or recreate it with `ip tuntap add dev " + name + " mode tap multi_queue`";
        }
        return "the kernel refused to attach to the TAP " + name + " (EINVAL)";
    }

    /** A host-side ioctl failed; {@code what} names the setting, like "address 10.0.0.1" or "MTU 9000". */
    static String hostSide(String what, int errno, String name) {
        return switch (errno) {
            case Errno.EPERM, Errno.EACCES -> "permission denied setting the " + what + " of " + name
                    + ": configuring the host side of a TAP needs root or CAP_NET_ADMIN";
            case Errno.ENODEV -> name + " disappeared while setting its " + what;
            case Errno.EINVAL -> "the kernel refused the " + what + " for " + name + " (EINVAL)";
            default -> "setting the " + what + " of " + name + " failed: " + Errno.describe(errno);
        };
    }
}
