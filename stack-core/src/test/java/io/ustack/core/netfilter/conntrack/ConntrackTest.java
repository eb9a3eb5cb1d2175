package io.ustack.core.netfilter.conntrack;

import static io.ustack.core.testing.Frames.eth;
import static io.ustack.core.testing.Frames.icmpEcho;
import static io.ustack.core.testing.Frames.icmpError;
import static io.ustack.core.testing.Frames.ipv4;
import static io.ustack.core.testing.Frames.pattern;
import static io.ustack.core.testing.Frames.tcp;
import static io.ustack.core.testing.Frames.u16;
import static io.ustack.core.testing.Frames.udp;
import static io.ustack.core.testing.StackHarness.HOST_IP;
import static io.ustack.core.testing.StackHarness.STACK_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.netfilter.Hook;
import io.ustack.core.netfilter.Verdict;
import io.ustack.core.netfilter.rules.Chain;
import io.ustack.core.netfilter.rules.Table;
import io.ustack.core.testing.FakeDevice;
import io.ustack.core.testing.Frames;
import io.ustack.core.testing.StackHarness;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Connection tracking on a forwarding stack: the host on eth0 (10.0.0.1) and the far host on eth1
 * (10.0.1.2). A hook at FORWARD records the ctinfo conntrack gave each forwarded packet; the table is read
 * as conntrack -L shows it; time passes on the harness's manual clock.
 */
class ConntrackTest {
    private static final long RIGHT_MAC = TrackedForwarding.RIGHT_MAC;
    private static final long FAR_MAC = TrackedForwarding.FAR_MAC;
    private static final int FAR_IP = TrackedForwarding.FAR_IP;
    private static final int SYN = 0x02;
    private static final int ACK = 0x10;
    private static final int FIN = 0x01;
    private static final int RST = 0x04;
    private static final int PSH = 0x08;

    private final TrackedForwarding rig = new TrackedForwarding();
    private final StackHarness h = rig.h;
    private final FakeDevice right = rig.right;
    private final Conntrack ct = rig.ct;
    private final List<String> seen = rig.seen;

    @AfterEach
    void leakCheck() {
        h.close();
    }

    private void fromLeft(int proto, byte[] l4) {
        h.injectIp(ipv4(HOST_IP, FAR_IP, proto, 64, 1, 0, l4));
    }

    private void fromRight(int proto, byte[] l4) {
        right.inject(eth(RIGHT_MAC, FAR_MAC, Frames.ETH_P_IP, ipv4(FAR_IP, HOST_IP, proto, 64, 2, 0, l4)));
    }

    private void tcpLeft(int seq, int ack, int flags, int len) {
        fromLeft(6, tcp(HOST_IP, FAR_IP, 40000, 80, seq, ack, flags, pattern(len)));
    }

    private void tcpRight(int seq, int ack, int flags, int len) {
        fromRight(6, tcp(FAR_IP, HOST_IP, 80, 40000, seq, ack, flags, pattern(len)));
    }

    private List<String> listed() {
        return ct.list().stream().map(e -> e.protocol() + " " + e.protocolNumber() + " " + e.timeoutSeconds()
                + (e.state() == null ? "" : " " + e.state()) + " " + e.original() + (e.unreplied() ? " [UNREPLIED]" : "")
                + " " + e.reply() + (e.assured() ? " [ASSURED]" : "")).toList();
    }

    private String tcpState() {
        return ct.list().get(0).state();
    }

    private void advance(long seconds) {
        h.clock.advance(seconds, TimeUnit.SECONDS);
        h.stack.runTimers();
    }

    @Test
    void theHooksAreThereOnlyWhileSomethingNeedsThem() {
        assertEquals(List.of("nf_conntrack_in"), h.stack.netfilter().functions(Hook.PRE_ROUTING));
        assertEquals(List.of("nf_conntrack_in"), h.stack.netfilter().functions(Hook.LOCAL_OUT));
        assertEquals(List.of("nf_conntrack_confirm"), h.stack.netfilter().functions(Hook.LOCAL_IN));
        assertEquals(List.of("nf_conntrack_confirm"), h.stack.netfilter().functions(Hook.POST_ROUTING));
        fromLeft(1, icmpEcho(8, 7, 1, pattern(8)));
        ct.get();
        ct.put();
        assertTrue(ct.enabled());
        assertEquals(1, ct.list().size());
        ct.put();
        assertFalse(ct.enabled());
        assertEquals(List.of(), h.stack.netfilter().functions(Hook.PRE_ROUTING));
        assertEquals(List.of(), h.stack.netfilter().functions(Hook.POST_ROUTING));
        assertEquals(0, ct.list().size(), "the table goes with the last user");
        ct.get(); // for @AfterEach's symmetry with the constructor
    }

    @Test
    void anEchoIsNewItsReplyEstablishedAndBothShareOneEntry() {
        fromLeft(1, icmpEcho(8, 7, 1, pattern(8)));
        assertEquals(List.of("icmp 1 30 src=10.0.0.1 dst=10.0.1.2 type=8 code=0 id=7 [UNREPLIED] "
                + "src=10.0.1.2 dst=10.0.0.1 type=0 code=0 id=7"), listed());
        advance(10);
        fromRight(1, icmpEcho(0, 7, 1, pattern(8)));
        fromLeft(1, icmpEcho(8, 7, 2, pattern(8)));
        assertEquals(List.of("NEW", "ESTABLISHED_REPLY", "ESTABLISHED"), seen);
        assertEquals(List.of("icmp 1 30 src=10.0.0.1 dst=10.0.1.2 type=8 code=0 id=7 "
                + "src=10.0.1.2 dst=10.0.0.1 type=0 code=0 id=7"), listed());
        advance(30);
        assertEquals(List.of(), listed(), "icmp timeout 30 s");
        fromRight(1, icmpEcho(0, 7, 3, pattern(8)));
        assertEquals("none", seen.get(3), "a reply with no request is INVALID");
    }

    @Test
    void udpIsKeptThirtySecondsUnrepliedAndTwoMinutesAsAStream() {
        fromLeft(17, udp(HOST_IP, FAR_IP, 5000, 53, pattern(4)));
        assertEquals(List.of("udp 17 30 src=10.0.0.1 dst=10.0.1.2 sport=5000 dport=53 [UNREPLIED] "
                + "src=10.0.1.2 dst=10.0.0.1 sport=53 dport=5000"), listed());
        fromRight(17, udp(FAR_IP, HOST_IP, 53, 5000, pattern(4)));
        assertEquals(List.of("udp 17 30 src=10.0.0.1 dst=10.0.1.2 sport=5000 dport=53 "
                + "src=10.0.1.2 dst=10.0.0.1 sport=53 dport=5000"), listed(), "a first answer is no stream yet");
        advance(3);
        fromLeft(17, udp(HOST_IP, FAR_IP, 5000, 53, pattern(4)));
        assertEquals(List.of("udp 17 120 src=10.0.0.1 dst=10.0.1.2 sport=5000 dport=53 "
                + "src=10.0.1.2 dst=10.0.0.1 sport=53 dport=5000 [ASSURED]"), listed());
        assertEquals(List.of("NEW", "ESTABLISHED_REPLY", "ESTABLISHED"), seen);
        advance(119);
        assertEquals(1, listed().size());
        advance(1);
        assertEquals(0, listed().size());
    }

    @Test
    void tcpFollowsTheHandshakeAndTheCloseWithTheKernelsTimeouts() {
        tcpLeft(1000, 0, SYN, 0);
        assertEquals(List.of("tcp 6 120 SYN_SENT src=10.0.0.1 dst=10.0.1.2 sport=40000 dport=80 [UNREPLIED] "
                + "src=10.0.1.2 dst=10.0.0.1 sport=80 dport=40000"), listed());
        tcpRight(5000, 1001, SYN | ACK, 0);
        assertEquals(List.of("tcp 6 60 SYN_RECV src=10.0.0.1 dst=10.0.1.2 sport=40000 dport=80 "
                + "src=10.0.1.2 dst=10.0.0.1 sport=80 dport=40000"), listed());
        tcpLeft(1001, 5001, ACK, 0);
        assertEquals(List.of("tcp 6 432000 ESTABLISHED src=10.0.0.1 dst=10.0.1.2 sport=40000 dport=80 "
                + "src=10.0.1.2 dst=10.0.0.1 sport=80 dport=40000 [ASSURED]"), listed());
        tcpLeft(1001, 5001, ACK | PSH, 100);
        tcpRight(5001, 1101, ACK, 0);
        tcpLeft(1101, 5001, FIN | ACK, 0);
        assertEquals("FIN_WAIT", tcpState());
        tcpRight(5001, 1102, ACK, 0);
        assertEquals("CLOSE_WAIT", tcpState());
        tcpRight(5001, 1102, FIN | ACK, 0);
        assertEquals("LAST_ACK", tcpState());
        tcpLeft(1102, 5002, ACK, 0);
        assertEquals("TIME_WAIT", tcpState());
        assertEquals(120, ct.list().get(0).timeoutSeconds());
        assertEquals(List.of("NEW", "ESTABLISHED_REPLY", "ESTABLISHED", "ESTABLISHED", "ESTABLISHED_REPLY", "ESTABLISHED",
                "ESTABLISHED_REPLY", "ESTABLISHED_REPLY", "ESTABLISHED"), seen);

        // a new SYN on the same ports after a close reopens: the old entry goes, a new one starts
        tcpLeft(9000, 0, SYN, 0);
        assertEquals("SYN_SENT", tcpState());
        assertEquals("NEW", seen.get(seen.size() - 1));
    }

    @Test
    void aResetClosesAndAResetAsTheOnlyAnswerLeavesNothing() {
        tcpLeft(1000, 0, SYN, 0);
        tcpRight(5000, 1001, SYN | ACK, 0);
        tcpLeft(1001, 5001, ACK, 0);
        tcpRight(5001, 1001, RST, 0);
        assertEquals("CLOSE", tcpState());
        assertEquals(10, ct.list().get(0).timeoutSeconds());
        advance(10);
        assertEquals(0, ct.list().size());

        tcpLeft(2000, 0, SYN, 0);
        tcpRight(0, 2001, RST | ACK, 0);
        assertEquals(0, ct.list().size(), "refused: nothing to remember");
    }

    @Test
    void segmentsTheStateTableRefusesAreInvalid() {
        tcpRight(5000, 1001, SYN | ACK, 0); // a SYN/ACK nobody asked for
        tcpLeft(1000, 0, SYN | FIN, 0); // a combination no TCP sends
        tcpLeft(1000, 0, FIN, 0); // a FIN with no connection
        tcpLeft(1000, 0, 0, 0); // no flags at all
        assertEquals(List.of("none", "none", "none", "none"), seen);
        assertEquals(0, ct.list().size());
        tcpLeft(1000, 0, SYN, 0);
        tcpLeft(1000, 0, ACK, 0); // an ACK before any SYN/ACK
        assertEquals("none", seen.get(5));
        assertEquals("SYN_SENT", tcpState());
        assertEquals(5, ct.stats().get("invalid"));
    }

    @Test
    void anAckWithNoConnectionPicksItUpForFiveMinutesAtMost() {
        tcpLeft(1000, 5000, ACK, 10);
        assertEquals(List.of("tcp 6 300 ESTABLISHED src=10.0.0.1 dst=10.0.1.2 sport=40000 dport=80 [UNREPLIED] "
                + "src=10.0.1.2 dst=10.0.0.1 sport=80 dport=40000"), listed());
        tcpRight(5000, 1010, ACK, 0);
        tcpLeft(1010, 5000, ACK, 0);
        assertEquals(List.of("tcp 6 432000 ESTABLISHED src=10.0.0.1 dst=10.0.1.2 sport=40000 dport=80 "
                + "src=10.0.1.2 dst=10.0.0.1 sport=80 dport=40000 [ASSURED]"), listed());
    }

    @Test
    void icmpErrorsAboutAConnectionAreRelatedAndOthersInvalid() {
        byte[] query = udp(HOST_IP, FAR_IP, 5000, 53, pattern(4));
        fromLeft(17, query);
        // the far host's port unreachable quotes the datagram as it arrived (TTL 63)
        byte[] quoted = ipv4(HOST_IP, FAR_IP, 17, 63, 1, 0, query);
        fromRight(1, icmpError(3, 3, quoted));
        // the same error about a flow nobody started
        fromRight(1, icmpError(3, 3, ipv4(HOST_IP, FAR_IP, 17, 63, 1, 0, udp(HOST_IP, FAR_IP, 5001, 53, pattern(4)))));
        assertEquals(List.of("NEW", "RELATED_REPLY", "none"), seen);
        assertTrue(ct.list().get(0).unreplied(), "an error is no reply");
    }

    @Test
    void aFirstPacketDroppedBeforeConfirmationLeavesNoEntry() {
        h.stack.iptables().iptables("-A FORWARD -p udp -j DROP");
        fromLeft(17, udp(HOST_IP, FAR_IP, 5000, 53, pattern(4)));
        assertEquals(0, ct.list().size());
        assertEquals(0, ct.stats().get("insert"));
    }

    @Test
    void theStacksOwnEchoReplyIsTheReplyOfTheRequestsConnection() {
        h.injectIp(ipv4(HOST_IP, STACK_IP, 1, 64, 1, 0, icmpEcho(8, 9, 1, pattern(8))));
        assertEquals(1, h.sent().size());
        assertEquals(List.of("icmp 1 30 src=10.0.0.1 dst=10.0.0.2 type=8 code=0 id=9 "
                + "src=10.0.0.2 dst=10.0.0.1 type=0 code=0 id=9"), listed(), "the reply, reusing the request's buffer, was seen as the reply");
    }

    @Test
    void aFullTableEvictsWhatWasNeverAssuredElseDropsAndCounts() {
        ct.setMax(2);
        fromLeft(17, udp(HOST_IP, FAR_IP, 1, 53, new byte[0]));
        fromLeft(17, udp(HOST_IP, FAR_IP, 2, 53, new byte[0]));
        fromLeft(17, udp(HOST_IP, FAR_IP, 3, 53, new byte[0]));
        assertEquals(3, right.drain().size(), "early_drop made room");
        Map<String, Long> stats = ct.stats();
        assertEquals(2, stats.get("entries"));
        assertEquals(1, stats.get("early_drop"));

        ct.flush();
        // two assured TCP connections fill it; nothing may be evicted, so a third first packet is dropped
        for (int port : new int[] {1, 2}) {
            fromLeft(6, tcp(HOST_IP, FAR_IP, port, 80, 100, 0, SYN, new byte[0]));
            fromRight(6, tcp(FAR_IP, HOST_IP, 80, port, 500, 101, SYN | ACK, new byte[0]));
            fromLeft(6, tcp(HOST_IP, FAR_IP, port, 80, 101, 501, ACK, new byte[0]));
        }
        right.drain();
        fromLeft(6, tcp(HOST_IP, FAR_IP, 3, 80, 100, 0, SYN, new byte[0]));
        assertTrue(right.drain().isEmpty());
        assertEquals(1, ct.stats().get("drop"));
        assertEquals(1, h.counter("DropReasonNETFILTER_DROP"));
        fromLeft(6, tcp(HOST_IP, FAR_IP, 1, 80, 101, 501, ACK | PSH, pattern(3)));
        assertEquals(1, right.drain().size(), "known connections still pass");
    }

    @Test
    void fragmentsAreReassembledForConntrackAndFragmentedAgainOnTheWayOut() {
        byte[] datagram = udp(HOST_IP, FAR_IP, 7000, 9, pattern(2000));
        // two fragments: 1480 bytes, then the rest
        h.injectIp(ipv4(HOST_IP, FAR_IP, 17, 64, 0x5555, 0x2000, Arrays.copyOfRange(datagram, 0, 1480)));
        assertTrue(right.drain().isEmpty(), "held for reassembly");
        h.injectIp(ipv4(HOST_IP, FAR_IP, 17, 64, 0x5555, 1480 / 8, Arrays.copyOfRange(datagram, 1480, datagram.length)));
        List<byte[]> out = right.drain();
        assertEquals(2, out.size());
        assertEquals(0x2000, u16(out.get(0), 20), "first fragment, MF");
        assertEquals(List.of("udp 17 30 src=10.0.0.1 dst=10.0.1.2 sport=7000 dport=9 [UNREPLIED] "
                + "src=10.0.1.2 dst=10.0.0.1 sport=9 dport=7000"), listed());
        assertEquals(1, h.counter("IpReasmOKs"));
    }

    @Test
    void stateRulesMakeAStatefulFirewall() {
        ct.put(); // the rules hold conntrack from here
        var ipt = h.stack.iptables();
        ipt.iptables("-A FORWARD -m state --state ESTABLISHED,RELATED -j ACCEPT");
        ipt.iptables("-A FORWARD -i eth0 -m conntrack --ctstate NEW -j ACCEPT");
        ipt.iptables("-P FORWARD DROP");
        assertTrue(ct.enabled());
        tcpLeft(1000, 0, SYN, 0);
        tcpRight(5000, 1001, SYN | ACK, 0);
        tcpLeft(1001, 5001, ACK, 0);
        assertEquals(2, right.drain().size());
        assertEquals(1, h.sent().size());
        fromRight(6, tcp(FAR_IP, HOST_IP, 80, 41000, 7, 0, SYN, new byte[0]));
        assertTrue(h.sent().isEmpty(), "the far side may not open connections");
        tcpLeft(1001, 0, SYN | FIN, 0);
        assertTrue(right.drain().isEmpty(), "INVALID matches neither rule");
        assertEquals(List.of(2L, 1L), ipt.rules(Table.FILTER, "FORWARD").stream().map(r -> r.packets()).toList(),
                "SYN/ACK and ACK were ESTABLISHED, the SYN NEW");
        assertEquals(2, ipt.policyPackets(Table.FILTER, Chain.FORWARD), "the policy dropped the far SYN and the invalid segment");
        ipt.iptables("-F FORWARD");
        ipt.iptables("-P FORWARD ACCEPT");
        assertFalse(ct.enabled(), "no rule needs conntrack any more");
        ct.get();
    }
}
