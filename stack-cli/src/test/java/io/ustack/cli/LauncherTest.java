package io.ustack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The top-level {@code ./ustack} launcher, run by bash in a copy of the checkout's layout whose {@code mvnw}
 * and {@code java} are stubs that say they ran: it builds when there is no jar or a source is newer than it.
 */
class LauncherTest {
    @TempDir
    Path repo;
    private Path jar;
    private final Instant built = Instant.now().minusSeconds(3600);

    @BeforeEach
    void layout() throws IOException {
        Path script = Path.of(System.getProperty("user.dir")).getParent().resolve("ustack");
        Files.copy(script, repo.resolve("ustack"));
        executable(repo.resolve("mvnw"), "#!/bin/sh\necho mvnw \"$@\"\nmkdir -p stack-cli/target && touch stack-cli/target/ustack.jar\n");
        executable(repo.resolve("bin/java"), "#!/bin/sh\necho java \"$@\"\n");
        for (String m : List.of("", "stack-core/", "stack-driver-tap/", "stack-cli/", "it-tests/")) {
            write(repo.resolve(m + "pom.xml"));
        }
        write(repo.resolve("stack-core/src/main/java/A.java"));
        write(repo.resolve("stack-cli/src/main/java/B.java"));
        write(repo.resolve("it-tests/src/test/java/CIT.java"));
        jar = repo.resolve("stack-cli/target/ustack.jar");
        write(jar);
        Files.setLastModifiedTime(jar, FileTime.from(built));
        try (var dirs = Files.walk(repo)) {
            for (Path d : dirs.filter(Files::isDirectory).toList()) {
                Files.setLastModifiedTime(d, FileTime.from(built.minusSeconds(60)));
            }
        }
    }

    @Test
    void noJarIsBuilt() throws Exception {
        Files.delete(jar);
        Result r = run("--version");
        assertEquals("ustack: building " + repo.toRealPath().resolve("stack-cli/target/ustack.jar") + " (first run)\n"
                + "mvnw -B -q -DskipTests -pl stack-cli -am package\n", r.err);
        assertEquals("java -jar " + repo.toRealPath().resolve("stack-cli/target/ustack.jar") + " --version\n", r.out);
    }

    @Test
    void anUpToDateJarIsRunAsItIs() throws Exception {
        Result r = run("stats");
        assertEquals("", r.err);
        assertEquals("java -jar " + repo.toRealPath().resolve("stack-cli/target/ustack.jar") + " stats\n", r.out);
    }

    @Test
    void aNewerSourceOrPomRebuilds() throws Exception {
        for (String source : List.of("stack-core/src/main/java/A.java", "stack-cli/pom.xml", "pom.xml")) {
            Files.setLastModifiedTime(repo.resolve(source), FileTime.from(built.plusSeconds(60)));
            Result r = run("stats");
            assertEquals("ustack: sources changed since the jar was built; rebuilding\n"
                    + "mvnw -B -q -DskipTests -pl stack-cli -am package\n", r.err, source);
            assertEquals("", run("stats").err, "the rebuilt jar is newer than " + source);
            Files.setLastModifiedTime(jar, FileTime.from(built));
            Files.setLastModifiedTime(repo.resolve(source), FileTime.from(built.minusSeconds(60)));
        }
    }

    @Test
    void aRemovedSourceRebuilds() throws Exception {
        Files.delete(repo.resolve("stack-cli/src/main/java/B.java"));
        assertEquals("ustack: sources changed since the jar was built; rebuilding\n"
                + "mvnw -B -q -DskipTests -pl stack-cli -am package\n", run("stats").err);
    }

    @Test
    void testsOfOtherModulesDoNotRebuild() throws Exception {
        Files.setLastModifiedTime(repo.resolve("it-tests/src/test/java/CIT.java"), FileTime.from(built.plusSeconds(60)));
        assertEquals("", run("stats").err);
    }

    private record Result(String out, String err) {
    }

    private Result run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("bash", repo.resolve("ustack").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(repo.toFile());
        pb.environment().put("PATH", repo.resolve("bin") + ":" + pb.environment().get("PATH"));
        Path out = repo.resolve("out.txt");
        Path err = repo.resolve("err.txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("the launcher did not finish within 60 s");
        }
        assertEquals(0, p.exitValue(), Files.readString(err));
        return new Result(Files.readString(out), Files.readString(err));
    }

    /** A file written before the jar was built. */
    private void write(Path p) throws IOException {
        Files.createDirectories(p.getParent());
        Files.writeString(p, "x", StandardCharsets.UTF_8);
        Files.setLastModifiedTime(p, FileTime.from(built.minusSeconds(60)));
    }

    private static void executable(Path p, String text) throws IOException {
        Files.createDirectories(p.getParent());
        Files.writeString(p, text, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
