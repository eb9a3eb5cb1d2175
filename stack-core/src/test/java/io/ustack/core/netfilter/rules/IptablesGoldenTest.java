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
 * The parser table: every command line of iptables/commands.txt, run in order through ustack's tables,
 * prints what the real iptables printed for it (iptables/golden.txt, written by gen-golden.sh in a scratch
 * network namespace) and exits as it did: rules and their -S form, listings column for column, and the
 * exact error line of each refusal. Port names (listings without -n, and rules that name a service) come
 * from /etc/services, as on the machine that wrote golden.txt (Debian's netbase). Where ustack words a refusal as iptables-legacy does rather than as
 * iptables-nft (which reports the kernel's nf_tables error), {@link #LEGACY} says what ustack prints.
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

    private final StackHarness h = new StackHarness();
    private final IpTables ipt = h.stack.iptables();

    @AfterEach
    void leakCheck() {
        h.close();
    }

    @Test
    void everyCommandAnswersAsIptablesDid() throws IOException {
        List<Record> records = records();
        assertEquals(true, records.size() > 150, "the table has its commands");
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
            String legacy = LEGACY.getOrDefault(r.command, LEGACY.get(r.command + "#" + nth));
            String expectedErr = legacy != null ? legacy.substring(2) : r.err;
            int expectedStatus = legacy != null ? legacy.charAt(0) - '0' : r.status;
            assertEquals(expectedStatus + "|" + expectedErr + "|" + r.out, status + "|" + err + "|" + out, r.command);
        }
    }

    private static List<Record> records() throws IOException {
        String text;
        try (InputStream in = IptablesGoldenTest.class.getResourceAsStream("/iptables/golden.txt")) {
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
                err = line.substring(2).replace("iptables v1.8.9 (nf_tables): ", "");
            } else if (command != null) {
                out.append(line).append('\n');
            }
        }
        // the last record's output ends at the file's final newline
        records.add(new Record(command, status, out.substring(0, Math.max(0, out.length() - 1)), err));
        return records;
    }
}
