package io.ustack.cli.daemon;

import io.ustack.cli.UserException;
import io.ustack.cli.control.ControlDispatcher;
import io.ustack.cli.control.ControlHandlers;
import io.ustack.cli.control.ControlServer;
import io.ustack.cli.metrics.MetricsServer;
import io.ustack.cli.control.handlers.DhcpLeasesHandler;
import io.ustack.cli.metrics.StackMetrics;
import io.ustack.cli.services.dhcp.DhcpPool;
import io.ustack.cli.services.dhcp.DhcpService;
import io.ustack.cli.services.dhcp.LeaseStore;
import io.ustack.core.stack.NetStack;
import io.ustack.core.stack.StackConfig;
import io.ustack.core.stack.Sysctl;
import io.ustack.core.wire.Ipv6Prefix;
import io.ustack.core.wire.MacAddress;
import io.ustack.driver.tap.Tap;
import io.ustack.driver.tap.TapDevice;
import io.ustack.driver.tap.TapException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A running daemon: the stack, its TAPs and its control socket, brought up from a {@link DaemonConfig}
 * and taken down by {@link #close()}. Bringing up either completes or leaves nothing behind.
 */
public final class Daemon implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Daemon.class.getName());

    private final DaemonConfig config;
    private final NetStack stack;
    /** Every TAP opened, including one whose dev_open failed and which the stack therefore does not know. */
    private final List<TapDevice> taps = new ArrayList<>();
    private ControlServer control;
    private MetricsServer metrics;
    private volatile DhcpService dhcp;
    private boolean closed;

    private Daemon(DaemonConfig config) {
        this.config = config;
        this.stack = new NetStack(StackConfig.defaults().withBacklogThreads(config.backlogThreads()));
    }

    /**
     * Brings the daemon up: the control socket first (so a second daemon is turned away before it touches a
     * TAP), then the metrics socket (a port in use costs no TAP either), then each TAP with its address, then the routes and forwarding, then the stack's
     * threads.
     *
     * @throws UserException with one sentence when something the user must fix gets in the way (no TAP
     *                       support, no privileges, a busy TAP, a control socket in use); whatever was
     *                       opened is closed again first
     */
    public static Daemon start(DaemonConfig config, Path controlPath) {
        if (!Tap.isAvailable()) {
            throw new UserException(Tap.unavailabilityCause());
        }
        Daemon d = new Daemon(config);
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
        control = ControlServer.bind(controlPath, new ControlDispatcher(ControlHandlers.forStack(stack)
                .add(new DhcpLeasesHandler(() -> dhcp))));
        if (config.metrics() != null) {
            metrics = MetricsServer.start(config.metrics(), new StackMetrics(stack::stats));
            LOG.log(System.Logger.Level.INFO, "serving metrics on http://{0}/metrics", MetricsServer.describe(metrics.address()));
        }
        for (IfaceSpec spec : config.ifaces()) {
            TapDevice dev = openTap(spec);
            if (spec.addr() != null) {
                try {
                    stack.addAddress(dev, spec.addr());
                } catch (IllegalArgumentException e) {
                    throw new UserException("cannot give " + spec.name() + " the address " + spec.addr() + ": " + e.getMessage());
                }
            }
            for (Ipv6Prefix p : spec.addrs6()) {
                try {
                    stack.addAddress(dev, p);
                } catch (IllegalArgumentException e) {
                    throw new UserException("cannot give " + spec.name() + " the address " + p + ": " + e.getMessage());
                }
            }
        }
        for (RouteSpec r : config.routes()) {
            try {
                r.installIn(stack);
            } catch (IllegalArgumentException e) {
                throw new UserException("cannot add the route " + r.describe() + ": " + e.getMessage());
            }
        }
        stack.setForwarding(config.forward());
        stack.conntrack().setMax(config.conntrackMax());
        Sysctl sysctl = new Sysctl(stack);
        config.sysctls().forEach(sysctl::set);
        stack.start();
        startDhcp();
    }

    /** The DHCP server of the interfaces that have a pool (dhcp=), with its lease file; none if none has. */
    private void startDhcp() {
        Map<String, DhcpPool> pools = new LinkedHashMap<>();
        config.ifaces().stream().filter(i -> i.dhcp() != null).forEach(i -> pools.put(i.name(), i.dhcp()));
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

    /** TapDevice.open, then register_netdevice and dev_open in the stack. */
    private TapDevice openTap(IfaceSpec spec) {
        TapDevice dev;
        try {
            dev = TapDevice.open(spec.tap());
        } catch (TapException e) {
            throw new UserException(e.getMessage());
        }
        taps.add(dev);
        try {
            stack.addDevice(dev);
        } catch (IOException e) {
            throw new UserException("cannot start " + spec.name() + ": " + e.getMessage());
        }
        // Numbers as strings: MessageFormat would print an MTU of 9000 as "9,000".
        LOG.log(System.Logger.Level.INFO, "{0}: {1} TAP, MAC {2}, MTU {3}, {4} queue(s)", spec.name(),
                dev.created() ? "created the" : "attached to the existing", MacAddress.format(dev.mac()),
                Integer.toString(dev.mtu()), Integer.toString(dev.queueCount()));
        return dev;
    }

    /** The line printed once everything is up; tests and scripts wait for its "ustack: up:" prefix. */
    public String upLine() {
        return "ustack: up: " + config.ifaces().stream().map(IfaceSpec::describe).collect(Collectors.joining(", "))
                + (config.forward() ? ", forwarding" : "") + ", control " + control.path()
                + (metrics == null ? "" : ", metrics http://" + MetricsServer.describe(metrics.address()) + "/metrics");
    }

    public NetStack stack() {
        return stack;
    }

    /**
     * Takes everything down: the control socket first (no command runs against a closing stack), then the
     * stack, which closes its devices (the driver removes the TAPs it created and leaves persistent ones),
     * then any TAP the stack never took. Idempotent; safe from a shutdown hook and a signal at once.
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
                for (TapDevice dev : taps) {
                    dev.unregister();
                }
            }
        }
    }
}
