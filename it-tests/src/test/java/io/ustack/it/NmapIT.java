package io.ustack.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * nmap's OS detection (`nmap -O`) against ustack and against the Linux kernel in a namespace, in the same run,
 * with the same addresses and the same open (80) and closed (81) ports: their fingerprints must agree line
 * for line, value for value, but for what is random per run on Linux itself (the SCAN line, and SEQ's ISN
 * and timestamp sequences). The differences that remain are listed in nmap/known-differences.txt, each with
 * its reason; a new difference fails the test, and so does a listed one that has gone.
 */
class NmapIT {
    /** Values nmap measures that are random from run to run on Linux too. */
    private static final Set<String> RANDOM = Set.of("SEQ.SP", "SEQ.GCD", "SEQ.ISR", "SEQ.TS");
    private static final Pattern TEST = Pattern.compile("([A-Z0-9]+)\\(([^)]*)\\)");

    /** nmap -O's fingerprint of {@code ip} seen from {@code ns}: test, attribute, value. */
    private static Map<String, String> fingerprint(Background nmap) throws InterruptedException {
        String out = nmap.finish(Duration.ofMinutes(5));
        StringBuilder joined = new StringBuilder();
        boolean in = false;
        for (String line : out.split("\n")) {
            if (line.startsWith("TCP/IP fingerprint:") || line.startsWith("OS fingerprint:")) {
                in = true;
            } else if (in && line.startsWith("OS:")) {
                joined.append(line.substring(3));
            } else if (in) {
                in = false;
            }
        }
        Map<String, String> fp = new TreeMap<>();
        Matcher m = TEST.matcher(joined);
        while (m.find()) {
            String test = m.group(1);
            if (test.equals("SCAN")) {
                continue;
            }
            fp.put(test, "");
            for (String attr : m.group(2).split("%")) {
                int eq = attr.indexOf('=');
                if (eq > 0) {
                    fp.put(test + "." + attr.substring(0, eq), attr.substring(eq + 1));
                }
            }
        }
        assertFalse(fp.isEmpty(), "nmap printed no fingerprint:\n" + out);
        return fp;
    }

    private static Background nmap(NetNs ns, String ip) {
        return ns.spawn("nmap", "-O", "-d", "-Pn", "-n", "-p", "80,81", ip);
    }

    @Test
    void nmapSeesTheSameFingerprintAsTheKernels() throws Exception {
        RootRequirement.require("ip", "nmap", "python3");
        String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
        try (StackOnTap env = StackOnTap.start("--serve", "http");
             NetNs prober = new NetNs("ustack-it-nmp-" + id);
             NetNs linux = new NetNs("ustack-it-nml-" + id)) {
            String a = "un" + id + "a";
            try {
                // the kernel target: the same addresses as the TAP's two sides, over a veth, serving port 80
                Cmd.run("ip", "link", "add", a, "netns", prober.name, "type", "veth", "peer", "name", "un" + id + "b",
                        "netns", linux.name).ok();
                prober.exec("ip", "addr", "add", env.hostIp + "/24", "dev", a).ok();
                prober.exec("ip", "link", "set", a, "up").ok();
                linux.exec("ip", "addr", "add", env.stackIp + "/24", "dev", "un" + id + "b").ok();
                linux.exec("ip", "link", "set", "un" + id + "b", "up").ok();
                try (Background http = linux.spawn("python3", "-u", "-m", "http.server", "80", "--bind", env.stackIp)) {
                    http.awaitOutput("Serving HTTP", Duration.ofSeconds(30));
                    Map<String, String> ours;
                    Map<String, String> kernels;
                    try (Background u = nmap(env.ns, env.stackIp); Background k = nmap(prober, env.stackIp)) {
                        ours = fingerprint(u);
                        kernels = fingerprint(k);
                    }
                    compare(kernels, ours);
                }
            } finally {
                Cmd.run("ip", "-n", prober.name, "link", "del", a);
            }
        }
    }

    private static void compare(Map<String, String> kernels, Map<String, String> ours) throws IOException {
        Map<String, String> differences = new LinkedHashMap<>();
        Set<String> keys = new TreeSet<>(kernels.keySet());
        keys.addAll(ours.keySet());
        for (String k : keys) {
            String test = k.contains(".") ? k.substring(0, k.indexOf('.')) : k;
            boolean answeredDiffers = !Objects.equals(kernels.get(test + ".R"), ours.get(test + ".R"));
            if (RANDOM.contains(k) || !k.contains(".") || (answeredDiffers && !k.equals(test + ".R"))) {
                continue; // random, a test's name, or the details of a probe only one side answered
            }
            String lv = kernels.get(k);
            String uv = ours.get(k);
            if (lv == null || !lv.equals(uv)) {
                differences.put(k, "Linux " + (lv == null ? "(none)" : lv) + ", ustack " + (uv == null ? "(none)" : uv));
            }
        }
        System.out.println("nmap -O, Linux against ustack: " + keys.size() + " values compared, " + differences.size()
                + " differ");
        differences.forEach((k, v) -> System.out.println("  " + k + ": " + v));
        Map<String, String> known = known();
        List<String> unexpected = new ArrayList<>();
        differences.forEach((k, v) -> {
            if (!known.containsKey(k)) {
                unexpected.add(k + " (" + v + ")");
            }
        });
        List<String> gone = new ArrayList<>();
        for (String k : known.keySet()) {
            if (!differences.containsKey(k)) {
                gone.add(k);
            }
        }
        assertEquals(List.of(), unexpected, "differences from Linux not in nmap/known-differences.txt");
        assertEquals(List.of(), gone, "listed in nmap/known-differences.txt but no longer different: remove them");
    }

    /** The listed differences: "TEST.ATTR reason". */
    private static Map<String, String> known() throws IOException {
        try (InputStream in = NmapIT.class.getResourceAsStream("/nmap/known-differences.txt")) {
            Map<String, String> m = new TreeMap<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String l = line.strip();
                if (!l.isEmpty() && !l.startsWith("#")) {
                    int sp = l.indexOf(' ');
                    m.put(sp < 0 ? l : l.substring(0, sp), sp < 0 ? "" : l.substring(sp + 1).strip());
                }
            }
            return m;
        }
    }
}
