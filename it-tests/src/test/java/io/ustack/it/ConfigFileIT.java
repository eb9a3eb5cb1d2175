package io.ustack.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configuration file with the real jar, as a user runs it: start from a file, change a route, an address and
 * a sysctl with the commands, ustack save, restart from the file, and find the same state, MAC included (so the
 * host's neighbour entry stays right).
 */
class ConfigFileIT {
    @TempDir
    Path work;
    private String tap;
    private Daemon daemon;

    @BeforeEach
    void names() {
        RootRequirement.require("ip", "ping");
        tap = "uf" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
    }

    @AfterEach
    void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        if (Files.exists(Path.of("/sys/class/net", tap))) {
            Cmd.run("ip", "link", "del", tap);
        }
    }

    @Test
    void changesSavedWithTheCommandsComeBackAfterARestart() throws Exception {
        Path conf = Files.writeString(work.resolve("ustack.yaml"), """
                # written by hand
                interfaces:
                  %s:
                    addr: 10.203.0.2/24
                    host: 10.203.0.1/24
                routes:
                  - 10.50.0.0/16 via 10.203.0.1
                serve: echo
                """.formatted(tap));
        daemon = Daemon.start(work, "--config", conf.toString(), "--backlog-threads", "1");
        ustack("route", "del", "10.50.0.0/16").ok();
        ustack("route", "add", "10.60.0.0/16", "via", "10.203.0.1").ok();
        ustack("addr", "add", "10.203.0.9/24", "dev", tap).ok();
        ustack("sysctl", "-w", "net.ipv4.tcp_sack=0").ok();
        assertEquals("saved to " + conf + "\n", ustack("save").ok().output());
        String before = settledState();
        assertTrue(before.contains("10.60.0.0/16 via 10.203.0.1"), before);
        assertTrue(before.contains("10.203.0.9/24"), before);

        // a bad edit is refused by reload, with its line, and changes nothing
        String saved = Files.readString(conf);
        Files.writeString(conf, saved.replace("10.60.0.0/16 via 10.203.0.1", "10.60.0.0/16 via 10.99.0.1"));
        Cmd bad = ustack("reload");
        assertEquals(2, bad.exit(), bad.output());
        assertTrue(bad.output().startsWith("ustack: " + conf + ", line "), bad.output());
        assertEquals(before, state());
        Files.writeString(conf, saved);

        assertEquals(0, daemon.stop());
        daemon = Daemon.start(work, "--config", conf.toString(), "--backlog-threads", "1");
        assertEquals(before, settledState(), "the same state after the restart");
        Cmd ping = Cmd.run("ping", "-c", "1", "-W", "5", "10.203.0.9");
        assertEquals(0, ping.exit(), ping.output() + daemon.log());
    }

    @Test
    void aTapDeletedUnderTheDaemonIsGivenUpAndTheOtherKeepsAnswering() throws Exception {
        String other = tap + "b";
        try {
            Path conf = Files.writeString(work.resolve("ustack.yaml"), """
                    interfaces:
                      %s:
                        addr: 10.204.1.2/24
                        host: 10.204.1.1/24
                      %s:
                        addr: 10.204.2.2/24
                        host: 10.204.2.1/24
                    serve: none
                    """.formatted(tap, other));
            daemon = Daemon.start(work, "--config", conf.toString(), "--backlog-threads", "1");
            Cmd.run("ip", "link", "del", tap).ok();
            long deadline = System.nanoTime() + 30_000_000_000L;
            String shown = "";
            while (System.nanoTime() < deadline && !shown.contains("gone")) {
                Thread.sleep(100);
                shown = ustack("link", "show", tap).output();
            }
            assertTrue(shown.contains("gone: the TAP was deleted; ustack reload opens it again"), shown + daemon.log());
            Cmd ping = Cmd.run("ping", "-c", "1", "-W", "5", "10.204.2.2");
            assertEquals(0, ping.exit(), "the other TAP still answers: " + ping.output());
            assertEquals(1, daemon.log().split("the TAP was deleted under the stack", -1).length - 1,
                    "logged once:\n" + daemon.log());
            assertTrue(daemon.stats().get(tap + ":rx_errors") >= 1, "counted");
            assertTrue(daemon.isAlive());

            assertTrue(ustack("reload").ok().output().startsWith("reopened " + tap + "\n"));
            Cmd again = Cmd.run("ping", "-c", "1", "-W", "5", "10.204.1.2");
            assertEquals(0, again.exit(), "the TAP opened again answers: " + again.output());
        } finally {
            if (Files.exists(Path.of("/sys/class/net", other))) {
                Cmd.run("ip", "link", "del", other);
            }
        }
    }

    /** Routes, addresses (without their counters) and sysctls, as the commands print them. */
    /**
     * {@link #state} once no address is still under Duplicate Address Detection: a daemon just started lists
     * its link-local address as tentative for a second or two, as ip does.
     */
    private String settledState() {
        return Await.until("the IPv6 addresses past DAD", Duration.ofSeconds(30), this::state,
                st -> !st.contains("tentative"));
    }

    private String state() {
        String addrs = Arrays.stream(ustack("addr").ok().output().split("\n"))
                .filter(l -> l.contains("inet") || l.contains("link/ether")).collect(Collectors.joining("\n"));
        return ustack("route").ok().output() + addrs + "\n" + ustack("sysctl", "-a").ok().output()
                .lines().filter(l -> !l.startsWith("net.netfilter.nf_conntrack_count")).collect(Collectors.joining("\n"));
    }

    private Cmd ustack(String... args) {
        List<String> argv = new java.util.ArrayList<>(List.of(args));
        argv.addAll(List.of("--control", daemon.control.toString()));
        return Cmd.run(60, Daemon.command(argv.toArray(String[]::new)));
    }
}
