package io.ustack.it;

import io.ustack.core.testing.Requirement;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Tests that need root, /dev/net/tun and the host's network tools. Elsewhere they skip, saying why on
 * stderr; with CI=true a missing requirement fails the run instead, so CI can never pass by skipping.
 */
final class RootRequirement {
    private RootRequirement() {
    }

    static void require(String... tools) {
        String missing = missing(tools);
        if (missing == null) {
            return;
        }
        Requirement.unmet("this end-to-end test needs " + missing
                + " (run as root on Linux with iproute2, iputils-ping, arping and python3 installed; .ci/run sets all of that up)");
    }

    private static String missing(String... tools) {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "root (it is running as " + System.getProperty("user.name") + ")";
        }
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            return "/dev/net/tun";
        }
        for (String t : tools) {
            if (!onPath(t)) {
                return "the '" + t + "' command";
            }
        }
        return null;
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", tool)) || Files.isExecutable(Path.of("/sbin", tool));
    }
}
