package io.ustack.core.netfilter.rules;

import static io.ustack.core.testing.Frames.checksum;
import static io.ustack.core.testing.Frames.eth;
import static io.ustack.core.testing.Frames.i32;
import static io.ustack.core.testing.Frames.icmpEcho;
import static io.ustack.core.testing.Frames.ip;
import static io.ustack.core.testing.Frames.ipv4;
import static io.ustack.core.testing.Frames.partialChecksum;
import static io.ustack.core.testing.Frames.pattern;
import static io.ustack.core.testing.Frames.tcp;
import static io.ustack.core.testing.Frames.tcpChecksum;
import static io.ustack.core.testing.Frames.u16;
import static io.ustack.core.testing.Frames.u8;
import static io.ustack.core.testing.Frames.udp;
import static io.ustack.core.testing.StackHarness.HOST_IP;
import static io.ustack.core.testing.StackHarness.HOST_MAC;
import static io.ustack.core.testing.StackHarness.STACK_IP;
import static io.ustack.core.testing.StackHarness.STACK_MAC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.netfilter.Hook;
import io.ustack.core.testing.Frames;
import io.ustack.core.testing.StackHarness;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The chains on a forwarding stack: the host on eth0 (10.0.0.1; the stack 10.0.0.2) and the far host on
 * eth1 (10.0.1.2; the stack 10.0.1.1). Packets are byte literals built by {@link Frames}; what a rule did
 * is read from what left each link, from the rule's counters and from the drop counters.
 */
class IpTablesTest extends RouterTest {
    /** The table these tests keep a chain's rules in: filter, or mangle for the chains filter has not. */
    private static Table table(Chain chain) {
        return Table.FILTER.has(chain) ? Table.FILTER : Table.MANGLE;
    }

    /** iptables -t TABLE COMMAND CHAIN ARGS. */
    private void run(String command, Chain chain, String args) {
        ipt.iptables("-t " + table(chain).text() + " " + command + " " + chain + (args.isEmpty() ? "" : " " + args));
    }

    private void add(Chain chain, String rule) {
        run("-A", chain, rule);
    }

    private Rule rule(Chain chain, int num) {
        return ipt.rules(table(chain), chain.name()).get(num - 1);
    }

    private List<Long> packets(Chain chain) {
        return ipt.rules(table(chain), chain.name()).stream().map(Rule::packets).toList();
    }

    /** A ping from the host to the far host: 84 bytes of IP. */
    private static byte[] ping() {
        return ipv4(HOST_IP, FAR_IP, 1, 64, 0x1111, 0, icmpEcho(8, 7, 1, pattern(56)));
    }

    private static byte[] udpTo(int dport, int payload) {
        return ipv4(HOST_IP, FAR_IP, 17, 64, 0x2222, 0, udp(HOST_IP, FAR_IP, 40000, dport, pattern(payload)));
    }

    private boolean forwarded(byte[] packet) {
        h.injectIp(packet);
        List<byte[]> out = right.drain();
        return out.size() == 1;
    }

    @Test
    void anEmptyAcceptChainHasNoHookFunctionAndOneWithRulesOrADropPolicyHas() {
        for (Hook hook : Hook.values()) {
            assertEquals(List.of(), h.stack.netfilter().functions(hook), hook + ": nothing to run");
        }
        add(Chain.FORWARD, "-p tcp -j DROP");
        assertEquals(List.of("iptables filter FORWARD"), h.stack.netfilter().functions(Hook.FORWARD));
        run("-F", Chain.FORWARD, "");
        assertEquals(List.of(), h.stack.netfilter().functions(Hook.FORWARD));
        run("-P", Chain.INPUT, "DROP");
        assertEquals(List.of("iptables filter INPUT"), h.stack.netfilter().functions(Hook.LOCAL_IN));
        run("-P", Chain.INPUT, "ACCEPT");
        assertEquals(List.of(), h.stack.netfilter().functions(Hook.LOCAL_IN));
        add(Chain.PREROUTING, "-j ACCEPT");
        add(Chain.PREROUTING, "-j ACCEPT");
        run("-D", Chain.PREROUTING, "1");
        assertEquals(List.of("iptables mangle PREROUTING"), h.stack.netfilter().functions(Hook.PRE_ROUTING));
        run("-D", Chain.PREROUTING, "1");
        assertEquals(List.of(), h.stack.netfilter().functions(Hook.PRE_ROUTING));
    }

    @Test
    void aDropRuleStopsPingsAndCountsThemAsIptablesDoes() {
        add(Chain.FORWARD, "-p icmp -d 10.0.1.2 -j DROP");
        for (int i = 0; i < 3; i++) {
            assertTrue(!forwarded(ping()));
        }
        assertEquals(3, rule(Chain.FORWARD, 1).packets());
        assertEquals(3 * 84, rule(Chain.FORWARD, 1).bytes(), "the IP length, as xt_counters count skb->len");
        assertEquals(3, h.counter("DropReasonNETFILTER_DROP"));
        assertEquals(0, h.counter("IpForwDatagrams"));
        assertTrue(h.sent().isEmpty(), "DROP answers nothing");
        assertTrue(forwarded(udpTo(53, 10)), "what the rule does not match passes");
        assertEquals(1, ipt.policyPackets(Table.FILTER, Chain.FORWARD), "the policy counted the UDP datagram");
        assertEquals(20 + 8 + 10, ipt.policyBytes(Table.FILTER, Chain.FORWARD));
    }

    @Test
    void theFirstMatchingRuleDecidesAndInsertPutsARuleAhead() {
        add(Chain.FORWARD, "-p icmp -j DROP");
        run("-I", Chain.FORWARD, "1 -s 10.0.0.1 -j ACCEPT");
        assertTrue(forwarded(ping()));
        assertEquals(1, rule(Chain.FORWARD, 1).packets());
        assertEquals(0, rule(Chain.FORWARD, 2).packets());
        assertEquals("-s 10.0.0.1/32 -j ACCEPT", rule(Chain.FORWARD, 1).spec());
        run("-D", Chain.FORWARD, "1");
        assertTrue(!forwarded(ping()));
        assertEquals(1, rule(Chain.FORWARD, 1).packets(), "counters stay with their rule when others move");
    }

    @Test
    void aDropPolicyDropsWhatNoRuleAccepts() {
        run("-P", Chain.FORWARD, "DROP");
        add(Chain.FORWARD, "-p udp --dport 53 -j ACCEPT");
        assertTrue(forwarded(udpTo(53, 4)));
        assertTrue(!forwarded(udpTo(54, 4)));
        assertTrue(!forwarded(ping()));
        assertEquals(2, ipt.policyPackets(Table.FILTER, Chain.FORWARD));
        assertEquals(32 + 84, ipt.policyBytes(Table.FILTER, Chain.FORWARD));
        assertEquals(2, h.counter("DropReasonNETFILTER_DROP"));
    }

    @Test
    void addressesAndTheirNegations() {
        add(Chain.FORWARD, "-s 10.0.0.0/31 -d 10.0.1.0/30 ! -p udp -j ACCEPT");
        add(Chain.FORWARD, "! -s 10.0.0.0/24 -j ACCEPT");
        add(Chain.FORWARD, "! -d 10.0.1.2 -j ACCEPT");
        run("-P", Chain.FORWARD, "DROP");
        assertTrue(forwarded(ping()), "rule 1");
        assertTrue(!forwarded(udpTo(9, 1)), "! -p udp: not rule 1; from 10.0.0.0/24 to 10.0.1.2: not 2 or 3");
        assertTrue(forwarded(ipv4(ip("192.0.2.7"), FAR_IP, 17, 64, 1, 0, udp(ip("192.0.2.7"), FAR_IP, 1, 9, new byte[0]))),
                "rule 2: a source outside 10.0.0.0/24");
        assertTrue(forwarded(ipv4(HOST_IP, ip("10.0.1.3"), 17, 64, 1, 0, udp(HOST_IP, ip("10.0.1.3"), 1, 9, new byte[0]))),
                "rule 3: another destination (on eth1, so the stack ARPs and holds it)") ;
        assertEquals(List.of(1L, 1L, 1L), packets(Chain.FORWARD));
    }

    @Test
    void interfacesByNameAndByPrefix() {
        add(Chain.FORWARD, "-i eth1 -j DROP");
        add(Chain.FORWARD, "-i eth+ ! -o eth0 -p icmp -j DROP");
        add(Chain.FORWARD, "-i eth0 -o eth+ -p udp -j DROP");
        assertTrue(!forwarded(ping()), "rule 2: in eth0, out eth1");
        assertTrue(!forwarded(udpTo(7, 1)), "rule 3");
        right.inject(eth(RIGHT_MAC, FAR_MAC, Frames.ETH_P_IP, ipv4(FAR_IP, HOST_IP, 1, 64, 3, 0, icmpEcho(0, 7, 1, pattern(8)))));
        assertTrue(h.sent().isEmpty(), "rule 1: in eth1");
        assertEquals(List.of(1L, 1L, 1L), packets(Chain.FORWARD));
    }

    @Test
    void portsAndRangesAndWhatHasNoPorts() {
        add(Chain.FORWARD, "-p udp --dport 1000:2000 --sport 40000 -j DROP");
        add(Chain.FORWARD, "-p udp ! --dport 7 -j DROP");
        assertTrue(!forwarded(udpTo(1000, 1)));
        assertTrue(!forwarded(udpTo(2000, 1)));
        assertTrue(!forwarded(udpTo(2001, 1)), "rule 2");
        assertTrue(forwarded(udpTo(7, 1)));
        assertEquals(List.of(2L, 1L), packets(Chain.FORWARD));

        // a later fragment carries no ports: a port match never matches it, negated or not (tcp_mt/udp_mt)
        byte[] later = ipv4(HOST_IP, FAR_IP, 17, 64, 0x3333, 100, pattern(16));
        assertTrue(forwarded(later));
        add(Chain.FORWARD, "-p udp -j DROP");
        assertTrue(!forwarded(later), "-p udp alone matches it");
    }

    @Test
    void tcpPortsAreReadFromTheTcpHeader() {
        add(Chain.FORWARD, "-p tcp --dport 22 -j DROP");
        byte[] syn = ipv4(HOST_IP, FAR_IP, 6, 64, 5, 0x4000, tcp(HOST_IP, FAR_IP, 50000, 22, 1000, 0, 0x02, new byte[0]));
        byte[] other = ipv4(HOST_IP, FAR_IP, 6, 64, 6, 0x4000, tcp(HOST_IP, FAR_IP, 50000, 80, 1000, 0, 0x02, new byte[0]));
        assertTrue(!forwarded(syn));
        assertTrue(forwarded(other));
        assertTrue(forwarded(ipv4(HOST_IP, FAR_IP, 17, 64, 7, 0, udp(HOST_IP, FAR_IP, 50000, 22, new byte[0]))),
                "UDP to 22 is not -p tcp");
        // a segment too short to hold a TCP header has no ports to match
        assertTrue(forwarded(ipv4(HOST_IP, FAR_IP, 6, 64, 8, 0, new byte[] {(byte) 0xc3, 0x50, 0, 22})));
    }

    @Test
    void inputAndOutputChainsSeeTheStacksOwnTraffic() {
        add(Chain.OUTPUT, "-p icmp -o eth0 -j DROP");
        h.injectIp(ipv4(HOST_IP, STACK_IP, 1, 64, 1, 0, icmpEcho(8, 1, 1, pattern(8))));
        assertTrue(h.sent().isEmpty(), "the echo reply was dropped on its way out");
        assertEquals(1, h.counter("IcmpInEchos"));
        run("-F", Chain.OUTPUT, "");
        add(Chain.INPUT, "-i eth0 -p icmp -j DROP");
        h.injectIp(ipv4(HOST_IP, STACK_IP, 1, 64, 2, 0, icmpEcho(8, 1, 2, pattern(8))));
        assertTrue(h.sent().isEmpty());
        assertEquals(1, h.counter("IcmpInEchos"), "dropped before ICMP saw it");
        assertTrue(forwarded(ping()), "INPUT is not on the forward path");
    }

    @Test
    void preroutingAndPostroutingSeeEveryPacket() {
        add(Chain.PREROUTING, "-i eth0 -p udp --dport 9 -j DROP");
        add(Chain.POSTROUTING, "-o eth1 -p udp --dport 10 -j DROP");
        assertTrue(!forwarded(udpTo(9, 0)));
        assertTrue(!forwarded(udpTo(10, 0)));
        assertTrue(forwarded(udpTo(11, 0)));
        h.injectIp(ipv4(HOST_IP, STACK_IP, 17, 64, 1, 0, udp(HOST_IP, STACK_IP, 1, 9, new byte[0])));
        assertTrue(h.sent().isEmpty(), "PREROUTING dropped it before the stack could answer port unreachable");
        assertEquals(2, rule(Chain.PREROUTING, 1).packets());
        assertEquals(1, rule(Chain.POSTROUTING, 1).packets());
    }

    @Test
    void rejectAnswersWithIcmpPortUnreachableQuotingThePacket() {
        add(Chain.FORWARD, "-p udp --dport 53 -j REJECT");
        byte[] query = udpTo(53, 12);
        assertTrue(!forwarded(query));
        List<byte[]> back = h.sent();
        assertEquals(1, back.size());
        byte[] f = back.get(0);
        // the quote is the packet as FORWARD saw it: ip_forward had decremented its TTL (as in Linux)
        byte[] quoted = query.clone();
        quoted[8] = 63;
        int c = checksum(setU16(quoted.clone(), 10, 0), 0, 20);
        setU16(quoted, 10, c);
        byte[] icmp = ByteBuffer.allocate(8 + quoted.length).put((byte) 3).put((byte) 3).putShort((short) 0).putInt(0)
                .put(quoted).array();
        setU16(icmp, 2, checksum(icmp, 0, icmp.length));
        byte[] expected = eth(HOST_MAC, STACK_MAC, Frames.ETH_P_IP, ipv4(STACK_IP, HOST_IP, 1, 64, u16(f, 18), 0, icmp));
        expected[15] = (byte) 0xc0; // TOS: IPTOS_PREC_INTERNETCONTROL
        setU16(expected, 24, 0);
        setU16(expected, 24, checksum(expected, 14, 20));
        assertArrayEquals(expected, f);
        assertEquals(1, h.counter("IcmpOutDestUnreachs"));
        assertEquals(1, h.counter("DropReasonNETFILTER_DROP"));
        assertEquals(1, rule(Chain.FORWARD, 1).packets());
    }

    @Test
    void rejectWithSendsTheNamedCodeAndNothingForABadChecksum() {
        add(Chain.INPUT, "-p udp -j REJECT --reject-with icmp-admin-prohibited");
        h.injectIp(ipv4(HOST_IP, STACK_IP, 17, 64, 1, 0, udp(HOST_IP, STACK_IP, 1, 7, new byte[4])));
        byte[] f = h.sent().get(0);
        assertEquals(3, u8(f, 34));
        assertEquals(13, u8(f, 35));
        byte[] bad = udp(HOST_IP, STACK_IP, 1, 7, new byte[4]);
        bad[7] ^= 1;
        h.injectIp(ipv4(HOST_IP, STACK_IP, 17, 64, 2, 0, bad));
        assertTrue(h.sent().isEmpty(), "a datagram whose checksum is wrong gets no answer (nf_reject_verify_csum)");
        assertEquals(2, rule(Chain.INPUT, 1).packets(), "but it was refused all the same");
    }

    @Test
    void tcpResetToASynAcknowledgesTheSyn() {
        add(Chain.FORWARD, "-p tcp --dport 22 -j REJECT --reject-with tcp-reset");
        assertTrue(!forwarded(ipv4(HOST_IP, FAR_IP, 6, 64, 5, 0x4000,
                tcp(HOST_IP, FAR_IP, 50000, 22, 1000, 0, 0x02, new byte[0]))));
        byte[] f = h.sent().get(0);
        // from the far host's address, as if it had answered: RST|ACK, seq 0, ack = 1000 + 1 for the SYN
        byte[] rst = ByteBuffer.allocate(20).putShort((short) 22).putShort((short) 50000).putInt(0).putInt(1001)
                .put((byte) 0x50).put((byte) 0x14).putShort((short) 0).putShort((short) 0).putShort((short) 0).array();
        setU16(rst, 16, tcpChecksum(FAR_IP, HOST_IP, rst));
        byte[] expected = eth(HOST_MAC, STACK_MAC, Frames.ETH_P_IP, ipv4(FAR_IP, HOST_IP, 6, 64, u16(f, 18), 0x4000, rst));
        assertArrayEquals(expected, f);
        assertEquals(0, tcpChecksum(FAR_IP, HOST_IP, Arrays.copyOfRange(f, 34, f.length)));
        assertEquals(0, checksum(f, 14, 20));
    }

    @Test
    void aSegmentWhoseChecksumIsPartialIsAnsweredWithAResetAsWell() {
        add(Chain.FORWARD, "-p tcp --dport 22 -j REJECT --reject-with tcp-reset");
        byte[] syn = partialChecksum(HOST_IP, FAR_IP, 6, 16, tcp(HOST_IP, FAR_IP, 50000, 22, 1000, 0, 0x02, new byte[0]));
        // the host's kernel left the checksum to the device (virtio NEEDS_CSUM): nothing to verify yet
        h.dev.inject(eth(STACK_MAC, HOST_MAC, Frames.ETH_P_IP, ipv4(HOST_IP, FAR_IP, 6, 64, 5, 0x4000, syn)),
                pkt -> pkt.setChecksumPartial(14 + 20, 16));
        List<byte[]> out = h.sent();
        assertEquals(1, out.size());
        assertEquals(0x14, u8(out.get(0), 14 + 20 + 13), "RST|ACK");
        assertEquals(1001, i32(out.get(0), 14 + 20 + 8));
    }

    @Test
    void tcpResetToAnAckTakesItsAcknowledgmentAsSequence() {
        add(Chain.FORWARD, "-p tcp -j REJECT --reject-with tcp-reset");
        h.injectIp(ipv4(HOST_IP, FAR_IP, 6, 64, 5, 0x4000,
                tcp(HOST_IP, FAR_IP, 50000, 80, 1000, 0x7000_0001, 0x18, pattern(10))));
        byte[] f = h.sent().get(0);
        assertEquals(40, u16(f, 16), "a bare 20-byte header");
        assertEquals(FAR_IP, i32(f, 26));
        assertEquals(80, u16(f, 34));
        assertEquals(50000, u16(f, 36));
        assertEquals(0x7000_0001, i32(f, 38), "seq = the segment's ack");
        assertEquals(0, i32(f, 42), "no acknowledgment number");
        assertEquals(0x04, u8(f, 47), "RST alone");
        assertEquals(0, tcpChecksum(FAR_IP, HOST_IP, Arrays.copyOfRange(f, 34, f.length)));

        // a FIN with data: ack covers the data and the FIN
        h.injectIp(ipv4(HOST_IP, FAR_IP, 6, 64, 6, 0x4000, tcp(HOST_IP, FAR_IP, 50000, 80, -2, 0, 0x01, pattern(5))));
        f = h.sent().get(0);
        assertEquals(4, i32(f, 42), "-2 + 5 + 1 wraps to 4");
        assertEquals(0x14, u8(f, 47));
    }

    @Test
    void noResetAnswersAResetOrABadChecksum() {
        add(Chain.FORWARD, "-p tcp -j REJECT --reject-with tcp-reset");
        h.injectIp(ipv4(HOST_IP, FAR_IP, 6, 64, 5, 0, tcp(HOST_IP, FAR_IP, 50000, 80, 1, 0, 0x04, new byte[0])));
        byte[] bad = tcp(HOST_IP, FAR_IP, 50000, 80, 1, 0, 0x02, new byte[0]);
        bad[17] ^= 1;
        h.injectIp(ipv4(HOST_IP, FAR_IP, 6, 64, 6, 0, bad));
        assertTrue(h.sent().isEmpty());
        assertTrue(right.drain().isEmpty());
        assertEquals(2, rule(Chain.FORWARD, 1).packets());
    }

    @Test
    void positionsOutsideTheChainAreRefusedInIptablesWords() {
        add(Chain.FORWARD, "-j ACCEPT");
        assertEquals("iptables: Index of insertion too big.", refusal("-I FORWARD 3 -j DROP"));
        assertEquals("Invalid rule number `0'", refusal("-I FORWARD 0 -j DROP"));
        assertEquals("iptables: Index of deletion too big.", refusal("-D INPUT 1"));
        assertEquals("iptables: Index of deletion too big.", refusal("-D FORWARD 2"));
        assertEquals("iptables: Bad policy name. Run `dmesg' for more information.", refusal("-P FORWARD QUEUE"));
    }

    private String refusal(String command) {
        return assertThrows(IptablesException.class, () -> ipt.iptables(command)).getMessage();
    }

    private static byte[] setU16(byte[] d, int off, int v) {
        d[off] = (byte) (v >> 8);
        d[off + 1] = (byte) v;
        return d;
    }
}
