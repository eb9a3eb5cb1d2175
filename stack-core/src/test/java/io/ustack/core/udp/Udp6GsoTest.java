package io.ustack.core.udp;

import static io.ustack.core.testing.Frames.eth;
import static io.ustack.core.testing.Frames.ipv6;
import static io.ustack.core.testing.Frames.partialChecksum6;
import static io.ustack.core.testing.Frames.pattern;
import static io.ustack.core.testing.Frames.u16;
import static io.ustack.core.testing.Frames.udp6;
import static io.ustack.core.testing.StackHarness.HOST_IP6;
import static io.ustack.core.testing.StackHarness.HOST_MAC;
import static io.ustack.core.testing.StackHarness.STACK_IP6;
import static io.ustack.core.testing.StackHarness.STACK_MAC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.testing.Frames;
import io.ustack.core.testing.StackHarness;
import io.ustack.core.wire.Ipv6Address;
import java.net.SocketException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** UDP segmentation over IPv6: UDP_SEGMENT on an IPv6 socket, and the host's USO6 super-packets received. */
class Udp6GsoTest {
    private static final Ipv6Address HOST = Ipv6Address.fromBytes(HOST_IP6, 0);
    private static final int UDP = 14 + 40;
    private final StackHarness h = new StackHarness();
    private final UdpProtocol udp = h.stack.udp();

    Udp6GsoTest() {
        h.addIpv6();
        h.hostSolicits();
    }

    @AfterEach
    void leakCheck() {
        h.close();
    }

    @Test
    void aSendOverTheSegmentSizeLeavesAsDatagramsOfThatSize() throws Exception {
        byte[] payload = pattern(3000);
        try (UdpSocket s = udp.open6()) {
            s.bind6(Ipv6Address.UNSPECIFIED, 5000);
            s.setSegmentSize(1400);
            s.sendTo6(payload, 0, payload.length, HOST, 9);
            List<byte[]> frames = h.sent();
            int[] sizes = {1400, 1400, 200};
            assertEquals(sizes.length, frames.size());
            for (int i = 0; i < sizes.length; i++) {
                byte[] f = frames.get(i);
                assertEquals(UDP + 8 + sizes[i], f.length, "frame " + i);
                assertEquals(8 + sizes[i], u16(f, 14 + 4), "its own payload length");
                assertEquals(17, f[14 + 6], "next header UDP, no fragment header");
                byte[] dgram = Arrays.copyOfRange(f, UDP, f.length);
                assertEquals(5000, u16(dgram, 0));
                assertEquals(8 + sizes[i], u16(dgram, 4), "its own UDP length");
                assertEquals(0, Frames.checksum6(STACK_IP6, HOST_IP6, 17, dgram), "a finished checksum of its own");
                assertArrayEquals(Arrays.copyOfRange(payload, 1400 * i, 1400 * i + sizes[i]),
                        Arrays.copyOfRange(dgram, 8, dgram.length));
            }
            assertEquals(1, h.counter("Udp6OutDatagrams"), "one send, one super-packet, as udp_v6_send_skb counts");
        }
    }

    /** udp_v6_send_skb's EINVAL: a datagram behind the 40-byte IPv6 header must fit the path MTU. */
    @Test
    void segmentsOverTheMtuAreRefused() throws Exception {
        try (UdpSocket s = udp.open6()) {
            s.setSegmentSize(1453);
            assertThrows(SocketException.class, () -> s.sendTo6(pattern(3000), 0, 3000, HOST, 9), "40 + 8 + 1453 is over 1500");
            s.setSegmentSize(1452);
            s.sendTo6(pattern(3000), 0, 3000, HOST, 9);
            assertEquals(3, h.sent().size());
        }
    }

    /** A USO6 super-packet from the host, as a TAP with TUN_F_USO6 hands it over: cut into its datagrams. */
    @Test
    void aHostSuperPacketReachesTheSocketAsItsDatagrams() throws Exception {
        byte[] payload = pattern(3000);
        try (UdpSocket s = udp.open6()) {
            s.bind6(Ipv6Address.UNSPECIFIED, 9);
            byte[] dgram = partialChecksum6(HOST_IP6, STACK_IP6, 17, 6, udp6(HOST_IP6, STACK_IP6, 40000, 9, payload));
            h.dev.inject(eth(STACK_MAC, HOST_MAC, Frames.ETH_P_IPV6, ipv6(HOST_IP6, STACK_IP6, 17, 64, dgram)), pkt -> {
                pkt.setChecksumPartial(pkt.data() + UDP, 6);
                pkt.setGso(1400, 3, PacketBuffer.SKB_GSO_UDP_L4 | PacketBuffer.SKB_GSO_DODGY);
            });
            int[] sizes = {1400, 1400, 200};
            for (int i = 0; i < sizes.length; i++) {
                UdpDatagramReceived d = s.poll();
                assertEquals(HOST, d.sourceAddress6());
                assertEquals(40000, d.sourcePort());
                assertArrayEquals(Arrays.copyOfRange(payload, 1400 * i, 1400 * i + sizes[i]), d.data(), "datagram " + i);
            }
            assertNull(s.poll());
            assertEquals(3, h.counter("Udp6InDatagrams"), "counted as the datagrams the socket got");
            assertEquals(0, h.counter("DropReasonSKB_GSO_SEG"));
        }
    }
}
