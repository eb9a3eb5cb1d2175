package io.ustack.core.testing;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/**
 * What a test does when the machine lacks something it needs (root, /dev/net/tun, Netty's epoll, a host
 * tool): on a developer's machine it skips, saying why on stderr and in the report; with CI=true it fails,
 * because CI installs everything the tests need, so a skip there would hide code that never ran.
 */
public final class Requirement {
    private Requirement() {
    }

    /** Whether this is a CI run (.ci/run sets CI=true). */
    public static boolean ci() {
        return "true".equals(System.getenv("CI"));
    }

    /** Skips the test because {@code why}; under CI fails with it instead. Never returns. */
    public static void unmet(String why) {
        if (ci()) {
            fail("CI=true, so this test may not be skipped, but " + why);
        }
        System.err.println("*** SKIPPED: " + why);
        Assumptions.abort(why);
    }
}
