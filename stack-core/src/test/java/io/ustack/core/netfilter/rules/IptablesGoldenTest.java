package io.ustack.core.netfilter.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ustack.core.testing.StackHarness;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The parser tables: every command line of iptables/commands.txt, run in order through ustack's tables,
 * prints what the real iptables printed for it (iptables/golden.txt, written by gen-golden.sh in a scratch
 * network namespace) and exits as it did: rules and their -S form, listings column for column, and the
 * exact error line of each refusal. Port names (listings without -n, and rules that name a service) come
 * from /etc/services, as on the machine that wrote golden.txt (Debian's netbase). Where ustack words a refusal as iptables-legacy does rather than as
 * iptables-nft (which reports the kernel's nf_tables error), {@link #LEGACY} says what ustack prints. The same
 * for ip6tables: ip6tables/commands.txt through ustack's IPv6 tables against what the real ip6tables printed.
 */
class IptablesGoldenTest {
    /** What the real tool printed or exited with after one command line. */
    private record Record(String command, int status, String out, String err) {
    }

    /**
     * Commands whose answer differs on purpose, with ustack's answer ("status|first line of stderr"); "-X deeper"
     * comes three times, the chain first full, then jumped to.
     */
    private static final Map<String, String> LEGACY = Map.ofEntries(
            // nf_tables' CHAIN_DEL failures: iptables-legacy's words for EMLINK and ENOTEMPTY
            Map.entry("-X deeper#1", "1|iptables: Directory not empty."),
            Map.entry("-X deeper#2", "1|iptables: Too many links."),
            Map.entry("-X deeper#3", "1|iptables: Too many links."),
            Map.entry("-X web", "1|iptables: Too many links."),
            Map.entry("-X INPUT", "1|iptables: Can't delete built-in chain."),
            Map.entry("-L NOSUCH", "1|iptables: No chain/target/match by that name."),
            // nf_tables' RULE_APPEND failed (Invalid argument): EINVAL with the reason the kernel logs
            Map.entry("-t mangle -A FORWARD -j TCPMSS --set-mss 1400",
                    "1|iptables: Invalid argument: TCPMSS target: Only works on TCP SYN packets."),
            Map.entry("-t nat -A INPUT -j MASQUERADE",
                    "1|iptables: Invalid argument: MASQUERADE target: used from hooks INPUT, but only usable from POSTROUTING."),
            Map.entry("-t nat -A PREROUTING -j SNAT --to-source 192.0.2.1",
                    "1|iptables: Invalid argument: SNAT target: used from hooks PREROUTING, but only usable from POSTROUTING."),
            Map.entry("-t nat -A POSTROUTING -j DNAT --to-destination 192.0.2.1",
                    "1|iptables: Invalid argument: DNAT target: used from hooks POSTROUTING, but only usable from PREROUTING."),
            Map.entry("-t filter -A OUTPUT -j MASQUERADE",
                    "1|iptables: Invalid argument: MASQUERADE target: only valid in nat table, not filter."),
            Map.entry("-t filter -A OUTPUT -j TCPMSS --set-mss 1000",
                    "1|iptables: Invalid argument: TCPMSS target: Only works on TCP SYN packets."),
            Map.entry("-t filter -A OUTPUT -j NOTRACK",
                    "1|iptables: Invalid argument: NOTRACK target: only valid in raw table, not filter."));

    /** ip6tables' answers that differ on purpose, as {@link #LEGACY}'s (ip6tables-legacy's words for EMLINK). */
    private static final Map<String, String> LEGACY6 = Map.of("-X web", "1|ip6tables: Too many links.");

    private final StackHarness h = new StackHarness();

    @AfterEach
    void leakCheck() {
        h.close();
    }

    @Test
    void everyCommandAnswersAsIptablesDid() throws IOException {
        List<Record> records = records("iptables");
        assertEquals(true, records.size() > 150, "the table has its commands");
        answerAsRecorded(h.stack.iptables(), records, LEGACY);
    }

    @Test
    void everyCommandAnswersAsIp6tablesDid() throws IOException {
        List<Record> records = records("ip6tables");
        assertEquals(true, records.size() > 60, "the table has its commands");
        answerAsRecorded(h.stack.ip6tables(), records, LEGACY6);
    }

    /** Runs each record's command through {@code ipt}; what it printed and its status must be the record's. */
    private static void answerAsRecorded(IpTables ipt, List<Record> records, Map<String, String> legacyWords) {
        Map<String, Integer> seen = new HashMap<>();
        for (Record r : records) {
            int nth = seen.merge(r.command, 1, Integer::sum);
            int status = 0;
            String out = "";
            String err = "";
            try {
                out = ipt.iptables(r.command);
            } catch (IptablesException e) {
                status = e.status();
                err = e.getMessage();
            }
            String legacy = legacyWords.getOrDefault(r.command, legacyWords.get(r.command + "#" + nth));
            String expectedErr = legacy != null ? legacy.substring(2) : r.err;
            int expectedStatus = legacy != null ? legacy.charAt(0) - '0' : r.status;
            assertEquals(expectedStatus + "|" + expectedErr + "|" + r.out, status + "|" + err + "|" + out, r.command);
        }
    }

    /** {@code tool}'s golden.txt, its error lines without the tool's version prefix. */
    private static List<Record> records(String tool) throws IOException {
        String text;
        try (InputStream in = IptablesGoldenTest.class.getResourceAsStream("/" + tool + "/golden.txt")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<Record> records = new ArrayList<>();
        String command = null;
        int status = 0;
        StringBuilder out = new StringBuilder();
        String err = "";
        for (String line : text.split("\n", -1)) {
            if (line.startsWith("$ ")) {
                if (command != null) {
                    records.add(new Record(command, status, out.toString(), err));
                }
                command = line.substring(2);
                out.setLength(0);
                err = "";
            } else if (line.startsWith("rc ")) {
                status = Integer.parseInt(line.substring(3));
            } else if (line.startsWith("! ")) {
                err = line.substring(2).replace(tool + " v1.8.9 (nf_tables): ", "");
            } else if (command != null) {
                out.append(line).append('\n');
            }
        }
        // the last record's output ends at the file's final newline
        records.add(new Record(command, status, out.substring(0, Math.max(0, out.length() - 1)), err));
        return records;
    }
}
