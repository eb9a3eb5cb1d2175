package io.ustack.core.stack;

import static io.ustack.core.testing.Frames.checksum;
import static io.ustack.core.testing.Frames.i32;
import static io.ustack.core.testing.Frames.icmpEcho;
import static io.ustack.core.testing.Frames.ipv4;
import static io.ustack.core.testing.Frames.pattern;
import static io.ustack.core.testing.Frames.tcp;
import static io.ustack.core.testing.Frames.u16;
import static io.ustack.core.testing.Frames.u8;
import static io.ustack.core.testing.Frames.udp;
import static io.ustack.core.testing.StackHarness.HOST_IP;
import static io.ustack.core.testing.StackHarness.HOST_MAC;
import static io.ustack.core.testing.StackHarness.STACK_IP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.tcp.TcpListener;
import io.ustack.core.tcp.TcpSocket;
import io.ustack.core.testing.Frames;
import io.ustack.core.testing.StackHarness;
import io.ustack.core.udp.UdpSocket;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What DiffProbeIT found ustack answering otherwise than Linux, each pinned to Linux's answer: echo codes,
 * ARP from a martian sender, DF and IP IDs, what a listener ignores, IGMP, and IP options.
 */
class LinuxWireFidelityTest {
    private static final int SYN = 0x02;
    private static final int FIN = 0x01;
    private static final int RST = 0x04;
    private static final int PSH = 0x08;
    private static final int ACK = 0x10;
    private static final int URG = 0x20;

    private final StackHarness h = new StackHarness();

    @AfterEach
    void leakCheck() {
        h.close();
    }

    /** An IPv4 header with {@code options} (padded to four bytes) and a correct checksum. */
    private static byte[] ipv4Opts(int src, int dst, int proto, int id, int frag, byte[] options, byte[] payload) {
        int olen = (options.length + 3) & ~3;
        ByteBuffer b = ByteBuffer.allocate(20 + olen + payload.length);
        b.put((byte) (0x40 | (20 + olen) / 4)).put((byte) 0).putShort((short) (20 + olen + payload.length))
                .putShort((short) id).putShort((short) frag).put((byte) 64).put((byte) proto).putShort((short) 0)
                .putInt(src).putInt(dst).put(options);
        b.position(20 + olen);
        b.put(payload);
        byte[] out = b.array();
        int c = checksum(out, 0, 20 + olen);
        out[10] = (byte) (c >> 8);
        out[11] = (byte) c;
        return out;
    }

    private static byte[] onlyFrame(List<byte[]> out) {
        assertEquals(1, out.size(), "one frame out");
        return out.get(0);
    }

    @Test
    void echoReplyKeepsTheRequestsCode() {
        h.hostArps();
        byte[] echo = icmpEcho(8, 0x77, 1, pattern(16));
        echo[1] = 5; // the code changed: the checksum anew
        echo[2] = 0;
        echo[3] = 0;
        int c = checksum(echo, 0, echo.length);
        echo[2] = (byte) (c >> 8);
        echo[3] = (byte) c;
        h.injectIp(ipv4(HOST_IP, STACK_IP, 1, 64, 1, 0, echo));
        byte[] f = onlyFrame(h.sent());
        assertEquals(0, u8(f, 34), "echo reply");
        assertEquals(5, u8(f, 35), "icmp_echo sends the code back as it came");
        assertEquals(0, checksum(f, 34, f.length - 34), "ICMP checksum");
    }

    @Test
    void arpRequestWhoseSenderClaimsOurAddressIsIgnored() {
        h.dev.inject(Frames.eth(-1L >>> 16, HOST_MAC, Frames.ETH_P_ARP, Frames.arp(1, HOST_MAC, STACK_IP, 0, STACK_IP)));
        h.dev.inject(Frames.eth(-1L >>> 16, HOST_MAC, Frames.ETH_P_ARP,
                Frames.arp(1, HOST_MAC, Frames.ip("255.255.255.255"), 0, STACK_IP)));
        assertEquals(List.of(), h.sent(), "ip_route_input(tip, sip) fails for a martian sender: no reply");
        h.dev.inject(Frames.eth(-1L >>> 16, HOST_MAC, Frames.ETH_P_ARP,
                Frames.arp(1, HOST_MAC, Frames.ip("10.0.0.255"), 0, STACK_IP)));
        assertEquals(2, u16(onlyFrame(h.sent()), 20), "a network's broadcast address passes the rp_filter-off check");
        h.dev.inject(Frames.eth(-1L >>> 16, HOST_MAC, Frames.ETH_P_ARP, Frames.arp(1, HOST_MAC, HOST_IP, 0, STACK_IP)));
        byte[] reply = onlyFrame(h.sent());
        assertEquals(2, u16(reply, 20), "a request from a neighbour is answered");
    }

    @Test
    void udpGoesOutWithDfAndIdZeroWhenItFitsAndFragmentedOtherwise() throws Exception {
        h.hostArps();
        try (UdpSocket s = h.stack.udp().open()) {
            s.bind(0, 7);
            s.sendTo(pattern(100), 0, 100, HOST_IP, 4000);
            s.sendTo(pattern(100), 0, 100, HOST_IP, 4000);
            List<byte[]> two = h.sent();
            assertEquals(2, two.size());
            byte[] f = two.get(0);
            assertEquals(0x4000, u16(f, 20), "DF set (IP_PMTUDISC_WANT), not fragmented");
            assertEquals((u16(f, 18) + 1) & 0xffff, u16(two.get(1), 18),
                    "ignore_df: real IDs, counting up per destination, not 0");
            s.sendTo(pattern(3000), 0, 3000, HOST_IP, 4000);
            List<byte[]> frags = h.sent();
            assertTrue(frags.size() >= 3, "fragmented: " + frags.size());
            int id = u16(frags.get(0), 18);
            for (byte[] fr : frags) {
                assertEquals(0, u16(fr, 20) & 0x4000, "no DF on what does not fit");
                assertEquals(id, u16(fr, 18), "one ID for the fragments");
            }
        }
    }

    @Test
    void connectedUdpCountsItsIds() throws Exception {
        h.hostArps();
        try (UdpSocket s = h.stack.udp().open()) {
            s.connect(HOST_IP, 4000);
            s.send(pattern(10), 0, 10);
            s.send(pattern(10), 0, 10);
            List<byte[]> out = h.sent();
            assertEquals(2, out.size());
            assertEquals(0x4000, u16(out.get(0), 20));
            assertEquals((u16(out.get(0), 18) + 1) & 0xffff, u16(out.get(1), 18), "a connected socket counts up");
        }
    }

    @Test
    void resetsAndSynAcksCarryIdZero() throws Exception {
        h.hostArps();
        h.injectIp(ipv4(HOST_IP, STACK_IP, 6, 64, 1, 0, tcp(HOST_IP, STACK_IP, 40000, 4444, 1000, 0, SYN, new byte[0])));
        byte[] rst = onlyFrame(h.sent());
        assertEquals(RST | ACK, u8(rst, 47));
        assertEquals(0, u16(rst, 18), "the reset's ID");
        assertEquals(0x4000, u16(rst, 20), "DF");
        try (TcpListener l = h.stack.tcp().listen(0, 9, 16)) {
            h.injectIp(ipv4(HOST_IP, STACK_IP, 6, 64, 2, 0, tcp(HOST_IP, STACK_IP, 40001, 9, 1000, 0, SYN, new byte[0])));
            byte[] synAck = onlyFrame(h.sent());
            assertEquals(SYN | ACK, u8(synAck, 47));
            assertEquals(0, u16(synAck, 18), "a listener's SYN-ACK carries ID 0 (ip_build_and_send_pkt)");
            assertEquals(0x4000, u16(synAck, 20));
        }
    }

    /**
     * tcp_v4_save_options: a passive open keeps its SYN's IP options, echoed (ireq_opt, then the child's
     * inet_opt), on the SYN-ACK and on every later packet, as the reset for the same SYN carries them; its
     * MSS makes room for them (icsk_ext_hdr_len).
     */
    @Test
    void aPassiveOpenEchoesItsSynsIpOptionsOnEveryPacket() throws Exception {
        h.hostArps();
        byte[] rr = {7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0, 1}; // Record Route, two empty slots, NOP
        byte[] mss = {2, 4, 0x05, (byte) 0xb4};
        h.injectIp(ipv4Opts(HOST_IP, STACK_IP, 6, 1, 0, rr,
                tcp(HOST_IP, STACK_IP, 40000, 4444, 1000, 0, SYN, 64240, mss, new byte[0])));
        byte[] rst = onlyFrame(h.sent());
        byte[] echoed = Arrays.copyOfRange(rst, 14 + 20, 14 + 32);
        assertEquals(7, echoed[0], "the reset echoes Record Route");
        try (TcpListener l = h.stack.tcp().listen(0, 9, 16)) {
            h.injectIp(ipv4Opts(HOST_IP, STACK_IP, 6, 2, 0, rr,
                    tcp(HOST_IP, STACK_IP, 40001, 9, 1000, 0, SYN, 64240, mss, new byte[0])));
            byte[] synAck = onlyFrame(h.sent());
            assertEquals(0x48, u8(synAck, 14), "a 32-byte header");
            assertEquals(SYN | ACK, u8(synAck, 14 + 32 + 13));
            assertArrayEquals(echoed, Arrays.copyOfRange(synAck, 14 + 20, 14 + 32), "the options the reset echoed");
            assertEquals(0, u16(synAck, 18), "ID 0, as a request socket's");
            int iss = i32(synAck, 14 + 32 + 4);
            h.injectIp(ipv4(HOST_IP, STACK_IP, 6, 64, 3, 0,
                    tcp(HOST_IP, STACK_IP, 40001, 9, 1001, iss + 1, ACK, new byte[0])));
            try (TcpSocket s = l.accept(1000)) {
                s.write(pattern(4000), 0, 4000);
                List<byte[]> data = h.sent();
                assertFalse(data.isEmpty());
                int sent = 0;
                for (byte[] f : data) {
                    assertEquals(0x48, u8(f, 14), "every packet of the connection carries the options");
                    assertArrayEquals(echoed, Arrays.copyOfRange(f, 14 + 20, 14 + 32));
                    int payload = u16(f, 16) - 32 - (u8(f, 14 + 32 + 12) >> 4) * 4;
                    assertTrue(payload <= 1460 - 12, "segments leave room for the options: " + payload);
                    sent += payload;
                }
                assertEquals(4000, sent);
            }
        }
    }

    /**
     * tcp_v4_mtu_reduced: an ICMP "fragmentation needed" quoting one of a connection's segments lowers the
     * path MTU, the connection's segments shrink to fit it, and what was in flight goes again at once
     * (tcp_simple_retransmit), not after a timeout in the old size that the path would drop again.
     */
    @Test
    void fragmentationNeededForAConnectionShrinksItsSegmentsAndResendsAtOnce() throws Exception {
        h.hostArps();
        byte[] mss = {2, 4, 0x05, (byte) 0xb4};
        try (TcpListener l = h.stack.tcp().listen(0, 9, 16)) {
            h.injectIp(ipv4(HOST_IP, STACK_IP, 6, 64, 1, 0,
                    tcp(HOST_IP, STACK_IP, 40002, 9, 1000, 0, SYN, 64240, mss, new byte[0])));
            int iss = i32(onlyFrame(h.sent()), 14 + 20 + 4);
            h.injectIp(ipv4(HOST_IP, STACK_IP, 6, 64, 2, 0,
                    tcp(HOST_IP, STACK_IP, 40002, 9, 1001, iss + 1, ACK, new byte[0])));
            try (TcpSocket s = l.accept(1000)) {
                s.write(pattern(4000), 0, 4000);
                List<byte[]> first = h.sent();
                assertEquals(1460, u16(first.get(0), 16) - 40, "full-sized segments first");
                injectFragNeeded(Arrays.copyOfRange(first.get(0), 14, 14 + 28), 1000);
                List<byte[]> again = h.sent();
                assertFalse(again.isEmpty(), "resent at once, before any timer");
                int resent = 0;
                for (byte[] f : again) {
                    int payload = u16(f, 16) - 40;
                    assertTrue(f.length - 14 <= 1000, "fits the path: " + (f.length - 14));
                    assertEquals(iss + 1 + resent, i32(f, 14 + 20 + 4), "from snd_una, in order");
                    resent += payload;
                }
                assertEquals(4000, resent, "everything in flight");
                assertEquals(960, s.info().mss(), "the MSS the path now takes");
            }
        }
    }

    @Test
    void aListenerIgnoresFinNullXmasAndSynFin() throws Exception {
        h.hostArps();
        try (TcpListener l = h.stack.tcp().listen(0, 9, 16)) {
            int port = 41000;
            for (int flags : new int[] {FIN, 0, FIN | PSH | URG, SYN | FIN}) {
                h.injectIp(ipv4(HOST_IP, STACK_IP, 6, 64, 1, 0, tcp(HOST_IP, STACK_IP, port++, 9, 1000, 0, flags, new byte[0])));
                assertEquals(List.of(), h.sent(), "flags " + flags + ": no answer (tcp_rcv_state_process in LISTEN)");
            }
            assertEquals(4, h.counter("DropReasonTCP_FLAGS"));
            h.injectIp(ipv4(HOST_IP, STACK_IP, 6, 64, 1, 0, tcp(HOST_IP, STACK_IP, port, 9, 1000, 5, ACK, new byte[0])));
            assertEquals(RST, u8(onlyFrame(h.sent()), 47), "a bare ACK still draws a reset");
        }
    }

    @Test
    void aSegmentUnderABroadcastMacIsNobodys() throws Exception {
        h.hostArps();
        try (TcpListener l = h.stack.tcp().listen(0, 9, 16)) {
            for (int port : new int[] {9, 4444}) {
                byte[] ip = ipv4(HOST_IP, STACK_IP, 6, 64, 1, 0, tcp(HOST_IP, STACK_IP, 42000, port, 1000, 0, SYN, new byte[0]));
                h.dev.inject(Frames.eth(-1L >>> 16, HOST_MAC, Frames.ETH_P_IP, ip));
                assertEquals(List.of(), h.sent(), "port " + port + ": tcp_v4_rcv drops pkt_type != PACKET_HOST");
            }
        }
    }

    @Test
    void aSynSignedWithMd5IsDropped() throws Exception {
        h.hostArps();
        byte[] md5 = new byte[20];
        md5[0] = 19;
        md5[1] = 18;
        md5[18] = 1;
        md5[19] = 1;
        try (TcpListener l = h.stack.tcp().listen(0, 9, 16)) {
            for (int port : new int[] {9, 4444}) {
                h.injectIp(ipv4(HOST_IP, STACK_IP, 6, 64, 1, 0,
                        tcp(HOST_IP, STACK_IP, 43000, port, 1000, 0, SYN, 64240, md5, new byte[0])));
                assertEquals(List.of(), h.sent(), "port " + port + ": no key, so no SYN-ACK and no reset");
            }
            assertEquals(2, h.counter("DropReasonTCP_MD5UNEXPECTED"));
        }
    }

    @Test
    void igmpIsConsumedWithoutProtocolUnreachable() {
        h.hostArps();
        byte[] query = {0x11, 100, 0, 0, 0, 0, 0, 0};
        int c = checksum(query, 0, 8);
        query[2] = (byte) (c >> 8);
        query[3] = (byte) c;
        h.injectIp(ipv4(HOST_IP, STACK_IP, 2, 1, 1, 0, query));
        assertEquals(List.of(), h.sent(), "Linux sends nothing about IGMP");
        assertEquals(0, h.counter("IpInUnknownProtos"));
        assertEquals(1, h.counter("IpInDelivers"));
    }

    @Test
    void recordRouteIsFilledAndEchoed() {
        h.hostArps();
        byte[] rr = {7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0};
        h.injectIp(ipv4Opts(HOST_IP, STACK_IP, 1, 1, 0, rr, icmpEcho(8, 1, 1, pattern(8))));
        byte[] f = onlyFrame(h.sent());
        assertEquals(0x48, u8(f, 14), "a 32-byte header");
        assertEquals(0, checksum(f, 14, 32), "IP header checksum");
        assertEquals(7, u8(f, 34));
        assertEquals(11, u8(f, 35));
        assertEquals(12, u8(f, 36), "both slots taken: the request's entry on the way in, the reply's on the way out");
        assertEquals(STACK_IP, i32(f, 37));
        assertEquals(STACK_IP, i32(f, 41));
        assertEquals(0, u8(f, 45), "padded with an end");
        assertEquals(0, u8(f, 46), "echo reply after the options");
    }

    @Test
    void timestampOptionIsFilledAndEchoed() {
        h.hostArps();
        byte[] ts = {68, 16, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        h.injectIp(ipv4Opts(HOST_IP, STACK_IP, 1, 1, 0, ts, icmpEcho(8, 1, 1, pattern(8))));
        byte[] f = onlyFrame(h.sent());
        assertEquals(0x49, u8(f, 14));
        assertEquals(68, u8(f, 34));
        assertEquals(13, u8(f, 36), "two of three slots stamped");
        assertEquals(0, u8(f, 37), "no overflow, timestamps only");
    }

    @Test
    void aMalformedOptionDrawsAParameterProblemPointingAtIt() {
        h.hostArps();
        byte[] badRr = {7, 11, 3, 0, 0, 0, 0, 0, 0, 0, 0}; // pointer below 4
        byte[] req = ipv4Opts(HOST_IP, STACK_IP, 1, 1, 0, badRr, icmpEcho(8, 1, 1, pattern(8)));
        h.injectIp(req);
        byte[] f = onlyFrame(h.sent());
        assertEquals(12, u8(f, 34), "parameter problem");
        assertEquals(0, u8(f, 35));
        assertEquals(22, u8(f, 38), "the pointer: byte 22 of the header, the option's pointer field");
        assertArrayEquals(req, Arrays.copyOfRange(f, 42, 42 + req.length), "the whole request quoted");
        assertEquals(1, h.counter("IpInHdrErrors"));
    }

    @Test
    void optionLengthOneIsMalformedAtTheOption() {
        h.hostArps();
        h.injectIp(ipv4Opts(HOST_IP, STACK_IP, 1, 1, 0, new byte[] {7, 1, 0, 0}, icmpEcho(8, 1, 1, pattern(8))));
        byte[] f = onlyFrame(h.sent());
        assertEquals(12, u8(f, 34));
        assertEquals(20, u8(f, 38));
    }

    @Test
    void sourceRoutedPacketsAreDropped() {
        h.hostArps();
        byte[] lsrr = {(byte) 131, 7, 4, 10, 9, 9, 9};
        h.injectIp(ipv4Opts(HOST_IP, STACK_IP, 1, 1, 0, lsrr, icmpEcho(8, 1, 1, pattern(8))));
        assertEquals(List.of(), h.sent(), "accept_source_route is off");
        assertEquals(1, h.counter("DropReasonIP_SOURCE_ROUTE"));
    }

    @Test
    void recordRouteThatCannotBeEchoedGetsNoReply() {
        h.hostArps();
        byte[] rr = {7, 11, 6, 0, 0, 0, 0, 0, 0, 0, 0}; // one entry fits on the way in, none on the way back
        h.injectIp(ipv4Opts(HOST_IP, STACK_IP, 1, 1, 0, rr, icmpEcho(8, 1, 1, pattern(8))));
        assertEquals(List.of(), h.sent(), "ip_options_echo fails: icmp_reply sends nothing");
    }

    /** An ICMP "fragmentation needed" from a router, quoting an echo reply of 1400 bytes the stack sent. */
    private void fragNeeded(int mtu) {
        byte[] quoted = ipv4(STACK_IP, HOST_IP, 1, 64, 7, 0, Arrays.copyOf(icmpEcho(0, 1, 1, pattern(1400)), 8));
        quoted[2] = (byte) (1428 >> 8); // the quoted header says how long the packet was
        quoted[3] = (byte) 1428;
        injectFragNeeded(quoted, mtu);
        assertEquals(List.of(), h.sent());
    }

    /** An ICMP "fragmentation needed" with next-hop MTU {@code mtu} from a router, quoting {@code quoted}. */
    private void injectFragNeeded(byte[] quoted, int mtu) {
        byte[] err = Frames.icmpError(3, 4, quoted);
        err[6] = (byte) (mtu >> 8);
        err[7] = (byte) mtu;
        err[2] = 0;
        err[3] = 0;
        int c = checksum(err, 0, err.length);
        err[2] = (byte) (c >> 8);
        err[3] = (byte) c;
        h.injectIp(ipv4(Frames.ip("10.0.0.254"), STACK_IP, 1, 64, 9, 0, err));
    }

    @Test
    void fragmentationNeededLowersThePathMtuForTenMinutes() {
        h.hostArps();
        fragNeeded(1000);
        h.injectIp(ipv4(HOST_IP, STACK_IP, 1, 64, 1, 0, icmpEcho(8, 1, 1, pattern(1400))));
        List<byte[]> frags = h.sent();
        assertEquals(2, frags.size(), "the reply is cut to the path's 1000 bytes");
        assertTrue(frags.get(0).length - 14 <= 1000);
        h.clock.advance(601, java.util.concurrent.TimeUnit.SECONDS);
        h.injectIp(ipv4(HOST_IP, STACK_IP, 1, 64, 2, 0, icmpEcho(8, 1, 2, pattern(1400))));
        assertEquals(1, h.sent().size(), "600 s later the exception has expired: one frame again");
    }

    @Test
    void aPathMtuBelowMinPmtuIsLockedAt552AndDfGoesAway() throws Exception {
        h.hostArps();
        fragNeeded(300);
        try (UdpSocket s = h.stack.udp().open()) {
            s.bind(0, 7);
            s.sendTo(pattern(1000), 0, 1000, HOST_IP, 4000);
            List<byte[]> frags = h.sent();
            assertEquals(2, frags.size(), "cut at min_pmtu 552, not at 300");
            assertEquals(20 + 528, frags.get(0).length - 14, "552 less the header, to eight bytes");
            s.sendTo(pattern(100), 0, 100, HOST_IP, 4000);
            byte[] small = onlyFrame(h.sent());
            assertEquals(0, u16(small, 20) & 0x4000, "a locked path MTU: no DF (ip_dont_fragment)");
        }
    }

    @Test
    void aReassembledRequestsOptionsAreEchoed() {
        h.hostArps();
        byte[] rr = {7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0};
        byte[] echo = icmpEcho(8, 1, 1, pattern(1000));
        h.injectIp(ipv4Opts(HOST_IP, STACK_IP, 1, 77, 0x2000, rr, Arrays.copyOfRange(echo, 0, 504)));
        h.injectIp(ipv4(HOST_IP, STACK_IP, 1, 64, 77, 63, Arrays.copyOfRange(echo, 504, echo.length)));
        byte[] f = onlyFrame(h.sent());
        assertEquals(0x48, u8(f, 14), "the head fragment's options, echoed");
        assertEquals(12, u8(f, 36));
    }

    @Test
    void aResetEchoesTheSegmentsOptions() {
        h.hostArps();
        byte[] rr = {7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0};
        h.injectIp(ipv4Opts(HOST_IP, STACK_IP, 6, 1, 0, rr, tcp(HOST_IP, STACK_IP, 40000, 4444, 1000, 0, SYN, new byte[0])));
        byte[] f = onlyFrame(h.sent());
        assertEquals(0x48, u8(f, 14), "ip_send_unicast_reply echoes the options");
        assertEquals(12, u8(f, 36));
        assertEquals(STACK_IP, i32(f, 41));
        assertEquals(RST | ACK, u8(f, 46 + 13));
        assertEquals(0, u16(f, 18), "ID 0, DF");
    }

    @Test
    void portUnreachableEchoesTheOptions() {
        h.hostArps();
        byte[] rr = {7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0};
        h.injectIp(ipv4Opts(HOST_IP, STACK_IP, 17, 1, 0, rr, udp(HOST_IP, STACK_IP, 4000, 4445, pattern(8))));
        byte[] f = onlyFrame(h.sent());
        assertEquals(0x48, u8(f, 14));
        assertEquals(12, u8(f, 36));
        assertEquals(3, u8(f, 46), "destination unreachable");
        assertEquals(3, u8(f, 47), "port");
        assertEquals(STACK_IP, i32(f, 54 + 23), "the quoted header carries the entry made on the way in");
    }
}
