package io.ustack.core.netfilter.rules;

import static io.ustack.core.testing.Frames.eth;
import static io.ustack.core.testing.Frames.icmpEcho;
import static io.ustack.core.testing.Frames.icmpError;
import static io.ustack.core.testing.Frames.ip;
import static io.ustack.core.testing.Frames.ipv4;
import static io.ustack.core.testing.Frames.pattern;
import static io.ustack.core.testing.Frames.refreshIpChecksum;
import static io.ustack.core.testing.Frames.tcp;
import static io.ustack.core.testing.Frames.udp;
import static io.ustack.core.testing.StackHarness.HOST_IP;
import static io.ustack.core.testing.StackHarness.HOST_MAC;
import static io.ustack.core.testing.StackHarness.STACK_IP;
import static io.ustack.core.testing.StackHarness.STACK_MAC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.testing.Frames;
import io.ustack.core.testing.StackHarness;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every match on crafted packets through a forwarding stack (the host 10.0.0.1 on eth0, the far host
 * 10.0.1.2 on eth1): a rule with no target only counts, so whether it counted a packet says whether the
 * match took it.
 */
class XtMatchesTest extends RouterTest {
    private static final int SYN = 0x02;
    private static final int ACK = 0x10;

    /** Whether a counting rule with {@code options} in FORWARD takes {@code packet}, sent from the host. */
    private boolean matches(String options, byte[] packet) {
        ipt.iptables("-F FORWARD");
        ipt.iptables("-A FORWARD " + options);
        h.injectIp(packet);
        right.drain();
        h.sent();
        return ipt.rules(Table.FILTER, "FORWARD").get(0).packets() == 1;
    }

    private static byte[] udpTo(int sport, int dport) {
        return ipv4(HOST_IP, FAR_IP, 17, 64, 1, 0, udp(HOST_IP, FAR_IP, sport, dport, pattern(8)));
    }

    private static byte[] tcpTo(int dport, int flags) {
        return ipv4(HOST_IP, FAR_IP, 6, 64, 1, 0x4000, tcp(HOST_IP, FAR_IP, 40000, dport, 1, flags == SYN ? 0 : 1, flags,
                new byte[0]));
    }

    private static byte[] ping() {
        return ipv4(HOST_IP, FAR_IP, 1, 64, 1, 0, icmpEcho(8, 7, 1, pattern(8)));
    }

    @Test
    void tcpPortsAndFlags() {
        assertTrue(matches("-p tcp --dport 22", tcpTo(22, SYN)));
        assertFalse(matches("-p tcp --dport 22", tcpTo(23, SYN)));
        assertTrue(matches("-p tcp --sport 39000:41000 ! --dport 23", tcpTo(22, SYN)));
        assertTrue(matches("-p tcp --syn", tcpTo(22, SYN)));
        assertFalse(matches("-p tcp --syn", tcpTo(22, SYN | ACK)), "a SYN/ACK is no --syn");
        assertTrue(matches("-p tcp ! --syn", tcpTo(22, ACK)));
        assertTrue(matches("-p tcp --tcp-flags SYN,RST SYN", tcpTo(22, SYN | ACK)));
        assertTrue(matches("-p tcp --tcp-flags ALL NONE", tcpTo(22, 0)));
        assertFalse(matches("-p tcp --dport 22", udpTo(1, 22)), "-p tcp");
    }

    @Test
    void udpPortsAndMultiport() {
        assertTrue(matches("-p udp --sport 53 --dport 1000:2000", udpTo(53, 1500)));
        assertFalse(matches("-p udp --sport 53 --dport 1000:2000", udpTo(53, 2001)));
        assertTrue(matches("-p udp -m multiport --dports 53,67,8000:8080", udpTo(1, 8080)));
        assertFalse(matches("-p udp -m multiport --dports 53,67,8000:8080", udpTo(1, 68)));
        assertTrue(matches("-p udp -m multiport --ports 53,67", udpTo(67, 9)), "--ports: either side");
        assertTrue(matches("-p udp -m multiport ! --sports 53,67", udpTo(54, 9)));
        assertFalse(matches("-p udp -m multiport --sports 53", ipv4(HOST_IP, FAR_IP, 17, 64, 1, 100, pattern(16))),
                "a later fragment has no ports");
    }

    @Test
    void icmpTypes() {
        assertTrue(matches("-p icmp --icmp-type echo-request", ping()));
        assertTrue(matches("-p icmp --icmp-type 8/0", ping()));
        assertFalse(matches("-p icmp --icmp-type echo-reply", ping()));
        assertTrue(matches("-p icmp ! --icmp-type echo-reply", ping()));
        assertTrue(matches("-p icmp --icmp-type any", ping()));
        byte[] fragNeeded = ipv4(HOST_IP, FAR_IP, 1, 64, 1, 0, icmpError(3, 4, tcpTo(80, SYN)));
        assertTrue(matches("-p icmp --icmp-type fragmentation-needed", fragNeeded));
        assertTrue(matches("-p icmp --icmp-type destination-unreachable", fragNeeded));
        assertFalse(matches("-p icmp --icmp-type port-unreachable", fragNeeded));
    }

    @Test
    void connectionStates() {
        ipt.iptables("-A FORWARD -m state --state ESTABLISHED");
        ipt.iptables("-A FORWARD -m conntrack ! --ctstate ESTABLISHED,RELATED");
        h.injectIp(udpTo(5000, 53));
        right.drain();
        assertEquals(0, ipt.rules(Table.FILTER, "FORWARD").get(0).packets());
        assertEquals(1, ipt.rules(Table.FILTER, "FORWARD").get(1).packets(), "the first datagram is NEW");
        right.inject(eth(RIGHT_MAC, FAR_MAC, Frames.ETH_P_IP,
                ipv4(FAR_IP, HOST_IP, 17, 64, 2, 0, udp(FAR_IP, HOST_IP, 53, 5000, pattern(8)))));
        h.sent();
        assertEquals(1, ipt.rules(Table.FILTER, "FORWARD").get(0).packets(), "the answer is ESTABLISHED");
        assertEquals(1, ipt.rules(Table.FILTER, "FORWARD").get(1).packets());
        assertTrue(matches("-m conntrack --ctstate INVALID", tcpTo(80, SYN | 0x01)), "SYN with FIN is no valid segment");
    }

    @Test
    void connectionTuplesAndDirections() {
        ipt.iptables("-A FORWARD -m conntrack --ctorigdst 10.0.1.0/24 --ctdir ORIGINAL");
        ipt.iptables("-A FORWARD -m conntrack --ctstate ESTABLISHED --ctdir REPLY --ctreplsrc 10.0.1.2");
        ipt.iptables("-A FORWARD -m conntrack ! --ctorigsrc 10.0.0.1");
        h.injectIp(udpTo(5000, 53));
        right.drain();
        right.inject(eth(RIGHT_MAC, FAR_MAC, Frames.ETH_P_IP,
                ipv4(FAR_IP, HOST_IP, 17, 64, 2, 0, udp(FAR_IP, HOST_IP, 53, 5000, pattern(8)))));
        h.sent();
        assertEquals(List.of(1L, 1L, 0L), ipt.rules(Table.FILTER, "FORWARD").stream().map(Rule::packets).toList());
    }

    /** How many of {@code n} datagrams to {@code dport} the rules let through. */
    private int passed(int n, int dport) {
        int passed = 0;
        for (int i = 0; i < n; i++) {
            h.injectIp(udpTo(40000, dport));
            passed += right.drain().size();
        }
        return passed;
    }

    @Test
    void hashlimitKeepsABucketPerFlow() {
        ipt.iptables("-A FORWARD -m hashlimit --hashlimit-upto 1/sec --hashlimit-burst 2 --hashlimit-mode srcip,dstport "
                + "--hashlimit-name t -j ACCEPT");
        ipt.iptables("-A FORWARD -j DROP");
        assertEquals(2, passed(3, 7), "the burst");
        assertEquals(2, passed(3, 8), "another destination port is another flow");
        h.clock.advance(1, TimeUnit.SECONDS);
        assertEquals(1, passed(2, 7), "a token a second");
    }

    @Test
    void aFullHashlimitTableTakesNoNewFlowUntilOldOnesIdleOut() {
        ipt.iptables("-A FORWARD -m hashlimit --hashlimit-upto 100/sec --hashlimit-mode dstport --hashlimit-name t "
                + "--hashlimit-htable-max 2 -j ACCEPT");
        ipt.iptables("-A FORWARD -j DROP");
        assertEquals(1, passed(1, 7));
        assertEquals(1, passed(1, 8));
        assertEquals(0, passed(1, 9), "two flows fill the table");
        assertEquals(1, passed(1, 7), "the flows in it go on");
        h.clock.advance(11, TimeUnit.SECONDS);
        assertEquals(1, passed(1, 9), "idle flows are swept out to make room");
    }

    @Test
    void hashlimitAboveMatchesOverTheRateAndIdleFlowsStartAfresh() {
        ipt.iptables("-A FORWARD -m hashlimit --hashlimit-above 1/hour --hashlimit-burst 1 --hashlimit-mode dstport "
                + "--hashlimit-name t -j DROP");
        assertEquals(1, passed(3, 7));
        h.clock.advance(9, TimeUnit.SECONDS);
        assertEquals(0, passed(1, 7));
        h.clock.advance(11, TimeUnit.SECONDS);
        assertEquals(1, passed(2, 7), "idle past --hashlimit-htable-expire (10 s): a full bucket again");
    }

    @Test
    void recentCountsAnAddressesPacketsAcrossRules() {
        ipt.iptables("-A FORWARD -p udp --dport 22 -m recent --name ssh --update --seconds 60 --hitcount 3 -j DROP");
        ipt.iptables("-A FORWARD -p udp --dport 22 -m recent --name ssh --set -j ACCEPT");
        assertEquals(3, passed(5, 22), "the fourth packet within a minute is one too many");
        h.clock.advance(30, TimeUnit.SECONDS);
        assertEquals(0, passed(1, 22), "--update kept stamping the dropped ones");
        h.clock.advance(61, TimeUnit.SECONDS);
        assertEquals(1, passed(1, 22), "a minute of quiet");
        ipt.iptables("-I FORWARD -p udp --dport 23 -m recent --name ssh --remove -j ACCEPT");
        ipt.iptables("-A FORWARD -m recent --name ssh --rcheck -j DROP");
        assertEquals(0, passed(1, 24), "the address is in the list");
        assertEquals(1, passed(1, 23), "--remove takes it out");
        assertEquals(1, passed(1, 24));
    }

    @Test
    void marksAndConnectionMarks() {
        ipt.iptables("-t mangle -A PREROUTING -p udp --dport 53 -j MARK --set-mark 0x21");
        assertTrue(matches("-m mark --mark 0x21", udpTo(1, 53)));
        assertTrue(matches("-m mark --mark 0x1/0xf", udpTo(1, 53)));
        assertFalse(matches("-m mark --mark 0x21", udpTo(1, 54)));
        assertTrue(matches("-m mark ! --mark 0x21", udpTo(1, 54)));
        ipt.iptables("-t mangle -A PREROUTING -j CONNMARK --save-mark");
        assertTrue(matches("-m connmark --mark 0x21", udpTo(2, 53)), "the packet's mark saved on its connection");
        assertFalse(matches("-m connmark --mark 0x21", udpTo(3, 54)));
    }

    @Test
    void commentsAlwaysMatch() {
        assertTrue(matches("-m comment --comment \"anything at all\"", ping()));
    }

    @Test
    void limitIsATokenBucketOnTheStacksClock() {
        ipt.iptables("-A FORWARD -m limit --limit 2/sec --limit-burst 3 -j ACCEPT");
        ipt.iptables("-A FORWARD -j DROP");
        int passed = 0;
        for (int i = 0; i < 5; i++) {
            h.injectIp(ping());
            passed += right.drain().size();
        }
        assertEquals(3, passed, "the burst");
        h.clock.advance(500, TimeUnit.MILLISECONDS);
        h.injectIp(ping());
        h.injectIp(ping());
        assertEquals(1, right.drain().size(), "one token every 500 ms");
        h.clock.advance(10, TimeUnit.SECONDS);
        for (int i = 0; i < 5; i++) {
            h.injectIp(ping());
        }
        assertEquals(3, right.drain().size(), "the bucket holds no more than the burst");
    }

    @Test
    void addressRanges() {
        assertTrue(matches("-m iprange --src-range 10.0.0.0-10.0.0.1", ping()));
        assertFalse(matches("-m iprange --src-range 10.0.0.2-10.0.0.9", ping()));
        assertTrue(matches("-m iprange ! --dst-range 10.0.1.3-10.0.1.9", ping()));
        assertTrue(matches("-m iprange --src-range 10.0.0.1-10.0.0.1 --dst-range 10.0.1.0-10.0.1.255", ping()));
    }

    @Test
    void addressTypes() {
        assertTrue(matches("-m addrtype --dst-type UNICAST --src-type UNICAST", ping()));
        assertFalse(matches("-m addrtype --dst-type LOCAL", ping()));
        ipt.iptables("-A INPUT -m addrtype --dst-type LOCAL");
        ipt.iptables("-A INPUT -m addrtype --dst-type BROADCAST");
        h.injectIp(ipv4(HOST_IP, STACK_IP, 1, 64, 1, 0, icmpEcho(8, 7, 1, pattern(8))));
        h.dev.inject(eth(-1L >>> 16, HOST_MAC, Frames.ETH_P_IP,
                ipv4(HOST_IP, ip("10.0.0.255"), 17, 64, 1, 0, udp(HOST_IP, ip("10.0.0.255"), 1, 9, pattern(4)))));
        h.sent();
        assertEquals(1, ipt.rules(Table.FILTER, "INPUT").get(0).packets(), "to the stack's address");
        assertEquals(1, ipt.rules(Table.FILTER, "INPUT").get(1).packets(), "to the subnet's broadcast");
    }

    @Test
    void lengthTtlAndDscp() {
        assertTrue(matches("-m length --length 36", ping()), "20 + 8 + 8");
        assertFalse(matches("-m length --length 37:1500", ping()));
        assertTrue(matches("-m length ! --length 37:1500", ping()));
        assertTrue(matches("-m ttl --ttl-eq 63", ping()), "FORWARD sees the TTL ip_forward decremented, as in Linux");
        assertTrue(matches("-m ttl --ttl-gt 62", ping()));
        assertFalse(matches("-m ttl --ttl-lt 63", ping()));
        byte[] ef = ping();
        ef[1] = (byte) (46 << 2 | 1); // DSCP EF with ECT(1)
        refreshIpChecksum(ef);
        assertTrue(matches("-m dscp --dscp-class EF", ef));
        assertTrue(matches("-m dscp --dscp 0x2e", ef));
        assertFalse(matches("-m dscp --dscp 0", ef));
    }

    @Test
    void packetTypesAndSourceMacs() {
        ipt.iptables("-A INPUT -m pkttype --pkt-type broadcast");
        ipt.iptables("-A INPUT -m pkttype --pkt-type unicast");
        ipt.iptables("-A INPUT -m mac --mac-source 02:00:00:00:00:01");
        ipt.iptables("-A INPUT -m mac ! --mac-source 02:00:00:00:00:01");
        h.dev.inject(eth(-1L >>> 16, HOST_MAC, Frames.ETH_P_IP,
                ipv4(HOST_IP, -1, 17, 64, 1, 0, udp(HOST_IP, -1, 1, 9, pattern(4)))));
        h.injectIp(ipv4(HOST_IP, STACK_IP, 17, 64, 2, 0, udp(HOST_IP, STACK_IP, 1, 9, pattern(4))));
        h.dev.inject(eth(STACK_MAC, 0x02_00_00_00_00_77L, Frames.ETH_P_IP,
                ipv4(HOST_IP, STACK_IP, 17, 64, 3, 0, udp(HOST_IP, STACK_IP, 1, 9, pattern(4)))));
        h.sent();
        assertEquals(List.of(1L, 2L, 2L, 1L),
                ipt.rules(Table.FILTER, "INPUT").stream().map(Rule::packets).toList());
    }
}
