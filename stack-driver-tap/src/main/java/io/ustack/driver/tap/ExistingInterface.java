package io.ustack.driver.tap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the kernel already had under a name before TUNSETIFF: whether an interface exists (then the driver
 * attaches rather than creates, see {@link TapDevice#created()}) and, for a TUN/TAP one, its tun_flags.
 *
 * @param exists   /sys/class/net/NAME exists
 * @param tunFlags the interface's tun_flags (IFF_TUN, IFF_TAP, IFF_MULTI_QUEUE, IFF_PERSIST...), or -1 if
 *                 it is not a TUN/TAP device or does not exist
 */
record ExistingInterface(boolean exists, int tunFlags) {
    static final ExistingInterface NONE = new ExistingInterface(false, -1);

    /** Looks at /sys/class/net, which shows the interfaces of the caller's network namespace. */
    static ExistingInterface probe(String name) {
        Path dir = Path.of("/sys/class/net", name);
        if (!Files.exists(dir)) {
            return NONE;
        }
        try {
            String text = Files.readString(dir.resolve("tun_flags")).trim();
            return new ExistingInterface(true, Integer.decode(text));
        } catch (IOException | NumberFormatException e) {
            // no tun_flags: the interface is not a TUN/TAP device
            return new ExistingInterface(true, -1);
        }
    }

    boolean isTun() {
        return tunFlags >= 0 && (tunFlags & Tun.IFF_TUN) != 0;
    }

    boolean isTap() {
        return tunFlags >= 0 && (tunFlags & Tun.IFF_TAP) != 0;
    }

    boolean isMultiQueue() {
        return tunFlags >= 0 && (tunFlags & Tun.IFF_MULTI_QUEUE) != 0;
    }
}
