package io.ustack.driver.tap;

import io.ustack.core.testing.Requirement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Guards the tests that create real TAPs and namespaces: they need root, /dev/net/tun and iproute2. Without
 * them a test is skipped with a loud reason, except under CI (CI=true), where a skip would hide that the
 * driver was never exercised, so it fails instead.
 */
final class RootOnly {
    private static final String MISSING = missing();

    private RootOnly() {
    }

    static void require() {
        if (MISSING != null) {
            Requirement.unmet("the TAP tests cannot run here: " + MISSING);
        }
    }

    private static String missing() {
        if (!isRoot()) {
            return "they must run as root (they create TAP devices and network namespaces)";
        }
        if (!Tap.isAvailable()) {
            return Tap.unavailabilityCause();
        }
        if (Shell.run("ip", "-V").exit() != 0) {
            return "the ip command (iproute2) is missing";
        }
        return null;
    }

    /** The effective uid, from the second field of "Uid:" in /proc/self/status. */
    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }
}
