package io.ustack.cli.control.handlers;

import static io.ustack.core.testing.Frames.icmpEcho;
import static io.ustack.core.testing.Frames.ipv4;
import static io.ustack.core.testing.Frames.pattern;
import static io.ustack.core.testing.StackHarness.HOST_IP;
import static io.ustack.core.testing.StackHarness.STACK_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ustack.core.netfilter.Hook;
import io.ustack.core.testing.StackHarness;
import java.util.List;
import io.ustack.cli.testing.DispatchChecks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The nf commands through the dispatcher, over a real stack: the chains change and the packet path obeys. */
class NfHandlersTest {
    private final StackHarness h = new StackHarness();
    private final DispatchChecks d = new DispatchChecks(h.stack);

    @AfterEach
    void leakCheck() {
        h.close();
    }

    private void ping() {
        h.injectIp(ipv4(HOST_IP, STACK_IP, 1, 64, 1, 0, icmpEcho(8, 1, 1, pattern(56))));
    }

    @Test
    void listShowsEveryChainWithItsPolicyAndCounters() {
        JsonNode chains = d.ok("{\"cmd\":\"nf list\"}");
        assertEquals(5, chains.size());
        assertEquals("{\"chain\":\"PREROUTING\",\"policy\":\"ACCEPT\",\"packets\":0,\"bytes\":0,\"rules\":[]}",
                chains.get(0).toString());
        assertEquals("POSTROUTING", chains.get(4).get("chain").asText());
        assertEquals(1, d.ok("{\"cmd\":\"nf list\",\"args\":{\"chain\":\"OUTPUT\"}}").size());
    }

    @Test
    void addInsertDeletePolicyAndFlushChangeWhatPacketsMeet() {
        h.hostArps();
        JsonNode added = d.ok("{\"cmd\":\"nf add\",\"args\":{\"chain\":\"INPUT\",\"rule\":[\"-p\",\"icmp\",\"-s\",\"10.0.0.1\",\"-j\",\"DROP\"]}}");
        assertEquals("{\"num\":1,\"packets\":0,\"bytes\":0,\"target\":\"DROP\",\"prot\":\"icmp\",\"in\":\"*\",\"out\":\"*\","
                + "\"source\":\"10.0.0.1\",\"destination\":\"0.0.0.0/0\",\"extra\":\"\",\"spec\":\"-s 10.0.0.1 -p icmp -j DROP\"}",
                added.toString());
        ping();
        assertTrue(h.sent().isEmpty(), "dropped in INPUT");
        JsonNode input = d.ok("{\"cmd\":\"nf list\",\"args\":{\"chain\":\"INPUT\"}}").get(0);
        assertEquals(1, input.get("rules").get(0).get("packets").asLong());
        assertEquals(84, input.get("rules").get(0).get("bytes").asLong());

        assertEquals(1, d.ok("{\"cmd\":\"nf insert\",\"args\":{\"chain\":\"INPUT\",\"num\":1,\"rule\":[\"-i\",\"eth0\",\"-j\",\"ACCEPT\"]}}")
                .get("num").asInt());
        ping();
        assertEquals(1, h.sent().size(), "the inserted ACCEPT comes first");
        assertEquals("-i eth0 -j ACCEPT", d.ok("{\"cmd\":\"nf del\",\"args\":{\"chain\":\"INPUT\",\"num\":1}}").get("spec").asText());

        assertEquals("{\"flushed\":1}", d.ok("{\"cmd\":\"nf flush\",\"args\":{\"chain\":\"INPUT\"}}").toString());
        d.ok("{\"cmd\":\"nf policy\",\"args\":{\"chain\":\"OUTPUT\",\"policy\":\"DROP\"}}");
        ping();
        assertTrue(h.sent().isEmpty(), "the OUTPUT policy drops the reply");
        JsonNode output = d.ok("{\"cmd\":\"nf list\",\"args\":{\"chain\":\"OUTPUT\"}}").get(0);
        assertEquals("DROP", output.get("policy").asText());
        assertEquals(1, output.get("packets").asLong());
        d.ok("{\"cmd\":\"nf policy\",\"args\":{\"chain\":\"OUTPUT\",\"policy\":\"ACCEPT\"}}");

        d.ok("{\"cmd\":\"nf add\",\"args\":{\"chain\":\"FORWARD\",\"rule\":[\"-j\",\"ACCEPT\"]}}");
        d.ok("{\"cmd\":\"nf add\",\"args\":{\"chain\":\"PREROUTING\",\"rule\":[\"-j\",\"ACCEPT\"]}}");
        assertEquals("{\"flushed\":2}", d.ok("{\"cmd\":\"nf flush\"}").toString());
        for (Hook hook : Hook.values()) {
            assertEquals(List.of(), h.stack.netfilter().functions(hook), "nothing left on " + hook);
        }
    }

    @Test
    void mistakesAreOneSentence() {
        assertEquals("there is no chain 'forward'; the chains are PREROUTING, INPUT, FORWARD, OUTPUT and POSTROUTING",
                d.error("{\"cmd\":\"nf list\",\"args\":{\"chain\":\"forward\"}}"));
        assertEquals("nf add needs \"chain\", one of PREROUTING, INPUT, FORWARD, OUTPUT, POSTROUTING",
                d.error("{\"cmd\":\"nf add\",\"args\":{\"rule\":[\"-j\",\"DROP\"]}}"));
        assertEquals("nf add needs \"rule\", the rule's words, such as [\"-p\",\"tcp\",\"-j\",\"DROP\"]",
                d.error("{\"cmd\":\"nf add\",\"args\":{\"chain\":\"INPUT\"}}"));
        assertEquals("nf add's \"rule\" must be an array of strings",
                d.error("{\"cmd\":\"nf add\",\"args\":{\"chain\":\"INPUT\",\"rule\":\"-j DROP\"}}"));
        assertEquals("nf add's \"rule\" must be an array of strings",
                d.error("{\"cmd\":\"nf add\",\"args\":{\"chain\":\"INPUT\",\"rule\":[\"-j\",7]}}"));
        assertEquals("--dport needs -p tcp or -p udp",
                d.error("{\"cmd\":\"nf add\",\"args\":{\"chain\":\"INPUT\",\"rule\":[\"--dport\",\"22\",\"-j\",\"DROP\"]}}"));
        assertEquals("cannot insert at 2 in INPUT: it has no rules, so the position must be from 1 to 1",
                d.error("{\"cmd\":\"nf insert\",\"args\":{\"chain\":\"INPUT\",\"num\":2,\"rule\":[\"-j\",\"DROP\"]}}"));
        assertEquals("nf insert's \"num\" must be a whole number",
                d.error("{\"cmd\":\"nf insert\",\"args\":{\"chain\":\"INPUT\",\"num\":\"1\",\"rule\":[\"-j\",\"DROP\"]}}"));
        assertEquals("nf del needs \"num\", the number of the rule to delete, from 1",
                d.error("{\"cmd\":\"nf del\",\"args\":{\"chain\":\"INPUT\"}}"));
        assertEquals("INPUT has no rule 1; it has no rules", d.error("{\"cmd\":\"nf del\",\"args\":{\"chain\":\"INPUT\",\"num\":1}}"));
        assertEquals("a policy is ACCEPT or DROP, not 'REJECT'",
                d.error("{\"cmd\":\"nf policy\",\"args\":{\"chain\":\"INPUT\",\"policy\":\"REJECT\"}}"));
        assertEquals("nf flush has no argument \"chains\"; it takes chain", d.error("{\"cmd\":\"nf flush\",\"args\":{\"chains\":\"INPUT\"}}"));
        assertEquals(0, d.ok("{\"cmd\":\"nf list\",\"args\":{\"chain\":\"INPUT\"}}").get(0).get("rules").size(), "nothing changed");
    }
}
