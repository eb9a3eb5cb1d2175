package io.ustack.cli.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.ustack.cli.control.Json;
import io.ustack.core.testing.StackHarness;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the CLI command tests share: a fresh {@link ServedStack} for each test in its own directory, with
 * its harness as {@code h} and its command line as {@code cli}, closed (and checked for leaks) after.
 */
public abstract class ServedStackTest {
    @TempDir
    protected Path dir;

    private ServedStack served;
    protected StackHarness h;
    protected CommandRunner cli;

    @BeforeEach
    protected void serve() {
        served = new ServedStack(dir);
        h = served.harness;
        cli = served.cli;
    }

    @AfterEach
    protected void stopServing() {
        served.close();
    }

    /** What the last command printed, read as JSON (after a --json run). */
    protected JsonNode json() {
        try {
            return Json.MAPPER.readTree(cli.out());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
