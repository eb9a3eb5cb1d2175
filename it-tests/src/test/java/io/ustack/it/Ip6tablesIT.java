package io.ustack.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
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

/**
 * ip6tables on a real TAP, with the host's own tools as the peer: {@code ustack ip6tables} drops the echo
 * requests of {@code ping -6} (counted by the rule) while IPv4's ping still answers, a REJECT with
 * tcp-reset makes {@code curl -6} fail at once with connection refused, both rules survive {@code ustack
 * save} and a daemon restarted from that file alone, and deleting them brings ping -6 and curl -6 back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class Ip6tablesIT {
    private static final String DROP_PING = "-p ipv6-icmp -m icmp6 --icmpv6-type 128 -j DROP";
    private static final String RESET_HTTP = "-p tcp -m tcp --dport 80 -j REJECT --reject-with tcp-reset";

    private StackOnTap env;

    @BeforeAll
    void up() throws Exception {
        RootRequirement.require("ip", "ping", "curl");
        env = StackOnTap.startDualStack("--backlog-threads", "2");
    }

    @AfterAll
    void down() throws Exception {
        if (env != null) {
            env.close();
        }
    }

    /** A ustack command against the daemon, which must succeed. */
    private Cmd ok(String... args) {
        List<String> argv = new ArrayList<>(List.of("--control", env.daemon.control.toString()));
        argv.addAll(List.of(args));
        Cmd c = Cmd.run(60, Daemon.command(argv.toArray(String[]::new)));
        assertEquals(0, c.exit(), String.join(" ", args) + ": " + c.output() + "\n" + env.diagnostics());
        return c;
    }

    /** How many of {@code count} echo requests to {@code target} were answered. */
    private int ping(String target, int count, String... family) {
        List<String> argv = new ArrayList<>(List.of("ping"));
        argv.addAll(List.of(family));
        argv.addAll(List.of("-c", String.valueOf(count), "-i", "0.2", "-W", "1", target));
        Cmd c = env.ns.exec(argv.toArray(String[]::new));
        int received = TapPingIT.received(c.output());
        assertTrue(received >= 0, c.output());
        return received;
    }

    /** The packets a rule has counted, from ip6tables-save -c. */
    private long packets(String rule) {
        String saved = ok("ip6tables-save", "-c").output();
        Matcher m = Pattern.compile("(?m)^\\[(\\d+):\\d+\\] -A INPUT " + Pattern.quote(rule) + "$").matcher(saved);
        assertTrue(m.find(), rule + " in:\n" + saved);
        return Long.parseLong(m.group(1));
    }

    /** curl -6 of the status page: its exit status, output and how long it took. */
    private record Fetch(int exit, String output, long millis) {
    }

    private Fetch curl6() {
        long start = System.nanoTime();
        Cmd c = env.ns.exec("curl", "-6", "-sS", "--max-time", "10", "http://[" + env.stackIp6 + "]/");
        return new Fetch(c.exit(), c.output(), (System.nanoTime() - start) / 1_000_000);
    }

    @Test
    @Order(1)
    void anEchoRequestDropSilencesPingMinus6AndCountsTheRequests() {
        assertEquals(2, ping(env.stackIp6, 2, "-6"), "ping -6 answers before the rule");
        ok("ip6tables", "-A", "INPUT", "-p", "ipv6-icmp", "--icmpv6-type", "echo-request", "-j", "DROP");
        assertEquals(0, ping(env.stackIp6, 3, "-6"), "the rule drops every request");
        assertEquals(3, packets(DROP_PING), "and counts each of them");
        assertEquals(3, ping(env.stackIp, 3), "ping over IPv4 still answers");
        String list = ok("ip6tables", "-v", "-n", "-L", "INPUT").output();
        System.out.println("$ ustack ip6tables -v -n -L INPUT\n" + list);
        // 104 bytes a request: ping's 56 bytes of data, 8 of ICMPv6 header, 40 of IPv6 header
        assertTrue(list.contains("    3   312 DROP       58   --  *      *       ::/0                 ::/0"
                + "                 ipv6-icmptype 128\n"), list);
    }

    @Test
    @Order(2)
    void aTcpResetRejectMakesCurlMinus6FailFastWithConnectionRefused() {
        Fetch open = curl6();
        assertEquals(0, open.exit(), open.output());
        ok("ip6tables", "-A", "INPUT", "-p", "tcp", "--dport", "80", "-j", "REJECT", "--reject-with", "tcp-reset");
        refused("after ip6tables -A");
        Cmd v4 = env.ns.exec("curl", "-sS", "--max-time", "10", "http://" + env.stackIp + "/");
        assertEquals(0, v4.exit(), "curl over IPv4 still gets the page: " + v4.output());
    }

    private void refused(String when) {
        Fetch f = curl6();
        // exit 7, "Failed to connect" (curl 7.88 says "Couldn't connect to server" for ECONNREFUSED); a timeout is 28
        assertEquals(7, f.exit(), when + ": curl's 'failed to connect': " + f.output());
        assertTrue(f.millis() < 3000, when + ": refused at once, not timed out: " + f.millis() + " ms");
        assertTrue(packets(RESET_HTTP) >= 1, when);
    }

    @Test
    @Order(3)
    void theRulesSurviveSaveAndARestartFromTheConfiguration() throws Exception {
        Path conf = env.work.resolve("ustack.yaml");
        assertEquals("saved to " + conf + "\n", ok("save", conf.toString()).output());
        String yaml = Files.readString(conf);
        assertTrue(yaml.contains("\nrules6: |\n") && yaml.contains("  -A INPUT " + DROP_PING + "\n")
                && yaml.contains("  -A INPUT " + RESET_HTTP + "\n"), yaml);
        env.restart("--config", conf.toString());
        String saved = ok("ip6tables-save").output();
        assertTrue(saved.contains("-A INPUT " + DROP_PING + "\n-A INPUT " + RESET_HTTP + "\n"), saved);
        assertEquals(0, ping(env.stackIp6, 2, "-6"), "after the restart the requests are dropped again");
        assertEquals(2, packets(DROP_PING), "by the restored rule, counting from 0");
        assertEquals(2, ping(env.stackIp, 2), "ping over IPv4 still answers");
        refused("after the restart");
    }

    @Test
    @Order(4)
    void deletingTheRulesBringsPingMinus6AndCurlMinus6Back() {
        ok("ip6tables", "-D", "INPUT", "-p", "ipv6-icmp", "--icmpv6-type", "echo-request", "-j", "DROP");
        assertEquals(3, ping(env.stackIp6, 3, "-6"), "ping -6 answers again");
        ok("ip6tables", "-D", "INPUT", "1");
        Fetch f = curl6();
        assertEquals(0, f.exit(), f.output());
        assertTrue(f.output().contains("<h2>Interfaces</h2>"), f.output());
        assertEquals("-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n", ok("ip6tables", "-S").output());
    }

    /**
     * Conntrack follows IPv6 flows: with a rule dropping INVALID packets, ping -6 with 3000 bytes of data
     * (fragmented by the host, reassembled before the rules) is answered, ND goes on (untracked), and
     * {@code ustack conntrack} lists the ICMPv6 flow.
     */
    @Test
    @Order(5)
    void conntrackFollowsIpv6FlowsFragmentsIncluded() {
        ok("ip6tables", "-A", "INPUT", "-m", "conntrack", "--ctstate", "INVALID", "-j", "DROP");
        ok("ip6tables", "-A", "INPUT", "-m", "conntrack", "--ctstate", "NEW,ESTABLISHED");
        assertEquals(3, ping(env.stackIp6, 3, "-6", "-s", "3000"), "fragmented requests reassembled and answered");
        String flows = ok("conntrack").output();
        System.out.println("$ ustack conntrack\n" + flows);
        assertTrue(flows.contains("src=" + env.hostIp6 + " dst=" + env.stackIp6 + " type=128 code=0"), flows);
        assertTrue(packets("-m conntrack --ctstate NEW,ESTABLISHED") >= 3, "the datagrams, not their fragments, met the rules");
        assertEquals(0, packets("-m conntrack --ctstate INVALID -j DROP"));
        ok("ip6tables", "-F");
    }
}
