package io.ustack.it.docker;

import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Device;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A container of the daemon image, named for the test that made it. Three shapes: the image as shipped
 * (the daemon is the main process), an idle container in which the test starts and kills the daemon (with
 * {@link #withNetnsSupport} when its peers live in namespaces beside it), and a sidecar that joins another
 * container's network namespace.
 */
final class UstackContainer extends GenericContainer<UstackContainer> {
    /** Where {@link #startDaemon} sends the daemon's output, the pid it ran under and how it exited. */
    private static final String LOG = "/tmp/ustack-daemon.log";
    private static final String PID = "/tmp/ustack-daemon.pid";
    private static final String EXIT = "/tmp/ustack-daemon.exit";
    private static final long DAEMON_UP_SECONDS = 60;

    private final String name;
    private final boolean daemonIsMain;
    private int starts;

    private UstackContainer(DaemonImage image, String name, boolean daemonIsMain) {
        super(DockerImageName.parse(image.tag));
        this.name = name;
        this.daemonIsMain = daemonIsMain;
        withCreateContainerCmdModifier(cmd -> cmd.withName(name));
    }

    /** `docker run --cap-add NET_ADMIN --device /dev/net/tun IMAGE daemon ARGS`, up when it says so. */
    static UstackContainer daemon(DaemonImage image, String name, String... daemonArgs) {
        List<String> cmd = new ArrayList<>(List.of("daemon"));
        cmd.addAll(List.of(daemonArgs));
        return new UstackContainer(image, name, true)
                .withTap()
                .withCommand(cmd.toArray(String[]::new))
                .waitingFor(new DaemonUp().withStartupTimeout(Duration.ofSeconds(DAEMON_UP_SECONDS)));
    }

    /** A container that only idles (under an init that reaps what the test kills). */
    static UstackContainer idle(DaemonImage image, String name) {
        return new UstackContainer(image, name, false).withTap().idling();
    }

    /** A container in {@code daemon}'s network namespace, as a workload joins a ustack sidecar. */
    static UstackContainer sidecarOf(UstackContainer daemon, DaemonImage image, String name) {
        return new UstackContainer(image, name, false)
                .withNetworkMode("container:" + daemon.getContainerId())
                .idling();
    }

    /** NET_ADMIN and /dev/net/tun to create the TAP; no network but that: the tests' traffic stays inside. */
    private UstackContainer withTap() {
        return withNetworkMode("none").withCreateContainerCmdModifier(cmd -> cmd.getHostConfig()
                .withCapAdd(Capability.NET_ADMIN)
                .withDevices(Device.parse("/dev/net/tun")));
    }

    /**
     * IPv6 on in the container's network namespace, as `docker run --sysctl net.ipv6.conf.all.disable_ipv6=0`:
     * the Docker engine starts every container with it off for all and default (a network with --ipv6 turns
     * it on for the container's own interface only), and a TAP made there inherits that, so without it the
     * host side gets no IPv6 address and nothing in the container speaks IPv6 to the stack. The daemon
     * container's sidecars share its namespace, and this with it.
     */
    UstackContainer withIpv6() {
        return withCreateContainerCmdModifier(cmd -> cmd.getHostConfig()
                .withSysctls(Map.of("net.ipv6.conf.all.disable_ipv6", "0")));
    }

    /**
     * CAP_SYS_ADMIN as well, for `ip netns add` (a bind mount) inside the container: scenarios whose peers
     * live in namespaces of their own beside the daemon. See {@link InnerNetNs}.
     */
    UstackContainer withNetnsSupport() {
        return withCreateContainerCmdModifier(cmd -> cmd.getHostConfig()
                .withCapAdd(Capability.NET_ADMIN, Capability.SYS_ADMIN));
    }

    private UstackContainer idling() {
        return withCreateContainerCmdModifier(cmd -> {
            cmd.withEntrypoint("sleep");
            cmd.getHostConfig().withInit(true);
        }).withCommand("infinity");
    }

    /** A prefix for the container names of one scenario that no other run uses: ustack-it-SCENARIO-RANDOM. */
    static String uniquePrefix(String scenario) {
        String random = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
        return "ustack-it-" + scenario + "-" + random;
    }

    /** Starts the container; a failure to start says why, with the daemon's log where it has one. */
    void up() {
        try {
            start();
            System.err.println("docker: started " + name + " (" + getContainerId().substring(0, 12) + ")");
        } catch (RuntimeException e) {
            stop();
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            throw new AssertionError(name + " did not start: " + root.getMessage(), e);
        }
    }

    /** Runs a command inside the container, bounded to 60 s by coreutils' timeout. */
    Exec exec(String... argv) {
        List<String> cmd = new ArrayList<>(List.of("timeout", "-k", "5", "60"));
        cmd.addAll(List.of(argv));
        try {
            ExecResult r = execInContainer(cmd.toArray(String[]::new));
            return new Exec(r.getExitCode(), r.getStdout() + r.getStderr());
        } catch (IOException e) {
            return new Exec(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Exec(-1, e.toString());
        }
    }

    /**
     * Starts `ustack daemon ARGS` in the background and waits for its "up" line. A shell stays behind as
     * its parent to record its pid and how it exits.
     */
    void startDaemon(String... daemonArgs) throws InterruptedException {
        starts++;
        String script = "echo \"---- start " + starts + "\" >>" + LOG + "; "
                + "ustack daemon " + String.join(" ", daemonArgs) + " >>" + LOG + " 2>&1 & "
                + "echo $! >" + PID + "; wait $!; echo $? >" + EXIT;
        exec("rm", "-f", PID, EXIT).ok();
        // $0 of the outer shell is the script, so it needs no second level of quoting
        exec("sh", "-c", "setsid sh -c \"$0\" </dev/null >/dev/null 2>&1 &", script).ok();
        long deadline = System.nanoTime() + Duration.ofSeconds(DAEMON_UP_SECONDS).toNanos();
        while (System.nanoTime() < deadline) {
            String log = daemonLog();
            if (log.split("ustack: up:", -1).length - 1 == starts) {
                return;
            }
            if (exec("test", "-e", EXIT).exit() == 0) {
                throw new AssertionError("the daemon exited with " + exec("cat", EXIT).output().trim()
                        + " before coming up:\n" + log);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the daemon did not come up within " + DAEMON_UP_SECONDS + " s:\n" + daemonLog());
    }

    /** Sends {@code signal} to the daemon started last and returns its exit status as its shell saw it. */
    int signalDaemon(String signal) throws InterruptedException {
        String pid = exec("cat", PID).ok().output().trim();
        exec("kill", "-s", signal, pid).ok();
        Exec exit = exec("sh", "-c", "while [ ! -s " + EXIT + " ]; do sleep 0.1; done; cat " + EXIT);
        if (exit.exit() != 0) {
            throw new AssertionError("the daemon outlived SIG" + signal + " for 60 s:\n" + daemonLog());
        }
        return Integer.parseInt(exit.output().trim());
    }

    String daemonLog() {
        return daemonIsMain ? getLogs() : exec("cat", LOG).output();
    }

    boolean hasLink(String dev) {
        return exec("ip", "link", "show", dev).exit() == 0;
    }

    /** `ustack stats` inside the container, parsed from its "Name value" lines. */
    Map<String, Long> stats() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String line : exec("ustack", "stats").ok().output().split("\n")) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length == 2 && parts[1].matches("-?\\d+")) {
                m.put(parts[0], Long.parseLong(parts[1]));
            }
        }
        return m;
    }

    /** The daemon's log and the container's addresses and routes, for a failure's report. */
    String diagnostics() {
        if (!isRunning()) {
            return "---- " + name + " (not running) ----";
        }
        return "---- " + name + ": daemon log ----\n" + (daemonIsMain || starts > 0 ? daemonLog() : "(no daemon here)")
                + "\n---- " + name + ": ip addr ----\n" + exec("ip", "addr").output()
                + "\n---- " + name + ": ip route ----\n" + exec("ip", "route").output();
    }
}
