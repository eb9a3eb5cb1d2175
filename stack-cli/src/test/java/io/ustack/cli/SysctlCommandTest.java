package io.ustack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.cli.control.Json;
import io.ustack.cli.testing.ServedStackTest;
import org.junit.jupiter.api.Test;

/** ustack sysctl as a user meets it: sysctl's lines, writes, --json, exit codes and sentences. */
class SysctlCommandTest extends ServedStackTest {
    @Test
    void readsAndWritesLikeSysctl() throws Exception {
        assertEquals(0, cli.run("sysctl", "net.ipv4.tcp_sack", "net.ipv4.ip_forward"));
        assertEquals("net.ipv4.tcp_sack = 1\nnet.ipv4.ip_forward = 0\n", cli.out());
        assertEquals(0, cli.run("sysctl", "-w", "net.ipv4.tcp_sack=0", "net.ipv4.ip_forward=1"));
        assertEquals("net.ipv4.tcp_sack = 0\nnet.ipv4.ip_forward = 1\n", cli.out());
        assertTrue(h.stack.forwarding());
        assertEquals(0, cli.run("sysctl", "-a"));
        assertTrue(cli.out().contains("net.ipv4.tcp_congestion_control = cubic\n"), cli.out());
        assertEquals(0, cli.run("sysctl", "--json", "net.netfilter.nf_conntrack_max=4096"));
        assertEquals("4096", Json.MAPPER.readTree(cli.out()).get("net.netfilter.nf_conntrack_max").asText());
        assertEquals("", cli.err());
    }

    @Test
    void aBadWriteChangesNothingAndSaysWhy() {
        assertEquals(2, cli.run("sysctl", "net.ipv4.ip_forward=1", "net.ipv4.tcp_sack=2"));
        assertEquals("ustack: net.ipv4.tcp_sack must be 0 or 1, not '2'\n", cli.err());
        assertEquals(false, h.stack.forwarding(), "checked first, so the good write was not made either");
        assertEquals(1, cli.run("sysctl", "net.ipv4.nope"));
        assertEquals("ustack: there is no sysctl key net.ipv4.nope (ustack sysctl -a lists them)\n", cli.err());
        assertEquals(2, cli.run("sysctl", "-w", "net.ipv4.tcp_sack"));
        assertEquals("ustack: sysctl -w 'net.ipv4.tcp_sack': expected NAME=VALUE, as net.ipv4.tcp_sack=0\n", cli.err());
    }
}
