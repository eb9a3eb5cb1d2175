package io.ustack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.cli.control.ControlPath;
import io.ustack.cli.testing.CommandRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** docs/ustack.service stays in step with the command: its ExecStart parses, its directories are the daemon's. */
class ServiceUnitTest {
    private static final Path UNIT = Path.of(System.getProperty("user.dir")).getParent().resolve("docs/ustack.service");

    private static List<String> lines() throws IOException {
        return Files.readAllLines(UNIT).stream().filter(l -> !l.startsWith("#")).toList();
    }

    @Test
    void execStartIsACommandLineUstackTakes() throws IOException {
        String exec = lines().stream().filter(l -> l.startsWith("ExecStart=")).findFirst().orElseThrow();
        List<String> words = Arrays.asList(exec.substring("ExecStart=".length()).split("\\s+"));
        int jar = words.indexOf("/opt/ustack/ustack.jar");
        assertTrue(jar > 0 && words.get(jar - 1).equals("-jar"), exec);
        String[] args = words.subList(jar + 1, words.size()).toArray(String[]::new);
        CommandLine.ParseResult parsed = Main.commandLine().parseArgs(args);
        assertEquals("daemon", parsed.subcommand().commandSpec().name());
        assertEquals(Path.of("/etc/ustack/ustack.yaml"), parsed.subcommand().matchedOption("--config").getValue(), exec);
    }

    @Test
    void theShippedConfigurationIsGoodAndServesMetrics() {
        Path file = UNIT.resolveSibling("ustack.yaml");
        CommandRunner cli = new CommandRunner(null);
        assertEquals(0, cli.run("daemon", "--check-config", file.toString()), cli.err());
        assertTrue(io.ustack.cli.daemon.ConfigFile.read(file).metrics().equals("127.0.0.1:9464"));
    }

    @Test
    void theRuntimeDirectoryHoldsRootsControlSocket() throws IOException {
        assertTrue(lines().contains("RuntimeDirectory=" + Path.of(ControlPath.ROOT_DEFAULT).getParent().getFileName()));
        assertTrue(lines().contains("RuntimeDirectoryMode=0700"), "the mode the daemon gives the directory it makes");
    }
}
