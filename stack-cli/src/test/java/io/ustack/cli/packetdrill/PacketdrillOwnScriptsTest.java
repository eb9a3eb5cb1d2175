package io.ustack.cli.packetdrill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * ustack's own TCP behaviour written as packetdrill scripts (resources/packetdrill/ustack, one behaviour a
 * script, each read against Linux 6.x's behaviour): every one must pass through {@code ustack packetdrill}
 * as written, with every setting it makes applied.
 */
class PacketdrillOwnScriptsTest {

    @TestFactory
    Stream<DynamicTest> everyScriptPasses() throws IOException, URISyntaxException {
        Path dir = Path.of(Objects.requireNonNull(getClass().getResource("/packetdrill/ustack")).toURI());
        List<Path> scripts;
        try (Stream<Path> files = Files.list(dir)) {
            scripts = files.filter(p -> p.toString().endsWith(".pkt")).sorted().toList();
        }
        assertFalse(scripts.isEmpty(), "no scripts in " + dir);
        Packetdrill.Settings settings = new Packetdrill.Settings(null, null, null, null, null, null, Map.of(), false, false);
        return scripts.stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> {
            Runner.Result r = Packetdrill.runOne(p, settings);
            assertEquals(Runner.Verdict.PASSED, r.verdict(), r.message());
            assertEquals(List.of(), r.notes(), "settings or commands not applied");
        }));
    }
}
