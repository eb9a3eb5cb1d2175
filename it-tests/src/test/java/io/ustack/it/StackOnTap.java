package io.ustack.it;

import io.ustack.core.testing.Await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The usual end-to-end setup: the real daemon on a TAP of a fresh name, whose host side lives in a
 * namespace made for the test (host 10.201.N.1, stack 10.201.N.2). Closing stops the daemon with SIGTERM,
 * checks it exited 0 and removed its TAP, and deletes the namespace, whatever happened before.
 */
final class StackOnTap implements AutoCloseable {
    final String tap;
    final String stackIp;
    final String hostIp;
    /** The stack's and the host's IPv6 addresses, fd00:201:N::2 and ::1, or null without IPv6. */
    final String stackIp6;
    final String hostIp6;
    final NetNs ns;
    /** The daemon running now: {@link #restart} replaces it. */
    Daemon daemon;
    final Path work;

    private StackOnTap(String tap, String stackIp, String hostIp, String stackIp6, String hostIp6, NetNs ns,
                       Daemon daemon, Path work) {
        this.tap = tap;
        this.stackIp = stackIp;
        this.hostIp = hostIp;
        this.stackIp6 = stackIp6;
        this.hostIp6 = hostIp6;
        this.ns = ns;
        this.daemon = daemon;
        this.work = work;
    }

    static StackOnTap start(String... extraDaemonArgs) throws Exception {
        return startWithIface("", extraDaemonArgs);
    }

    /** As {@link #start}, with {@code ifaceOptions} (",offload=off", say) added to the --iface SPEC. */
    static StackOnTap startWithIface(String ifaceOptions, String... extraDaemonArgs) throws Exception {
        return start(false, ifaceOptions, extraDaemonArgs);
    }

    /**
     * As {@link #start}, dual-stack: the stack also has fd00:201:N::2/64 (and its link-local address), the
     * namespace has IPv6 on, without DAD, and fd00:201:N::1/64 on its side.
     */
    static StackOnTap startDualStack(String... extraDaemonArgs) throws Exception {
        return start(true, "", extraDaemonArgs);
    }

    /** {@link #startDualStack} with {@code ifaceOptions} appended to the --iface value (",offload=off"). */
    static StackOnTap startDualStackWithIface(String ifaceOptions, String... extraDaemonArgs) throws Exception {
        return start(true, ifaceOptions, extraDaemonArgs);
    }

    /**
     * Waits until the daemon's two IPv6 addresses on its TAP (link-local and global) have passed Duplicate
     * Address Detection, which announces each with an unsolicited NA: until then they take no packets in.
     */
    static void awaitDad(Daemon daemon) {
        Await.until("the stack's IPv6 addresses past DAD", java.time.Duration.ofSeconds(30), daemon::stats,
                s -> s.getOrDefault("Icmp6OutNeighborAdvertisements", 0L) >= 2);
    }

    private static StackOnTap start(boolean ipv6, String ifaceOptions, String... extraDaemonArgs) throws Exception {
        String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
        String tap = "ut" + id;
        int net = 1 + ThreadLocalRandom.current().nextInt(250);
        String stackIp = "10.201." + net + ".2";
        String hostIp = "10.201." + net + ".1";
        String stackIp6 = ipv6 ? "fd00:201:" + Integer.toHexString(net) + "::2" : null;
        String hostIp6 = ipv6 ? "fd00:201:" + Integer.toHexString(net) + "::1" : null;
        Path work = Files.createTempDirectory("ustack-it-");
        NetNs ns = new NetNs("ustack-it-" + id, ipv6);
        Daemon daemon = null;
        try {
            List<String> args = new ArrayList<>(List.of("--iface", tap + ",addr=" + stackIp + "/24"
                    + (ipv6 ? ",addr=" + stackIp6 + "/64" : "") + ifaceOptions));
            args.addAll(List.of(extraDaemonArgs));
            daemon = Daemon.start(work, args.toArray(String[]::new));
            if (ipv6) {
                ns.adopt(tap, hostIp + "/24", hostIp6 + "/64");
                awaitDad(daemon);
            } else {
                ns.adopt(tap, hostIp + "/24");
            }
            return new StackOnTap(tap, stackIp, hostIp, stackIp6, hostIp6, ns, daemon, work);
        } catch (Exception | AssertionError e) {
            if (daemon != null) {
                daemon.close();
            }
            ns.close();
            Cmd.run("ip", "link", "del", tap);
            throw e;
        }
    }

    /**
     * Stops the daemon (exit 0) and starts it again with {@code args} alone (a {@code --config} file, say,
     * that opens the same TAP), then gives the host side its addresses again and, dual-stack, waits for DAD.
     */
    void restart(String... args) throws Exception {
        int exit = daemon.stop();
        if (exit != 0) {
            throw new AssertionError("SIGTERM should end the daemon with 0, not " + exit + ":\n" + daemon.log());
        }
        daemon = Daemon.start(work, args);
        if (stackIp6 != null) {
            ns.adopt(tap, hostIp + "/24", hostIp6 + "/64");
            awaitDad(daemon);
        } else {
            ns.adopt(tap, hostIp + "/24");
        }
    }

    /** The daemon's log and the namespace's view of the link, for a failure message. */
    String diagnostics() {
        return "---- daemon log ----\n" + daemon.log() + "---- ip addr / route / neigh in " + ns.name + " ----\n"
                + ns.exec("ip", "addr").output() + ns.exec("ip", "route").output() + ns.exec("ip", "neigh").output()
                + (stackIp6 == null ? "" : ns.exec("ip", "-6", "route").output() + ns.exec("ip", "-6", "neigh").output());
    }

    @Override
    public void close() throws Exception {
        try {
            int exit = daemon.stop();
            if (exit != 0) {
                throw new AssertionError("SIGTERM should end the daemon with 0, not " + exit + ":\n" + daemon.log());
            }
            if (ns.exec("ip", "link", "show", tap).exit() == 0) {
                throw new AssertionError("the daemon left its TAP " + tap + " behind");
            }
        } finally {
            ns.close();
            Cmd.run("ip", "link", "del", tap); // only if a failure left it behind
        }
    }
}
