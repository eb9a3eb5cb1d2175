package io.ustack.cli.packetdrill;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.ustack.core.testing.Requirement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Linux's own packetdrill scripts (tools/testing/selftests/net/packetdrill, not part of this repository):
 * every .pkt parses, every %{ }% evaluates (pass or fail, never unsupported) given the names it uses, and
 * every backtick command comes to sysctl settings and unsupported items, its called scripts found. The
 * directory is {@code -Dustack.packetdrill.corpus=DIR} or {@code $USTACK_PACKETDRILL_CORPUS}, by default
 * where the Debian linux-source package extracts it under /tmp/lsrc; without it the test is skipped, saying why.
 */
class PacketdrillCorpusTest {
    private static final String DEFAULT =
            "/tmp/lsrc/usr/src/linux-source-6.12/tools/testing/selftests/net/packetdrill";

    /** The -D definitions Linux's ksft_runner.sh passes for IPv4. */
    private static final Map<String, String> KSFT_DEFINES =
            Map.of("CMSG_LEVEL_IP", "SOL_IP", "CMSG_TYPE_RECVERR", "IP_RECVERR");

    private static Path corpus() {
        String dir = System.getProperty("ustack.packetdrill.corpus", System.getenv("USTACK_PACKETDRILL_CORPUS"));
        return Path.of(dir == null ? DEFAULT : dir);
    }

    @TestFactory
    Stream<DynamicTest> linuxScripts() throws IOException {
        Path dir = corpus();
        if (!Files.isDirectory(dir)) {
            String reason = "PacketdrillCorpusTest skipped: no Linux packetdrill scripts at " + dir
                    + " (set -Dustack.packetdrill.corpus=DIR to the kernel's tools/testing/selftests/net/packetdrill)";
            return Stream.of(DynamicTest.dynamicTest("Linux packetdrill scripts", () -> Requirement.unmet(reason)));
        }
        List<Path> scripts;
        try (Stream<Path> files = Files.list(dir)) {
            scripts = files.filter(p -> p.toString().endsWith(".pkt")).sorted().toList();
        }
        assertFalse(scripts.isEmpty(), "no .pkt files in " + dir);
        System.out.println("PacketdrillCorpusTest: " + scripts.size() + " scripts in " + dir);
        ShellCommands shell = ShellCommands.inDirectory(dir);
        return scripts.stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> check(p, shell)));
    }

    private static void check(Path pkt, ShellCommands shell) throws IOException {
        Script script;
        try {
            script = Parser.parseFile(pkt, KSFT_DEFINES);
        } catch (ScriptError e) {
            fail(e.getMessage());
            return;
        }
        String name = pkt.getFileName().toString();
        List<Action.Command> commands = new ArrayList<>();
        if (script.init() != null) {
            commands.add(script.init());
        }
        int snippets = 0;
        CodeEvaluator python = new CodeEvaluator();
        for (Event e : script.events()) {
            if (e.action() instanceof Action.Command c) {
                commands.add(c);
            } else if (e.action() instanceof Action.Code code) {
                Map<String, Long> names = new HashMap<>();
                for (String n : python.namesUsed(code)) {
                    names.put(n, 10L);
                }
                assertFalse(names.isEmpty(), name + ":" + code.firstLine() + ": no names in " + code.text());
                CodeOutcome outcome = python.run(code, names);
                assertTrue(outcome instanceof CodeOutcome.Passed || outcome instanceof CodeOutcome.AssertionFailed,
                        name + ":" + code.firstLine() + ": " + outcome);
                snippets++;
            }
        }
        if (script.cleanup() != null) {
            commands.add(script.cleanup());
        }
        int sysctls = 0;
        List<String> unsupported = new ArrayList<>();
        for (Action.Command c : commands) {
            List<ShellItem> items = shell.interpret(c.text(), name, c.line());
            assertFalse(items.isEmpty(), name + ":" + c.line() + ": nothing from `" + c.text() + "`");
            for (ShellItem item : items) {
                if (item instanceof ShellItem.Sysctl) {
                    sysctls++;
                } else {
                    ShellItem.Unsupported u = assertInstanceOf(ShellItem.Unsupported.class, item);
                    assertFalse(u.reason().startsWith("no script"), u.toString());
                    unsupported.add(u.file() + ":" + u.line() + " " + u.command());
                }
            }
        }
        System.out.println("  " + name + ": " + script.events().size() + " events, " + snippets + " %{ }% evaluated, "
                + sysctls + " sysctl settings, unsupported: " + unsupported);
    }
}
