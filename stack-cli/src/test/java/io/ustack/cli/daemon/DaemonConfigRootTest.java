package io.ustack.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ustack.cli.Main;
import io.ustack.cli.control.ControlClient;
import io.ustack.cli.control.ControlRequest;
import io.ustack.cli.control.Uid;
import io.ustack.cli.services.ServiceList;
import io.ustack.core.testing.Requirement;
import io.ustack.driver.tap.Tap;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The daemon in-process on real TAPs, run from a configuration file: save, reload (a bad file, a good one, SIGHUP)
 * and a TAP deleted under it. Needs root and /dev/net/tun; without them it is skipped, loudly, unless CI=true.
 */
class DaemonConfigRootTest {
    @TempDir
    Path dir;
    /** Unique per test; "uc" marks ours. */
    private final String tapA = "uc" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    private final String tapB = "uc" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    private StopSignal stop = new StopSignal();
    private final DaemonRootTest.Lines out = new DaemonRootTest.Lines();
    private CompletableFuture<Integer> daemon;
    private Path sock;

    @BeforeEach
    void needRootAndTun() {
        String missing = Uid.current() != 0 ? "it is not running as root"
                : !Tap.isAvailable() ? Tap.unavailabilityCause() : null;
        if (missing != null) {
            Requirement.unmet("DaemonConfigRootTest needs root and /dev/net/tun, but " + missing);
        }
        sock = dir.resolve("ustack.sock");
    }

    @AfterEach
    void cleanUp() throws Exception {
        stop.stop("the end of the test");
        if (daemon != null) {
            daemon.handle((code, e) -> code).get(30, TimeUnit.SECONDS);
        }
        for (String t : List.of(tapA, tapB)) {
            if (Files.exists(Path.of("/sys/class/net", t))) {
                new ProcessBuilder("ip", "link", "del", t).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private String file(String routes) {
        return "interfaces:\n"
                + "  " + tapA + ":\n    addr: 10.251.1.2/24\n    host: 10.251.1.1/24\n"
                + "  " + tapB + ":\n    addr: 10.251.2.2/24\n    host: 10.251.2.1/24\n"
                + "routes:\n" + routes
                + "serve: none\n";
    }

    @Test
    void savedChangesComeBackAndReloadsAreCheckedFirst() throws Exception {
        Path conf = Files.writeString(dir.resolve("ustack.yaml"), file("  - 10.9.0.0/16 via 10.251.1.1\n"));
        start(conf);
        assertTrue(out.next().startsWith("ustack: up: " + tapA + " 10.251.1.2/24 (host 10.251.1.1/24), " + tapB));

        assertEquals(0, cli("route", "add", "10.8.0.0/16", "via", "10.251.2.1"));
        Path saved = dir.resolve("saved.yaml");
        assertEquals(0, cli("save", saved.toString()));
        String text = Files.readString(saved);
        assertTrue(text.contains("  - \"10.8.0.0/16 via 10.251.2.1 dev " + tapB + "\"\n"), text);

        // a bad file: exit 2 with its line, and nothing changed
        Files.writeString(conf, file("  - 10.9.0.0/16 via 10.99.0.1\n"));
        StringWriter err = new StringWriter();
        assertEquals(2, cli(err, "reload"));
        assertEquals("ustack: " + conf + ", line 9: cannot add the route 10.9.0.0/16 via 10.99.0.1: gateway 10.99.0.1 "
                + "is not on a connected network\n", err.toString());
        assertEquals(List.of("10.8.0.0/16", "10.9.0.0/16"), staticRoutes());

        // a good one, by SIGHUP: the route made by hand goes, the file's come
        Files.writeString(conf, file("  - 10.9.0.0/16 via 10.251.1.1\n  - 10.7.0.0/16 via 10.251.2.1\n"));
        new ProcessBuilder("kill", "-HUP", Long.toString(ProcessHandle.current().pid())).start().waitFor();
        await(() -> staticRoutes().equals(List.of("10.7.0.0/16", "10.9.0.0/16")), "SIGHUP applied the file");

        // the saved file starts the same state
        stop.stop("restart");
        assertEquals(0, daemon.get(30, TimeUnit.SECONDS));
        stop = new StopSignal();
        start(saved);
        out.next();
        assertEquals(List.of("10.8.0.0/16", "10.9.0.0/16"), staticRoutes());
    }

    @Test
    void aDeletedTapIsGivenUpTheOtherKeepsAnsweringAndReloadOpensItAgain() throws Exception {
        Path conf = Files.writeString(dir.resolve("ustack.yaml"), file(""));
        start(conf);
        out.next();
        assertEquals(0, new ProcessBuilder("ip", "link", "del", tapA).inheritIO().start().waitFor());
        await(() -> !link(tapA).path("present").asBoolean(true), "the deletion is noticed");
        assertEquals(0, new ProcessBuilder("ping", "-c", "1", "-W", "5", "10.251.2.2").inheritIO().start().waitFor(),
                "the other TAP still answers");
        StringWriter linkOut = new StringWriter();
        assertEquals(0, cli(linkOut, new StringWriter(), "link", "show", tapA));
        assertTrue(linkOut.toString().contains("gone: the TAP was deleted"), linkOut.toString());
        assertTrue(ControlClient.result(sock, ControlRequest.of("stats")).get("flat").get(tapA + ":rx_errors").asLong() >= 1,
                "the failed read is counted");

        StringWriter reloadOut = new StringWriter();
        assertEquals(0, cli(reloadOut, new StringWriter(), "reload"));
        assertTrue(reloadOut.toString().startsWith("reopened " + tapA + "\n"), reloadOut.toString());
        assertTrue(link(tapA).path("present").asBoolean());
        assertEquals(0, new ProcessBuilder("ping", "-c", "1", "-W", "5", "10.251.1.2").inheritIO().start().waitFor(),
                "the TAP opened again answers");
    }

    @Test
    void aConnectionOverWhatStaysKeepsGoingThroughAReload() throws Exception {
        Path conf = Files.writeString(dir.resolve("ustack.yaml"), file("").replace("serve: none", "serve: echo"));
        start(conf);
        out.next();
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress("10.251.2.2", 7), 5000);
            s.setSoTimeout(5000);
            s.getOutputStream().write('a');
            assertEquals('a', s.getInputStream().read());

            // the other interface goes, a route and a sysctl come; tapB, its address and its routes stay
            Files.writeString(conf, "interfaces:\n  " + tapB + ":\n    addr: 10.251.2.2/24\n    host: 10.251.2.1/24\n"
                    + "routes:\n  - 10.7.0.0/16 via 10.251.2.1\nsysctl:\n  net.ipv4.tcp_sack: 0\nserve: echo\n");
            StringWriter said = new StringWriter();
            assertEquals(0, cli(said, new StringWriter(), "reload"));
            assertEquals("removed " + tapA + "\nroute add 10.7.0.0/16 via 10.251.2.1 dev " + tapB
                    + "\nsysctl net.ipv4.tcp_sack = 0\n", said.toString());

            s.getOutputStream().write('b');
            assertEquals('b', s.getInputStream().read(), "the connection keeps going");
        }
    }

    private void start(Path conf) {
        ConfigSource source = new ConfigSource(conf, ConfigSource.Flags.none());
        ConfigSource.Loaded loaded = source.load();
        daemon = CompletableFuture.supplyAsync(() -> DaemonCommand.run(source, loaded, ServiceList.parse(loaded.serve()),
                sock, new PrintWriter(out), stop));
    }

    private JsonNode link(String name) {
        return ControlClient.result(sock, new ControlRequest("link show",
                io.ustack.cli.control.Json.MAPPER.createObjectNode().put("dev", name))).get(0);
    }

    private List<String> staticRoutes() {
        return java.util.stream.StreamSupport.stream(ControlClient.result(sock, ControlRequest.of("route list")).spliterator(), false)
                .filter(r -> r.has("gateway")).map(r -> r.path("dst").asText()).sorted().toList();
    }

    private int cli(String... args) {
        return cli(new StringWriter(), args);
    }

    private int cli(StringWriter err, String... args) {
        return cli(new StringWriter(), err, args);
    }

    private int cli(StringWriter stdout, StringWriter err, String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(stdout, true));
        cl.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 2];
        all[0] = "--control";
        all[1] = sock.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return cl.execute(all);
    }

    private static void await(BooleanSupplier done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 30 s: " + what);
            }
            Thread.sleep(50);
        }
    }
}
