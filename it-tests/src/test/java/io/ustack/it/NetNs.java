package io.ustack.it;

import java.util.ArrayList;
import java.util.List;

/** A network namespace made for one test and deleted afterwards, even on failure. */
final class NetNs implements AutoCloseable {
    final String name;

    NetNs(String name) {
        this(name, false);
    }

    /**
     * A namespace with IPv6 off ({@code ipv6} false: no router solicitations or MLD from this side, so IPv4
     * counters stay exact; ignored where the kernel has no IPv6) or on, for the IPv6 tests: then without
     * Duplicate Address Detection, so the addresses a test gives (and the link-local one) are usable at once.
     */
    NetNs(String name, boolean ipv6) {
        this.name = name;
        Cmd.run("ip", "netns", "add", name).ok();
        exec("ip", "link", "set", "lo", "up").ok();
        if (ipv6) {
            exec("sh", "-c", "for c in default all; do echo 0 > /proc/sys/net/ipv6/conf/$c/disable_ipv6;"
                    + " echo 0 > /proc/sys/net/ipv6/conf/$c/accept_dad; done").ok();
        } else {
            exec("sh", "-c", "echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6; echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6");
        }
    }

    /** Runs a command inside the namespace. */
    Cmd exec(String... argv) {
        return execWithin(60, argv);
    }

    Cmd execWithin(long timeoutSeconds, String... argv) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
        cmd.addAll(List.of(argv));
        return Cmd.run(timeoutSeconds, cmd);
    }

    /** Starts a command inside the namespace and leaves it running. */
    Background spawn(String... argv) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
        cmd.addAll(List.of(argv));
        return Background.start(cmd);
    }

    /** Moves a device (the host side of a TAP) into this namespace, addresses it and brings it up. */
    void adopt(String dev, String cidr) {
        Cmd.run("ip", "link", "set", dev, "netns", name).ok();
        exec("ip", "addr", "add", cidr, "dev", dev).ok();
        exec("ip", "link", "set", dev, "up").ok();
    }

    /** As {@link #adopt}, and gives the device the IPv6 address {@code cidr6} too (no DAD: it is usable at once). */
    void adopt(String dev, String cidr, String cidr6) {
        Cmd.run("ip", "link", "set", dev, "netns", name).ok();
        exec("ip", "addr", "add", cidr, "dev", dev).ok();
        exec("ip", "-6", "addr", "add", cidr6, "dev", dev, "nodad").ok();
        exec("ip", "link", "set", dev, "up").ok();
    }

    @Override
    public void close() {
        Cmd.run("ip", "netns", "del", name);
    }
}
