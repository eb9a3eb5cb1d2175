package io.ustack.it.docker;

import static org.junit.jupiter.api.Assertions.fail;

import io.ustack.core.testing.Requirement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;

/**
 * The Docker integration tests need a running Docker engine. Without one they skip with one line on
 * stderr; with CI=true a missing engine fails the run instead, so CI can never pass by skipping.
 */
final class DockerRequirement {
    /** The line is said once a run, not once for each class it skips. */
    private static final AtomicBoolean SAID = new AtomicBoolean();

    private DockerRequirement() {
    }

    static void require() {
        String missing = missing();
        if (missing != null) {
            unmet(missing);
        }
    }

    /** Skips (fails under CI=true) because {@code what} is missing. */
    static void unmet(String what) {
        String msg = "SKIPPED: the Docker integration tests need " + what
                + " (.ci/run installs and starts Docker; README, section Docker)";
        if (Requirement.ci()) {
            fail("CI=true but " + msg);
        }
        if (SAID.compareAndSet(false, true)) {
            System.err.println("*** " + msg);
        }
        Assumptions.abort(msg);
    }

    private static String missing() {
        // Asked before Testcontainers, whose search for an engine logs a page of errors when there is none.
        if (System.getenv("DOCKER_HOST") == null && !Files.exists(Path.of("/var/run/docker.sock"))) {
            return "a running Docker engine (no /var/run/docker.sock and no DOCKER_HOST)";
        }
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            return "a running Docker engine (Testcontainers could not reach it)";
        }
        return null;
    }
}
