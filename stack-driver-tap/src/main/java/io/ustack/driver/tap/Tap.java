package io.ustack.driver.tap;

import io.netty.channel.epoll.Epoll;
import io.netty.util.internal.PlatformDependent;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether this process can drive a TAP at all: Linux, the JNA and Netty epoll native libraries, and an
 * openable /dev/net/tun. Checked once, on first use. Whether a particular TAP can be created or attached
 * to (CAP_NET_ADMIN, ownership, EBUSY) is only known when {@link TapDevice#open} tries it.
 */
public final class Tap {
    private Tap() {
    }

    public static boolean isAvailable() {
        return Check.CAUSE == null;
    }

    /** Why the driver cannot work here, as one sentence; null if {@link #isAvailable()}. */
    public static String unavailabilityCause() {
        return Check.CAUSE;
    }

    /** Computed on first use; the holder idiom makes that thread-safe. */
    private static final class Check {
        static final String CAUSE = cause();

        private static String cause() {
            if (!System.getProperty("os.name", "").startsWith("Linux")) {
                return "the TAP driver needs Linux, and this is " + System.getProperty("os.name");
            }
            if (!Epoll.isAvailable()) {
                Throwable t = Epoll.unavailabilityCause();
                return "Netty's epoll native library cannot be loaded (" + (t == null ? "unknown reason" : t.getMessage())
                        + "); it needs linux-x86_64, libdl.so.2, librt.so.1 and a writable java.io.tmpdir";
            }
            if (!PlatformDependent.hasUnsafe()) {
                return "Netty cannot use sun.misc.Unsafe (is io.netty.noUnsafe set?), which the driver needs to read "
                        + "frames straight into direct buffers";
            }
            if (!Files.exists(Path.of(Tun.DEVICE))) {
                return TapErrors.openTun(Errno.ENOENT);
            }
            try {
                LibC.closeQuietly(Tun.openDevice());
            } catch (TapException e) {
                return e.getMessage();
            } catch (LinkageError e) {
                return "JNA's native library cannot be loaded (" + e.getMessage() + ")";
            }
            return null;
        }
    }
}
