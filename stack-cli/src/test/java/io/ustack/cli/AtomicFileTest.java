package io.ustack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Atomic replacement: the old file or the new one, whole, even for a writer killed with SIGKILL mid-write. */
class AtomicFileTest {
    /** Large enough that a write takes a while, so kills land inside writes as well as between them. */
    static final int SIZE = 4 << 20;

    @TempDir
    Path dir;

    @Test
    void replacesAndLeavesNoTemporaryFile() throws IOException {
        Path f = dir.resolve("sub/ustack.yaml");
        AtomicFile.write(f, "one\n".getBytes(StandardCharsets.UTF_8));
        AtomicFile.write(f, "two\n".getBytes(StandardCharsets.UTF_8));
        assertEquals("two\n", Files.readString(f));
        assertFalse(Files.exists(AtomicFile.temporary(f)));
    }

    @Test
    void aWriterKilledMidWriteLeavesTheOldFileOrTheNewOneWhole() throws Exception {
        Path f = dir.resolve("ustack.yaml");
        for (int round = 0; round < 8; round++) {
            Process writer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), Writer.class.getName(), f.toString())
                    .redirectErrorStream(true).start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8));
                assertEquals("written", out.readLine(), "the writer wrote its first file");
                Thread.sleep(ThreadLocalRandom.current().nextInt(1, 200));
                // Process.destroyForcibly is SIGKILL on Linux: no handler, no flush, the write stops where it is
                writer.destroyForcibly();
                assertTrue(writer.waitFor(30, TimeUnit.SECONDS));
            } finally {
                writer.destroyForcibly();
            }
            byte[] got = Files.readAllBytes(f);
            assertEquals(SIZE, got.length, "round " + round + ": the file is whole");
            for (byte b : got) {
                if (b != got[0]) {
                    throw new AssertionError("round " + round + ": a torn file, '" + (char) got[0] + "' then '" + (char) b + "'");
                }
            }
        }
    }

    /** The child: writes SIZE bytes of one letter, then of the next, forever, through {@link AtomicFile}. */
    public static final class Writer {
        public static void main(String[] args) throws IOException {
            Path f = Path.of(args[0]);
            byte[] content = new byte[SIZE];
            for (int i = 0; ; i++) {
                java.util.Arrays.fill(content, (byte) ('A' + i % 26));
                AtomicFile.write(f, content);
                if (i == 0) {
                    System.out.println("written");
                    System.out.flush();
                }
            }
        }
    }
}
