package io.ustack.cli;

import static io.ustack.core.testing.Frames.icmpEcho;
import static io.ustack.core.testing.Frames.ipv4;
import static io.ustack.core.testing.Frames.pattern;
import static io.ustack.core.testing.StackHarness.HOST_IP;
import static io.ustack.core.testing.StackHarness.STACK_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ustack.cli.control.Json;
import io.ustack.cli.testing.ServedStackTest;
import org.junit.jupiter.api.Test;

/** ustack nf as a user meets it: iptables-style listings, exit codes and sentences. */
class NfCommandTest extends ServedStackTest {
    @Test
    void rulesAreAddedAndListedLikeIptablesListsThem() {
        h.hostArps();
        assertEquals(0, cli.run("nf", "add", "INPUT", "-p", "icmp", "-j", "DROP"));
        assertEquals("", cli.out());
        assertEquals(0, cli.run("nf", "add", "INPUT", "!", "-s", "10.1.0.0/16", "-i", "eth+", "-p", "udp", "--sport", "1000:2000",
                "-j", "REJECT"));
        assertEquals(0, cli.run("nf", "insert", "INPUT", "2", "-p", "tcp", "--dport", "22", "-j", "REJECT", "--reject-with", "tcp-reset"));
        assertEquals(0, cli.run("nf", "policy", "FORWARD", "DROP"));
        h.injectIp(ipv4(HOST_IP, STACK_IP, 1, 64, 1, 0, icmpEcho(8, 1, 1, pattern(56))));
        h.injectIp(ipv4(HOST_IP, STACK_IP, 1, 64, 2, 0, icmpEcho(8, 1, 2, pattern(56))));
        assertEquals(0, cli.run("nf", "list", "INPUT"));
        assertEquals("""
                Chain INPUT (policy ACCEPT 0 packets, 0 bytes)
                num      pkts      bytes target     prot opt in     out     source               destination
                1           2        168 DROP       icmp --  *      *       0.0.0.0/0            0.0.0.0/0
                2           0          0 REJECT     tcp  --  *      *       0.0.0.0/0            0.0.0.0/0            tcp dpt:22 reject-with tcp-reset
                3           0          0 REJECT     udp  --  eth+   *      !10.1.0.0/16          0.0.0.0/0            udp spts:1000:2000 reject-with icmp-port-unreachable
                """, cli.out());
        assertEquals(0, cli.run("nf"));
        assertTrue(cli.out().startsWith("Chain PREROUTING (policy ACCEPT 0 packets, 0 bytes)\n"
                + "num      pkts      bytes target     prot opt in     out     source               destination\n\n"
                + "Chain INPUT (policy ACCEPT 0 packets, 0 bytes)\n"), cli.out());
        assertTrue(cli.out().contains("\nChain FORWARD (policy DROP 0 packets, 0 bytes)\n"), cli.out());
        assertTrue(cli.out().endsWith("Chain POSTROUTING (policy ACCEPT 0 packets, 0 bytes)\n"
                + "num      pkts      bytes target     prot opt in     out     source               destination\n"), cli.out());
        assertEquals(0, cli.run("nf", "list", "--json"));
        assertEquals(5, json().size());
        assertEquals("-p tcp --dport 22 -j REJECT --reject-with tcp-reset", json().get(1).get("rules").get(1).get("spec").asText());
        assertEquals(0, cli.run("nf", "--json"));
        assertEquals(2, json().get(1).get("rules").get(0).get("packets").asLong());

        assertEquals(0, cli.run("nf", "del", "INPUT", "1"));
        assertEquals(0, cli.run("nf", "flush", "INPUT"));
        assertEquals(0, cli.run("nf", "list", "INPUT"));
        assertEquals("""
                Chain INPUT (policy ACCEPT 0 packets, 0 bytes)
                num      pkts      bytes target     prot opt in     out     source               destination
                """, cli.out());
        assertEquals(0, cli.run("nf", "flush"));
        assertEquals("", cli.err());
    }

    @Test
    void aBadRuleIsABadCommandLineAndTheDaemonsRefusalsAreExit1() {
        assertEquals(2, cli.run("nf", "add", "INPUT", "-p", "tcp", "--dport", "70000", "-j", "DROP"));
        assertEquals("ustack: --dport '70000' is not a port or range: ports are 0 to 65535, a range is LO:HI\n", cli.err());
        assertEquals(2, cli.run("nf", "add", "input", "-j", "DROP"));
        assertEquals("ustack: there is no chain 'input'; the chains are PREROUTING, INPUT, FORWARD, OUTPUT and POSTROUTING\n",
                cli.err());
        assertEquals(2, cli.run("nf", "add", "OUTPUT", "-i", "eth0", "-j", "DROP"));
        assertEquals("ustack: -i cannot be used in OUTPUT: packets there come from this host\n", cli.err());
        assertEquals(2, cli.run("nf", "add", "INPUT"));
        assertEquals(2, cli.run("nf", "policy", "INPUT", "REJECT"));
        assertEquals("ustack: a policy is ACCEPT or DROP, not 'REJECT'\n", cli.err());
        assertEquals(2, cli.run("nf", "del", "INPUT", "one"));
        assertEquals(2, cli.run("nf", "list", "NOPE"));

        assertEquals(1, cli.run("nf", "del", "INPUT", "1"));
        assertEquals("ustack: INPUT has no rule 1; it has no rules\n", cli.err());
        assertEquals(1, cli.run("nf", "insert", "FORWARD", "3", "-j", "DROP"));
        assertEquals("ustack: cannot insert at 3 in FORWARD: it has no rules, so the position must be from 1 to 1\n", cli.err());
        assertEquals("", cli.out());
    }

    @Test
    void conntrackShowsTheTablesLimitBesideItsCount() {
        h.stack.conntrack().setMax(1000);
        assertEquals(0, cli.run("conntrack"));
        assertTrue(cli.out().contains(", 0 flow entries (max 1000), "), cli.out());
        assertEquals(0, cli.run("conntrack", "--json"));
        JsonNode stats = json().path("stats");
        assertEquals(0, stats.path("entries").asLong());
        assertEquals(1000, stats.path("max").asLong());
    }

    @Test
    void conntrackListsTheFlowsAStateRuleTracks() {
        h.hostArps();
        assertEquals(0, cli.run("conntrack"));
        assertEquals("conntrack: off (no rule needs it), 0 flow entries (max 65536), found 0, invalid 0, insert 0, "
                + "insert_failed 0, drop 0, early_drop 0\n", cli.out());
        assertEquals(0, cli.run("nf", "add", "INPUT", "-m", "state", "--state", "INVALID", "-j", "DROP"));
        h.injectIp(ipv4(HOST_IP, STACK_IP, 1, 64, 1, 0, icmpEcho(8, 7, 1, pattern(8))));
        assertEquals(1, h.sent().size());
        assertEquals(0, cli.run("conntrack", "list"));
        assertEquals("""
                icmp     1 30 src=10.0.0.1 dst=10.0.0.2 type=8 code=0 id=7 src=10.0.0.2 dst=10.0.0.1 type=0 code=0 id=7
                conntrack: on, 1 flow entries (max 65536), found 1, invalid 0, insert 1, insert_failed 0, drop 0, early_drop 0
                """, cli.out());
        assertEquals(0, cli.run("conntrack", "--json"));
        JsonNode flow = json().get("flows").get(0);
        assertEquals("icmp", flow.get("protocol").asText());
        assertEquals("src=10.0.0.1 dst=10.0.0.2 type=8 code=0 id=7", flow.get("original").asText());
        assertEquals(0, cli.run("conntrack", "flush"));
        assertEquals(0, cli.run("conntrack", "list", "--json"));
        assertEquals(0, json().get("flows").size());
        assertEquals(0, cli.run("nf", "list", "INPUT"));
        assertTrue(cli.out().contains(" DROP       all  --  *      *       0.0.0.0/0            0.0.0.0/0            state INVALID\n"),
                cli.out());
        assertEquals(0, cli.run("nf", "flush"));
        assertEquals(0, cli.run("conntrack"));
        assertTrue(cli.out().startsWith("conntrack: off"), "the last rule that needed it is gone");
        assertEquals(2, cli.run("conntrack", "list", "extra"));
    }

    @Test
    void helpListsNf() {
        assertEquals(0, cli.run("--help"));
        assertTrue(cli.out().contains("  nf "), cli.out());
        assertTrue(cli.out().contains("  conntrack "), cli.out());
        assertEquals(0, cli.run("nf", "add", "--help"));
        assertTrue(cli.out().contains("--reject-with"), cli.out());
    }
}
