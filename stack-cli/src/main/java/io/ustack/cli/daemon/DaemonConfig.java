package io.ustack.cli.daemon;

import io.ustack.cli.metrics.MetricsServer;
import io.ustack.core.netfilter.conntrack.Conntrack;
import io.ustack.core.stack.Sysctl;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.Ipv4Prefix;
import io.ustack.core.wire.Ipv6Address;
import io.ustack.core.wire.Ipv6Prefix;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything {@code ustack daemon} was asked to set up, checked as a whole before anything is opened, so a
 * mistake costs no TAP and needs no privileges to find.
 *
 * @param ifaces         the TAPs, in command-line order, names unique
 * @param routes         the static routes; one that names a device names one of {@code ifaces}
 * @param backlogThreads RPS backlog threads; 0 processes packets on the driver's poll threads
 * @param forward        --forward: route packets between the interfaces (net.ipv4.ip_forward and
 *                       net.ipv6.conf.all.forwarding)
 * @param conntrackMax   net.netfilter.nf_conntrack_max: the most connections conntrack tracks at once
 * @param sysctls        --sysctl settings by key, in the order given, applied after everything else
 * @param metrics        where to serve the counters to Prometheus (--metrics), or null for nowhere
 * @param dhcpLeases     the DHCP server's lease file (--dhcp-leases), or null for {@link #defaultDhcpLeases}
 * @param rules          firewall rules in iptables-save's format (the configuration file's {@code rules}), with
 *                       where they were written, or null for none; read by the {@link RuleLoader}, not here
 * @param rules6         IPv6 firewall rules in ip6tables-save's format (the configuration file's {@code rules6}),
 *                       or null for none; read as {@code rules} are, by ip6tables' engine
 * @param routeOrigins   where each of {@code routes} was written, for a refusal the FIB makes when it is added
 * @param ipRules        policy routing rules in ip rule's words ({@link RuleSpec}), in the order they are added,
 *                       each with where it was written
 */
public record DaemonConfig(List<IfaceSpec> ifaces, List<RouteSpec> routes, int backlogThreads, boolean forward,
                           int conntrackMax, Map<String, String> sysctls, InetSocketAddress metrics,
                           java.nio.file.Path dhcpLeases, Sourced rules, Sourced rules6,
                           Map<RouteSpec, String> routeOrigins, List<Sourced> ipRules) {
    /** The lease file root's daemon keeps, in its state directory. */
    public static final String ROOT_DHCP_LEASES = "/var/lib/ustack/dhcp.leases";

    /**
     * Where the lease file is by default: {@value #ROOT_DHCP_LEASES} for uid 0, else
     * {@code $XDG_STATE_HOME/ustack/dhcp.leases} ({@code ~/.local/state} without it).
     */
    public static java.nio.file.Path defaultDhcpLeases(Map<String, String> env, int uid) {
        if (uid == 0) {
            return java.nio.file.Path.of(ROOT_DHCP_LEASES);
        }
        String state = env.get("XDG_STATE_HOME");
        java.nio.file.Path dir = state != null && !state.isEmpty() ? java.nio.file.Path.of(state)
                : java.nio.file.Path.of(System.getProperty("user.home"), ".local", "state");
        return dir.resolve("ustack").resolve("dhcp.leases").toAbsolutePath();
    }

    /** This configuration with the lease file at {@code file}. */
    public DaemonConfig withDhcpLeases(java.nio.file.Path file) {
        return new DaemonConfig(ifaces, routes, backlogThreads, forward, conntrackMax, sysctls, metrics,
                file == null ? null : file.toAbsolutePath().normalize(), rules, rules6, routeOrigins, ipRules);
    }

    /**
     * The --iface used when none is given: the host at 10.77.0.1 and fd00:77::1, the stack at 10.77.0.2 and
     * fd00:77::2 (and its link-local address).
     */
    public static final String DEFAULT_IFACE = "tap0,addr=10.77.0.2/24,addr=fd00:77::2/64,host=10.77.0.1/24,host=fd00:77::1/64";
    /** Far more than any useful number; stops a typo from starting thousands of threads. */
    static final int MAX_BACKLOG_THREADS = 1024;

    /**
     * Parses and cross-checks the options.
     *
     * @param ifaces the --iface SPECs; empty means {@link #DEFAULT_IFACE}
     * @throws IllegalArgumentException with one sentence that quotes the bad option, like
     *                                  {@code --iface 'tap0,mtu=abc': mtu must be a number between 68 and 65535}
     */
    public static DaemonConfig parse(List<String> ifaces, List<String> routes, int backlogThreads) {
        return parseSourced(ifaces.stream().map(t -> Sourced.flag("--iface", t)).toList(),
                routes.stream().map(t -> Sourced.flag("--route", t)).toList(), backlogThreads);
    }

    /**
     * Parses and cross-checks SPECs and ROUTEs from wherever they were written (the command line, the
     * configuration file or both).
     *
     * @param ifaces the SPECs; empty means {@link #DEFAULT_IFACE}
     * @throws IllegalArgumentException with one sentence that starts with where the bad setting was written
     */
    public static DaemonConfig parseSourced(List<Sourced> ifaces, List<Sourced> routes, int backlogThreads) {
        checkBacklogThreads(backlogThreads);
        List<IfaceSpec> specs = new ArrayList<>();
        Map<String, IfaceSpec> byName = new HashMap<>();
        Map<Integer, String> owners = new HashMap<>();
        Map<Ipv6Address, String> owners6 = new HashMap<>();
        for (Sourced item : ifaces.isEmpty() ? List.of(Sourced.flag("--iface", DEFAULT_IFACE)) : ifaces) {
            IfaceSpec spec;
            try {
                spec = IfaceSpec.parse(item.text());
            } catch (IllegalArgumentException e) {
                throw item.refuse(e.getMessage());
            }
            if (byName.putIfAbsent(spec.name(), spec) != null) {
                throw item.refuse(spec.name() + " is given twice");
            }
            for (Ipv6Prefix p : spec.addrs6()) {
                String owner = owners6.putIfAbsent(p.address(), spec.name());
                if (owner != null) {
                    throw item.refuse(p.address() + " is already the addr of " + owner);
                }
            }
            for (Ipv4Prefix p : spec.addrs()) {
                String owner = owners.putIfAbsent(p.address(), spec.name());
                if (owner != null) {
                    throw item.refuse(Ipv4Address.format(p.address()) + " is already the addr of " + owner);
                }
            }
            specs.add(spec);
        }
        List<RouteSpec> parsedRoutes = new ArrayList<>();
        Map<RouteSpec, String> origins = new HashMap<>();
        for (Sourced item : routes) {
            RouteSpec route;
            try {
                route = RouteSpec.parse(item.text());
            } catch (IllegalArgumentException e) {
                throw item.refuse(e.getMessage());
            }
            // Whether the FIB accepts the route (a gateway on a connected network, an address to send from) is
            // the FIB's to say, when the daemon adds it; only what names no device is refused here.
            if (route.dev() != null && !byName.containsKey(route.dev())) {
                throw item.refuse("there is no interface named " + route.dev());
            }
            parsedRoutes.add(route);
            origins.put(route, item.where());
        }
        return new DaemonConfig(List.copyOf(specs), List.copyOf(parsedRoutes), backlogThreads, false,
                Conntrack.DEFAULT_MAX, Map.of(), null, null, null, null, Map.copyOf(origins), List.of());
    }

    /**
     * Refuses a number of backlog threads out of range.
     *
     * @throws IllegalArgumentException with one sentence
     */
    public static void checkBacklogThreads(int backlogThreads) {
        if (backlogThreads < 0 || backlogThreads > MAX_BACKLOG_THREADS) {
            throw new IllegalArgumentException("--backlog-threads must be between 0 (no RPS: packets are processed "
                    + "on the poll threads) and " + MAX_BACKLOG_THREADS + ", not " + backlogThreads);
        }
    }

    /** This configuration with forwarding on or off (it is off after {@link #parse}, as in Linux). */
    public DaemonConfig withForward(boolean on) {
        return new DaemonConfig(ifaces, routes, backlogThreads, on, conntrackMax, sysctls, metrics, dhcpLeases, rules, rules6, routeOrigins, ipRules);
    }

    /**
     * This configuration with nf_conntrack_max set to {@code max} ({@link Conntrack#DEFAULT_MAX} after
     * {@link #parse}).
     *
     * @throws IllegalArgumentException with one sentence if {@code max} is out of range
     */
    public DaemonConfig withConntrackMax(int max) {
        if (max < 1 || max > Sysctl.MAX_CONNTRACK_MAX) {
            throw new IllegalArgumentException("--conntrack-max must be between 1 and " + Sysctl.MAX_CONNTRACK_MAX
                    + ", not " + max);
        }
        return new DaemonConfig(ifaces, routes, backlogThreads, forward, max, sysctls, metrics, dhcpLeases, rules, rules6, routeOrigins, ipRules);
    }

    /**
     * This configuration with the --sysctl settings {@code NAME=VALUE}, each checked now; a key given twice
     * keeps its last value, as sysctl applies them in turn.
     *
     * @throws IllegalArgumentException with one sentence that quotes the bad setting
     */
    public DaemonConfig withSysctls(List<String> settings) {
        return withSourcedSysctls(settings.stream().map(t -> Sourced.flag("--sysctl", t)).toList());
    }

    /**
     * This configuration with the settings {@code NAME=VALUE} from wherever they were written, each checked now;
     * a key given twice keeps its last value.
     *
     * @throws IllegalArgumentException with one sentence that starts with where the bad setting was written
     */
    public DaemonConfig withSourcedSysctls(List<Sourced> settings) {
        Map<String, String> m = new LinkedHashMap<>(sysctls);
        for (Sourced item : settings) {
            String text = item.text();
            int eq = text.indexOf('=');
            if (eq <= 0) {
                throw item.refuse("expected NAME=VALUE, as net.ipv4.tcp_sack=0");
            }
            String name = text.substring(0, eq).strip();
            String value = text.substring(eq + 1).strip();
            try {
                Sysctl.check(name, value);
            } catch (IllegalArgumentException e) {
                throw item.refuse(e.getMessage());
            }
            m.remove(name);
            m.put(name, value);
        }
        return new DaemonConfig(ifaces, routes, backlogThreads, forward, conntrackMax, Collections.unmodifiableMap(m),
                metrics, dhcpLeases, rules, rules6, routeOrigins, ipRules);
    }

    /**
     * This configuration serving its counters to Prometheus on {@code addrPort} (ADDR:PORT; none after
     * {@link #parse}).
     *
     * @throws IllegalArgumentException with one sentence if {@code addrPort} is not ADDR:PORT
     */
    public DaemonConfig withMetrics(String addrPort) {
        return new DaemonConfig(ifaces, routes, backlogThreads, forward, conntrackMax, sysctls,
                MetricsServer.parseAddress(addrPort), dhcpLeases, rules, rules6, routeOrigins, ipRules);
    }

    /** This configuration with firewall rules in iptables-save's format, or none for null. */
    public DaemonConfig withRules(Sourced text) {
        return new DaemonConfig(ifaces, routes, backlogThreads, forward, conntrackMax, sysctls, metrics, dhcpLeases, text, rules6,
                routeOrigins, ipRules);
    }

    /** This configuration with IPv6 firewall rules in ip6tables-save's format, or none for null. */
    public DaemonConfig withRules6(Sourced text) {
        return new DaemonConfig(ifaces, routes, backlogThreads, forward, conntrackMax, sysctls, metrics, dhcpLeases, rules,
                text, routeOrigins, ipRules);
    }

    /**
     * This configuration with policy routing rules in ip rule's words, each checked now.
     *
     * @throws IllegalArgumentException with one sentence that starts with where the bad rule was written
     */
    public DaemonConfig withIpRules(List<Sourced> texts) {
        RuleSpec.parseAll(texts);
        return new DaemonConfig(ifaces, routes, backlogThreads, forward, conntrackMax, sysctls, metrics, dhcpLeases, rules,
                rules6, routeOrigins, List.copyOf(texts));
    }
}
