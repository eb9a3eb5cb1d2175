package io.ustack.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
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

    @Test
    void chargenAnswersWithThePattern() {
        Cmd c = inNs("echo | nc -u -w1 " + env.stackIp + " 19");
        assertTrue(c.output().length() <= 512, c.output());
        assertTrue(" !\"#$%&'()*+,-./0123456789".startsWith(c.output().substring(0, Math.min(26, c.output().length()))),
                "the RFC 864 pattern: " + c.output());
    }

    @Test
    void discardSwallowsAndCounts() {
        long before = env.daemon.stats().get("UdpInDatagrams");
        inNs("echo gone | nc -u -w1 " + env.stackIp + " 9");
        Map<String, Long> after = env.daemon.stats();
        assertTrue(after.get("UdpInDatagrams") > before, after.toString());
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
