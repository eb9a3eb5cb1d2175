package io.ustack.it.docker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * The daemon image built from docker/Dockerfile and the jar under test, on the locally built base, under a
 * tag unique to this run; removed when the run ends. Nothing is pulled: the base comes from
 * docker/build-base.sh, run here when its tag is missing.
 */
final class DaemonImage implements AutoCloseable {
    final String tag;

    private DaemonImage(String tag) {
        this.tag = tag;
    }

    static DaemonImage build() {
        Path dockerDir = Path.of(System.getProperty("ustack.docker.dir", "../docker"));
        String base = System.getProperty("ustack.docker.base", "ustack/base:bookworm");
        Path jar = Path.of(System.getProperty("ustack.jar", "../stack-cli/target/ustack.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no " + jar + ": build stack-cli first (mvnw package)");
        }
        ensureBase(dockerDir.resolve("build-base.sh"), base);
        String tag = "ustack/daemon:it-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        long start = System.nanoTime();
        new ImageFromDockerfile(tag, false)
                .withFileFromPath("Dockerfile", dockerDir.resolve("Dockerfile"))
                .withFileFromPath("ustack.jar", jar)
                .withBuildArg("BASE", base)
                .get();
        System.err.printf("docker: built %s on %s in %d ms%n", tag, base,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        return new DaemonImage(tag);
    }

    private static boolean exists(String image) {
        return !DockerClientFactory.instance().client().listImagesCmd().withReferenceFilter(image).exec().isEmpty();
    }

    /** Builds the base with the repository's script if it is missing (needs root and debootstrap). */
    private static void ensureBase(Path script, String base) {
        if (exists(base)) {
            return;
        }
        System.err.println("docker: " + base + " is missing; building it with " + script);
        try {
            Path log = Files.createTempFile("ustack-build-base-", ".log");
            Process p = new ProcessBuilder("bash", script.toString(), base)
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            boolean done = p.waitFor(10, TimeUnit.MINUTES);
            if (!done) {
                p.destroyForcibly();
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            Files.delete(log);
            if (!done || p.exitValue() != 0 || !exists(base)) {
                DockerRequirement.unmet("the base image " + base + ", which " + script + " failed to build:\n" + out);
            }
        } catch (IOException e) {
            DockerRequirement.unmet("the base image " + base + " (" + e + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        DockerClientFactory.instance().client().removeImageCmd(tag).withForce(true).exec();
        System.err.println("docker: removed " + tag);
    }
}
