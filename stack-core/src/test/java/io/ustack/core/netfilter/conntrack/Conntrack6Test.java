package io.ustack.core.netfilter.conntrack;

import static io.ustack.core.testing.Frames.concat;
import static io.ustack.core.testing.Frames.echoBody;
import static io.ustack.core.testing.Frames.eth;
import static io.ustack.core.testing.Frames.fragHeader;
import static io.ustack.core.testing.Frames.icmpv6;
import static io.ustack.core.testing.Frames.ip6;
import static io.ustack.core.testing.Frames.ipv6;
import static io.ustack.core.testing.Frames.nsBody;
import static io.ustack.core.testing.Frames.pattern;
import static io.ustack.core.testing.Frames.u8;
import static io.ustack.core.testing.Frames.udp6;
import static io.ustack.core.testing.StackHarness.HOST_IP6;
import static io.ustack.core.testing.StackHarness.HOST_MAC;
import static io.ustack.core.testing.StackHarness.STACK_IP6;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.netfilter.Hook;
import io.ustack.core.netfilter.rules.IpTables;
import io.ustack.core.netfilter.rules.Rule;
import io.ustack.core.netfilter.rules.Table;
import io.ustack.core.testing.Frames;
import io.ustack.core.testing.StackHarness;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Conntrack for IPv6 flows, driven by ip6tables' --ctstate rules: an ICMPv6 echo is NEW then ESTABLISHED, a
 * reply nobody asked for INVALID, Neighbour Discovery UNTRACKED, the port unreachable about a UDP datagram
 * RELATED; the flows share the one table with IPv4's, and IPv4's hooks stay empty.
 */
class Conntrack6Test {
    private final StackHarness h = StackHarness.withIpv6();
    private final IpTables ipt = h.stack.ip6tables();

    @AfterEach
    void leakCheck() {
        h.close();
    }

    private List<Long> counts(String chain) {
        return ipt.rules(Table.FILTER, chain).stream().map(Rule::packets).toList();
    }

    private void echo(int type, int id, int seq) {
        h.injectIp6(ipv6(HOST_IP6, STACK_IP6, 58, 64, icmpv6(HOST_IP6, STACK_IP6, type, 0, echoBody(id, seq, pattern(8)))));
    }

    @Test
    void anEchoIsNewThenEstablishedAndAReplyNobodyAskedForIsInvalid() {
        ipt.iptables("-A INPUT -m conntrack --ctstate INVALID -j DROP");
        ipt.iptables("-A INPUT -p ipv6-icmp -m conntrack --ctstate NEW -j ACCEPT");
        ipt.iptables("-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT");
        ipt.iptables("-A INPUT -m conntrack --ctstate UNTRACKED -j ACCEPT");
        assertEquals(List.of(), h.stack.netfilter().functions(Hook.PRE_ROUTING), "IPv4 is not tracked for IPv6's rules");
        assertTrue(h.stack.netfilter6().functions(Hook.PRE_ROUTING).contains("nf_conntrack_in"));
        echo(128, 7, 1);
        echo(128, 7, 2);
        assertEquals(2, h.sent().size(), "both answered");
        echo(129, 99, 1);
        assertEquals(List.of(1L, 1L, 1L, 0L), counts("INPUT"), "NEW, ESTABLISHED, and the stray reply INVALID");
        List<Conntrack.Entry> flows = h.stack.conntrack().list();
        assertEquals(1, flows.size(), flows.toString());
        Conntrack.Entry e = flows.get(0);
        assertEquals("icmpv6", e.protocol());
        assertEquals(58, e.protocolNumber());
        assertEquals("src=fd00:77::1 dst=fd00:77::2 type=128 code=0 id=7", e.original());
        assertEquals("src=fd00:77::2 dst=fd00:77::1 type=129 code=0 id=7", e.reply());
        assertTrue(!e.unreplied());
        assertTrue(e.timeoutSeconds() > 25 && e.timeoutSeconds() <= 30, "nf_conntrack_icmpv6_timeout: " + e);

        // a Neighbour Solicitation is the link's business: UNTRACKED, and answered
        byte[] group = ip6("ff02::1:ff00:2");
        byte[] ns = icmpv6(HOST_IP6, group, 135, 0, nsBody(STACK_IP6, HOST_MAC));
        h.dev.inject(eth(0x3333_ff00_0002L, HOST_MAC, Frames.ETH_P_IPV6, ipv6(HOST_IP6, group, 58, 255, ns)));
        List<byte[]> na = h.sent();
        assertEquals(1, na.size());
        assertEquals(136, u8(na.get(0), 54));
        assertEquals(1L, counts("INPUT").get(3));
        assertEquals(1, h.stack.conntrack().list().size(), "no flow for ND");
    }

    @Test
    void thePortUnreachableAboutADatagramIsRelatedToItsFlow() {
        ipt.iptables("-A INPUT -p udp -m conntrack --ctstate NEW");
        ipt.iptables("-A OUTPUT -m conntrack --ctstate RELATED");
        ipt.iptables("-A OUTPUT -m conntrack --ctstate NEW,ESTABLISHED,INVALID");
        h.injectIp6(ipv6(HOST_IP6, STACK_IP6, 17, 64, udp6(HOST_IP6, STACK_IP6, 40000, 9999, pattern(4))));
        List<byte[]> out = h.sent();
        assertEquals(1, out.size());
        assertEquals(1, u8(out.get(0), 54), "ICMPv6 destination unreachable");
        assertEquals(List.of(1L), counts("INPUT"));
        assertEquals(List.of(1L, 0L), counts("OUTPUT"), "RELATED to the datagram's flow");
        Conntrack.Entry e = h.stack.conntrack().list().get(0);
        assertEquals("udp", e.protocol());
        assertEquals("src=fd00:77::1 dst=fd00:77::2 sport=40000 dport=9999", e.original());
        assertTrue(e.unreplied());
    }

    @Test
    void theLastRuleGoneTheHooksAndTheIpv6FlowsGoToo() {
        ipt.iptables("-A INPUT -m conntrack --ctstate NEW");
        echo(128, 5, 1);
        h.sent();
        assertEquals(1, h.stack.conntrack().list().size());
        assertTrue(h.stack.conntrack().enabled());
        ipt.iptables("-F INPUT");
        assertEquals(List.of(), h.stack.netfilter6().functions(Hook.PRE_ROUTING));
        assertEquals(0, h.stack.conntrack().list().size());
        assertTrue(!h.stack.conntrack().enabled());
    }

    /**
     * nf_defrag_ipv6: with IPv6 tracked, a fragmented echo request is reassembled before PRE_ROUTING, so
     * conntrack and the rules see one datagram, NEW, not two INVALID fragments.
     */
    @Test
    void fragmentsAreReassembledBeforeConntrackWhileItRuns() {
        ipt.iptables("-A INPUT -m conntrack --ctstate INVALID -j DROP");
        ipt.iptables("-A INPUT -m conntrack --ctstate NEW");
        byte[] upper = icmpv6(HOST_IP6, STACK_IP6, 128, 0, echoBody(7, 1, pattern(100)));
        byte[] first = concat(fragHeader(58, 0, true, 0x77), Arrays.copyOfRange(upper, 0, 56));
        byte[] last = concat(fragHeader(58, 56, false, 0x77), Arrays.copyOfRange(upper, 56, upper.length));
        h.injectIp6(ipv6(HOST_IP6, STACK_IP6, 44, 64, first));
        assertEquals(0, h.sent().size(), "held");
        h.injectIp6(ipv6(HOST_IP6, STACK_IP6, 44, 64, last));
        List<byte[]> out = h.sent();
        assertEquals(1, out.size(), "the reassembled request answered");
        assertEquals(129, u8(out.get(0), 54));
        assertEquals(List.of(0L, 1L), counts("INPUT"), "one datagram, NEW");
        assertEquals("src=fd00:77::1 dst=fd00:77::2 type=128 code=0 id=7", h.stack.conntrack().list().get(0).original());
        ipt.iptables("-F INPUT");
        h.injectIp6(ipv6(HOST_IP6, STACK_IP6, 44, 64, first));
        h.injectIp6(ipv6(HOST_IP6, STACK_IP6, 44, 64, last));
        assertEquals(1, h.sent().size(), "untracked again, ip6_input reassembles as before");
    }
}
