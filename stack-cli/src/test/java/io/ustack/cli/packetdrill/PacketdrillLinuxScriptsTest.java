package io.ustack.cli.packetdrill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.ustack.core.testing.Requirement;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Runs every one of Linux's packetdrill selftests (from Debian's linux-source-6.12, fetched by .ci/run;
 * {@code -Dustack.packetdrill.corpus=DIR} or {@code $USTACK_PACKETDRILL_CORPUS}) through the runner, prints
 * how each ended, and holds the list of those that pass (resources/packetdrill/linux-6.12-passing.txt) true:
 * a listed script that fails, or an unlisted one that passes, fails this test.
 */
class PacketdrillLinuxScriptsTest {
    private static final Map<String, String> KSFT_DEFINES =
            Map.of("CMSG_LEVEL_IP", "SOL_IP", "CMSG_TYPE_RECVERR", "IP_RECVERR");

    @Test
    void linuxScriptsThatPassAreExactlyTheListedOnes() throws IOException {
        String prop = System.getProperty("ustack.packetdrill.corpus", System.getenv("USTACK_PACKETDRILL_CORPUS"));
        if (prop == null || !Files.isDirectory(Path.of(prop))) {
            Requirement.unmet("no Linux packetdrill scripts: set USTACK_PACKETDRILL_CORPUS (or -Dustack.packetdrill.corpus) "
                    + "to tools/testing/selftests/net/packetdrill of linux-source-6.12, as .ci/run does");
        }
        Path dir = Path.of(prop);
        List<Path> scripts;
        try (Stream<Path> files = Files.list(dir)) {
            scripts = files.filter(p -> p.toString().endsWith(".pkt")).sorted().toList();
        }
        assertFalse(scripts.isEmpty(), "no .pkt files in " + dir);
        Map<String, Runner.Result> results = new TreeMap<>();
        for (Path p : scripts) {
            results.put(p.getFileName().toString(), Packetdrill.runOne(p, settings()));
        }
        Set<String> passing = new TreeSet<>();
        int failed = 0;
        int unsupported = 0;
        for (var e : results.entrySet()) {
            Runner.Result r = e.getValue();
            System.out.println(r.verdict() + " " + e.getKey() + (r.message() == null ? ""
                    : "\n    " + r.message().lines().findFirst().orElse("")));
            switch (r.verdict()) {
                case PASSED -> passing.add(e.getKey());
                case FAILED -> failed++;
                case UNSUPPORTED -> unsupported++;
            }
        }
        System.out.println("Linux packetdrill scripts: " + scripts.size() + " run, " + passing.size() + " passed, "
                + failed + " failed, " + unsupported + " unsupported");
        Set<String> listed = listed();
        List<String> lost = new ArrayList<>(listed);
        lost.removeAll(passing);
        List<String> gained = new ArrayList<>(passing);
        gained.removeAll(listed);
        assertEquals(List.of(), lost, "listed as passing but no longer pass");
        assertEquals(List.of(), gained, "pass now: add them to linux-6.12-passing.txt");
    }

    private static Packetdrill.Settings settings() {
        return new Packetdrill.Settings(null, null, null, null, null, null, KSFT_DEFINES, false, false);
    }

    private static Set<String> listed() throws IOException {
        try (InputStream in = PacketdrillLinuxScriptsTest.class.getResourceAsStream("/packetdrill/linux-6.12-passing.txt")) {
            Set<String> out = new TreeSet<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String l = line.strip();
                if (!l.isEmpty() && !l.startsWith("#")) {
                    out.add(l);
                }
            }
            return out;
        }
    }
}
