package io.ustack.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The DHCP server against Debian's udhcpc: a namespace holds the host side of a persistent TAP with no
 * address; udhcpc gets one from the pool and a default route via the stack, renews (SIGUSR1: a unicast
 * REQUEST from ciaddr) and keeps it; the daemon is restarted with the same lease file and the client's next
 * renewal keeps the address too. The daemon runs inside the namespace, so that both of its runs attach to
 * the same TAP (and the client keeps its MAC).
 */
class DhcpIT {
    @Test
    void udhcpcGetsAndKeepsAnAddressAcrossARestart() throws Exception {
        RootRequirement.require("ip", "udhcpc");
        String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
        String tap = "ud" + id;
        int net = 1 + ThreadLocalRandom.current().nextInt(250);
        String prefix = "10.203." + net + ".";
        Path work = Files.createTempDirectory("ustack-it-dhcp-");
        Path leases = work.resolve("dhcp.leases");
        Path scriptLog = work.resolve("script.log");
        Path script = work.resolve("udhcpc.script");
        Files.writeString(script, "#!/bin/sh\n"
                + "echo \"$1 ip=$ip mask=$mask router=$router dns=$dns lease=$lease\" >> " + scriptLog + "\n"
                + "case \"$1\" in\n"
                + "  deconfig) ip addr flush dev \"$interface\"; ip link set \"$interface\" up ;;\n"
                + "  bound|renew) ip addr replace \"$ip/$mask\" dev \"$interface\";"
                + " ip route replace default via \"$router\" dev \"$interface\" ;;\n"
                + "esac\n"
                + "exit 0\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        String[] daemonArgs = {"--iface", tap + ",addr=" + prefix + "1/24,dhcp=" + prefix + "100-" + prefix + "120"
                + ",dhcp-lease=600,dhcp-dns=" + prefix + "53", "--dhcp-leases", leases.toString(),
                "--serve", "none", "--backlog-threads", "1"};
        NetNs ns = new NetNs("ustack-it-dhcp-" + id);
        Daemon daemon = null;
        Background client = null;
        try {
            // a persistent TAP, moved into the namespace: each daemon run attaches to it there
            Cmd.run("ip", "tuntap", "add", "dev", tap, "mode", "tap").ok();
            Cmd.run("ip", "link", "set", tap, "netns", ns.name).ok();
            ns.exec("ip", "link", "set", tap, "up").ok();
            daemon = Daemon.startIn(ns.name, work, daemonArgs);

            client = ns.spawn("udhcpc", "-i", tap, "-f", "-s", script.toString());
            Background c = client;
            Daemon d1 = daemon;
            await("udhcpc's first lease", () -> count(c.output(), "obtained") >= 1, c, d1, scriptLog);
            String ip = prefix + "100";
            assertTrue(c.output().contains("lease of " + ip + " obtained"), c.output());
            assertTrue(ns.exec("ip", "-4", "addr", "show", "dev", tap).output().contains(ip + "/24"));
            assertTrue(ns.exec("ip", "route").output().contains("default via " + prefix + "1 dev " + tap),
                    ns.exec("ip", "route").output());
            assertTrue(Files.readString(scriptLog).contains("bound ip=" + ip + " mask=24 router=" + prefix + "1 dns="
                    + prefix + "53 lease=600"), Files.readString(scriptLog));
            ns.exec("ping", "-c", "1", "-W", "5", prefix + "1").ok();

            // a renewal (unicast REQUEST from ciaddr) keeps it
            Cmd.run("kill", "-USR1", Long.toString(c.pid())).ok();
            await("the renewal", () -> count(c.output(), "lease of " + ip + " obtained") >= 2, c, d1, scriptLog);
            assertTrue(Files.readString(leases).contains(ip), "the lease file holds the lease");
            String listed = Cmd.run(60, Daemon.command("dhcp", "leases", "--json", "--control", daemon.control.toString())).ok().output();
            assertTrue(listed.contains("\"ip\" : \"" + ip + "\"") || listed.contains("\"ip\":\"" + ip + "\""), listed);
            assertTrue(daemon.stats().getOrDefault("DhcpOutAcks", 0L) >= 2, daemon.stats().toString());

            // restart with the same lease file: the next renewal keeps the address
            assertEquals(0, daemon.stop(), daemon.log());
            daemon = Daemon.startIn(ns.name, work, daemonArgs);
            Daemon d2 = daemon;
            Cmd.run("kill", "-USR1", Long.toString(c.pid())).ok();
            await("the renewal after a restart", () -> count(c.output(), "lease of " + ip + " obtained") >= 3, c, d2, scriptLog);
            assertTrue(d2.stats().getOrDefault("DhcpOutAcks", 0L) >= 1, d2.stats().toString());
            assertEquals(0L, d2.stats().getOrDefault("DhcpOutNaks", 0L));
            assertTrue(ns.exec("ip", "-4", "addr", "show", "dev", tap).output().contains(ip + "/24"));
            System.out.println("---- udhcpc ----\n" + c.output() + "---- script ----\n" + Files.readString(scriptLog)
                    + "---- dhcp leases ----\n" + listed);
        } finally {
            if (client != null) {
                client.close();
            }
            if (daemon != null) {
                daemon.close();
            }
            ns.exec("ip", "link", "del", tap);
            ns.close();
            Cmd.run("ip", "link", "del", tap); // only if a failure left it behind
        }
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    private static void await(String what, BooleanSupplier cond, Background client, Daemon daemon, Path scriptLog)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (cond.getAsBoolean()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no " + what + " within 60 s\n---- udhcpc ----\n" + client.output()
                + "---- script ----\n" + (Files.exists(scriptLog) ? Files.readString(scriptLog) : "")
                + "---- daemon ----\n" + daemon.log());
    }
}
