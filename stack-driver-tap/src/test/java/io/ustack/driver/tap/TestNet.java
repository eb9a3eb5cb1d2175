package io.ustack.driver.tap;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The names one test may use, unique to it: a TAP name ("ut" and random hex), a network namespace and a
 * 10.x.y.0/24 subnet that lives only on that TAP. {@link #close()} removes whatever of them exists, whether
 * the test passed or not.
 */
final class TestNet implements AutoCloseable {
    final String tap;
    final String ns;
    private final int x;
    private final int y;
    private boolean nsCreated;

    TestNet() {
        byte[] r = new byte[6];
        ThreadLocalRandom.current().nextBytes(r);
        String hex = HexFormat.of().formatHex(r);
        tap = "ut" + hex.substring(0, 10);
        ns = "ustack-ut-" + hex;
        x = 200 + ThreadLocalRandom.current().nextInt(50);
        y = ThreadLocalRandom.current().nextInt(256);
    }

    /** 10.x.y.{@code host}: an address of this test's subnet. */
    String address(int host) {
        return "10." + x + "." + y + "." + host;
    }

    /** Creates the namespace and moves the TAP's host side into it; the driver's fds stay attached. */
    void moveTapIntoNamespace() {
        Shell.ok("ip", "netns", "add", ns);
        nsCreated = true;
        Shell.ok("ip", "link", "set", tap, "netns", ns);
    }

    /** Runs {@code cmd} inside the namespace and returns its output; fails the test if it fails. */
    String inNs(String... cmd) {
        return Shell.ok(nsCommand(cmd));
    }

    Shell.Result tryInNs(String... cmd) {
        return Shell.run(nsCommand(cmd));
    }

    private String[] nsCommand(String... cmd) {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        all.addAll(List.of(cmd));
        return all.toArray(String[]::new);
    }

    boolean tapExistsHere() {
        return Files.exists(Path.of("/sys/class/net", tap));
    }

    @Override
    public void close() {
        if (nsCreated) {
            Shell.run(nsCommand("ip", "link", "del", tap));
            Shell.run("ip", "netns", "del", ns);
        }
        if (tapExistsHere()) {
            Shell.run("ip", "link", "del", tap);
        }
    }
}
