package io.ustack.core.netfilter.rules;

import static io.ustack.core.testing.Frames.bytes;
import static io.ustack.core.testing.Frames.checksum6;
import static io.ustack.core.testing.Frames.concat;
import static io.ustack.core.testing.Frames.echoBody;
import static io.ustack.core.testing.Frames.eth;
import static io.ustack.core.testing.Frames.extHeader;
import static io.ustack.core.testing.Frames.fragHeader;
import static io.ustack.core.testing.Frames.icmpEcho;
import static io.ustack.core.testing.Frames.icmpv6;
import static io.ustack.core.testing.Frames.ip6;
import static io.ustack.core.testing.Frames.ipv4;
import static io.ustack.core.testing.Frames.ipv6;
import static io.ustack.core.testing.Frames.pattern;
import static io.ustack.core.testing.Frames.tcp6;
import static io.ustack.core.testing.Frames.u16;
import static io.ustack.core.testing.Frames.u8;
import static io.ustack.core.testing.Frames.udp6;
import static io.ustack.core.testing.StackHarness.HOST_IP;
import static io.ustack.core.testing.StackHarness.HOST_IP6;
import static io.ustack.core.testing.StackHarness.STACK_IP;
import static io.ustack.core.testing.StackHarness.STACK_IP6;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.netfilter.Hook;
import io.ustack.core.netfilter.Netfilter;
import io.ustack.core.stats.PacketDrops;
import io.ustack.core.testing.FakeDevice;
import io.ustack.core.testing.StackHarness;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ip6tables on the stack's IPv6 hooks: the rules read as the real ip6tables reads them (the listings below
 * are what ip6tables v1.8.9 printed for the same command lines), and byte-literal packets from the host
 * (fd00:77::1) to the stack (fd00:77::2) meet them at INPUT and OUTPUT, IPv4 untouched.
 */
class Ip6TablesTest {
    private final StackHarness h = StackHarness.withIpv6();
    private final IpTables ipt = h.stack.ip6tables();

    @BeforeEach
    void ipv4Too() {
        h.hostArps();
    }

    @AfterEach
    void leakCheck() {
        h.close();
    }

    private static byte[] ping6(int seq) {
        return ipv6(HOST_IP6, STACK_IP6, 58, 64, icmpv6(HOST_IP6, STACK_IP6, 128, 0, echoBody(7, seq, pattern(8))));
    }

    /** Whether a ping -6 is answered (an echo reply leaves). */
    private boolean answered6(int seq) {
        h.injectIp6(ping6(seq));
        List<byte[]> out = h.sent();
        return out.size() == 1 && u8(out.get(0), 54) == 129;
    }

    private boolean answered4() {
        h.injectIp(ipv4(HOST_IP, STACK_IP, 1, 64, 0x1111, 0, icmpEcho(8, 7, 1, pattern(56))));
        return h.sent().size() == 1;
    }

    @Test
    void anEchoRequestDropAtInputSilencesPingMinus6AloneAndCountsWhatItDropped() {
        assertEquals(List.of(), h.stack.netfilter6().functions(Hook.LOCAL_IN), "no rules, no hook function");
        ipt.iptables("-A INPUT -p ipv6-icmp --icmpv6-type echo-request -j DROP");
        assertEquals(List.of("ip6tables filter INPUT"), h.stack.netfilter6().functions(Hook.LOCAL_IN));
        assertEquals(List.of(), h.stack.netfilter().functions(Hook.LOCAL_IN), "IPv4's hooks stay empty");
        assertTrue(!answered6(1) && !answered6(2));
        assertTrue(answered4(), "ping over IPv4 still answers");
        Rule r = ipt.rules(Table.FILTER, "INPUT").get(0);
        assertEquals(2, r.packets());
        assertEquals(2 * (40 + 16), r.bytes(), "bytes of IPv6, header included");
        assertEquals(2L, h.counter("DropReasonNETFILTER_DROP"));
        ipt.iptables("-D INPUT 1");
        assertTrue(answered6(3), "the rule gone, ping -6 answers again");
        assertEquals(List.of(), h.stack.netfilter6().functions(Hook.LOCAL_IN));
    }

    @Test
    void rulesReadAndPrintAsIp6tablesDoes() {
        ipt.iptables("-A INPUT -p ipv6-icmp --icmpv6-type echo-request -j DROP");
        ipt.iptables("-A INPUT -p tcp -j REJECT --reject-with tcp-reset");
        ipt.iptables("-A INPUT -s fd00:77::1/64 -d fe80::/10 -p icmpv6 --icmpv6-type 128/0 -j ACCEPT");
        ipt.iptables("-A INPUT -p icmpv6 -m icmp6 --icmpv6-type neighbour-solicitation -j ACCEPT");
        ipt.iptables("-A INPUT -p 58 -j REJECT");
        ipt.iptables("-A INPUT -p tcp --dport 80 -j REJECT --reject-with adm-prohibited");
        ipt.iptables("-A INPUT -s fd00::1 -p icmpv6 -j DROP");
        ipt.iptables("-A INPUT ! -s fd00::/8 -p tcp -j ACCEPT");
        ipt.iptables("-A INPUT -m hl --hl-eq 5");
        ipt.iptables("-A INPUT -m hl --hl-gt 3");
        assertEquals("""
                -P INPUT ACCEPT
                -P FORWARD ACCEPT
                -P OUTPUT ACCEPT
                -A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 128 -j DROP
                -A INPUT -p tcp -j REJECT --reject-with tcp-reset
                -A INPUT -s fd00:77::/64 -d fe80::/10 -p ipv6-icmp -m icmp6 --icmpv6-type 128/0 -j ACCEPT
                -A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 135 -j ACCEPT
                -A INPUT -p ipv6-icmp -j REJECT --reject-with icmp6-port-unreachable
                -A INPUT -p tcp -m tcp --dport 80 -j REJECT --reject-with icmp6-adm-prohibited
                -A INPUT -s fd00::1/128 -p ipv6-icmp -j DROP
                -A INPUT ! -s fd00::/8 -p tcp -j ACCEPT
                -A INPUT -m hl --hl-eq 5
                -A INPUT -m hl --hl-gt 3
                """, ipt.iptables("-S"));
        assertEquals("""
                Chain INPUT (policy ACCEPT)
                target     prot opt source               destination        \s
                DROP       ipv6-icmp --  anywhere             anywhere             ipv6-icmp echo-request
                REJECT     tcp  --  anywhere             anywhere             reject-with tcp-reset
                ACCEPT     ipv6-icmp --  fd00:77::/64         fe80::/10            ipv6-icmptype 128 code 0
                ACCEPT     ipv6-icmp --  anywhere             anywhere             ipv6-icmp neighbour-solicitation
                REJECT     ipv6-icmp --  anywhere             anywhere             reject-with icmp6-port-unreachable
                REJECT     tcp  --  anywhere             anywhere             tcp dpt:http reject-with icmp6-adm-prohibited
                DROP       ipv6-icmp --  fd00::1              anywhere           \s
                ACCEPT     tcp  -- !fd00::/8             anywhere           \s
                           all  --  anywhere             anywhere             HL match HL == 5
                           all  --  anywhere             anywhere             HL match HL > 3
                """, ipt.iptables("-L INPUT"));
        String numeric = ipt.iptables("-v -n -L INPUT");
        assertTrue(numeric.contains("    0     0 DROP       58   --  *      *       ::/0                 ::/0"
                + "                 ipv6-icmptype 128\n"), numeric);
        assertTrue(numeric.contains("    0     0 ACCEPT     6    --  *      *      !fd00::/8             ::/0"), numeric);
        String saved = ipt.save(true);
        assertTrue(saved.startsWith("# Generated by ip6tables-save"), saved);
        assertTrue(saved.contains("[0:0] -A INPUT -s fd00:77::/64 -d fe80::/10 -p ipv6-icmp -m icmp6 --icmpv6-type 128/0 -j ACCEPT\n"));
        IpTables copy = IpTables.ipv6(new Netfilter(new PacketDrops()), null, h.stack.conntrack(), h.clock);
        copy.restore(saved, false, true);
        assertEquals(ipt.iptables("-S"), copy.iptables("-S"), "ip6tables-restore reads back what ip6tables-save wrote");
    }

    @Test
    void whatIsIpv4sAloneIsRefusedInIp6tablesWords() {
        assertRefused(2, "`-f' is not supported in IPv6, use -m frag instead", "-A INPUT -f -j DROP");
        assertRefused(2, "unknown option \"--icmp-type\"", "-A INPUT -p icmp --icmp-type 8 -j DROP");
        assertRefused(2, "host/network `10.0.0.1' not found", "-A INPUT -s 10.0.0.1 -j DROP");
        assertRefused(2, "unknown reject type \"icmp-port-unreachable\"",
                "-A INPUT -p tcp -j REJECT --reject-with icmp-port-unreachable");
        assertRefused(2, "Couldn't load match `ttl':No such file or directory", "-A INPUT -m ttl --ttl-eq 3");
        assertRefused(2, "hl: option \"--hl-lt\" cannot be inverted.", "-A INPUT -m hl ! --hl-lt 64 -j DROP");
        assertRefused(2, "HL match: You must specify one of `--hl-eq', `--hl-lt', `--hl-gt'", "-A INPUT -m hl");
        assertRefused(1, "ip6tables: No chain/target/match by that name.", "-A FOO");
        assertRefused(2, "conntrack: ustack's --ctorigsrc takes IPv4 addresses, for iptables' rules only",
                "-A INPUT -m conntrack --ctorigsrc 10.0.0.1 -j DROP");
        assertRefused(3, "table 'nat' does not exist (ustack does no IPv6 NAT)", "-t nat -L");
        assertThrows(IptablesException.class, () -> h.stack.iptables().iptables("-A INPUT -s fd00::1 -j DROP"),
                "and iptables takes no IPv6 prefix");
    }

    private void assertRefused(int status, String message, String command) {
        IptablesException e = assertThrows(IptablesException.class, () -> ipt.iptables(command));
        assertEquals(message, e.getMessage(), command);
        assertEquals(status, e.status(), command);
    }

    @Test
    void rejectWithTcpResetAnswersASynWithARstFromTheAddressItWasFor() {
        ipt.iptables("-A INPUT -p tcp --dport 8080 -j REJECT --reject-with tcp-reset");
        byte[] syn = tcp6(HOST_IP6, STACK_IP6, 40000, 8080, 1000, 0, 0x02, new byte[0]);
        h.injectIp6(ipv6(HOST_IP6, STACK_IP6, 6, 64, syn));
        List<byte[]> out = h.sent();
        assertEquals(1, out.size());
        byte[] f = out.get(0);
        assertArrayEquals(STACK_IP6, bytes(f, 22, 16));
        assertArrayEquals(HOST_IP6, bytes(f, 38, 16));
        assertEquals(6, u8(f, 20));
        byte[] rst = bytes(f, 54, f.length - 54);
        assertEquals(8080, u16(rst, 0));
        assertEquals(40000, u16(rst, 2));
        assertEquals(1001, u16(rst, 10), "acknowledges the SYN (low half of ack_seq)");
        assertEquals(0x14, u8(rst, 13), "RST|ACK");
        assertEquals(0, checksum6(STACK_IP6, HOST_IP6, 6, rst), "checksum over the IPv6 pseudo-header");
        assertEquals(1, ipt.rules(Table.FILTER, "INPUT").get(0).packets());
    }

    @Test
    void rejectWithAnIcmp6CodeAnswersWithDestinationUnreachable() {
        ipt.iptables("-A INPUT -p udp --dport 5353 -j REJECT");
        ipt.iptables("-A INPUT -p udp --dport 5354 -j REJECT --reject-with adm-prohibited");
        for (int[] c : new int[][] {{5353, 4}, {5354, 1}}) {
            h.injectIp6(ipv6(HOST_IP6, STACK_IP6, 17, 64, udp6(HOST_IP6, STACK_IP6, 40000, c[0], pattern(4))));
            List<byte[]> out = h.sent();
            assertEquals(1, out.size());
            assertEquals(1, u8(out.get(0), 54), "destination unreachable");
            assertEquals(c[1], u8(out.get(0), 55), "code");
        }
    }

    @Test
    void addressesPortsAndInterfacesMatchByPrefix() {
        ipt.iptables("-A INPUT -s fd00:77::/120 -p udp --dport 7 -j DROP");
        ipt.iptables("-A INPUT ! -s fd00:77::/64 -j DROP");
        ipt.iptables("-A INPUT -i eth1 -j DROP");
        ipt.iptables("-A INPUT -d fd00:77::2/128 -i eth0 -p ipv6-icmp");
        h.injectIp6(ipv6(HOST_IP6, STACK_IP6, 17, 64, udp6(HOST_IP6, STACK_IP6, 40000, 7, pattern(4))));
        h.sent();
        byte[] other = ip6("fd00:78::1");
        h.injectIp6(ipv6(other, STACK_IP6, 58, 64, icmpv6(other, STACK_IP6, 128, 0, echoBody(7, 1, pattern(8)))));
        assertTrue(answered6(2));
        List<Long> counts = ipt.rules(Table.FILTER, "INPUT").stream().map(Rule::packets).toList();
        assertEquals(List.of(1L, 1L, 0L, 1L), counts, "fd00:78::1 is outside fd00:77::/64");
    }

    @Test
    void hlMatchesTheHopLimit() {
        ipt.iptables("-A INPUT -m hl --hl-lt 10 -j DROP");
        h.injectIp6(ipv6(HOST_IP6, STACK_IP6, 58, 5, icmpv6(HOST_IP6, STACK_IP6, 128, 0, echoBody(7, 1, pattern(8)))));
        assertEquals(0, h.sent().size(), "hop limit 5 is under 10");
        assertTrue(answered6(2), "64 is not");
        assertEquals(1, ipt.rules(Table.FILTER, "INPUT").get(0).packets());
    }

    @Test
    void theTransportHeaderIsFoundPastExtensionHeadersAndALaterFragmentHasNoPorts() {
        ipt.iptables("-A INPUT -p udp --dport 9 -j DROP");
        ipt.iptables("-A INPUT -p udp -j DROP");
        byte[] udp = udp6(HOST_IP6, STACK_IP6, 40000, 9, pattern(4));
        h.injectIp6(ipv6(HOST_IP6, STACK_IP6, 60, 64, concat(extHeader(17, 1, 4, 0, 0, 0, 0), udp)));
        byte[] later = concat(fragHeader(17, 8, false, 0x1234), pattern(16));
        h.injectIp6(ipv6(HOST_IP6, STACK_IP6, 44, 64, later));
        assertEquals(List.of(1L, 1L), ipt.rules(Table.FILTER, "INPUT").stream().map(Rule::packets).toList());
        assertEquals(0, h.sent().size());
    }

    /** pkttype_mt: the stack's own packet to a group (the NA answering a DAD probe goes to ff02::1) is multicast. */
    @Test
    void pkttypeCallsTheStacksOwnPacketsToAGroupMulticast() {
        ipt.iptables("-A OUTPUT -m pkttype --pkt-type multicast");
        ipt.iptables("-A OUTPUT -m pkttype --pkt-type host");
        byte[] group = ip6("ff02::1:ff00:2");
        byte[] probe = icmpv6(ip6("::"), group, 135, 0, concat(new byte[4], STACK_IP6));
        h.dev.inject(eth(0x3333_ff00_0002L, 0x02_00_00_00_00_09L, 0x86dd, ipv6(ip6("::"), group, 58, 255, probe)));
        List<byte[]> na = h.sent();
        assertEquals(1, na.size());
        assertEquals(136, u8(na.get(0), 54), "the NA to all-nodes");
        assertTrue(answered6(1));
        assertEquals(List.of(1L, 1L), ipt.rules(Table.FILTER, "OUTPUT").stream().map(Rule::packets).toList(),
                "the NA to all-nodes, then the echo reply to the host");
    }

    @Test
    void outputAndPostroutingSeeTheStacksOwnPackets() {
        ipt.iptables("-A OUTPUT -p ipv6-icmp --icmpv6-type echo-reply -j DROP");
        ipt.iptables("-t mangle -A POSTROUTING -p ipv6-icmp");
        assertTrue(!answered6(1));
        assertEquals(1, ipt.rules(Table.FILTER, "OUTPUT").get(0).packets());
        assertEquals(0, ipt.rules(Table.MANGLE, "POSTROUTING").get(0).packets(), "dropped before POSTROUTING");
        ipt.iptables("-F OUTPUT");
        assertTrue(answered6(2));
        assertEquals(1, ipt.rules(Table.MANGLE, "POSTROUTING").get(0).packets());
    }

    @Test
    void logWritesDumpIpv6PacketsLine() {
        ipt.iptables("-A INPUT -p ipv6-icmp --icmpv6-type echo-request -j LOG --log-prefix \"in6: \"");
        ipt.iptables("-A INPUT -p udp -j LOG");
        try (LogCapture capture = new LogCapture()) {
            assertTrue(answered6(9), "LOG goes on");
            h.injectIp6(ipv6(HOST_IP6, STACK_IP6, 17, 64, udp6(HOST_IP6, STACK_IP6, 40000, 7, pattern(4))));
            h.sent();
            assertEquals(List.of(
                    "WARNING in6: IN=eth0 OUT= MAC=02:00:00:00:00:02:02:00:00:00:00:01:86:dd SRC=fd00:77::1 DST=fd00:77::2 "
                            + "LEN=56 TC=0 HOPLIMIT=64 FLOWLBL=0 PROTO=ICMPv6 TYPE=128 CODE=0 ID=7 SEQ=9 ",
                    "WARNING IN=eth0 OUT= MAC=02:00:00:00:00:02:02:00:00:00:00:01:86:dd SRC=fd00:77::1 DST=fd00:77::2 "
                            + "LEN=52 TC=0 HOPLIMIT=64 FLOWLBL=0 PROTO=UDP SPT=40000 DPT=7 LEN=12 "),
                    capture.lines);
        }
    }

    /**
     * What ip6_forward's NF_HOOK(NFPROTO_IPV6, NF_INET_FORWARD, ..., skb->dev, dst->dev, ip6_forward_finish)
     * meets: the FORWARD chain's function on IPv6's FORWARD hook, deciding by the devices it is given.
     */
    @Test
    void theForwardChainSitsOnIpv6sForwardHook() {
        ipt.iptables("-A FORWARD -o eth1 -p tcp --dport 22 -j DROP");
        assertEquals(List.of("ip6tables filter FORWARD"), h.stack.netfilter6().functions(Hook.FORWARD));
        FakeDevice eth1 = new FakeDevice("eth1", 0x02_00_00_00_01_02L);
        byte[] far = ip6("fd00:78::9");
        List<Integer> passed = new ArrayList<>();
        for (int dport : new int[] {22, 80}) {
            byte[] packet = ipv6(HOST_IP6, far, 6, 63, tcp6(HOST_IP6, far, 40000, dport, 1, 0, 0x02, new byte[0]));
            PacketBuffer pkt = h.pool.allocate(packet.length);
            pkt.copyIn(pkt.put(packet.length), packet, 0, packet.length);
            pkt.resetNetworkHeader();
            h.stack.netfilter6().hook(Hook.FORWARD, pkt, h.dev, eth1, p -> {
                passed.add(dport);
                p.release();
            });
        }
        assertEquals(List.of(80), passed, "port 22 out eth1 dropped");
        assertEquals(1, ipt.rules(Table.FILTER, "FORWARD").get(0).packets());
        h.sent();

        // a REJECT there answers from the address the segment was for, another host's (nf_send_reset6)
        ipt.iptables("-A FORWARD -p tcp --dport 23 -j REJECT --reject-with tcp-reset");
        byte[] syn = ipv6(HOST_IP6, far, 6, 63, tcp6(HOST_IP6, far, 40001, 23, 7, 0, 0x02, new byte[0]));
        PacketBuffer pkt = h.pool.allocate(syn.length);
        pkt.copyIn(pkt.put(syn.length), syn, 0, syn.length);
        pkt.resetNetworkHeader();
        h.stack.netfilter6().hook(Hook.FORWARD, pkt, h.dev, eth1, p -> fail("rejected"));
        List<byte[]> out = h.sent();
        assertEquals(1, out.size());
        assertArrayEquals(far, bytes(out.get(0), 22, 16), "from the far host's address");
        assertArrayEquals(HOST_IP6, bytes(out.get(0), 38, 16));
        assertEquals(0x14, u8(out.get(0), 54 + 13), "RST|ACK");
        assertEquals(0, checksum6(far, HOST_IP6, 6, bytes(out.get(0), 54, 20)));
    }
}
