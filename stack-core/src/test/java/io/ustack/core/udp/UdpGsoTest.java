package io.ustack.core.udp;

import static io.ustack.core.testing.Frames.checksum;
import static io.ustack.core.testing.Frames.eth;
import static io.ustack.core.testing.Frames.i32;
import static io.ustack.core.testing.Frames.ipv4;
import static io.ustack.core.testing.Frames.partialChecksum;
import static io.ustack.core.testing.Frames.pattern;
import static io.ustack.core.testing.Frames.u16;
import static io.ustack.core.testing.Frames.u8;
import static io.ustack.core.testing.Frames.udp;
import static io.ustack.core.testing.Frames.udpChecksum;
import static io.ustack.core.testing.StackHarness.HOST_IP;
import static io.ustack.core.testing.StackHarness.HOST_MAC;
import static io.ustack.core.testing.StackHarness.STACK_MAC;
import static io.ustack.core.testing.StackHarness.STACK_IP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.testing.Frames;
import io.ustack.core.testing.StackHarness;
import java.net.SocketException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * UDP_SEGMENT (UDP GSO): a send longer than the segment size is one super-packet, cut on its way out
 * (here by software GSO, the fake device offering no USO) into the datagrams Linux's __udp_gso_segment
 * makes: every one a whole datagram with its own lengths and checksums, in order, IP IDs counting up. And
 * the other way, a super-packet the host sent with USO reaches a socket as its datagrams (udp_rcv_segment).
 */
class UdpGsoTest {
    private final StackHarness h = new StackHarness();
    private final UdpProtocol udp = h.stack.udp();

    @AfterEach
    void leakCheck() {
        h.close();
    }

    @Test
    void aSendOverTheSegmentSizeLeavesAsDatagramsOfThatSize() throws Exception {
        h.hostArps();
        byte[] payload = pattern(3000);
        try (UdpSocket s = udp.open()) {
            s.bind(0, 5000);
            s.setSegmentSize(1400);
            s.sendTo(payload, 0, payload.length, HOST_IP, 9);
            List<byte[]> frames = h.sent();
            int[] sizes = {1400, 1400, 200};
            assertEquals(sizes.length, frames.size());
            int firstId = u16(frames.get(0), 18);
            for (int i = 0; i < sizes.length; i++) {
                byte[] f = frames.get(i);
                assertEquals(14 + 20 + 8 + sizes[i], f.length, "frame " + i);
                assertEquals(0x45, u8(f, 14));
                assertEquals(20 + 8 + sizes[i], u16(f, 16), "IP total length");
                assertEquals((firstId + i) & 0xffff, u16(f, 18), "IP IDs count up");
                assertEquals(0, u16(f, 20), "no DF: the send was over the MTU, as __ip_make_skb decides");
                assertEquals(17, u8(f, 23));
                assertEquals(0, checksum(f, 14, 20), "IP header checksum");
                assertEquals(STACK_IP, i32(f, 26));
                assertEquals(HOST_IP, i32(f, 30));
                byte[] dgram = Arrays.copyOfRange(f, 34, f.length);
                assertEquals(5000, u16(dgram, 0));
                assertEquals(9, u16(dgram, 2));
                assertEquals(8 + sizes[i], u16(dgram, 4), "UDP length");
                assertEquals(0, udpChecksum(STACK_IP, HOST_IP, dgram), "a finished checksum of its own");
                assertArrayEquals(Arrays.copyOfRange(payload, 1400 * i, 1400 * i + sizes[i]),
                        Arrays.copyOfRange(dgram, 8, dgram.length));
            }
            assertEquals(1, h.counter("UdpOutDatagrams"), "one send, one super-packet, as udp_send_skb counts");
            s.sendTo(payload, 0, 10, HOST_IP, 9);
            assertEquals((firstId + 3) & 0xffff, u16(h.sent().get(0), 18), "the next ID after the three segments'");
        }
    }

    @Test
    void aSendThatFitsOneSegmentIsAnOrdinaryDatagram() throws Exception {
        h.hostArps();
        try (UdpSocket s = udp.open()) {
            s.setSegmentSize(1400);
            s.sendTo(pattern(1400), 0, 1400, HOST_IP, 9);
            List<byte[]> frames = h.sent();
            assertEquals(1, frames.size());
            assertEquals(0x4000, u16(frames.get(0), 20), "DF: it fits the path, as any datagram that does");
            assertEquals(0, udpChecksum(STACK_IP, HOST_IP, Arrays.copyOfRange(frames.get(0), 34, frames.get(0).length)));
        }
    }

    /** udp_send_skb's EINVALs: a segment that would not fit the MTU, more than UDP_MAX_SEGMENTS of them. */
    @Test
    void segmentsOverTheMtuOrTooManyOfThemAreRefused() throws Exception {
        h.hostArps();
        try (UdpSocket s = udp.open()) {
            s.setSegmentSize(1473);
            assertThrows(SocketException.class, () -> s.sendTo(pattern(3000), 0, 3000, HOST_IP, 9),
                    "20 + 8 + 1473 is over 1500");
            s.setSegmentSize(100);
            assertThrows(SocketException.class, () -> s.sendTo(pattern(12_801), 0, 12_801, HOST_IP, 9),
                    "129 datagrams");
            s.sendTo(pattern(12_800), 0, 12_800, HOST_IP, 9);
            assertEquals(128, h.sent().size());
        }
        assertThrows(IllegalArgumentException.class, () -> udp.open().setSegmentSize(65_536));
    }
    /** A UDP super-packet from the host, as a TAP with USO hands it over: checksum partial, gso fields set. */
    private void injectUdpSuperPacket(byte[] payload, int gsoSize, int udpLength) {
        byte[] dgram = partialChecksum(HOST_IP, STACK_IP, 17, 6, udp(HOST_IP, STACK_IP, 40000, 9, payload));
        dgram[4] = (byte) (udpLength >> 8);
        dgram[5] = (byte) udpLength;
        byte[] frame = eth(STACK_MAC, HOST_MAC, Frames.ETH_P_IP, ipv4(HOST_IP, STACK_IP, 17, 64, 1, 0, dgram));
        h.dev.inject(frame, pkt -> {
            pkt.setChecksumPartial(pkt.data() + 34, 6);
            pkt.setGso(gsoSize, (payload.length + gsoSize - 1) / gsoSize,
                    PacketBuffer.SKB_GSO_UDP_L4 | PacketBuffer.SKB_GSO_DODGY);
        });
    }

    @Test
    void aHostSuperPacketReachesTheSocketAsItsDatagrams() throws Exception {
        byte[] payload = pattern(3000);
        try (UdpSocket s = udp.open()) {
            s.bind(0, 9);
            injectUdpSuperPacket(payload, 1400, 3008);
            int[] sizes = {1400, 1400, 200};
            for (int i = 0; i < sizes.length; i++) {
                UdpDatagramReceived d = s.poll();
                assertEquals(HOST_IP, d.sourceAddress());
                assertEquals(40000, d.sourcePort());
                assertArrayEquals(Arrays.copyOfRange(payload, 1400 * i, 1400 * i + sizes[i]), d.data(), "datagram " + i);
            }
            assertNull(s.poll());
            assertEquals(3, h.counter("UdpInDatagrams"), "counted as the datagrams the socket got");
        }
    }

    @Test
    void aHostSuperPacketThatLiesAboutItsLengthIsACountedDrop() throws Exception {
        try (UdpSocket s = udp.open()) {
            s.bind(0, 9);
            injectUdpSuperPacket(pattern(3000), 1400, 2008); // the UDP header's length short of the packet's
            assertNull(s.poll());
            assertEquals(1, h.counter("DropReasonSKB_GSO_SEG"));
        }
    }
}
