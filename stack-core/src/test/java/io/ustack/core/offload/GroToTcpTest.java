package io.ustack.core.offload;

import static io.ustack.core.testing.Frames.ETH_P_IP;
import static io.ustack.core.testing.Frames.ETH_P_IPV6;
import static io.ustack.core.testing.Frames.eth;
import static io.ustack.core.testing.Frames.i32;
import static io.ustack.core.testing.Frames.ipv4;
import static io.ustack.core.testing.Frames.ipv6;
import static io.ustack.core.testing.Frames.tcp;
import static io.ustack.core.testing.Frames.tcp6;
import static io.ustack.core.testing.Frames.u16;
import static io.ustack.core.testing.StackHarness.HOST_IP;
import static io.ustack.core.testing.StackHarness.HOST_IP6;
import static io.ustack.core.testing.StackHarness.HOST_MAC;
import static io.ustack.core.testing.StackHarness.STACK_IP;
import static io.ustack.core.testing.StackHarness.STACK_IP6;
import static io.ustack.core.testing.StackHarness.STACK_MAC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.tcp.TcpListener;
import io.ustack.core.tcp.TcpSocket;
import io.ustack.core.testing.Frames;
import io.ustack.core.testing.StackHarness;
import io.ustack.core.wire.Ipv4Packet;
import io.ustack.core.wire.Ipv6Address;
import io.ustack.core.wire.TcpSegment;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A super-packet GRO built is one TCP segment the stack takes whole: its bytes read back from the socket as
 * the segments' payloads, in order, and the stack acknowledges them all; over IPv4 and over IPv6 alike.
 */
class GroToTcpTest {
    private static final int SEGMENTS = 8;
    private final StackHarness h = new StackHarness();

    @AfterEach
    void leakCheck() {
        h.close();
    }

    @Test
    void theStackReadsASuperPacketBackAsTheSameBytes() throws Exception {
        h.hostArps();
        readsBackASuperPacket(false);
    }

    @Test
    void overIpv6TheStackReadsASuperPacketBackAsTheSameBytes() throws Exception {
        h.addIpv6();
        h.hostSolicits();
        readsBackASuperPacket(true);
    }

    /** The host's segment to port 80 as an IP packet of the family: IPv4 (DF, ID {@code id}) or IPv6. */
    private static byte[] segment(boolean v6, int id, int seq, int ack, int flags, byte[] payload) {
        return v6 ? ipv6(HOST_IP6, STACK_IP6, 6, 64, tcp6(HOST_IP6, STACK_IP6, 40000, 80, seq, ack, flags, payload))
                : ipv4(HOST_IP, STACK_IP, 6, 64, id, Ipv4Packet.IP_DF, tcp(HOST_IP, STACK_IP, 40000, 80, seq, ack, flags, payload));
    }

    private void inject(boolean v6, byte[] packet) {
        if (v6) {
            h.injectIp6(packet);
        } else {
            h.injectIp(packet);
        }
    }

    private void readsBackASuperPacket(boolean v6) throws Exception {
        int tcp = v6 ? 14 + 40 : 14 + 20;
        int mss = v6 ? 1440 : 1448;
        try (TcpListener l = v6 ? h.stack.tcp().listen6(Ipv6Address.UNSPECIFIED, 80, 8) : h.stack.tcp().listen(0, 80, 8)) {
            inject(v6, segment(v6, 1, 5000, 0, TcpSegment.SYN, new byte[0]));
            byte[] synAck = h.sent().get(0);
            int iss = i32(synAck, tcp + 4);
            assertTrue(u16(synAck, tcp + 14) >= SEGMENTS * mss, "the window takes every segment");
            inject(v6, segment(v6, 2, 5001, iss + 1, TcpSegment.ACK, new byte[0]));
            TcpSocket s = l.tryAccept();
            assertNotNull(s);

            Gro gro = new Gro(h.stack::netifReceiveSkb);
            byte[] data = Frames.pattern(SEGMENTS * mss);
            for (int i = 0; i < SEGMENTS; i++) {
                byte[] payload = Arrays.copyOfRange(data, i * mss, (i + 1) * mss);
                byte[] frame = eth(STACK_MAC, HOST_MAC, v6 ? ETH_P_IPV6 : ETH_P_IP,
                        segment(v6, 3 + i, 5001 + i * mss, iss + 1, TcpSegment.ACK, payload));
                PacketBuffer b = h.pool.allocate(frame.length);
                b.copyIn(b.put(frame.length), frame, 0, frame.length);
                b.setDev(h.dev);
                gro.receive(b);
            }
            assertEquals(1, gro.heldPackets());
            gro.flush();
            assertEquals(1, h.counter("eth0:rx_gro_packets"));
            assertEquals(SEGMENTS, h.counter("eth0:rx_gro_wire_packets"));

            byte[] got = new byte[data.length + 1];
            assertEquals(data.length, s.tryRead(got, 0, got.length));
            assertArrayEquals(data, Arrays.copyOf(got, data.length));
            assertEquals(1, h.counter("TcpInSegs") - 2, "the super-packet counts once, as Linux counts an skb");
            assertEquals(0, h.counter("TcpInCsumErrors"), "its partial checksum is taken as good");
            List<byte[]> acks = h.sent();
            // tcp_measure_rcv_mss and __tcp_ack_snd_check: a super-packet weighs its bytes, so it is acked at once
            assertEquals(5001 + data.length, i32(acks.get(acks.size() - 1), tcp + 8), "every byte acknowledged");
            s.close();
        }
    }
}
