package io.ustack.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The daemon as a router between two TAPs of fresh names, each TAP's host side in a namespace of its own:
 * the left host 10.N.1.2 and the right host 10.N.2.2, each with its default route through the stack at
 * 10.N.1.1 and 10.N.2.1. Dual-stack ({@link #startDualStack}), the same in IPv6 as well: fd00:N:1::2 and
 * fd00:N:2::2 through fd00:N:1::1 and fd00:N:2::1 (N in hex), the namespaces with IPv6 on. Closing stops the
 * daemon with SIGTERM, checks it exited 0 and removed both TAPs, and deletes the namespaces, whatever happened
 * before.
 */
final class RouterOnTaps implements AutoCloseable {
    final String left;
    final String right;
    /** The first two octets of every address here, "10.N". */
    final String net;
    /** The first two groups of every IPv6 address here, "fd00:N", or null without IPv6. */
    final String net6;
    final NetNs leftNs;
    final NetNs rightNs;
    Daemon daemon;
    final Path work;

    private RouterOnTaps(String left, String right, String net, String net6, NetNs leftNs, NetNs rightNs, Daemon daemon,
                         Path work) {
        this.left = left;
        this.right = right;
        this.net = net;
        this.net6 = net6;
        this.leftNs = leftNs;
        this.rightNs = rightNs;
        this.daemon = daemon;
        this.work = work;
    }

    /**
     * @param tag             two letters that start the TAPs' names, so a leftover says which test made it
     * @param rightOptions    more of the right --iface SPEC, as ",mtu=1280", or ""
     * @param extraDaemonArgs more daemon options after --forward
     */
    static RouterOnTaps start(String tag, String rightOptions, String... extraDaemonArgs) throws Exception {
        return start(false, tag, rightOptions, extraDaemonArgs);
    }

    /** As {@link #start}, with IPv6 addresses and default routes beside the IPv4 ones. */
    static RouterOnTaps startDualStack(String tag, String rightOptions, String... extraDaemonArgs) throws Exception {
        return start(true, tag, rightOptions, extraDaemonArgs);
    }

    private static RouterOnTaps start(boolean ipv6, String tag, String rightOptions, String... extraDaemonArgs)
            throws Exception {
        String id = hex6();
        String left = tag + id;
        String right = tag + hex6();
        int n = 1 + ThreadLocalRandom.current().nextInt(250);
        String net = "10." + n;
        String net6 = ipv6 ? "fd00:" + Integer.toHexString(n) : null;
        Path work = Files.createTempDirectory("ustack-it-");
        NetNs leftNs = new NetNs("ustack-it-" + id + "-" + tag + "l", ipv6);
        NetNs rightNs = null;
        Daemon daemon = null;
        try {
            rightNs = new NetNs("ustack-it-" + id + "-" + tag + "r", ipv6);
            List<String> args = new ArrayList<>(List.of(
                    "--iface", left + ",addr=" + net + ".1.1/24" + (ipv6 ? ",addr=" + net6 + ":1::1/64" : ""),
                    "--iface", right + ",addr=" + net + ".2.1/24" + (ipv6 ? ",addr=" + net6 + ":2::1/64" : "") + rightOptions,
                    "--forward"));
            args.addAll(List.of(extraDaemonArgs));
            daemon = Daemon.start(work, args.toArray(String[]::new));
            RouterOnTaps r = new RouterOnTaps(left, right, net, net6, leftNs, rightNs, daemon, work);
            r.adoptBoth(true);
            return r;
        } catch (Exception | AssertionError e) {
            if (daemon != null) {
                daemon.close();
            }
            leftNs.close();
            if (rightNs != null) {
                rightNs.close();
            }
            Cmd.run("ip", "link", "del", left);
            Cmd.run("ip", "link", "del", right);
            throw e;
        }
    }

    /**
     * Moves both TAPs' host sides into the namespaces with their addresses and default routes through the
     * stack; the right side's default routes only if {@code rightDefault}.
     */
    private void adoptBoth(boolean rightDefault) {
        adopt(leftNs, left, 1, true);
        adopt(rightNs, right, 2, rightDefault);
    }

    private void adopt(NetNs ns, String tap, int side, boolean defaultRoute) {
        if (net6 == null) {
            ns.adopt(tap, net + "." + side + ".2/24");
        } else {
            ns.adopt(tap, net + "." + side + ".2/24", net6 + ":" + side + "::2/64");
        }
        if (defaultRoute) {
            ns.exec("ip", "route", "add", "default", "via", net + "." + side + ".1").ok();
            if (net6 != null) {
                ns.exec("ip", "-6", "route", "add", "default", "via", net6 + ":" + side + "::1").ok();
            }
        }
    }

    /**
     * Stops the daemon and starts another with {@code args} (a --config naming both TAPs, say), whose new TAPs
     * go back into the namespaces with the addresses and default routes they had; the right side's default
     * routes only if {@code rightDefault} (a test may have taken them away).
     */
    void restart(boolean rightDefault, String... args) throws Exception {
        int exit = daemon.stop();
        if (exit != 0) {
            throw new AssertionError("SIGTERM should end the daemon with 0, not " + exit + ":\n" + daemon.log());
        }
        daemon = Daemon.start(work, args);
        adoptBoth(rightDefault);
    }

    private static String hex6() {
        return HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
    }

    @Override
    public void close() throws Exception {
        try {
            int exit = daemon.stop();
            if (exit != 0) {
                throw new AssertionError("SIGTERM should end the daemon with 0, not " + exit + ":\n" + daemon.log());
            }
            if (leftNs.exec("ip", "link", "show", left).exit() == 0 || rightNs.exec("ip", "link", "show", right).exit() == 0) {
                throw new AssertionError("the daemon left a TAP behind: " + left + " or " + right);
            }
        } finally {
            leftNs.close();
            rightNs.close();
            Cmd.run("ip", "link", "del", left); // only if a failure left it behind
            Cmd.run("ip", "link", "del", right);
        }
    }
}
