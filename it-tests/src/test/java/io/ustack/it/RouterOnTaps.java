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
 * 10.N.1.1 and 10.N.2.1. Closing stops the daemon with SIGTERM, checks it exited 0 and removed both TAPs,
 * and deletes the namespaces, whatever happened before.
 */
final class RouterOnTaps implements AutoCloseable {
    final String left;
    final String right;
    /** The first two octets of every address here, "10.N". */
    final String net;
    final NetNs leftNs;
    final NetNs rightNs;
    Daemon daemon;
    final Path work;

    private RouterOnTaps(String left, String right, String net, NetNs leftNs, NetNs rightNs, Daemon daemon, Path work) {
        this.left = left;
        this.right = right;
        this.net = net;
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
        String id = hex6();
        String left = tag + id;
        String right = tag + hex6();
        String net = "10." + (1 + ThreadLocalRandom.current().nextInt(250));
        Path work = Files.createTempDirectory("ustack-it-");
        NetNs leftNs = new NetNs("ustack-it-" + id + "-" + tag + "l");
        NetNs rightNs = null;
        Daemon daemon = null;
        try {
            rightNs = new NetNs("ustack-it-" + id + "-" + tag + "r");
            List<String> args = new ArrayList<>(List.of("--iface", left + ",addr=" + net + ".1.1/24",
                    "--iface", right + ",addr=" + net + ".2.1/24" + rightOptions, "--forward"));
            args.addAll(List.of(extraDaemonArgs));
            daemon = Daemon.start(work, args.toArray(String[]::new));
            leftNs.adopt(left, net + ".1.2/24");
            leftNs.exec("ip", "route", "add", "default", "via", net + ".1.1").ok();
            rightNs.adopt(right, net + ".2.2/24");
            rightNs.exec("ip", "route", "add", "default", "via", net + ".2.1").ok();
            return new RouterOnTaps(left, right, net, leftNs, rightNs, daemon, work);
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
     * Stops the daemon and starts another with {@code args} (a --config naming both TAPs, say), whose new TAPs
     * go back into the namespaces with the addresses and default routes they had; the right side's default
     * route only if {@code rightDefault} (a test may have taken it away).
     */
    void restart(boolean rightDefault, String... args) throws Exception {
        int exit = daemon.stop();
        if (exit != 0) {
            throw new AssertionError("SIGTERM should end the daemon with 0, not " + exit + ":\n" + daemon.log());
        }
        daemon = Daemon.start(work, args);
        leftNs.adopt(left, net + ".1.2/24");
        leftNs.exec("ip", "route", "add", "default", "via", net + ".1.1").ok();
        rightNs.adopt(right, net + ".2.2/24");
        if (rightDefault) {
            rightNs.exec("ip", "route", "add", "default", "via", net + ".2.1").ok();
        }
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
