package io.ustack.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * Behave like Linux on the wire: one battery of probes ({@code diff_probe.py}: ICMP, IP header oddities and
 * options, fragments, UDP, TCP in LISTEN and beyond, ARP, IGMP) is sent, in the same run, to ustack on a TAP
 * and to the Linux kernel in a namespace of its own, both at the same address, and every answer is compared
 * after what is random per run is masked. The differences that remain are listed, each with its reason, in
 * {@code diff-probe-known.txt}: a difference not listed fails the test, and so does a listed one that no
 * longer differs, so the list stays true. The full report goes to {@code target/diff-probe-report.txt}.
 *
 * <p>The probe side of each target (the TAP's host end, the far end of a veth pair) lives in a namespace of
 * its own and carries no IP address, so the probing kernel never reacts to an answer (no RSTs to SYN-ACKs);
 * the prober answers ARP for its addresses itself. {@code -Ddiffprobe.only=a,b} runs the named probes alone.
 */
class DiffProbeIT {
    private static final String KNOWN = "/diff-probe-known.txt";

    @Test
    void ustackAnswersTheBatteryAsLinuxDoes() throws Exception {
        RootRequirement.require("ip", "python3");
        String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
        String net = "10.203." + (1 + ThreadLocalRandom.current().nextInt(250));
        String target = net + ".2";
        String only = System.getProperty("diffprobe.only", "");
        Path work = Files.createTempDirectory("ustack-diffprobe-");
        Path prober = copy("/diff_probe.py", work);
        Path services = copy("/kernel_services.py", work);
        String tap = "dpu" + id;
        String vethTarget = "dpkt" + id;
        String vethProbe = "dpkp" + id;
        Deque<AutoCloseable> cleanup = new ArrayDeque<>();
        Daemon daemon = null;
        try {
            // (a) ustack on a TAP whose host end sits, unaddressed, in the probe namespace
            NetNs uProbe = new NetNs("ustack-dp-u-" + id);
            cleanup.push(uProbe);
            cleanup.push(() -> Cmd.run("ip", "link", "del", tap)); // only if a failure left it behind
            daemon = Daemon.start(work, "--iface", tap + ",addr=" + target + "/24", "--serve", "all");
            Daemon d = daemon;
            cleanup.push(d::close);
            Cmd.run("ip", "link", "set", tap, "netns", uProbe.name).ok();
            quiet(uProbe, tap);

            // (b) the kernel at the same address on a veth whose other end sits, unaddressed, in a probe namespace
            NetNs kTarget = new NetNs("ustack-dp-k-" + id);
            cleanup.push(kTarget);
            NetNs kProbe = new NetNs("ustack-dp-kp-" + id);
            cleanup.push(kProbe);
            cleanup.push(() -> Cmd.run("ip", "link", "del", vethTarget));
            Cmd.run("ip", "link", "add", vethTarget, "type", "veth", "peer", "name", vethProbe).ok();
            Cmd.run("ip", "link", "set", vethTarget, "netns", kTarget.name).ok();
            Cmd.run("ip", "link", "set", vethProbe, "netns", kProbe.name).ok();
            quiet(kTarget, vethTarget);
            quiet(kProbe, vethProbe);
            // a fresh namespace inherits ip_forward from the host (a Docker host forwards): the kernel's default
            // is off, as ustack's is. tcp_rmem and tcp_wmem are copied from the host's too, and on this kernel
            // (6.18) those are its built-in defaults (tcp_rmem[2] 32 MiB, wscale 10), which ustack's follow
            kTarget.exec("sysctl", "-q", "-w", "net.ipv4.ip_forward=0").ok();
            kTarget.exec("ip", "addr", "add", target + "/24", "dev", vethTarget).ok();
            Background kServices = kTarget.spawn("python3", services.toString(), target);
            cleanup.push(kServices);
            kServices.awaitOutput("ready", Duration.ofSeconds(60));

            // the same battery to both, side by side
            Path uOut = work.resolve("ustack.json");
            Path kOut = work.resolve("linux.json");
            Background uRun = uProbe.spawn("python3", prober.toString(), tap, net, target, uOut.toString(), only);
            cleanup.push(uRun);
            Background kRun = kProbe.spawn("python3", prober.toString(), vethProbe, net, target, kOut.toString(), only);
            cleanup.push(kRun);
            String uLog = uRun.finish(Duration.ofMinutes(15));
            String kLog = kRun.finish(Duration.ofMinutes(15));
            assertTrue(Files.exists(uOut) && Files.exists(kOut), "both probers wrote a report:\nustack: " + uLog
                    + "\nlinux: " + kLog + "\n---- daemon log ----\n" + d.log());

            Map<String, JsonNode> ustack = read(uOut);
            Map<String, JsonNode> linux = read(kOut);
            Map<String, String> known = known();
            compare(ustack, linux, known, only.isEmpty());
        } finally {
            while (!cleanup.isEmpty()) {
                try {
                    cleanup.pop().close();
                } catch (Exception | AssertionError e) {
                    System.err.println("DiffProbeIT cleanup: " + e);
                }
            }
        }
    }

    /** No IPv6 on the link: nothing but the probes' answers crosses it. Brings the device up. */
    private static void quiet(NetNs ns, String dev) {
        ns.exec("sh", "-c", "echo 1 > /proc/sys/net/ipv6/conf/" + dev + "/disable_ipv6");
        ns.exec("ip", "link", "set", dev, "up").ok();
    }

    private static Path copy(String resource, Path dir) throws IOException {
        Path p = dir.resolve(resource.substring(1));
        try (InputStream in = DiffProbeIT.class.getResourceAsStream(resource)) {
            Files.copy(in, p);
        }
        return p;
    }

    private static Map<String, JsonNode> read(Path json) throws IOException {
        Map<String, JsonNode> m = new LinkedHashMap<>();
        for (JsonNode p : new ObjectMapper().readTree(json.toFile()).get("probes")) {
            m.put(p.get("name").asText(), p);
        }
        return m;
    }

    /** diff-probe-known.txt: "probe-name: reason" a line; '#' starts a comment. */
    static Map<String, String> known() throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                DiffProbeIT.class.getResourceAsStream(KNOWN), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                String l = line.strip();
                if (l.isEmpty() || l.startsWith("#")) {
                    continue;
                }
                int colon = l.indexOf(':');
                if (colon <= 0 || l.substring(colon + 1).isBlank()) {
                    throw new AssertionError(KNOWN + ": every line is 'probe-name: reason', not: " + line);
                }
                m.put(l.substring(0, colon).strip(), l.substring(colon + 1).strip());
            }
        }
        return m;
    }

    private static List<String> answers(JsonNode probe) {
        List<String> out = new ArrayList<>();
        probe.get("answers").forEach(a -> out.add(a.asText()));
        probe.get("late").forEach(a -> out.add("late: " + a.asText()));
        return out;
    }

    private static void compare(Map<String, JsonNode> ustack, Map<String, JsonNode> linux, Map<String, String> known,
                                boolean whole) throws IOException {
        StringBuilder table = new StringBuilder();
        StringBuilder details = new StringBuilder();
        List<String> unexpected = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        int same = 0;
        int differ = 0;
        for (Map.Entry<String, JsonNode> e : linux.entrySet()) {
            String name = e.getKey();
            List<String> k = answers(e.getValue());
            JsonNode un = ustack.get(name);
            List<String> u = un == null ? List.of("(not run)") : answers(un);
            boolean equal = k.equals(u);
            String verdict;
            if (equal) {
                same++;
                verdict = known.containsKey(name) ? "SAME, listed as different" : "same";
                if (known.containsKey(name)) {
                    stale.add(name);
                }
            } else {
                differ++;
                verdict = known.containsKey(name) ? "different (known)" : "DIFFERENT, not listed";
                if (!known.containsKey(name)) {
                    unexpected.add(name);
                }
                details.append("== ").append(name).append(known.containsKey(name) ? "  (known: " + known.get(name)
                        + ")" : "").append('\n');
                details.append("  linux:\n");
                k.forEach(a -> details.append("    ").append(a).append('\n'));
                details.append("  ustack:\n");
                u.forEach(a -> details.append("    ").append(a).append('\n'));
            }
            table.append(String.format("%-44s %s%n", name, verdict));
        }
        if (whole) {
            for (String name : known.keySet()) {
                if (!linux.containsKey(name)) {
                    stale.add(name + " (no such probe)");
                }
            }
        }
        String summary = String.format("%d probes: %d answered the same, %d differently (%d listed, %d not); "
                + "%d listed differences no longer differ%n", linux.size(), same, differ, differ - unexpected.size(),
                unexpected.size(), stale.size());
        String report = summary + "\n" + table + "\n" + details;
        Path out = Path.of("target", "diff-probe-report.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report);
        System.out.println(summary + table);
        assertTrue(unexpected.isEmpty() && stale.isEmpty(), summary
                + (unexpected.isEmpty() ? "" : "new differences (fix them or list them with a reason in "
                + KNOWN + "): " + unexpected + "\n")
                + (stale.isEmpty() ? "" : "listed but no longer different (take them out of " + KNOWN + "): "
                + stale + "\n") + "report: " + out.toAbsolutePath() + "\n" + details);
    }
}
