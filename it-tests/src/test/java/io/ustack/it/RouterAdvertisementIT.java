package io.ustack.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SLAAC from ustack's Router Advertisements with Linux as the host of record: the daemon forwards between two
 * TAPs and advertises on the left one (ra: on); the left TAP's host side, in a namespace with the kernel's
 * defaults for a host (accept_ra 1, forwarding 0), takes an address in the router's /64 from the prefix
 * information (with its lifetimes), a default route through the router's link-local address, and pings the
 * router, and a host on the far link through it, from that address. The right link, without ra, hears no advertisement. Turned off by a reload, the
 * final advertisement (router lifetime 0) takes the host's default route away at once.
 */
class RouterAdvertisementIT {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final Pattern SLAAC = Pattern.compile(
            "inet6 (\\S+)/64 scope global dynamic[^\\n]*\\n\\s+valid_lft (\\d+)sec preferred_lft (\\d+)sec");
    private static final Pattern DEFAULT_VIA = Pattern.compile("default via (fe80::[0-9a-f:]+) dev (\\S+) proto ra ");

    @TempDir
    Path work;

    /** {@code ustack COMMAND} against {@code daemon}, which must succeed. */
    private static Cmd ustack(Daemon daemon, String command) {
        return Cmd.run(60, Daemon.command(command, "--control", daemon.control.toString())).ok();
    }

    @Test
    void aLinuxHostAutoconfiguresFromTheRoutersAdvertisements() throws Exception {
        RootRequirement.require("ip", "ping");
        assertTrue(Files.exists(Path.of("/proc/sys/net/ipv6")), "this kernel has no IPv6");
        String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
        String left = "ral" + id;
        String right = "rar" + id;
        String net = Integer.toHexString(1 + ThreadLocalRandom.current().nextInt(250));
        String leftPrefix = "fd00:" + net + ":1:0:";
        String routerLeft = "fd00:" + net + ":1::1";
        String routerRight = "fd00:" + net + ":2::1";
        Path conf = work.resolve("ustack.yaml");
        String config = """
                interfaces:
                  %s:
                    addr: [10.202.1.1/24, %s/64]
                    ra: on
                  %s:
                    addr: [10.202.2.1/24, %s/64]
                """.formatted(left, routerLeft, right, routerRight);
        Files.writeString(conf, config);
        Daemon daemon = Daemon.start(work, "--config", conf.toString(), "--forward", "--backlog-threads", "1");
        NetNs leftNs = null;
        NetNs rightNs = null;
        try {
            assertTrue(daemon.log().contains(left + " 10.202.1.1/24 " + routerLeft + "/64 ra,"), daemon.log());
            leftNs = new NetNs("ustack-it-" + id + "-ral", true);
            rightNs = new NetNs("ustack-it-" + id + "-rar", true);
            leftNs.adopt(left, "10.202.1.2/24"); // no IPv6 address given: the host takes it from the RA
            rightNs.adopt(right, "10.202.2.2/24", "fd00:" + net + ":2::2/64");
            Await.until("the router's addresses past DAD", DEADLINE, () -> ustack(daemon, "addr").output(),
                    out -> out.contains(routerRight) && !out.contains("tentative"));
            NetNs host = leftNs;

            String addr = Await.until("a SLAAC address in " + leftPrefix + ":/64", DEADLINE,
                    () -> host.exec("ip", "-6", "addr", "show", "dev", left, "scope", "global").output(),
                    out -> out.contains("inet6 " + leftPrefix));
            Matcher a = SLAAC.matcher(addr);
            assertTrue(a.find(), addr);
            String slaac = a.group(1);
            assertTrue(slaac.startsWith(leftPrefix), addr);
            long valid = Long.parseLong(a.group(2));
            long preferred = Long.parseLong(a.group(3));
            assertTrue(valid > 2_592_000 - 120 && valid <= 2_592_000, "AdvValidLifetime 30 days: " + addr);
            assertTrue(preferred > 604_800 - 120 && preferred <= 604_800, "AdvPreferredLifetime 7 days: " + addr);

            String route = Await.until("a default route from the RA", DEADLINE,
                    () -> host.exec("ip", "-6", "route", "show", "default").output(), DEFAULT_VIA.asPredicate());
            Matcher r = DEFAULT_VIA.matcher(route);
            assertTrue(r.find(), route);
            assertEquals(left, r.group(2), route);
            String routerLinkLocal = r.group(1);
            Cmd addrs = ustack(daemon, "addr");
            assertTrue(addrs.output().contains("inet6 " + routerLinkLocal + "/64 scope link"),
                    "through the router's link-local address: " + route + addrs.output());
            String onLink = leftNs.exec("ip", "-6", "route", "show", "fd00:" + net + ":1::/64").output();
            assertTrue(onLink.contains(" expires "), "the prefix on-link (L) for its valid lifetime: " + onLink);

            for (String target : new String[] {routerLeft, routerRight}) {
                Cmd ping = leftNs.exec("ping", "-6", "-c", "3", "-i", "0.2", "-W", "2", "-I", slaac, target);
                assertEquals(3, TapPingIT.received(ping.output()), "from " + slaac + " to " + target + ": "
                        + ping.output());
            }
            // and through the router to a host on the far link, by the default route the RA gave
            rightNs.exec("ip", "-6", "route", "add", "default", "via", routerRight).ok();
            String farHost = "fd00:" + net + ":2::2";
            Cmd far = leftNs.exec("ping", "-6", "-c", "3", "-i", "0.2", "-W", "2", "-I", slaac, farHost);
            assertEquals(3, TapPingIT.received(far.output()), "from " + slaac + " through the router to " + farHost
                    + ": " + far.output());
            assertTrue(far.output().contains("ttl=63"), "one router on the way: " + far.output());

            String rightRoutes = rightNs.exec("ip", "-6", "route", "show", "proto", "ra").output();
            assertEquals("", rightRoutes, "no advertisements where ra is off");
            Map<String, Long> s = daemon.stats();
            assertTrue(s.getOrDefault("Icmp6OutRouterAdvertisements", 0L) >= 1, s.toString());
            assertTrue(s.getOrDefault("Icmp6InRouterSolicits", 0L) >= 1, "the host's kernel solicited: " + s);
            for (String reason : new String[] {"HOP_LIMIT", "BAD_CODE", "BAD_OPTIONS", "INVALID"}) {
                assertEquals(0L, s.getOrDefault("DropReasonIPV6_NDISC_" + reason, 0L), "nothing the kernel sent was refused: " + s);
            }

            Files.writeString(conf, config.replace("ra: on", "ra: off"));
            Cmd reload = ustack(daemon, "reload");
            assertTrue(reload.output().contains("ra off dev " + left), reload.output());
            Await.until("the default route gone with the final RA (router lifetime 0)", DEADLINE,
                    () -> host.exec("ip", "-6", "route", "show", "default").output(), String::isEmpty);
            assertTrue(leftNs.exec("ip", "-6", "addr", "show", "dev", left).output().contains(slaac),
                    "the address stays: its prefix's lifetimes still run");
        } catch (AssertionError e) {
            String view = leftNs == null ? "" : "---- " + leftNs.name + " ----\n" + leftNs.exec("ip", "-6", "addr").output()
                    + leftNs.exec("ip", "-6", "route").output() + leftNs.exec("ip", "-6", "neigh").output();
            throw new AssertionError(e.getMessage() + "\n---- daemon log ----\n" + daemon.log() + view, e);
        } finally {
            try {
                assertEquals(0, daemon.stop(), "SIGTERM ends the daemon with 0:\n" + daemon.log());
            } finally {
                if (leftNs != null) {
                    leftNs.close();
                }
                if (rightNs != null) {
                    rightNs.close();
                }
                Cmd.run("ip", "link", "del", left); // only if a failure left them behind
                Cmd.run("ip", "link", "del", right);
            }
        }
    }
}
