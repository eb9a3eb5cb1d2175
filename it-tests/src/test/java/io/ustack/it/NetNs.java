package io.ustack.it;

import java.util.ArrayList;
import java.util.List;

/** A network namespace made for one test and deleted afterwards, even on failure. */
final class NetNs implements AutoCloseable {
    final String name;

    NetNs(String name) {
        this.name = name;
        Cmd.run("ip", "netns", "add", name).ok();
        exec("ip", "link", "set", "lo", "up").ok();
        // no IPv6 chatter (router solicitations, MLD) from this side: counters stay exact; ignored where
        // the kernel has no IPv6
        exec("sh", "-c", "echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6; echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6");
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

    @Override
    public void close() {
        Cmd.run("ip", "netns", "del", name);
    }
}
