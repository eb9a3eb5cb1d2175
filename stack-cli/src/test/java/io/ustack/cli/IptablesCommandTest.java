package io.ustack.cli;

import static io.ustack.core.testing.Frames.echoBody;
import static io.ustack.core.testing.Frames.icmpEcho;
import static io.ustack.core.testing.Frames.icmpv6;
import static io.ustack.core.testing.Frames.ipv6;
import static io.ustack.core.testing.Frames.ipv4;
import static io.ustack.core.testing.Frames.pattern;
import static io.ustack.core.testing.StackHarness.HOST_IP;
import static io.ustack.core.testing.StackHarness.HOST_IP6;
import static io.ustack.core.testing.StackHarness.STACK_IP;
import static io.ustack.core.testing.StackHarness.STACK_IP6;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.cli.testing.ServedStackTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** ustack iptables, iptables-save and iptables-restore as a user meets them: iptables' output, errors and exit codes. */
class IptablesCommandTest extends ServedStackTest {
    @Test
    void rulesAreAddedAndListedAsIptablesListsThem() {
        h.hostArps();
        assertEquals(0, cli.run("iptables", "-A", "INPUT", "-p", "icmp", "-j", "DROP"));
        assertEquals("", cli.out());
        assertEquals(0, cli.run("iptables", "-N", "ssh"));
        assertEquals(0, cli.run("iptables", "-I", "INPUT", "-p", "tcp", "--dport", "22", "-j", "ssh"));
        assertEquals(0, cli.run("iptables", "-A", "ssh", "-m", "comment", "--comment", "from anywhere", "-j", "ACCEPT"));
        h.injectIp(ipv4(HOST_IP, STACK_IP, 1, 64, 1, 0, icmpEcho(8, 1, 1, pattern(56))));
        h.injectIp(ipv4(HOST_IP, STACK_IP, 1, 64, 2, 0, icmpEcho(8, 1, 2, pattern(56))));
        assertTrue(h.sent().isEmpty());
        assertEquals(0, cli.run("iptables", "-L", "-n", "-v", "-x", "--line-numbers"));
        assertEquals("""
                Chain INPUT (policy ACCEPT 0 packets, 0 bytes)
                num      pkts      bytes target     prot opt in     out     source               destination        \s
                1           0        0 ssh        6    --  *      *       0.0.0.0/0            0.0.0.0/0            tcp dpt:22
                2           2      168 DROP       1    --  *      *       0.0.0.0/0            0.0.0.0/0          \s

                Chain FORWARD (policy ACCEPT 0 packets, 0 bytes)
                num      pkts      bytes target     prot opt in     out     source               destination        \s

                Chain OUTPUT (policy ACCEPT 0 packets, 0 bytes)
                num      pkts      bytes target     prot opt in     out     source               destination        \s

                Chain ssh (1 references)
                num      pkts      bytes target     prot opt in     out     source               destination        \s
                1           0        0 ACCEPT     0    --  *      *       0.0.0.0/0            0.0.0.0/0            /* from anywhere */
                """, cli.out());
        assertEquals(0, cli.run("iptables", "-S", "ssh"));
        assertEquals("-N ssh\n-A ssh -m comment --comment \"from anywhere\" -j ACCEPT\n", cli.out());
    }

    @Test
    void refusalsPrintIptablesWordsAndExitAsItDoes() {
        assertEquals(1, cli.run("iptables", "-A", "NOSUCH", "-j", "ACCEPT"));
        assertEquals("iptables: No chain/target/match by that name.\n", cli.err());
        assertEquals(2, cli.run("iptables", "-A", "INPUT", "-p", "tcp", "--dport", "99999", "-j", "ACCEPT"));
        assertEquals("iptables: invalid port/service `99999' specified\n", cli.err());
        assertEquals(2, cli.run("iptables", "-L", "-X"));
        assertEquals("iptables: Cannot use -X with -L\n", cli.err());
        assertEquals(1, cli.run("iptables", "-D", "INPUT", "-j", "DROP"));
        assertEquals("iptables: Bad rule (does a matching rule exist in that chain?).\n", cli.err());
        assertEquals(2, cli.run("iptables", "-D", "INPUT", "0"));
        assertEquals("iptables: Invalid rule number `0'\n", cli.err(), "rule numbers count from 1");
        assertEquals(3, cli.run("iptables", "-t", "nosuch", "-L"));
        assertEquals("iptables: table 'nosuch' does not exist\n", cli.err());
        assertEquals(0, cli.run("iptables", "-t", "nat", "-A", "POSTROUTING", "-o", "eth0", "-j", "MASQUERADE"));
        assertEquals(0, cli.run("iptables", "-t", "nat", "-C", "POSTROUTING", "-o", "eth0", "-j", "MASQUERADE"));
    }

    @Test
    void saveAndRestoreRoundTripThroughFiles() throws IOException {
        assertEquals(0, cli.run("iptables", "-P", "FORWARD", "DROP"));
        assertEquals(0, cli.run("iptables", "-t", "mangle", "-A", "FORWARD", "-p", "tcp", "--syn", "-j", "TCPMSS",
                "--clamp-mss-to-pmtu"));
        assertEquals(0, cli.run("iptables-save"));
        String saved = cli.out();
        assertTrue(saved.contains("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n"), saved);
        assertTrue(saved.contains("-A FORWARD -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j TCPMSS --clamp-mss-to-pmtu\n"),
                saved);
        Path file = dir.resolve("rules.v4");
        Files.writeString(file, saved);
        assertEquals(0, cli.run("iptables", "-t", "mangle", "-F"));
        assertEquals(0, cli.run("iptables-restore", file.toString()));
        assertEquals(0, cli.run("iptables-save"));
        assertEquals(saved.replaceAll("(?m)^#.*\n", ""), cli.out().replaceAll("(?m)^#.*\n", ""));

        Files.writeString(file, "*filter\n-A INPUT -j DROP\n-A INPUT -j NOSUCH\nCOMMIT\n");
        assertEquals(2, cli.run("iptables-restore", "--noflush", file.toString()));
        assertEquals("iptables-restore: line 3 failed: Chain 'NOSUCH' does not exist\n", cli.err());
        assertEquals(0, cli.run("iptables", "-S", "INPUT"));
        assertEquals("-P INPUT ACCEPT\n", cli.out(), "nothing of the failed restore stayed");
    }

    @Test
    void ip6tablesDropsPingMinus6AndSavesAndRestoresItsOwnTables() throws IOException {
        h.addIpv6();
        h.hostSolicits();
        assertEquals(0, cli.run("ip6tables", "-A", "INPUT", "-p", "ipv6-icmp", "--icmpv6-type", "echo-request", "-j", "DROP"));
        h.injectIp6(ipv6(HOST_IP6, STACK_IP6, 58, 64, icmpv6(HOST_IP6, STACK_IP6, 128, 0, echoBody(7, 1, pattern(8)))));
        assertTrue(h.sent().isEmpty());
        assertEquals(0, cli.run("ip6tables", "-v", "-n", "-L", "INPUT"));
        assertEquals("""
                Chain INPUT (policy ACCEPT 0 packets, 0 bytes)
                 pkts bytes target     prot opt in     out     source               destination        \s
                    1    56 DROP       58   --  *      *       ::/0                 ::/0                 ipv6-icmptype 128
                """, cli.out());
        assertEquals(0, cli.run("iptables", "-S", "INPUT"));
        assertEquals("-P INPUT ACCEPT\n", cli.out(), "IPv4's tables are another's");
        assertEquals(2, cli.run("ip6tables", "-A", "INPUT", "-s", "10.0.0.1", "-j", "DROP"));
        assertEquals("ip6tables: host/network `10.0.0.1' not found\n", cli.err());
        assertEquals(1, cli.run("ip6tables", "-A", "NOSUCH", "-j", "DROP"));
        assertEquals("ip6tables: No chain/target/match by that name.\n", cli.err());
        assertEquals(0, cli.run("ip6tables-save", "-c"));
        String saved = cli.out();
        assertTrue(saved.startsWith("# Generated by ip6tables-save"), saved);
        assertTrue(saved.contains("[1:56] -A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 128 -j DROP\n"), saved);
        Path file = dir.resolve("rules.v6");
        Files.writeString(file, saved);
        assertEquals(0, cli.run("ip6tables", "-F"));
        assertEquals(0, cli.run("ip6tables-restore", "--counters", file.toString()));
        assertEquals(0, cli.run("ip6tables-save", "-c"));
        assertEquals(saved.replaceAll("(?m)^#.*\n", ""), cli.out().replaceAll("(?m)^#.*\n", ""));
        Files.writeString(file, "*nat\nCOMMIT\n");
        assertEquals(3, cli.run("ip6tables-restore", file.toString()));
        assertEquals("ip6tables-restore: line 1 failed: table 'nat' does not exist (ustack does no IPv6 NAT)\n", cli.err());
    }
}
