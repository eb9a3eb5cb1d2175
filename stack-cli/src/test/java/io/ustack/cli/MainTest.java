package io.ustack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ustack.cli.control.ControlDispatcher;
import io.ustack.cli.control.ControlHandlers;
import io.ustack.cli.control.ControlServer;
import io.ustack.cli.control.Json;
import io.ustack.core.stack.NetStack;
import io.ustack.core.stack.StackConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line as a user meets it: output, errors, exit codes. */
class MainTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void version() {
        assertEquals(0, run("--version"));
        assertTrue(out.toString().matches("ustack \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\\n"), out.toString());
    }

    @Test
    void help() {
        assertEquals(0, run("--help"));
        assertTrue(out.toString().startsWith("Usage: ustack [-hV] [--control=PATH] [COMMAND]"), out.toString());
        assertTrue(out.toString().contains("  daemon  "));
        assertTrue(out.toString().contains("  stats   "));
        assertEquals(0, run("daemon", "--help"));
        assertTrue(out.toString().contains("--iface=SPEC"));
        assertEquals("", err.toString());
    }

    @Test
    void aBadFlagIsOneSentenceAndExitCode2() {
        assertEquals(2, run("daemon", "--bogus"));
        assertEquals("ustack: Unknown option: '--bogus'\n", err.toString());
        assertEquals("", out.toString());
    }

    @Test
    void aBadIfaceIsOneSentenceAndExitCode2() {
        assertEquals(2, run("daemon", "--iface", "tap0,mtu=abc"));
        assertEquals("ustack: --iface 'tap0,mtu=abc': mtu must be a number between 68 and 65535\n", err.toString());
    }

    @Test
    void aBadRouteIsOneSentenceAndExitCode2() {
        assertEquals(2, run("daemon", "--route", "10.0.0.0/8 dev tap9"));
        assertEquals("ustack: --route '10.0.0.0/8 dev tap9': there is no --iface named tap9\n", err.toString());
    }

    @Test
    void noCommandIsAUsageError() {
        assertEquals(2, run());
        assertEquals("ustack: a command is needed, such as 'ustack daemon' (see 'ustack --help')\n", err.toString());
    }

    @Test
    void noDaemonIsExitCode1() {
        Path sock = dir.resolve("none.sock");
        assertEquals(1, run("stats", "--control", sock.toString()));
        assertEquals("ustack: cannot reach the daemon at " + sock + ": is 'ustack daemon' running?\n", err.toString());
    }

    @Test
    void controlIsAcceptedBeforeAndAfterTheSubcommand() {
        Path sock = dir.resolve("none.sock");
        assertEquals(1, run("--control", sock.toString(), "stats"));
        assertEquals(1, run("--control", "/elsewhere.sock", "stats", "--control", sock.toString()));
        assertEquals(("ustack: cannot reach the daemon at " + sock + ": is 'ustack daemon' running?\n").repeat(2), err.toString());
    }

    @Test
    void statsPrintsNstatLinesOrJson() throws Exception {
        Path sock = dir.resolve("ustack.sock");
        try (NetStack stack = new NetStack(StackConfig.defaults().withBacklogThreads(0).withHousekeepingMs(0));
             ControlServer server = ControlServer.bind(sock, new ControlDispatcher(ControlHandlers.forStack(stack)))) {
            assertEquals(0, run("stats", "--control", server.path().toString()));
            String first = out.toString().lines().findFirst().orElseThrow();
            assertEquals("IpInReceives" + " ".repeat(20) + "0", first);
            assertTrue(out.toString().lines().allMatch(l -> l.matches("\\S+ +-?\\d+")), out.toString());

            out.getBuffer().setLength(0);
            assertEquals(0, run("stats", "--json", "--control", sock.toString()));
            JsonNode json = Json.MAPPER.readTree(out.toString());
            assertEquals(0, json.get("snmp").get("IpInReceives").asLong());
            assertEquals(0, json.get("flat").get("IpInReceives").asLong());
            assertEquals("", err.toString());
        }
    }
}
