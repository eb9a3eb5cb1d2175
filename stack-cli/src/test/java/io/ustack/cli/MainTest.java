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
import java.nio.file.Path;
import io.ustack.cli.testing.CommandRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user meets it: output, errors, exit codes. */
class MainTest {
    private final CommandRunner cli = new CommandRunner(null);

    @TempDir
    Path dir;

    @Test
    void version() {
        assertEquals(0, cli.run("--version"));
        assertTrue(cli.out().matches("ustack \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\\n"), cli.out());
    }

    @Test
    void help() {
        assertEquals(0, cli.run("--help"));
        assertTrue(cli.out().startsWith("Usage: ustack [-hV] [--control=PATH] [COMMAND]"), cli.out());
        assertTrue(cli.out().contains("  daemon  "));
        assertTrue(cli.out().contains("  stats   "));
        assertEquals(0, cli.run("daemon", "--help"));
        assertTrue(cli.out().contains("--iface=SPEC"));
        assertEquals("", cli.err());
    }

    @Test
    void aBadFlagIsOneSentenceAndExitCode2() {
        assertEquals(2, cli.run("daemon", "--bogus"));
        assertEquals("ustack: Unknown option: '--bogus'\n", cli.err());
        assertEquals("", cli.out());
    }

    @Test
    void aBadIfaceIsOneSentenceAndExitCode2() {
        assertEquals(2, cli.run("daemon", "--iface", "tap0,mtu=abc"));
        assertEquals("ustack: --iface 'tap0,mtu=abc': mtu must be a number between 68 and 65535\n", cli.err());
    }

    @Test
    void checkConfigStartsNothingAndSaysGoodOrTheLine() throws Exception {
        Path good = java.nio.file.Files.writeString(dir.resolve("good.yaml"),
                "interfaces:\n  tap7:\n    addr: 10.7.0.2/24\nroutes:\n  - default via 10.7.0.1\n");
        assertEquals(0, cli.run("daemon", "--check-config", good.toString()));
        assertEquals(good + ": good\n", cli.out());
        Path bad = java.nio.file.Files.writeString(dir.resolve("bad.yaml"), "interfaces:\n  tap7:\n    mtu: 10\n");
        assertEquals(2, cli.run("daemon", "--check-config", bad.toString()));
        assertEquals("ustack: " + bad + ", line 3: interface tap7: mtu must be a number between 68 and 65535\n", cli.err());
        assertEquals(2, cli.run("daemon", "--check-config", good.toString(), "--route", "10.0.0.0/8 dev tap9"),
                "the flags are checked with the file");
        assertEquals("ustack: --route '10.0.0.0/8 dev tap9': there is no interface named tap9\n", cli.err());
    }

    @Test
    void reloadAndSaveNeedADaemon() {
        Path none = dir.resolve("none.sock");
        assertEquals(1, cli.run("--control", none.toString(), "reload"));
        assertTrue(cli.err().contains("is 'ustack daemon' running?"), cli.err());
        assertEquals(1, cli.run("--control", none.toString(), "save", "x.yaml"));
    }

    /** ustack --help lists each command by the first line of its description: that line must be a whole sentence. */
    @Test
    void everyCommandsFirstDescriptionLineIsAWholeSentence() {
        java.util.List<String> cut = new java.util.ArrayList<>();
        java.util.ArrayDeque<picocli.CommandLine> todo = new java.util.ArrayDeque<>(Main.commandLine().getSubcommands().values());
        while (!todo.isEmpty()) {
            picocli.CommandLine c = todo.poll();
            todo.addAll(c.getSubcommands().values());
            String[] d = c.getCommandSpec().usageMessage().description();
            if (d.length == 0 || !d[0].strip().endsWith(".")) {
                cut.add(c.getCommandSpec().qualifiedName() + ": " + (d.length == 0 ? "(none)" : d[0]));
            }
        }
        assertEquals(java.util.List.of(), cut);
    }

    @Test
    void anIfaceAddressWithoutItsPrefixLengthIsRefused() {
        assertEquals(2, cli.run("daemon", "--iface", "tap0,addr=10.1.2.3"));
        assertEquals("ustack: --iface 'tap0,addr=10.1.2.3': addr needs its prefix length, like addr=10.1.2.3/24\n", cli.err());
    }

    @Test
    void aBadMetricsAddressIsOneSentenceAndExitCode2() {
        assertEquals(2, cli.run("daemon", "--metrics", "9464"));
        assertEquals("ustack: --metrics '9464' has no port: give ADDR:PORT, as 127.0.0.1:9464\n", cli.err());
        assertEquals(2, cli.run("daemon", "--metrics", "localhost:99999"));
        assertEquals("ustack: --metrics 'localhost:99999': the port must be a number from 1 to 65535, not '99999'\n",
                cli.err());
    }

    @Test
    void aBadRouteIsOneSentenceAndExitCode2() {
        assertEquals(2, cli.run("daemon", "--route", "10.0.0.0/8 dev tap9"));
        assertEquals("ustack: --route '10.0.0.0/8 dev tap9': there is no interface named tap9\n", cli.err());
    }

    @Test
    void noCommandIsAUsageError() {
        assertEquals(2, cli.run());
        assertEquals("ustack: a command is needed, such as 'ustack daemon' (see 'ustack --help')\n", cli.err());
    }

    @Test
    void noDaemonIsExitCode1() {
        Path sock = dir.resolve("none.sock");
        assertEquals(1, cli.run("stats", "--control", sock.toString()));
        assertEquals("ustack: cannot reach the daemon at " + sock + ": is 'ustack daemon' running?\n", cli.err());
    }

    @Test
    void controlIsAcceptedBeforeAndAfterTheSubcommand() {
        Path sock = dir.resolve("none.sock");
        String refused = "ustack: cannot reach the daemon at " + sock + ": is 'ustack daemon' running?\n";
        assertEquals(1, cli.run("--control", sock.toString(), "stats"));
        assertEquals(refused, cli.err());
        assertEquals(1, cli.run("--control", "/elsewhere.sock", "stats", "--control", sock.toString()));
        assertEquals(refused, cli.err(), "the --control nearest the subcommand wins");
    }

    @Test
    void statsPrintsNstatLinesOrJson() throws Exception {
        Path sock = dir.resolve("ustack.sock");
        try (NetStack stack = new NetStack(StackConfig.defaults().withBacklogThreads(0).withHousekeepingMs(0));
             ControlServer server = ControlServer.bind(sock, new ControlDispatcher(ControlHandlers.forStack(stack)))) {
            assertEquals(0, cli.run("stats", "--control", server.path().toString()));
            String first = cli.out().lines().findFirst().orElseThrow();
            assertEquals("IpInReceives" + " ".repeat(20) + "0", first);
            assertTrue(cli.out().lines().allMatch(l -> l.matches("\\S+ +-?\\d+")), cli.out());

            assertEquals(0, cli.run("stats", "--json", "--control", sock.toString()));
            JsonNode json = Json.MAPPER.readTree(cli.out());
            assertEquals(0, json.get("snmp").get("IpInReceives").asLong());
            assertEquals(0, json.get("flat").get("IpInReceives").asLong());
            assertEquals("", cli.err());
        }
    }
}
