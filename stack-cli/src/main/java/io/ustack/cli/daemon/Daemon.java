package io.ustack.cli.daemon;

import io.ustack.cli.AtomicFile;
import io.ustack.cli.Logging;
import io.ustack.cli.UserException;
import io.ustack.cli.control.ControlDispatcher;
import io.ustack.cli.control.ControlHandlers;
import io.ustack.cli.control.ControlServer;
import io.ustack.cli.control.handlers.DhcpLeasesHandler;
import io.ustack.cli.control.handlers.ReloadHandler;
import io.ustack.cli.control.handlers.SaveHandler;
import io.ustack.cli.metrics.MetricsServer;
import io.ustack.cli.metrics.StackMetrics;
import io.ustack.cli.services.dhcp.DhcpPool;
import io.ustack.cli.services.dhcp.DhcpService;
import io.ustack.cli.services.dhcp.LeaseStore;
import io.ustack.core.stack.NetStack;
import io.ustack.core.stack.StackConfig;
import io.ustack.driver.tap.Tap;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A running daemon: the stack, its TAPs and its control socket, brought up from a {@link DaemonConfig}
 * and taken down by {@link #close()}. Bringing up either completes or leaves nothing behind. Its
 * configuration can be read again ({@link #reload}) and the running state written out ({@link #save}).
 */
public final class Daemon implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Daemon.class.getName());

    private final ConfigSource source;
    /** The settings last applied: at start, then after each reload. */
    private volatile ConfigSource.Loaded loaded;
    private final NetStack stack;
    private final RuleLoader rules;
    private final TapLinks links = new TapLinks();
    private final ConfigApplier applier;
    private ControlServer control;
    private MetricsServer metrics;
    private volatile DhcpService dhcp;
    private boolean closed;

    private Daemon(ConfigSource source, ConfigSource.Loaded loaded) {
        this.source = source;
        this.loaded = loaded;
        this.stack = new NetStack(StackConfig.defaults().withBacklogThreads(loaded.config().backlogThreads()));
        this.rules = RuleLoader.forStack(stack);
        this.applier = new ConfigApplier(stack, links, rules);
    }

    /**
     * Brings the daemon up: the control socket first (so a second daemon is turned away before it touches a
     * TAP), then the metrics socket (a port in use costs no TAP either), then the configuration (each TAP with
     * its addresses, the routes, forwarding, sysctls and rules), then the stack's threads.
     *
     * @param source where {@code loaded} came from, read again by {@link #reload}
     * @throws UserException with one sentence when something the user must fix gets in the way (no TAP
     *                       support, no privileges, a busy TAP, a control socket in use); whatever was
     *                       opened is closed again first
     */
    public static Daemon start(ConfigSource source, ConfigSource.Loaded loaded, Path controlPath) {
        if (!Tap.isAvailable()) {
            throw new UserException(Tap.unavailabilityCause());
        }
        Daemon d = new Daemon(source, loaded);
        try {
            d.bringUp(controlPath);
        } catch (RuntimeException e) {
            try {
                d.close();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup); // the first failure is the one the user must see
            }
            throw e;
        }
        return d;
    }

    private void bringUp(Path controlPath) {
        DaemonConfig config = loaded.config();
        control = ControlServer.bind(controlPath, new ControlDispatcher(ControlHandlers.forStack(stack)
                .add(new DhcpLeasesHandler(() -> dhcp))
                .add(new SaveHandler(this::save))
                .add(new ReloadHandler(this::reload))));
        if (config.metrics() != null) {
            metrics = MetricsServer.start(config.metrics(), new StackMetrics(stack::stats));
            LOG.log(System.Logger.Level.INFO, "serving metrics on http://{0}/metrics", MetricsServer.describe(metrics.address()));
        }
        try {
            applier.apply(config);
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage());
        }
        stack.start();
        startDhcp();
    }

    /**
     * {@code ustack reload} and SIGHUP: reads the configuration file again with the command line's flags,
     * checks it whole, and only then applies it by difference ({@link ConfigApplier#apply}).
     *
     * @return what changed, a line each, and a line for each setting that changed but takes a restart
     * @throws IllegalArgumentException naming the file's line and what is wrong when the file is bad; nothing
     *                                  has changed then
     * @throws IllegalStateException    when there is no file, or a change was refused half-way (a TAP that cannot
     *                                  be opened): the sentence says what was done before
     */
    public synchronized List<String> reload() {
        if (source.file() == null) {
            // the flags alone would be applied again, undoing every change made with the commands
            throw new IllegalStateException("the daemon was started without --config: there is no file to read again");
        }
        ConfigSource.Loaded next = source.load();
        List<String> changes = new ArrayList<>();
        try {
            changes.addAll(applier.apply(next.config()));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(e.getMessage() + (changes.isEmpty() ? "" : "; done before: "
                    + String.join(", ", changes)));
        }
        ConfigSource.Loaded before = loaded;
        DaemonConfig was = before.config();
        DaemonConfig now = next.config();
        restartOnly(changes, "backlog-threads", was.backlogThreads(), now.backlogThreads());
        restartOnly(changes, "serve", before.serve(), next.serve());
        restartOnly(changes, "metrics", was.metrics(), now.metrics());
        restartOnly(changes, "dhcp-leases", was.dhcpLeases(), now.dhcpLeases());
        restartOnly(changes, "the DHCP pools", pools(was), pools(now));
        if (next.logLevel() != before.logLevel()) {
            Logging.setLevel(next.logLevel());
            changes.add("log-level " + next.logLevel().lowerName());
        }
        loaded = next;
        changes.forEach(c -> LOG.log(System.Logger.Level.INFO, "reload: {0}", c));
        return changes;
    }

    /** The DHCP pools by interface, for those that have one. */
    private static Map<String, DhcpPool> pools(DaemonConfig config) {
        Map<String, DhcpPool> pools = new LinkedHashMap<>();
        config.ifaces().stream().filter(i -> i.dhcp() != null).forEach(i -> pools.put(i.name(), i.dhcp()));
        return pools;
    }

    private static void restartOnly(List<String> changes, String what, Object was, Object now) {
        if (!java.util.Objects.equals(was, now)) {
            changes.add(what + " changed: that takes effect at the next start");
        }
    }

    /**
     * {@code ustack save}: writes the running configuration, changes made with the commands included, to
     * {@code file} (null for the file the daemon was started with), atomically.
     *
     * @return the file written
     * @throws IllegalArgumentException when there is no file to write to or it cannot be written
     */
    public synchronized Path save(Path file) {
        Path target = file != null ? file : source.file();
        if (target == null) {
            throw new IllegalArgumentException("the daemon was started without --config: name the file to save to");
        }
        ConfigSource.Loaded l = loaded;
        String text = ConfigWriter.write(applier.running(l.config()), l.serve(), l.logLevel().lowerName(),
                List.of("ustack daemon configuration, written by ustack save at " + Instant.now().truncatedTo(ChronoUnit.SECONDS),
                        "Start a daemon from it with: ustack daemon --config " + target));
        try {
            AtomicFile.write(target, text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write " + target + ": " + e.getMessage());
        }
        LOG.log(System.Logger.Level.INFO, "saved the configuration to {0}", target);
        return target;
    }

    /** The DHCP server of the interfaces that have a pool (dhcp=), with its lease file; none if none has. */
    private void startDhcp() {
        DaemonConfig config = loaded.config();
        Map<String, DhcpPool> pools = pools(config);
        if (pools.isEmpty()) {
            return;
        }
        Path file = config.dhcpLeases() != null ? config.dhcpLeases()
                : DaemonConfig.defaultDhcpLeases(System.getenv(), io.ustack.cli.control.Uid.current());
        DhcpService s = new DhcpService(pools, new LeaseStore(file), System::currentTimeMillis);
        try {
            s.start(stack);
        } catch (IOException e) {
            s.close();
            throw new UserException("cannot start the DHCP server with the lease file " + file + ": " + e.getMessage());
        }
        dhcp = s;
        LOG.log(System.Logger.Level.INFO, "dhcp: serving {0}, leases in {1}", String.join(", ", pools.keySet()), file);
    }

    /** The line printed once everything is up; tests and scripts wait for its "ustack: up:" prefix. */
    public String upLine() {
        DaemonConfig config = loaded.config();
        return "ustack: up: " + config.ifaces().stream().map(IfaceSpec::describe).collect(Collectors.joining(", "))
                + (stack.forwarding() ? ", forwarding" : "") + ", control " + control.path()
                + (metrics == null ? "" : ", metrics http://" + MetricsServer.describe(metrics.address()) + "/metrics");
    }

    public NetStack stack() {
        return stack;
    }

    /**
     * Takes everything down: the control socket first (no command runs against a closing stack), then the
     * stack, which closes its devices (the driver removes the TAPs it created and leaves persistent ones),
     * then the TAPs' fds, including any the stack never took. Idempotent; safe from a shutdown hook and a
     * signal at once.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        // Each step runs even if the one before failed: a TAP left behind outlives the process.
        try {
            if (dhcp != null) {
                dhcp.close();
            }
            if (control != null) {
                control.close();
            }
            if (metrics != null) {
                metrics.close();
            }
        } finally {
            try {
                stack.close();
            } finally {
                links.releaseAll();
            }
        }
    }
}
