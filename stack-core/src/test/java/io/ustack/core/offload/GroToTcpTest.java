package io.ustack.core.offload;

import static io.ustack.core.testing.Frames.ETH_P_IP;
import static io.ustack.core.testing.Frames.eth;
import static io.ustack.core.testing.Frames.i32;
import static io.ustack.core.testing.Frames.ipv4;
import static io.ustack.core.testing.Frames.tcp;
import static io.ustack.core.testing.Frames.u16;
import static io.ustack.core.testing.StackHarness.HOST_IP;
import static io.ustack.core.testing.StackHarness.HOST_MAC;
import static io.ustack.core.testing.StackHarness.STACK_IP;
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
import io.ustack.core.wire.TcpSegment;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A super-packet GRO built is one TCP segment the stack takes whole: its bytes read back from the socket as
 * the segments' payloads, in order, and the stack acknowledges them all.
 */
class GroToTcpTest {
    private static final int TCP = 34;
    private static final int MSS = 1448;
    private static final int SEGMENTS = 8;
    private final StackHarness h = new StackHarness();

    @AfterEach
    void leakCheck() {
        h.close();
    }

    @Test
    void theStackReadsASuperPacketBackAsTheSameBytes() throws Exception {
        h.hostArps();
        try (TcpListener l = h.stack.tcp().listen(0, 80, 8)) {
            h.injectIp(ipv4(HOST_IP, STACK_IP, 6, 64, 1, Ipv4Packet.IP_DF,
                    tcp(HOST_IP, STACK_IP, 40000, 80, 5000, 0, TcpSegment.SYN, new byte[0])));
            byte[] synAck = h.sent().get(0);
            int iss = i32(synAck, TCP + 4);
            assertTrue(u16(synAck, TCP + 14) >= SEGMENTS * MSS, "the window takes every segment");
            h.injectIp(ipv4(HOST_IP, STACK_IP, 6, 64, 2, Ipv4Packet.IP_DF,
                    tcp(HOST_IP, STACK_IP, 40000, 80, 5001, iss + 1, TcpSegment.ACK, new byte[0])));
            TcpSocket s = l.tryAccept();
            assertNotNull(s);

            Gro gro = new Gro(h.stack::netifReceiveSkb);
            byte[] data = Frames.pattern(SEGMENTS * MSS);
            for (int i = 0; i < SEGMENTS; i++) {
                byte[] payload = Arrays.copyOfRange(data, i * MSS, (i + 1) * MSS);
                byte[] frame = eth(STACK_MAC, HOST_MAC, ETH_P_IP, ipv4(HOST_IP, STACK_IP, 6, 64, 3 + i,
                        Ipv4Packet.IP_DF, tcp(HOST_IP, STACK_IP, 40000, 80, 5001 + i * MSS, iss + 1, TcpSegment.ACK,
                                payload)));
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
            assertEquals(5001 + data.length, i32(acks.get(acks.size() - 1), TCP + 8), "every byte acknowledged");
            s.close();
        }
    }
}
