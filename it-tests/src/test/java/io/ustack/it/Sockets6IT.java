package io.ustack.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.testing.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * IPv6 sockets and commands with Linux as the peer over a real TAP: the host's `nc -6` to a built-in service at
 * the stack's global and link-local addresses (the link-local connection keeping its interface, as `ustack ss`
 * shows), `curl -4` reaching the http service's one listener on :: as a v4-mapped connection, `ustack ping -6`
 * to the host's global and link-local addresses, a second IPv6 prefix added with `ustack addr add` and pinged
 * by the host, and a capture of IPv6 traffic that tcpdump decodes.
 *
 * <p>The other way, a stack socket connecting to an `nc -6 -l` on the host, has no test: no control command
 * opens a connection or sends a datagram from the daemon's stack (the services only answer), so only the unit
 * tests drive connect6 and sendTo6.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(Sockets6IT.LogOnFailure.class)
class Sockets6IT {
    private static final Pattern REPLY = Pattern.compile(
            "^64 bytes from (\\S+?): icmp_seq=(\\d+) ttl=64 time=[\\d.]+ ms$", Pattern.MULTILINE);

    private StackOnTap env;

    @BeforeAll
    void up() throws Exception {
        RootRequirement.require("ip", "ping", "nc", "curl", "tcpdump");
        env = StackOnTap.startDualStack("--backlog-threads", "2");
    }

    @AfterAll
    void down() throws Exception {
        if (env != null) {
            env.close();
        }
    }

    /** `ustack ARGS --control ...` against the test's daemon. */
    private Cmd ustack(String... args) {
        List<String> argv = new ArrayList<>(List.of(args));
        argv.addAll(List.of("--control", env.daemon.control.toString()));
        return Cmd.run(90, Daemon.command(argv.toArray(String[]::new)));
    }

    /** The first link-local address in {@code ipAddrOutput} (ip addr's or ustack addr's lines). */
    private static String linkLocal(String ipAddrOutput) {
        Matcher m = Pattern.compile("inet6 (fe80::[0-9a-f:]+)/64 scope link").matcher(ipAddrOutput);
        assertTrue(m.find(), "a link-local address: " + ipAddrOutput);
        return m.group(1);
    }

    private String stackLinkLocal() {
        return linkLocal(ustack("addr").ok().output());
    }

    @Test
    @Order(1)
    void ncToTheGlobalAndTheLinkLocalAddress() throws Exception {
        Cmd global = env.ns.exec("sh", "-c", "echo hello-sock6 | nc -6 -N -w5 " + env.stackIp6 + " 7");
        assertEquals("hello-sock6", global.output().strip(), global.output());
        String ll = stackLinkLocal() + "%" + env.tap;
        Cmd local = env.ns.exec("sh", "-c", "echo hello-ll | nc -6 -N -w5 " + ll + " 7");
        assertEquals("hello-ll", local.output().strip(), local.output());
        // a connection held open to discard (nc keeps it after its stdin's end): ss shows its link-local end with
        // the interface it is bound to
        try (Background held = env.ns.spawn("nc", "-6", ll, "9")) {
            String ss = Await.until("the link-local connection in ustack ss", Duration.ofSeconds(30),
                    () -> ustack("ss").output(), o -> o.contains("[" + ll.substring(0, ll.indexOf('%')) + "]%" + env.tap + ":9"));
            System.out.println("ustack ss with a link-local peer:\n" + ss);
        }
    }

    @Test
    @Order(2)
    void curlDashFourReachesTheListenerOnAnyAsV4Mapped() throws Exception {
        String page = env.ns.exec("curl", "-4", "-sS", "--max-time", "10", "http://" + env.stackIp + "/").output();
        assertTrue(page.contains("<h2>Interfaces</h2>"), page);
        // a slow download keeps the connection open long enough to be seen
        try (Background curl = env.ns.spawn("sh", "-c", "curl -4 -sS --limit-rate 100k --max-time 60 http://" + env.stackIp
                + "/bytes/1500000 | wc -c")) {
            String json = Await.until("curl's connection v4-mapped in ustack ss", Duration.ofSeconds(30),
                    () -> ustack("ss", "--json").output().replaceAll("\\s", ""),
                    o -> o.contains("\"local\":\"[::ffff:" + env.stackIp + "]:80\",\"peer\":\"[::ffff:" + env.hostIp + "]:"));
            assertTrue(json.contains("\"state\":\"LISTEN\",\"recvQ\":0,\"sendQ\":4096,\"local\":\"*:80\",\"peer\":\"*:*\""),
                    "one listener on :: for both families, as ss writes it: " + json);
            assertFalse(json.contains("0.0.0.0:80"), "and none on 0.0.0.0: " + json);
            Matcher entry = Pattern.compile("\"state\":\"[A-Z-]+\"[^{}]*\"local\":\"\\[::ffff:[^\"]*\",\"peer\":\"[^\"]*\"")
                    .matcher(json);
            assertTrue(entry.find(), json);
            System.out.println("curl -4's connection in ustack ss --json: " + entry.group());
            String got = curl.finish(Duration.ofSeconds(90)).strip();
            assertEquals("1500000", got, "the whole body over the v4-mapped connection");
        }
    }

    /** Runs `ustack ping ARGS` and checks its lines as ping -6 prints them: banner, three replies from {@code from}. */
    private void ustackPing(String target, String from, String... flags) {
        List<String> argv = new ArrayList<>(List.of("ping"));
        argv.addAll(List.of(flags));
        argv.addAll(List.of("-c", "3", "-i", "0.2", "-W", "5", target));
        Cmd c = ustack(argv.toArray(String[]::new));
        String out = c.output();
        assertEquals(0, c.exit(), out);
        assertTrue(out.startsWith("PING " + target + "(" + target + ") 56 data bytes\n"), out);
        Matcher m = REPLY.matcher(out);
        int n = 0;
        while (m.find()) {
            n++;
            assertEquals(from, m.group(1), out);
            assertEquals(n, Integer.parseInt(m.group(2)), out);
        }
        assertEquals(3, n, out);
        assertTrue(out.contains("3 packets transmitted, 3 received, 0% packet loss"), out);
        System.out.println("ustack ping " + String.join(" ", flags) + " " + target + ":\n" + out);
    }

    @Test
    @Order(3)
    void ustackPingSixToTheHostsGlobalAndLinkLocalAddresses() {
        ustackPing(env.hostIp6, env.hostIp6, "-6");
        String hostLl = linkLocal(env.ns.exec("ip", "-6", "addr", "show", "dev", env.tap).ok().output()) + "%" + env.tap;
        ustackPing(hostLl, hostLl); // no -6: the colon says IPv6, as iputils ping reads it
    }

    @Test
    @Order(4)
    void aSecondPrefixAddedByUstackAddrIsReachedByTheHost() {
        String net = env.stackIp6.substring(0, env.stackIp6.length() - "::2".length()).replace("fd00:201:", "fd00:203:");
        String ours = net + "::2";
        ustack("addr", "add", ours + "/64", "dev", env.tap).ok();
        String listed = Await.until(ours + " past DAD in ustack addr", Duration.ofSeconds(30), () -> ustack("addr").output(),
                o -> o.contains("inet6 " + ours + "/64 scope global\n"));
        System.out.println("ustack addr after addr add:\n" + listed);
        env.ns.exec("ip", "-6", "addr", "add", net + "::1/64", "dev", env.tap, "nodad").ok();
        Cmd ping = env.ns.exec("ping", "-6", "-c", "3", "-i", "0.2", "-W", "2", ours);
        assertEquals(3, TapPingIT.received(ping.output()), ping.output());
        ustack("addr", "del", ours + "/64", "dev", env.tap).ok();
        assertFalse(ustack("addr").output().contains(ours), "gone");
        Cmd gone = env.ns.exec("ping", "-6", "-c", "1", "-W", "1", ours);
        assertEquals(0, TapPingIT.received(gone.output()), gone.output());
    }

    @Test
    @Order(5)
    void aCaptureOfIpv6TrafficIsWhatTcpdumpDecodes() throws Exception {
        Path file = env.work.resolve("six.pcap");
        try (Background capture = Background.start(Daemon.command("capture", "-i", env.tap, "-c", "40", "-w", file.toString(),
                "--seconds", "60", "--control", env.daemon.control.toString()));
             Background traffic = env.ns.spawn("sh", "-c", "for i in $(seq 60); do ping -6 -c 1 -W 1 " + env.stackIp6
                     + " >/dev/null; echo six | nc -6 -u -w1 " + env.stackIp6 + " 7 >/dev/null; done")) {
            capture.finish(Duration.ofSeconds(90));
        }
        String decoded = Cmd.run(60, List.of("tcpdump", "-n", "-r", file.toString())).output();
        assertTrue(decoded.contains("IP6 " + env.hostIp6 + " > " + env.stackIp6 + ": ICMP6, echo request"), decoded);
        assertTrue(decoded.contains("IP6 " + env.stackIp6 + " > " + env.hostIp6 + ": ICMP6, echo reply"), decoded);
        assertTrue(Pattern.compile("IP6 " + Pattern.quote(env.stackIp6) + "\\.7 > " + Pattern.quote(env.hostIp6)
                + "\\.\\d+: UDP, length 4").matcher(decoded).find(), decoded);
        System.out.println("tcpdump -n -r of ustack capture's file:\n" + decoded);
    }

    /** Prints the daemon's log and the namespace's view of the link when a test fails. */
    static final class LogOnFailure implements TestWatcher {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            Object test = context.getTestInstance().orElse(null);
            if (test instanceof Sockets6IT t && t.env != null) {
                System.err.println(t.env.diagnostics());
            }
        }
    }
}
