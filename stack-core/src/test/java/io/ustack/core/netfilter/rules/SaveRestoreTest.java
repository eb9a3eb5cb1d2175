package io.ustack.core.netfilter.rules;

import static io.ustack.core.testing.Frames.icmpEcho;
import static io.ustack.core.testing.Frames.ipv4;
import static io.ustack.core.testing.Frames.pattern;
import static io.ustack.core.testing.StackHarness.HOST_IP;
import static io.ustack.core.testing.StackHarness.STACK_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.netfilter.Hook;
import io.ustack.core.testing.StackHarness;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * iptables-save and iptables-restore: a file the real iptables-save wrote loads unchanged and saves back
 * the same; ustack's own saves read back to the same tables; a restore is all or nothing.
 */
class SaveRestoreTest {
    private final StackHarness h = new StackHarness();
    private final IpTables ipt = h.stack.iptables();

    @AfterEach
    void leakCheck() {
        h.close();
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = SaveRestoreTest.class.getResourceAsStream("/iptables/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The text without iptables-save's comment lines (the version and the dates). */
    private static String rules(String saved) {
        return Arrays.stream(saved.split("\n")).filter(l -> !l.startsWith("#")).collect(Collectors.joining("\n"));
    }

    @Test
    void whatTheRealIptablesSaveWroteLoadsUnchangedAndSavesBackEqual() throws IOException {
        String real = resource("saved-by-iptables.txt");
        ipt.restore(real, false, false);
        assertEquals(rules(real), rules(ipt.save(false)));
        assertTrue(h.stack.netfilter().functions(Hook.LOCAL_IN).contains("iptables filter INPUT"));
        assertTrue(h.stack.netfilter().functions(Hook.PRE_ROUTING).contains("iptables raw PREROUTING"));
        assertTrue(h.stack.netfilter().functions(Hook.POST_ROUTING).contains("nf_nat"));
    }

    @Test
    void theRulesAsWrittenByHandLoadToWhatIptablesSaves() throws IOException {
        ipt.restore(resource("firewall.rules"), false, false);
        String real = rules(resource("saved-by-iptables.txt"));
        // the real tool lists its nf_tables tables in its own order; each table's text is the same
        for (String table : List.of("*raw", "*mangle", "*nat", "*filter")) {
            assertEquals(section(real, table), section(rules(ipt.save(false)), table), table);
        }
    }

    private static String section(String saved, String table) {
        int start = saved.indexOf(table + "\n");
        return saved.substring(start, saved.indexOf("COMMIT", start));
    }

    @Test
    void aReplaceSaysTheWholeRulesetAndEmptiesWhatItLeavesOut() {
        ipt.iptables("-t nat -A POSTROUTING -o eth0 -j MASQUERADE");
        ipt.iptables("-P FORWARD DROP");
        ipt.replace("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dport 22 -j DROP\nCOMMIT\n");
        assertEquals(List.of(), ipt.rules(Table.NAT, "POSTROUTING"), "a table the text leaves out is emptied");
        assertEquals(1, ipt.rules(Table.FILTER, "INPUT").size());
        assertTrue(ipt.save(false).contains(":FORWARD ACCEPT"), "a policy it leaves out is ACCEPT: " + ipt.save(false));
        assertThrows(IllegalArgumentException.class, () -> ipt.replace("*filter\n-A INPUT -j NOSUCH\nCOMMIT\n"));
        assertEquals(1, ipt.rules(Table.FILTER, "INPUT").size(), "a bad text changes nothing");
    }

    @Test
    void countersAreSavedWithMinusCAndRestoredWithCounters() {
        ipt.iptables("-A INPUT -p icmp -j ACCEPT");
        ipt.iptables("-A OUTPUT -p udp -j ACCEPT"); // OUTPUT has a rule, so its function runs and counts the policy
        for (int i = 0; i < 2; i++) {
            h.injectIp(ipv4(HOST_IP, STACK_IP, 1, 64, i, 0, icmpEcho(8, 1, i, pattern(56))));
        }
        String saved = ipt.save(true);
        assertTrue(saved.contains("\n[2:168] -A INPUT -p icmp -j ACCEPT\n"), saved);
        assertTrue(saved.contains("\n:INPUT ACCEPT [0:0]\n"), saved);
        assertTrue(saved.contains("\n:OUTPUT ACCEPT [2:168]\n"), "the answers went out by the policy: " + saved);
        ipt.iptables("-Z");
        ipt.restore(saved, false, true);
        assertEquals(2, ipt.rules(Table.FILTER, "INPUT").get(0).packets());
        assertEquals(168, ipt.rules(Table.FILTER, "INPUT").get(0).bytes());
        assertEquals(2, ipt.policyPackets(Table.FILTER, Chain.OUTPUT));
        ipt.restore(saved, false, false);
        assertEquals(0, ipt.rules(Table.FILTER, "INPUT").get(0).packets(), "without --counters, they start at 0");
    }

    @Test
    void aBadLineInTheMiddleChangesNothing() throws IOException {
        ipt.restore(resource("saved-by-iptables.txt"), false, false);
        String before = rules(ipt.save(false));
        List<String> functions = h.stack.netfilter().functions(Hook.FORWARD);
        String bad = """
                *filter
                :INPUT ACCEPT [0:0]
                :FORWARD ACCEPT [0:0]
                :OUTPUT ACCEPT [0:0]
                -A INPUT -j ACCEPT
                -A FORWARD -p tcp --dport 99999 -j ACCEPT
                -A OUTPUT -j DROP
                COMMIT
                """;
        IptablesException e = assertThrows(IptablesException.class, () -> ipt.restore(bad, false, false));
        assertEquals("iptables-restore: line 6 failed: invalid port/service `99999' specified", e.getMessage());
        assertEquals(2, e.status());
        assertEquals(before, rules(ipt.save(false)));
        assertEquals(functions, h.stack.netfilter().functions(Hook.FORWARD));
        // a table committed early in the file goes too when a later one fails: the whole restore is one step
        String lateFailure = "*raw\n-A OUTPUT -j NOTRACK\nCOMMIT\n*filter\n-A nosuch -j ACCEPT\nCOMMIT\n";
        assertEquals("iptables-restore: line 5 failed: iptables: No chain/target/match by that name.",
                assertThrows(IptablesException.class, () -> ipt.restore(lateFailure, false, false)).getMessage());
        assertEquals(before, rules(ipt.save(false)));
        assertEquals("iptables-restore: COMMIT expected at line 2",
                assertThrows(IptablesException.class, () -> ipt.restore("*filter\n-A INPUT -j DROP\n", false, false))
                        .getMessage());
        assertEquals(before, rules(ipt.save(false)));
    }

    @Test
    void withoutNoflushATableIsReplacedWholeAndWithItRulesAreAdded() {
        ipt.iptables("-N old");
        ipt.iptables("-A INPUT -j old");
        ipt.iptables("-P FORWARD DROP");
        ipt.restore("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p udp -j DROP\nCOMMIT\n", true, false);
        assertEquals("-P INPUT ACCEPT\n-P FORWARD DROP\n-P OUTPUT ACCEPT\n-N old\n-A INPUT -j old\n-A INPUT -p udp -j DROP\n",
                ipt.iptables("-S"));
        ipt.restore("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p udp -j DROP\nCOMMIT\n", false, false);
        assertEquals("-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n-A INPUT -p udp -j DROP\n", ipt.iptables("-S"),
                "the user chain went, and FORWARD's policy is the default again");
    }

    @Test
    void ustacksOwnSaveReadsBackToTheSameTables() throws IOException {
        ipt.restore(resource("firewall.rules"), false, false);
        ipt.iptables("-t nat -I POSTROUTING 1 -p tcp -o wan0 -j MASQUERADE --to-ports 2000-3000");
        ipt.iptables("-A services -m comment --comment \"a \\\"quoted\\\" word\" -j ACCEPT");
        String first = rules(ipt.save(false));
        assertTrue(first.contains("--comment \"a \\\"quoted\\\" word\""), first);
        ipt.restore(ipt.save(false), false, false);
        assertEquals(first, rules(ipt.save(false)));
    }

    @Test
    void linesSplitAsIptablesRestoreSplitsThem() {
        assertEquals(List.of("-A", "INPUT", "--comment", "two words", "a\"b\\c", "-j", "ACCEPT"),
                SaveFormat.split("-A\tINPUT  --comment \"two words\" \"a\\\"b\\\\c\" -j ACCEPT"));
        assertEquals("unterminated quotes in `-m comment --comment \"open'",
                assertThrows(IptablesException.class, () -> SaveFormat.split("-m comment --comment \"open")).getMessage());
    }
}
