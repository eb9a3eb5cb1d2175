package io.ustack.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** UDP with Linux as the peer: the built-in services answer nc and Python sockets from a test namespace. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UdpIT {
    private StackOnTap env;
    private Path probe;

    @BeforeAll
    void up() throws Exception {
        RootRequirement.require("ip", "nc", "python3");
        env = StackOnTap.start("--serve", "all");
        probe = env.work.resolve("udp_probe.py");
        try (InputStream in = UdpIT.class.getResourceAsStream("/udp_probe.py")) {
            Files.copy(in, probe);
        }
    }

    @AfterAll
    void down() throws Exception {
        if (env != null) {
            env.close();
        }
    }

    private Cmd inNs(String shell) {
        return env.ns.exec("sh", "-c", shell);
    }

    @Test
    void ncGetsItsLineEchoed() {
        Cmd c = inNs("echo hello | nc -u -w1 " + env.stackIp + " 7");
        assertEquals("hello", c.output().strip(), env.diagnostics());
    }

    /** RFC 864 over UDP: each datagram is answered by one of 0 to 512 characters of the pattern. */
    @Test
    void chargenAnswersWithThePattern() {
        List<String> replies = ask(19, 3);
        int characters = 0;
        for (String r : replies) {
            assertTrue(r.startsWith("reply "), "every datagram answered: " + replies);
            String[] f = r.split(" "); // reply LEN HEX, with no HEX for an empty datagram
            byte[] b = HexFormat.of().parseHex(f.length > 2 ? f[2] : "");
            assertTrue(b.length <= 512 && ChargenPattern.isPrefix(b), "the start of the RFC 864 pattern: "
                    + new String(b, StandardCharsets.US_ASCII));
            characters += b.length;
        }
        // one empty answer in 513 is fair; three in a row would be a chargen that sends nothing
        assertTrue(characters > 0, "some characters in three answers: " + replies);
    }

    /** RFC 863 over UDP: a datagram is taken in and counted, and nothing is sent back. */
    @Test
    void discardSwallowsAndCounts() {
        Map<String, Long> before = env.daemon.stats();
        assertEquals(List.of("nothing"), ask(9, 1), "no answer from discard");
        Map<String, Long> after = env.daemon.stats();
        assertEquals(1, after.get("UdpInDatagrams") - before.get("UdpInDatagrams"), "the datagram was delivered: " + after);
        assertEquals(0, after.get("UdpOutDatagrams") - before.get("UdpOutDatagrams"), "and nothing sent: " + after);
        assertEquals(0, after.get("UdpNoPorts") - before.get("UdpNoPorts"), "to a port that is open: " + after);
    }

    /** What udp_probe.py's ask says of {@code count} datagrams to {@code port}: a line each. */
    private List<String> ask(int port, int count) {
        Cmd c = env.ns.exec("python3", probe.toString(), "ask", env.stackIp, Integer.toString(port), Integer.toString(count));
        List<String> lines = c.output().lines().toList();
        assertEquals(count, lines.size(), c.output() + env.diagnostics());
        return lines;
    }

    @Test
    void aClosedPortIsRefused() {
        long before = env.daemon.stats().get("UdpNoPorts");
        Cmd c = env.ns.exec("python3", probe.toString(), "refused", env.stackIp, "4444");
        assertEquals("refused", c.output().strip(), c.output() + env.diagnostics());
        assertEquals(before + 1, env.daemon.stats().get("UdpNoPorts"));
    }

    @Test
    void aDatagramLargerThanTheMtuIsEchoedWhole() {
        Cmd c = env.ns.exec("python3", probe.toString(), "echo", env.stackIp, "7", "20000");
        assertEquals("same", c.output().strip(), c.output() + env.diagnostics());
    }
}
