package io.ustack.cli.daemon;

import io.ustack.core.link.NetDevice;
import io.ustack.core.netfilter.NfProto;
import io.ustack.core.route.InterfaceAddress;
import io.ustack.core.route.Ipv6Fib;
import io.ustack.core.route.Fib;
import io.ustack.core.route.FibRule;
import io.ustack.core.route.Route;
import io.ustack.core.stack.NetStack;
import io.ustack.core.stack.Sysctl;
import io.ustack.core.wire.Ipv4Prefix;
import io.ustack.core.wire.Ipv6Address;
import io.ustack.core.wire.Ipv6Prefix;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes a stack run what a {@link DaemonConfig} says, changing only what differs from what it runs now:
 * interfaces opened or closed, addresses added or removed, static routes changed by difference, forwarding,
 * Router Advertisements and sysctls set, the rules restored whole. What runs now is read from the stack itself, so changes made
 * with the control commands since the last apply count too. What stays (an interface with the same link
 * settings, an address, a route) is not touched, so connections over it keep going; an interface whose device
 * went away under the stack (a TAP deleted) is opened anew.
 *
 * <p>Bringing a daemon up is applying its configuration to a stack that runs nothing yet; {@link #running}
 * reads the state back as a configuration, which {@code ustack save} writes out.
 */
public final class ConfigApplier {
    /** Opens and releases the devices behind interfaces: TAPs in the daemon, fakes in tests. */
    public interface Links {
        /**
         * Opens the device {@code spec} asks for, not yet known to the stack.
         *
         * @throws IllegalArgumentException with one sentence when it cannot be opened
         */
        NetDevice open(IfaceSpec spec);

        /** Releases a device the stack has closed or never took. */
        void release(NetDevice dev);
    }

    private final NetStack stack;
    private final Links links;
    private final RuleLoader rules;
    /** ip6tables' rules: the stack's own IPv6 engine (a test that swaps IPv4's engine keeps this one). */
    private final RuleLoader rules6;
    /** The interfaces open now, by name, as opened: the MAC is the one the device has. */
    private final Map<String, IfaceSpec> open = new LinkedHashMap<>();

    public ConfigApplier(NetStack stack, Links links, RuleLoader rules) {
        this.stack = stack;
        this.links = links;
        this.rules = rules;
        this.rules6 = RuleLoader.forStack(stack, NfProto.IPV6);
    }

    /**
     * Brings the stack from what it runs now to {@code to}: removals first (routes, addresses, interfaces),
     * then additions (interfaces, addresses, routes), then forwarding, Router Advertisements, sysctls and rules.
     *
     * @return what changed, a line each, in the order done; empty if nothing differed
     * @throws IllegalArgumentException with one sentence when a step is refused (an interface that cannot be
     *                                  opened, a route the FIB refuses, rules the engine refuses); the steps
     *                                  before it stay done
     */
    public synchronized List<String> apply(DaemonConfig to) {
        List<String> changes = new ArrayList<>();
        Map<String, IfaceSpec> wanted = new LinkedHashMap<>();
        to.ifaces().forEach(s -> wanted.put(s.name(), s));
        for (IfaceSpec now : List.copyOf(open.values())) {
            IfaceSpec want = wanted.get(now.name());
            NetDevice dev = stack.device(now.name());
            if (want == null || !want.sameLink(now) || dev == null || !dev.present()) {
                close(now.name(), dev);
                changes.add((want == null ? "removed " : "reopened ") + now.name());
            }
        }
        removeRoutes(to, changes);
        for (IfaceSpec want : to.ifaces()) {
            if (open.containsKey(want.name())) {
                syncAddresses(stack.device(want.name()), want, changes);
            }
        }
        for (IfaceSpec want : to.ifaces()) {
            if (!open.containsKey(want.name())) {
                NetDevice dev = openLink(want);
                if (!changes.contains("reopened " + want.name())) {
                    changes.add("added " + want.name());
                }
                syncAddresses(dev, want, changes);
            }
        }
        addRoutes(to, changes);
        syncIpRules(to, changes);
        if (to.forward() && !stack.forwarding()) {
            stack.setForwarding(true);
            changes.add("forwarding on");
        }
        if (to.forward() && !stack.forwarding6()) {
            stack.setForwarding6(true);
            changes.add("IPv6 forwarding on");
        }
        for (IfaceSpec want : to.ifaces()) {
            NetDevice dev = stack.device(want.name());
            if (stack.routerAdvertisements(dev) != want.ra()) {
                stack.setRouterAdvertisements(dev, want.ra());
                changes.add("ra " + (want.ra() ? "on" : "off") + " dev " + want.name());
            }
        }
        Sysctl sysctl = new Sysctl(stack);
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("net.netfilter.nf_conntrack_max", Integer.toString(to.conntrackMax()));
        settings.putAll(to.sysctls());
        settings.forEach((k, v) -> {
            String before = sysctl.get(k);
            sysctl.set(k, v);
            if (!sysctl.get(k).equals(before)) {
                changes.add("sysctl " + k + " = " + sysctl.get(k));
            }
        });
        restore(to.rules(), rules, "rules restored", changes);
        restore(to.rules6(), rules6, "rules6 restored", changes);
        return changes;
    }

    /** Replaces {@code engine}'s rules with {@code text} (none: left as they are), noting {@code change} if that changed them. */
    private static void restore(Sourced text, RuleLoader engine, String change, List<String> changes) {
        if (text == null) {
            return;
        }
        String before = engine.save();
        try {
            engine.restore(text.text());
        } catch (IllegalArgumentException e) {
            throw text.refuse(e.getMessage());
        }
        if (before == null || !before.equals(engine.save())) {
            changes.add(change);
        }
    }

    /**
     * What the stack runs now, as a configuration: the interfaces as opened with the addresses they have now,
     * the static routes, forwarding and every writable sysctl, the rules if the engine can say them; the rest
     * (threads, metrics, the lease file) as in {@code base}.
     */
    public synchronized DaemonConfig running(DaemonConfig base) {
        List<IfaceSpec> ifaces = new ArrayList<>();
        for (IfaceSpec spec : open.values()) {
            NetDevice dev = stack.device(spec.name());
            List<Ipv4Prefix> v4 = dev == null ? List.of() : addresses4(dev);
            List<Ipv6Prefix> v6 = dev == null ? List.of() : addresses6(dev);
            ifaces.add(new IfaceSpec(spec.tap(), true, v4, v6, spec.dhcp(), dev != null && stack.routerAdvertisements(dev)));
        }
        List<RouteSpec> routes = staticRoutes();
        List<Sourced> ipRules = stack.fib().rules().stream().filter(r -> !Fib.defaultRules().contains(r))
                .map(r -> new Sourced(RuleSpec.describe(r), "the running rules")).toList();
        Map<String, String> sysctls = new Sysctl(stack).writable();
        return new DaemonConfig(List.copyOf(ifaces), List.copyOf(routes), base.backlogThreads(), stack.forwarding(),
                stack.conntrack().max(), sysctls, base.metrics(), base.dhcpLeases(), running(rules), running(rules6),
                Map.of(), ipRules);
    }

    /** {@code engine}'s rules as a configuration's, or null if it cannot say them. */
    private static Sourced running(RuleLoader engine) {
        String saved = engine.save();
        return saved == null ? null : new Sourced(saved, "the running rules");
    }

    /** Releases every interface this applier opened; for a daemon that stops. */
    public synchronized void closeAll() {
        for (String name : List.copyOf(open.keySet())) {
            close(name, stack.device(name));
        }
    }

    private NetDevice openLink(IfaceSpec spec) {
        NetDevice dev = links.open(spec);
        try {
            stack.addDevice(dev);
        } catch (IOException | RuntimeException e) {
            links.release(dev);
            throw new IllegalArgumentException("cannot start " + spec.name() + ": " + e.getMessage());
        }
        open.put(spec.name(), new IfaceSpec(spec.tap().withMac(dev.mac()), spec.macGiven(), spec.addrs(),
                spec.addrs6(), spec.dhcp(), spec.ra()));
        return dev;
    }

    private void close(String name, NetDevice dev) {
        open.remove(name);
        if (dev != null) {
            stack.removeDevice(dev);
            links.release(dev);
        }
    }

    /**
     * The routes added by hand (not the kernel's connected ones) as specs naming every device: IPv4 ones in
     * every table but local, then IPv6 ones.
     */
    private List<RouteSpec> staticRoutes() {
        List<RouteSpec> out = new ArrayList<>();
        for (int t : stack.fib().tableIds()) {
            if (t != Fib.TABLE_LOCAL) {
                for (Route r : stack.fib().routes(t)) {
                    if (r.origin() == Route.Origin.STATIC) {
                        out.add(RouteSpec.from(r, t));
                    }
                }
            }
        }
        for (Ipv6Fib.Route6 r : stack.fib6().routes()) {
            if (r.origin() == Route.Origin.STATIC) {
                out.add(RouteSpec.from6(r));
            }
        }
        return out;
    }

    /** Removes the static routes {@code to} does not have, or has with another gateway, device or table. */
    private void removeRoutes(DaemonConfig to, List<String> changes) {
        for (RouteSpec there : staticRoutes()) {
            if (to.routes().stream().noneMatch(w -> matches(w, there))) {
                if (there.isInet6()) {
                    stack.fib6().removeRoute(there.prefix6());
                } else {
                    stack.fib().removeRoute(there.prefix(), there.table());
                }
                changes.add("route del " + there.describe());
            }
        }
    }

    private void addRoutes(DaemonConfig to, List<String> changes) {
        List<RouteSpec> there = staticRoutes();
        for (RouteSpec w : to.routes()) {
            if (there.stream().anyMatch(t -> matches(w, t))) {
                continue;
            }
            try {
                RouteSpec added = w.isInet6() ? RouteSpec.from6(w.install6In(stack))
                        : RouteSpec.from(w.installIn(stack), w.table());
                changes.add("route add " + added.describe());
            } catch (IllegalArgumentException e) {
                String where = to.routeOrigins().get(w);
                throw new IllegalArgumentException((where == null ? "" : where + ": ") + "cannot add the route "
                        + w.describe() + ": " + e.getMessage());
            }
        }
    }

    /**
     * Gives the FIB exactly the policy rules {@code to} has (Linux's three always stay): those it lacks are
     * added, those it has no more are taken away.
     */
    private void syncIpRules(DaemonConfig to, List<String> changes) {
        List<FibRule> wanted = RuleSpec.parseAll(to.ipRules());
        for (FibRule r : stack.fib().rules()) {
            if (!Fib.defaultRules().contains(r) && !wanted.contains(r)) {
                stack.fib().removeRule(r);
                changes.add("rule del " + RuleSpec.describe(r));
            }
        }
        List<FibRule> now = stack.fib().rules();
        for (FibRule r : wanted) {
            if (!now.contains(r)) {
                stack.fib().addRule(r);
                changes.add("rule add " + RuleSpec.describe(r));
            }
        }
    }

    private NetDevice device(String name) {
        NetDevice d = stack.device(name);
        if (d == null) {
            throw new IllegalArgumentException("there is no interface named " + name);
        }
        return d;
    }

    /** The route {@code w} asks for is {@code there}: the same in every part {@code w} gives. */
    private static boolean matches(RouteSpec w, RouteSpec there) {
        return w.equals(there) || (w.dev() == null && w.nexthops().isEmpty() && w.equals(there.withoutDevice()))
                || (!w.nexthops().isEmpty() && w.withoutNexthopDevices().equals(there.withoutNexthopDevices()));
    }

    /** Gives {@code dev} exactly the addresses {@code want} has, removing the others. */
    private void syncAddresses(NetDevice dev, IfaceSpec want, List<String> changes) {
        for (Ipv4Prefix p : addresses4(dev)) {
            if (!want.addrs().contains(p)) {
                stack.fib().removeAddress(dev, p);
                changes.add("addr del " + p + " dev " + dev.name());
            }
        }
        for (Ipv6Prefix p : addresses6(dev)) {
            if (!want.addrs6().contains(p)) {
                stack.removeAddress(dev, p);
                changes.add("addr del " + p + " dev " + dev.name());
            }
        }
        List<Ipv4Prefix> have = addresses4(dev);
        for (Ipv4Prefix p : want.addrs()) {
            if (!have.contains(p)) {
                stack.addAddress(dev, p);
                changes.add("addr add " + p + " dev " + dev.name());
            }
        }
        List<Ipv6Prefix> have6 = addresses6(dev);
        for (Ipv6Prefix p : want.addrs6()) {
            if (!have6.contains(p)) {
                stack.addAddress(dev, p);
                changes.add("addr add " + p + " dev " + dev.name());
            }
        }
    }

    private List<Ipv4Prefix> addresses4(NetDevice dev) {
        List<Ipv4Prefix> out = new ArrayList<>();
        for (InterfaceAddress a : stack.fib().addresses()) {
            if (a.dev() == dev) {
                out.add(a.prefix());
            }
        }
        return out;
    }

    /** The device's IPv6 addresses but the link-local one every device gets from its MAC. */
    private List<Ipv6Prefix> addresses6(NetDevice dev) {
        Ipv6Address auto = Ipv6Address.linkLocalFromMac(dev.mac());
        List<Ipv6Prefix> out = new ArrayList<>();
        for (Ipv6Fib.Inet6Address a : stack.fib6().addresses(dev)) {
            if (!a.address().equals(auto)) {
                out.add(a.prefix());
            }
        }
        return out;
    }
}
