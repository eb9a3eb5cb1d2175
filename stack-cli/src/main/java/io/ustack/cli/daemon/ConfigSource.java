package io.ustack.cli.daemon;

import io.ustack.cli.Logging;
import io.ustack.core.link.NetDevice;
import io.ustack.core.link.NullDevice;
import io.ustack.core.stack.NetStack;
import io.ustack.core.stack.StackConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The daemon's settings from its two sources combined: the configuration file (if any) and the command
 * line's flags. The file comes first and the flags add to it: interfaces and routes from both (an interface
 * named in both is refused), sysctls from the file then the flags (a flag wins), and each single-valued
 * option from its flag if given, else from the file, else its default. Read again on every reload, with the
 * same flags.
 */
public final class ConfigSource {
    /**
     * The flags of {@code ustack daemon} as given; null (or empty, or false) where not given.
     */
    public record Flags(List<String> ifaces, List<String> routes, List<String> sysctls, Integer backlogThreads,
                        boolean forward, Integer conntrackMax, String metrics, Path dhcpLeases, String serve,
                        String logLevel) {
        /** No flags at all: what a test or a daemon started from the file alone has. */
        public static Flags none() {
            return new Flags(List.of(), List.of(), List.of(), null, false, null, null, null, null, null);
        }
    }

    /**
     * The combined settings.
     *
     * @param config   what the stack is to run
     * @param serve    the built-in services, as --serve's LIST
     * @param logLevel what the daemon logs
     */
    public record Loaded(DaemonConfig config, String serve, Logging.Level logLevel) {
    }

    private final Path file;
    private final Flags flags;

    /** @param file the configuration file, or null for the flags alone */
    public ConfigSource(Path file, Flags flags) {
        this.file = file;
        this.flags = flags;
    }

    public Path file() {
        return file;
    }

    /**
     * Reads the file and combines it with the flags, then checks the result whole: each setting, the settings
     * together, then the whole configuration tried on a scratch stack with no TAP, so that a route the FIB would
     * refuse, or rules the rule engine would refuse, are refused now. Nothing that runs is touched.
     *
     * @throws IllegalArgumentException with one sentence that starts with where the bad setting was written:
     *                                  the file and its line, or the flag
     */
    public Loaded load() {
        ConfigFile.Settings file = this.file == null ? null : ConfigFile.read(this.file);
        List<Sourced> ifaces = new ArrayList<>();
        List<Sourced> routes = new ArrayList<>();
        List<Sourced> sysctls = new ArrayList<>();
        if (file != null) {
            ifaces.addAll(file.ifaces());
            routes.addAll(file.routes());
            sysctls.addAll(file.sysctls());
        }
        flags.ifaces().forEach(t -> ifaces.add(Sourced.flag("--iface", t)));
        flags.routes().forEach(t -> routes.add(Sourced.flag("--route", t)));
        flags.sysctls().forEach(t -> sysctls.add(Sourced.flag("--sysctl", t)));
        // --forward and --conntrack-max are sysctls by other names, and win over the file's as --sysctl does
        if (flags.forward()) {
            sysctls.add(Sourced.flag("--forward", "net.ipv4.ip_forward=1"));
            sysctls.add(Sourced.flag("--forward", "net.ipv6.conf.all.forwarding=1"));
        }
        Integer backlogThreads = pick(flags.backlogThreads(), file == null ? null : file.backlogThreads());
        DaemonConfig config = DaemonConfig.parseSourced(ifaces, routes,
                backlogThreads != null ? backlogThreads : Runtime.getRuntime().availableProcessors())
                .withForward(flags.forward());
        if (flags.conntrackMax() != null) {
            config = config.withConntrackMax(flags.conntrackMax());
            sysctls.add(Sourced.flag("--conntrack-max", "net.netfilter.nf_conntrack_max=" + flags.conntrackMax()));
        }
        config = config.withSourcedSysctls(sysctls)
                .withDhcpLeases(pick(flags.dhcpLeases(), file == null ? null : file.dhcpLeases()));
        String metrics = pick(flags.metrics(), file == null ? null : file.metrics());
        if (metrics != null) {
            config = config.withMetrics(metrics);
        }
        if (file != null && file.rules() != null) {
            config = config.withRules(file.rules());
        }
        if (file != null && file.rules6() != null) {
            config = config.withRules6(file.rules6());
        }
        if (file != null && !file.ipRules().isEmpty()) {
            config = config.withIpRules(file.ipRules());
        }
        dryRun(config);
        String serve = pick(flags.serve(), file == null ? null : file.serve());
        String level = pick(flags.logLevel(), file == null ? null : file.logLevel());
        return new Loaded(config, serve != null ? serve : "all", Logging.Level.parse(level != null ? level : "info"));
    }

    /** Applies {@code config} to a scratch stack whose devices have no wire, with a rule engine of its own. */
    static void dryRun(DaemonConfig config) {
        try (NetStack scratch = new NetStack(StackConfig.defaults().withBacklogThreads(0))) {
            new ConfigApplier(scratch, new ConfigApplier.Links() {
                @Override
                public NetDevice open(IfaceSpec spec) {
                    return new NullDevice(spec.name(), spec.tap().mac(), spec.tap().mtu());
                }

                @Override
                public void release(NetDevice dev) {
                    // nothing was opened
                }
            }, RuleLoader.forStack(scratch)).apply(config);
        }
    }

    private static <T> T pick(T flag, T file) {
        return flag != null ? flag : file;
    }
}
