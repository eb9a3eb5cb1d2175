package io.ustack.core.netfilter.nat;

import static io.ustack.core.testing.Frames.arp;
import static io.ustack.core.testing.Frames.eth;
import static io.ustack.core.testing.Frames.icmpEcho;
import static io.ustack.core.testing.Frames.icmpError;
import static io.ustack.core.testing.Frames.ip;
import static io.ustack.core.testing.Frames.ipv4;
import static io.ustack.core.testing.Frames.partialChecksum;
import static io.ustack.core.testing.Frames.pattern;
import static io.ustack.core.testing.Frames.tcp;
import static io.ustack.core.testing.Frames.u16;
import static io.ustack.core.testing.Frames.udp;
import static io.ustack.core.testing.StackHarness.HOST_IP;
import static io.ustack.core.testing.StackHarness.HOST_MAC;
import static io.ustack.core.testing.StackHarness.STACK_IP;
import static io.ustack.core.testing.StackHarness.STACK_MAC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.buffer.PacketBuffer.IpSummed;
import io.ustack.core.netfilter.Hook;
import io.ustack.core.netfilter.Priority;
import io.ustack.core.netfilter.Verdict;
import io.ustack.core.netfilter.conntrack.Conntrack;
import io.ustack.core.netfilter.rules.Chain;
import io.ustack.core.netfilter.rules.IpTables;
import io.ustack.core.netfilter.rules.Table;
import io.ustack.core.testing.FakeDevice;
import io.ustack.core.testing.Frames;
import io.ustack.core.testing.StackHarness;
import io.ustack.core.wire.Ipv4Prefix;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * NAT on a router between the host's link (eth0: host 10.0.0.1, router 10.0.0.2) and the far link (eth1:
 * router 10.0.1.1, far host 10.0.1.2). Every translated packet is compared byte for byte with the packet
 * {@link Frames} builds whole with the translated fields, so each checksum fix-up is checked.
 */
class NatTest {
    private static final long RIGHT_MAC = 0x02_00_00_00_01_02L;
    private static final long FAR_MAC = 0x02_00_00_00_01_03L;
    private static final long SECOND_MAC = 0x02_00_00_00_00_07L;
    private static final int RIGHT_IP = ip("10.0.1.1");
    private static final int FAR_IP = ip("10.0.1.2");
    private static final int SECOND_IP = ip("10.0.0.7");

    private final StackHarness h = new StackHarness();
    private final FakeDevice right = h.addDevice("eth1", RIGHT_MAC, 1500, "10.0.1.1/24");
    private final IpTables ipt = h.stack.iptables();
    private final Conntrack ct = h.stack.conntrack();

    NatTest() {
        h.stack.setForwarding(true);
        h.hostArps();
        right.inject(eth(-1L >>> 16, FAR_MAC, Frames.ETH_P_ARP, arp(1, FAR_MAC, FAR_IP, 0, RIGHT_IP)));
        right.drain();
        h.dev.inject(eth(-1L >>> 16, SECOND_MAC, Frames.ETH_P_ARP, arp(1, SECOND_MAC, SECOND_IP, 0, STACK_IP)));
        h.sent();
    }

    @AfterEach
    void leakCheck() {
        h.close();
    }

    /** A rule of the nat table, as iptables -t nat -A CHAIN takes it. */
    private void add(Chain chain, String rule) {
        ipt.iptables("-t nat -A " + chain + " " + rule);
    }

    /** An IP packet from a host on eth0 (its MAC from its address), returning what left eth1. */
    private byte[] leftToRight(byte[] packet) {
        long mac = Frames.i32(packet, 12) == SECOND_IP ? SECOND_MAC : HOST_MAC;
        h.dev.inject(eth(STACK_MAC, mac, Frames.ETH_P_IP, packet));
        List<byte[]> out = right.drain();
        assertEquals(1, out.size(), "one packet out of eth1");
        assertEquals(FAR_MAC, Frames.mac(out.get(0), 0));
        return Arrays.copyOfRange(out.get(0), 14, out.get(0).length);
    }

    /** An IP packet from the far host, returning what left eth0. */
    private byte[] rightToLeft(byte[] packet) {
        right.inject(eth(RIGHT_MAC, FAR_MAC, Frames.ETH_P_IP, packet));
        List<byte[]> out = h.sent();
        assertEquals(1, out.size(), "one packet out of eth0");
        return Arrays.copyOfRange(out.get(0), 14, out.get(0).length);
    }

    private List<String> flows() {
        return ct.list().stream().map(e -> e.original() + " | " + e.reply()).toList();
    }

    @Test
    void masqueradeTranslatesTheFirstPacketAndTheRestFromTheConnection() {
        add(Chain.POSTROUTING, "-o eth1 -j MASQUERADE");
        assertEquals(List.of("nf_conntrack_in", "nf_nat"), h.stack.netfilter().functions(Hook.PRE_ROUTING),
                "conntrack and nf_nat, and no function for the empty PREROUTING chain");
        assertEquals(List.of("iptables nat POSTROUTING", "nf_nat", "nf_conntrack_confirm"),
                h.stack.netfilter().functions(Hook.POST_ROUTING), "the rule chooses, nf_nat rewrites, then confirmation");
        byte[] query = ipv4(HOST_IP, FAR_IP, 17, 64, 0x100, 0, udp(HOST_IP, FAR_IP, 5000, 53, pattern(20)));
        assertArrayEquals(ipv4(RIGHT_IP, FAR_IP, 17, 63, 0x100, 0, udp(RIGHT_IP, FAR_IP, 5000, 53, pattern(20))),
                leftToRight(query), "the far host sees the router's address, TTL one less");
        byte[] answer = ipv4(FAR_IP, RIGHT_IP, 17, 64, 0x200, 0, udp(FAR_IP, RIGHT_IP, 53, 5000, pattern(30)));
        assertArrayEquals(ipv4(FAR_IP, HOST_IP, 17, 63, 0x200, 0, udp(FAR_IP, HOST_IP, 53, 5000, pattern(30))),
                rightToLeft(answer), "the answer is translated back to the host");
        leftToRight(ipv4(HOST_IP, FAR_IP, 17, 64, 0x101, 0, udp(HOST_IP, FAR_IP, 5000, 53, pattern(20))));
        assertEquals(1, ipt.rules(Table.NAT, "POSTROUTING").get(0).packets(), "the rule saw the first packet only");
        assertEquals(List.of("src=10.0.0.1 dst=10.0.1.2 sport=5000 dport=53 | src=10.0.1.2 dst=10.0.1.1 sport=53 dport=5000"),
                flows());
    }

    @Test
    void masqueradedFlowsGoWithTheirAddressAndStartOverFromTheNewOne() {
        add(Chain.POSTROUTING, "-o eth1 -j MASQUERADE");
        byte[] query = ipv4(HOST_IP, FAR_IP, 17, 64, 1, 0, udp(HOST_IP, FAR_IP, 5000, 53, pattern(4)));
        assertEquals(RIGHT_IP, Frames.i32(leftToRight(query), 12));
        rightToLeft(ipv4(FAR_IP, HOST_IP, 17, 64, 2, 0, udp(FAR_IP, HOST_IP, 7000, 7, pattern(4))));
        assertEquals(2, ct.list().size(), "one flow masqueraded, one (towards eth0) not");

        h.stack.addAddress(right, Ipv4Prefix.parse("10.0.2.1/24"));
        h.stack.fib().removeAddress(right, Ipv4Prefix.parse("10.0.2.1/24"));
        assertEquals(2, ct.list().size(), "another address of eth1 went: no flow was masqueraded to it");

        // the new address first, so that eth1's network stays connected once the old one is gone
        h.stack.addAddress(right, Ipv4Prefix.parse("10.0.1.5/24"));
        right.drain();
        h.stack.fib().removeAddress(right, Ipv4Prefix.parse("10.0.1.1/24"));
        assertEquals(List.of("src=10.0.1.2 dst=10.0.0.1 sport=7000 dport=7 | src=10.0.0.1 dst=10.0.1.2 sport=7 dport=7000"),
                flows(), "the masqueraded flow went with 10.0.1.1; the other stays");
        assertEquals(ip("10.0.1.5"), Frames.i32(leftToRight(query), 12), "the flow starts over from the new address");
    }

    @Test
    void aSecondHostWithTheSamePortGetsAnotherOne() {
        add(Chain.POSTROUTING, "-o eth1 -j MASQUERADE");
        leftToRight(ipv4(HOST_IP, FAR_IP, 17, 64, 1, 0, udp(HOST_IP, FAR_IP, 5000, 53, pattern(4))));
        byte[] out = leftToRight(ipv4(SECOND_IP, FAR_IP, 17, 64, 2, 0, udp(SECOND_IP, FAR_IP, 5000, 53, pattern(4))));
        int port = u16(out, 20);
        assertNotEquals(5000, port);
        assertTrue(port >= 1024, "from the class of the original port: 1024-65535");
        assertArrayEquals(ipv4(RIGHT_IP, FAR_IP, 17, 63, 2, 0, udp(RIGHT_IP, FAR_IP, port, 53, pattern(4))), out);
        // each answer finds its own host
        byte[] back = rightToLeft(ipv4(FAR_IP, RIGHT_IP, 17, 64, 3, 0, udp(FAR_IP, RIGHT_IP, 53, port, pattern(4))));
        assertArrayEquals(ipv4(FAR_IP, SECOND_IP, 17, 63, 3, 0, udp(FAR_IP, SECOND_IP, 53, 5000, pattern(4))), back);
        back = rightToLeft(ipv4(FAR_IP, RIGHT_IP, 17, 64, 4, 0, udp(FAR_IP, RIGHT_IP, 53, 5000, pattern(4))));
        assertEquals(HOST_IP, Frames.i32(back, 16));
    }

    @Test
    void icmpEchoIdentifiersAreRemappedOnAClash() {
        add(Chain.POSTROUTING, "-o eth1 -j MASQUERADE");
        byte[] first = leftToRight(ipv4(HOST_IP, FAR_IP, 1, 64, 1, 0, icmpEcho(8, 0x77, 1, pattern(8))));
        assertArrayEquals(ipv4(RIGHT_IP, FAR_IP, 1, 63, 1, 0, icmpEcho(8, 0x77, 1, pattern(8))), first);
        byte[] second = leftToRight(ipv4(SECOND_IP, FAR_IP, 1, 64, 2, 0, icmpEcho(8, 0x77, 1, pattern(8))));
        int id = u16(second, 24);
        assertNotEquals(0x77, id);
        assertArrayEquals(ipv4(RIGHT_IP, FAR_IP, 1, 63, 2, 0, icmpEcho(8, id, 1, pattern(8))), second);
        byte[] reply = rightToLeft(ipv4(FAR_IP, RIGHT_IP, 1, 64, 3, 0, icmpEcho(0, id, 1, pattern(8))));
        assertArrayEquals(ipv4(FAR_IP, SECOND_IP, 1, 63, 3, 0, icmpEcho(0, 0x77, 1, pattern(8))), reply);
    }

    @Test
    void snatTakesPortsFromItsRangeAndDropsWhenNoneIsLeft() {
        add(Chain.POSTROUTING, "-p udp -j SNAT --to 192.0.2.9:6000-6001");
        for (int i = 0; i < 2; i++) {
            byte[] out = leftToRight(ipv4(HOST_IP, FAR_IP, 17, 64, i, 0, udp(HOST_IP, FAR_IP, 5000 + i, 53, new byte[0])));
            assertEquals(ip("192.0.2.9"), Frames.i32(out, 12));
            assertTrue(u16(out, 20) == 6000 || u16(out, 20) == 6001);
        }
        h.injectIp(ipv4(HOST_IP, FAR_IP, 17, 64, 9, 0, udp(HOST_IP, FAR_IP, 5002, 53, new byte[0])));
        assertTrue(right.drain().isEmpty(), "every port of the range is taken");
        assertEquals(1, h.counter("DropReasonNETFILTER_DROP"));
        assertEquals(2, ct.list().size());
    }

    @Test
    void redirectSendsAConnectionToTheRouterItselfOnTheAddressOfItsWayIn() {
        add(Chain.PREROUTING, "-i eth0 -p udp --dport 53 -j REDIRECT --to-ports 5353");
        h.injectIp(ipv4(HOST_IP, FAR_IP, 17, 64, 1, 0, udp(HOST_IP, FAR_IP, 40000, 53, pattern(8))));
        assertTrue(right.drain().isEmpty(), "not forwarded");
        assertEquals(List.of("src=10.0.0.1 dst=10.0.1.2 sport=40000 dport=53 | src=10.0.0.2 dst=10.0.0.1 sport=5353 dport=40000"),
                flows());
        assertEquals(1, h.counter("UdpNoPorts"), "delivered here, to 5353, where nothing listens");
        byte[] unreachable = h.sent().get(0);
        assertEquals(FAR_IP, Frames.i32(unreachable, 14 + 12), "the port unreachable comes from the address the host asked");
    }

    @Test
    void dnatForwardsAPortAndTheAnswersComeFromTheAddressAsked() {
        add(Chain.PREROUTING, "-i eth0 -p tcp --dport 80 -j DNAT --to 10.0.1.2:8080");
        byte[] syn = ipv4(HOST_IP, STACK_IP, 6, 64, 1, 0x4000, tcp(HOST_IP, STACK_IP, 40000, 80, 100, 0, 0x02, new byte[0]));
        assertArrayEquals(ipv4(HOST_IP, FAR_IP, 6, 63, 1, 0x4000, tcp(HOST_IP, FAR_IP, 40000, 8080, 100, 0, 0x02, new byte[0])),
                leftToRight(syn));
        byte[] synAck = ipv4(FAR_IP, HOST_IP, 6, 64, 2, 0x4000, tcp(FAR_IP, HOST_IP, 8080, 40000, 900, 101, 0x12, new byte[0]));
        assertArrayEquals(ipv4(STACK_IP, HOST_IP, 6, 63, 2, 0x4000, tcp(STACK_IP, HOST_IP, 80, 40000, 900, 101, 0x12, new byte[0])),
                rightToLeft(synAck));
        assertEquals(List.of("src=10.0.0.1 dst=10.0.0.2 sport=40000 dport=80 | src=10.0.1.2 dst=10.0.0.1 sport=8080 dport=40000"),
                flows());
        assertEquals(0, h.counter("TcpInSegs"), "the router's own TCP never saw it");
    }

    @Test
    void aResetForADnatedConnectionComesFromTheAddressTheClientAsked() {
        add(Chain.PREROUTING, "-p tcp --dport 80 -j DNAT --to 10.0.1.2:8080");
        ipt.iptables("-A FORWARD -p tcp -j REJECT --reject-with tcp-reset");
        h.injectIp(ipv4(HOST_IP, STACK_IP, 6, 64, 1, 0x4000, tcp(HOST_IP, STACK_IP, 40000, 80, 100, 0, 0x02, new byte[0])));
        assertTrue(right.drain().isEmpty());
        List<byte[]> out = h.sent();
        assertEquals(1, out.size());
        byte[] rst = Arrays.copyOfRange(out.get(0), 14, out.get(0).length);
        assertArrayEquals(ipv4(STACK_IP, HOST_IP, 6, 64, u16(rst, 4), 0x4000, rstAck(STACK_IP, HOST_IP, 80, 40000, 101)), rst);
        assertEquals(0, ct.list().size(), "the refused connection was never confirmed");
    }

    /** A bare RST|ACK as nf_send_reset builds it (window 0). */
    private static byte[] rstAck(int src, int dst, int sport, int dport, int ack) {
        byte[] seg = tcp(src, dst, sport, dport, 0, ack, 0x14, new byte[0]);
        seg[14] = 0;
        seg[15] = 0;
        seg[16] = 0;
        seg[17] = 0;
        int c = Frames.tcpChecksum(src, dst, seg);
        seg[16] = (byte) (c >> 8);
        seg[17] = (byte) c;
        return seg;
    }

    @Test
    void anIcmpErrorAboutAMasqueradedFlowIsTranslatedBackInsideAndOut() {
        add(Chain.POSTROUTING, "-o eth1 -j MASQUERADE");
        byte[] query = ipv4(HOST_IP, FAR_IP, 17, 64, 0x100, 0, udp(HOST_IP, FAR_IP, 5000, 53, pattern(12)));
        byte[] arrived = leftToRight(query);
        // the far host's port unreachable quotes the datagram as it arrived there
        byte[] error = ipv4(FAR_IP, RIGHT_IP, 1, 64, 0x300, 0, icmpError(3, 3, arrived));
        byte[] back = rightToLeft(error);
        byte[] quotedAsSent = ipv4(HOST_IP, FAR_IP, 17, 63, 0x100, 0, udp(HOST_IP, FAR_IP, 5000, 53, pattern(12)));
        assertArrayEquals(ipv4(FAR_IP, HOST_IP, 1, 63, 0x300, 0, icmpError(3, 3, quotedAsSent)), back,
                "the host sees an error about its own datagram, every checksum right");
    }

    @Test
    void aSegmentWhoseChecksumIsPartialIsTrackedAndTranslatedInItsPseudoHeaderSum() {
        add(Chain.POSTROUTING, "-o eth1 -j MASQUERADE");
        List<byte[]> afterNat = new ArrayList<>();
        List<IpSummed> summed = new ArrayList<>();
        h.stack.netfilter().register(Hook.POST_ROUTING, Priority.NAT_SRC + 1, "record", (pkt, st) -> {
            byte[] b = new byte[pkt.tail() - pkt.networkHeader()];
            pkt.copyOut(pkt.networkHeader(), b, 0, b.length);
            afterNat.add(b);
            summed.add(pkt.ipSummed());
            return Verdict.ACCEPT;
        });
        byte[] syn = partialChecksum(HOST_IP, FAR_IP, 6, 16, tcp(HOST_IP, FAR_IP, 40000, 80, 1000, 0, 0x02, pattern(8)));
        byte[] frame = eth(STACK_MAC, HOST_MAC, Frames.ETH_P_IP, ipv4(HOST_IP, FAR_IP, 6, 64, 1, 0x4000, syn));

        h.dev.inject(frame);
        assertEquals(1, ct.stats().get("invalid"), "marked as finished, the partial sum is a wrong checksum: INVALID");
        assertTrue(ct.list().isEmpty());
        right.drain();

        // the host's kernel left the checksum to the device (virtio NEEDS_CSUM): nothing to verify yet
        h.dev.inject(frame, pkt -> pkt.setChecksumPartial(14 + 20, 16));
        assertEquals(1, ct.list().size(), "tracked");
        byte[] translated = tcp(RIGHT_IP, FAR_IP, 40000, 80, 1000, 0, 0x02, pattern(8));
        assertArrayEquals(ipv4(RIGHT_IP, FAR_IP, 6, 63, 1, 0x4000, partialChecksum(RIGHT_IP, FAR_IP, 6, 16, translated)),
                afterNat.get(1), "masqueraded: the pseudo-header sum is the new addresses'");
        assertEquals(List.of(IpSummed.NONE, IpSummed.PARTIAL), summed);
        assertEquals(1, right.drain().size());
    }

    @Test
    void natRulesHoldConntrackAndTheNatHooksUntilTheLastGoes() {
        add(Chain.POSTROUTING, "-o eth1 -j MASQUERADE");
        add(Chain.PREROUTING, "-p tcp --dport 80 -j DNAT --to 10.0.1.2");
        assertTrue(ct.enabled());
        assertTrue(h.stack.netfilter().functions(Hook.POST_ROUTING).contains("nf_nat"));
        ipt.iptables("-t nat -F POSTROUTING");
        assertTrue(h.stack.netfilter().functions(Hook.POST_ROUTING).contains("nf_nat"));
        ipt.iptables("-t nat -D PREROUTING 1");
        assertTrue(!ct.enabled());
        for (Hook hook : Hook.values()) {
            assertEquals(List.of(), h.stack.netfilter().functions(hook), hook.name());
        }
    }
}
