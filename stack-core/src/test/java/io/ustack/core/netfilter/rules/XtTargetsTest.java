package io.ustack.core.netfilter.rules;

import static io.ustack.core.testing.Frames.checksum;
import static io.ustack.core.testing.Frames.icmpEcho;
import static io.ustack.core.testing.Frames.ipv4;
import static io.ustack.core.testing.Frames.pattern;
import static io.ustack.core.testing.Frames.tcp;
import static io.ustack.core.testing.Frames.tcpChecksum;
import static io.ustack.core.testing.Frames.u16;
import static io.ustack.core.testing.Frames.u8;
import static io.ustack.core.testing.Frames.udp;
import static io.ustack.core.testing.StackHarness.HOST_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.testing.Frames;
import io.ustack.core.testing.StackHarness;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The targets and the chain walk on crafted packets through a forwarding stack (the host 10.0.0.1 on eth0,
 * the far host 10.0.1.2 on eth1): jumps, gotos and RETURN between user-defined chains, LOG's line, the
 * marks, TCPMSS, TTL, DSCP and NOTRACK, read from what leaves eth1.
 */
class XtTargetsTest extends RouterTest {
    private static byte[] ping() {
        return ipv4(HOST_IP, FAR_IP, 1, 64, 0x1234, 0, icmpEcho(8, 7, 1, pattern(8)));
    }

    private static byte[] udpTo(int dport) {
        return ipv4(HOST_IP, FAR_IP, 17, 64, 1, 0, udp(HOST_IP, FAR_IP, 40000, dport, pattern(8)));
    }

    /** The frame {@code packet} left eth1 as, or null if it was dropped. */
    private byte[] forward(byte[] packet) {
        h.injectIp(packet);
        List<byte[]> out = right.drain();
        h.sent();
        return out.isEmpty() ? null : out.get(0);
    }

    private void run(String... lines) {
        for (String l : lines) {
            ipt.iptables(l);
        }
    }

    @Test
    void aJumpReturnsToTheRuleAfterItAndAGotoToTheChainThatCalled() {
        run("-N udp_ok", "-N finish", "-P FORWARD DROP",
                "-A FORWARD -p udp --dport 9 -g finish",
                "-A FORWARD -j udp_ok",
                "-A FORWARD -p udp --dport 10 -j finish",
                "-A FORWARD -p icmp -j ACCEPT",
                "-A udp_ok -p udp --dport 7 -j ACCEPT",
                "-A finish -j RETURN",
                "-A FORWARD -p udp -j ACCEPT");
        assertTrue(forward(udpTo(7)) != null, "accepted inside udp_ok");
        assertTrue(forward(ping()) != null, "back from udp_ok's end to the next rule");
        assertTrue(forward(udpTo(10)) != null, "-j finish: its RETURN comes back to FORWARD, whose last rule accepts");
        assertTrue(forward(udpTo(9)) == null, "-g finish: its RETURN ends FORWARD itself, whose policy drops");
        assertEquals(List.of(1L, 3L, 1L, 1L, 1L), ipt.rules(Table.FILTER, "FORWARD").stream().map(Rule::packets).toList(),
                "a jump counts as a rule does");
        assertEquals(1, ipt.policyPackets(Table.FILTER, Chain.FORWARD));
    }

    @Test
    void chainsNestDeeperThanTheFirstStack() {
        for (int i = 0; i < 20; i++) {
            ipt.iptables("-N c" + i);
        }
        for (int i = 0; i < 19; i++) {
            ipt.iptables("-A c" + i + " -j c" + (i + 1));
        }
        run("-A c19 -p icmp -j DROP", "-A FORWARD -j c0");
        assertTrue(forward(ping()) == null, "20 chains down");
        assertTrue(forward(udpTo(7)) != null, "and 20 back up to FORWARD's policy");
    }

    @Test
    void loopsAreRefusedAndChangeNothing() {
        run("-N a", "-N b", "-A a -j b", "-A FORWARD -j a");
        String before = ipt.iptables("-S");
        IptablesException e = assertThrows(IptablesException.class, () -> ipt.iptables("-A b -j a"));
        assertEquals("iptables: Too many levels of symbolic links.", e.getMessage());
        assertEquals(1, e.status());
        assertEquals(before, ipt.iptables("-S"));
        assertTrue(forward(ping()) != null);
    }

    @Test
    void aRenamedChainKeepsItsJumpsAndCounters() {
        run("-N old", "-A old -p icmp -j DROP", "-A FORWARD -j old");
        assertTrue(forward(ping()) == null);
        run("-E old new");
        assertEquals("-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n-N new\n-A FORWARD -j new\n"
                + "-A new -p icmp -j DROP\n", ipt.iptables("-S"));
        assertTrue(forward(ping()) == null);
        assertEquals(2, ipt.rules(Table.FILTER, "FORWARD").get(0).packets());
        assertEquals(2, ipt.rules(Table.FILTER, "new").get(0).packets());
    }

    @Test
    void logWritesTheKernelsLineAndTheWalkGoesOn() {
        List<String> lines;
        try (LogCapture capture = new LogCapture()) {
            lines = capture.lines;
            run("-A FORWARD -p icmp -j LOG --log-prefix \"fw: \" --log-level info",
                    "-A FORWARD -p tcp -j LOG",
                    "-A FORWARD -j DROP");
            assertTrue(forward(ping()) == null, "LOG goes on to the next rule");
            forward(ipv4(HOST_IP, FAR_IP, 6, 64, 0x77, 0x4000, tcp(HOST_IP, FAR_IP, 40000, 22, 1, 0, 0x02, new byte[0])));
        }
        assertEquals(List.of(
                "INFO fw: IN=eth0 OUT=eth1 MAC=02:00:00:00:00:02:02:00:00:00:00:01:08:00 SRC=10.0.0.1 DST=10.0.1.2 LEN=36 "
                        + "TOS=0x00 PREC=0x00 TTL=63 ID=4660 PROTO=ICMP TYPE=8 CODE=0 ID=7 SEQ=1 ",
                "WARNING IN=eth0 OUT=eth1 MAC=02:00:00:00:00:02:02:00:00:00:00:01:08:00 SRC=10.0.0.1 DST=10.0.1.2 LEN=40 "
                        + "TOS=0x00 PREC=0x00 TTL=63 ID=119 DF PROTO=TCP SPT=40000 DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0 "),
                lines);
    }

    @Test
    void markAndConnmarkSetSaveAndRestore() {
        run("-t mangle -A PREROUTING -p udp --dport 7 -j MARK --set-mark 0x5",
                "-t mangle -A PREROUTING -p udp --dport 7 -j CONNMARK --save-mark",
                "-t mangle -A PREROUTING -p udp --dport 8 -j CONNMARK --set-mark 0x9/0xf",
                "-t mangle -A FORWARD -j CONNMARK --restore-mark",
                "-A FORWARD -m mark --mark 0x5",
                "-A FORWARD -m mark --mark 0x9",
                "-A FORWARD -m connmark --mark 0x9");
        forward(udpTo(7));
        forward(udpTo(8));
        forward(udpTo(7));
        assertEquals(List.of(2L, 1L, 1L), ipt.rules(Table.FILTER, "FORWARD").stream().map(Rule::packets).toList(),
                "the connection's mark restored to its packets");
        run("-t mangle -F FORWARD", "-t mangle -I PREROUTING -j MARK --or-mark 0x100", "-F FORWARD",
                "-A FORWARD -m mark --mark 0x100/0x100");
        forward(udpTo(9));
        assertEquals(1, ipt.rules(Table.FILTER, "FORWARD").get(0).packets());
    }

    /** A SYN from the host with an MSS option of {@code mss}. */
    private static byte[] syn(int mss) {
        byte[] options = {2, 4, (byte) (mss >> 8), (byte) mss};
        return ipv4(HOST_IP, FAR_IP, 6, 64, 1, 0x4000,
                tcp(HOST_IP, FAR_IP, 40000, 80, 1, 0, 0x02, 64240, options, new byte[0]));
    }

    @Test
    void tcpmssLowersTheMssOfSynsAndPatchesTheChecksum() {
        run("-t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu");
        byte[] f = forward(syn(8960));
        assertEquals(1460, u16(f, 14 + 20 + 22), "eth1's MTU of 1500 less 40");
        assertEquals(0, tcpChecksum(HOST_IP, FAR_IP, Arrays.copyOfRange(f, 34, f.length)));
        assertEquals(536, u16(forward(syn(536)), 14 + 20 + 22), "a smaller MSS stays");
        run("-t mangle -F", "-t mangle -A FORWARD -p tcp --syn -j TCPMSS --set-mss 1000");
        f = forward(syn(1460));
        assertEquals(1000, u16(f, 14 + 20 + 22));
        assertEquals(0, tcpChecksum(HOST_IP, FAR_IP, Arrays.copyOfRange(f, 34, f.length)));
        assertEquals("iptables: Invalid argument: TCPMSS target: path-MTU clamping only supported in FORWARD, OUTPUT and "
                        + "POSTROUTING hooks.",
                assertThrows(IptablesException.class,
                        () -> ipt.iptables("-t mangle -A INPUT -p tcp --syn -j TCPMSS --clamp-mss-to-pmtu")).getMessage());
    }

    @Test
    void ttlAndDscpRewriteTheHeaderWithItsChecksum() {
        run("-t mangle -A POSTROUTING -p icmp -j TTL --ttl-set 5",
                "-t mangle -A POSTROUTING -p udp -j TTL --ttl-dec 10",
                "-t mangle -A POSTROUTING -j DSCP --set-dscp-class AF21");
        byte[] f = forward(ping());
        assertEquals(5, u8(f, 14 + 8));
        assertEquals(18 << 2, u8(f, 14 + 1));
        assertEquals(0, checksum(f, 14, 20));
        f = forward(udpTo(7));
        assertEquals(53, u8(f, 14 + 8), "64, less one for the hop, less 10");
        assertEquals(0, checksum(f, 14, 20));
        assertEquals("iptables: Invalid argument: TTL target: only valid in mangle table, not filter.",
                assertThrows(IptablesException.class, () -> ipt.iptables("-A FORWARD -j TTL --ttl-inc 1")).getMessage());
    }

    @Test
    void notrackKeepsPacketsOutOfConntrack() {
        run("-t raw -A PREROUTING -p udp --dport 123 -j NOTRACK",
                "-A FORWARD -m conntrack --ctstate UNTRACKED",
                "-A FORWARD -m conntrack --ctstate NEW");
        forward(udpTo(123));
        forward(udpTo(124));
        assertEquals(List.of(1L, 1L), ipt.rules(Table.FILTER, "FORWARD").stream().map(Rule::packets).toList());
        assertEquals(1, h.stack.conntrack().list().size(), "only the tracked datagram has an entry");
    }
}
