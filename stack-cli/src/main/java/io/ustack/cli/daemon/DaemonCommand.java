package io.ustack.cli.daemon;

import io.ustack.cli.ControlOption;
import io.ustack.cli.Logging;
import io.ustack.cli.UserException;
import io.ustack.cli.metrics.MetricsServer;
import io.ustack.cli.services.ServiceList;
import io.ustack.core.netfilter.conntrack.Conntrack;
import io.ustack.driver.tap.TapConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import sun.misc.Signal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code ustack daemon}: runs the stack on TAP devices until SIGINT or SIGTERM. */
@Command(name = "daemon",
        description = {
            "Run the stack on TAP devices until SIGINT or SIGTERM.",
            "Serves the control socket. Prints one line starting with \"ustack: up:\" on stdout once everything is "
                    + "up; logs go to stderr. SIGHUP reads the --config file again."},
        footer = {
            "",
            "SPEC  NAME[,addr=A.B.C.D/P][,host=A.B.C.D/P][,mac=XX:XX:XX:XX:XX:XX]",
            "          [,mtu=N][,queues=N][,offload=on|off][,ra=on|off]",
            "  addr    the stack's address on the link, with its prefix length;",
            "          repeat for more (IPv4 or IPv6)",
            "  host    the host (kernel) side's address, with its prefix length;",
            "          that side is brought up",
            "  mac     the stack's MAC (default: random, locally administered)",
            "  mtu     " + TapConfig.MIN_MTU + ".." + TapConfig.MAX_MTU + ", for both sides (default "
                    + TapConfig.DEFAULT_MTU + ")",
            "  queues  1.." + TapConfig.MAX_QUEUES + " queue pairs, IFF_MULTI_QUEUE if more than 1 (default 1)",
            "  offload the TAP's virtio header: TSO, checksum offloads, GRO (default on)",
            "  ra      with --forward, Router Advertisements of the IPv6 /64s, so hosts",
            "          autoconfigure (SLAAC) and route through the stack (default off)",
            "  A TAP that does not exist is created, and removed on exit; an existing",
            "  (persistent) one is attached to and left in place.",
            "",
            "ROUTE \"PREFIX via GATEWAY\" | \"PREFIX dev NAME\" | \"default via GATEWAY\"",
            "  IPv4 or IPv6: \"fd02::/64 via fe80::1 dev tapR\", \"default via fd02::9\"",
            "",
            "FILE  A YAML file of interfaces, routes, sysctls, services and rules (README: Configuration file).",
            "  The command line adds to it: interfaces and routes from both, --sysctl (and --forward,",
            "  --conntrack-max) after the file's sysctls, any other flag given in place of the file's key.",
            "  ustack reload or SIGHUP reads it again; ustack save writes the running state to it.",
            "",
            "Exit status: 0 after a clean stop (or a good file with --check-config), 1 if the daemon",
            "cannot start, 2 for a bad command line or configuration file."})
public final class DaemonCommand implements Callable<Integer> {
    private static final System.Logger LOG = System.getLogger(DaemonCommand.class.getName());

    @Spec
    CommandSpec spec;

    @Mixin
    ControlOption control;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Read the configuration from FILE; the flags below add to it. Default: none.")
    Path config;

    @Option(names = "--check-config", paramLabel = "FILE",
            description = "Check FILE (with the other flags) as --config would read it, start nothing, and exit: "
                    + "0 if it is good, 2 with the line and what is wrong if not.")
    Path checkConfig;

    @Option(names = "--iface", paramLabel = "SPEC",
            description = {"A TAP to run on; repeat for more. Default:", DaemonConfig.DEFAULT_IFACE})
    List<String> ifaces = new ArrayList<>();

    @Option(names = "--route", paramLabel = "ROUTE", description = "A static route; repeat for more.")
    List<String> routes = new ArrayList<>();

    @Option(names = "--backlog-threads", paramLabel = "N",
            description = "RPS backlog threads that run the receive path; 0 runs it on the TAP poll threads. "
                    + "Default: one per processor.")
    Integer backlogThreads;

    @Option(names = "--forward",
            description = "Route packets between the interfaces (net.ipv4.ip_forward=1 and "
                    + "net.ipv6.conf.all.forwarding=1). Default: off.")
    boolean forward;

    @Option(names = "--conntrack-max", paramLabel = "N",
            description = "The most connections conntrack tracks at once (net.netfilter.nf_conntrack_max). "
                    + "Default: " + Conntrack.DEFAULT_MAX + ".")
    Integer conntrackMax;

    @Option(names = "--sysctl", paramLabel = "NAME=VALUE",
            description = "A kernel-named tunable to set, as net.ipv4.tcp_sack=0; repeat for more. "
                    + "ustack sysctl -a lists them.")
    List<String> sysctls = new ArrayList<>();

    @Option(names = "--dhcp-leases", paramLabel = "FILE",
            description = {"The DHCP server's lease file (for --iface ...,dhcp=FIRST-LAST). Default:",
                DaemonConfig.ROOT_DHCP_LEASES + " for root, $XDG_STATE_HOME/ustack/dhcp.leases for others."})
    Path dhcpLeases;

    @Option(names = "--serve", paramLabel = "LIST",
            description = "Built-in services, comma-separated: echo (7), discard (9), chargen (19), on TCP and "
                    + "UDP, http (80) and iperf3 (5201); or all, or none. Default: all.")
    String serve;

    @Option(names = "--metrics", paramLabel = "ADDR:PORT",
            description = "Serve the counters (all that ustack stats shows) to Prometheus at http://ADDR:PORT/metrics, "
                    + "as " + MetricsServer.EXAMPLE + ". Default: off.")
    String metrics;

    @Option(names = "--log-level", paramLabel = "LEVEL",
            description = "What the daemon logs to stderr: error, warning, info, debug, trace or off. Default: info.")
    String logLevel;

    @Override
    public Integer call() {
        if (logLevel != null && Logging.Level.parse(logLevel) == null) {
            throw new ParameterException(spec.commandLine(), "--log-level must be error, warning, info, debug, trace "
                    + "or off, not '" + logLevel + "'");
        }
        if (config != null && checkConfig != null) {
            throw new ParameterException(spec.commandLine(), "--config and --check-config name one file each; give one");
        }
        ConfigSource source = new ConfigSource(checkConfig != null ? checkConfig : config,
                new ConfigSource.Flags(ifaces, routes, sysctls, backlogThreads, forward, conntrackMax, metrics,
                        dhcpLeases, serve, logLevel));
        ConfigSource.Loaded loaded;
        ServiceList services;
        try {
            loaded = source.load();
            services = ServiceList.parse(loaded.serve());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (checkConfig != null) {
            spec.commandLine().getOut().println(checkConfig + ": good");
            spec.commandLine().getOut().flush();
            return 0;
        }
        Logging.setLevel(loaded.logLevel());
        return run(source, loaded, services, control.resolve(), spec.commandLine().getOut(),
                StopSignal.onInterruptOrTerminate());
    }

    /**
     * Brings the daemon up with its services, prints the "up" line, waits for {@code stop} and takes it down.
     * SIGHUP reloads the configuration. A shutdown hook covers the other ways the JVM may end (System.exit
     * elsewhere), so TAPs are not left behind.
     *
     * @return 0, the exit status after a clean stop
     * @throws io.ustack.cli.UserException if the daemon cannot come up (nothing is left open)
     */
    static int run(ConfigSource source, ConfigSource.Loaded loaded, ServiceList services, Path controlPath,
                   PrintWriter out, StopSignal stop) {
        Daemon daemon = Daemon.start(source, loaded, controlPath);
        Thread hook = new Thread(daemon::close, "ustack-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        Signal.handle(new Signal("HUP"), sig -> reloadOnHangup(daemon));
        try (services) {
            try {
                services.start(daemon.stack());
            } catch (IOException e) {
                throw new UserException("cannot start the built-in services: " + e.getMessage());
            }
            out.println(daemon.upLine());
            out.flush();
            String cause = stop.await();
            LOG.log(System.Logger.Level.INFO, "stopping on {0}", cause);
        } finally {
            daemon.close();
            removeHook(hook);
        }
        return 0;
    }

    /** SIGHUP: {@link Daemon#reload}, with what it did or why it did nothing in the log. */
    static void reloadOnHangup(Daemon daemon) {
        try {
            List<String> changes = daemon.reload();
            LOG.log(System.Logger.Level.INFO, "SIGHUP: reloaded the configuration: {0}",
                    changes.isEmpty() ? "nothing changed" : String.join(", ", changes));
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.ERROR, "SIGHUP: the configuration was not reloaded: {0}", e.getMessage());
        } catch (IllegalStateException e) {
            LOG.log(System.Logger.Level.ERROR, "SIGHUP: {0}", e.getMessage());
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down and the hook may be running: it finds the daemon closed.
        }
    }
}
