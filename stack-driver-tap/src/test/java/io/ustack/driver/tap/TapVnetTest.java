package io.ustack.driver.tap;

import static io.ustack.core.testing.Frames.eth;
import static io.ustack.core.testing.Frames.ipv4;
import static io.ustack.core.testing.Frames.pattern;
import static io.ustack.core.testing.Frames.tcp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.buffer.PacketBuffer.IpSummed;
import io.ustack.core.link.NetdevFeatures;
import io.ustack.core.stats.DropReason;
import io.ustack.core.wire.TcpSegment;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The driver with offloads on, over a socket pair standing in for a TAP opened with IFF_VNET_HDR: every
 * frame read has a virtio_net_hdr in front that becomes the buffer's offload state, a header that lies is a
 * counted drop, and every frame written gets one built from the buffer.
 */
@Timeout(60)
class TapVnetTest extends SocketPairTest {
    private static final int A = 0x0a4d0001;
    private static final int B = 0x0a4d0002;
    private static final int TCP_AT = 14 + 20;

    @BeforeEach
    void openWithOffloads() throws IOException {
        device(TapConfig.of("fake0")).open(host);
    }

    /** struct virtio_net_hdr in the host's byte order. */
    private static byte[] vnet(int flags, int gsoType, int hdrLen, int gsoSize, int csumStart, int csumOffset) {
        return ByteBuffer.allocate(10).order(ByteOrder.nativeOrder()).put((byte) flags).put((byte) gsoType)
                .putShort((short) hdrLen).putShort((short) gsoSize).putShort((short) csumStart)
                .putShort((short) csumOffset).array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] tcpFrame(int payload) {
        return eth(0x02_00_00_00_00_02L, 0x02_00_00_00_00_01L, 0x0800,
                ipv4(A, B, 6, 64, 1, 0x4000, tcp(A, B, 40000, 80, 1, 1, TcpSegment.ACK, pattern(payload))));
    }

    @Test
    void aHostSuperPacketArrivesWholeWithItsPartialChecksumAndGsoFields() throws Exception {
        byte[] frame = tcpFrame(4000);
        assertTrue(wire.send(concat(vnet(1, 1, TCP_AT + 20, 1448, TCP_AT, 16), frame)));
        PacketBuffer pkt = host.await(p -> true, WAIT);
        assertNotNull(pkt, "the super-packet never arrived");
        assertArrayEquals(frame, pkt.toByteArray());
        assertEquals(IpSummed.PARTIAL, pkt.ipSummed());
        assertEquals(pkt.data() + TCP_AT, pkt.csumStart());
        assertEquals(16, pkt.csumOffset());
        assertEquals(1448, pkt.gsoSize());
        assertEquals(3, pkt.gsoSegs(), "4000 bytes of payload at 1448 a segment");
        assertEquals(PacketBuffer.SKB_GSO_TCPV4 | PacketBuffer.SKB_GSO_DODGY, pkt.gsoType());
        assertTrue(pkt.headroom() >= 10, "room to write a header in front again");
        pkt.release();
    }

    @Test
    void aSmallFrameIsCopiedOutOfTheLargeReceiveBufferAndDataValidIsTrusted() throws Exception {
        byte[] frame = tcpFrame(100);
        assertTrue(wire.send(concat(vnet(2, 0, 0, 0, 0, 0), frame)));
        PacketBuffer pkt = host.await(p -> true, WAIT);
        assertNotNull(pkt);
        assertArrayEquals(frame, pkt.toByteArray());
        assertEquals(BufferPool.SMALL_CAPACITY, pkt.end(), "copybreak");
        assertEquals(IpSummed.UNNECESSARY, pkt.ipSummed());
        assertTrue(!pkt.isGso());
        pkt.release();
    }

    @Test
    void headersThatLieAreCountedDropsAndTheNextFrameStillArrives() throws Exception {
        byte[] frame = tcpFrame(100);
        byte[][] lies = {
            vnet(1, 0, 0, 0, frame.length - 1, 16), // the checksum field past the frame
            vnet(1, 0, 0, 0, 4, 16),                // csum_start inside the Ethernet header
            vnet(1, 1, TCP_AT + 20, 0, TCP_AT, 16), // GSO with gso_size 0
            vnet(1, 4, TCP_AT + 20, 1448, TCP_AT, 16), // TCP over IPv6: not taken
            vnet(1, 3, TCP_AT + 20, 1448, TCP_AT, 16), // UFO: not taken
            vnet(1, 9, TCP_AT + 20, 1448, TCP_AT, 16), // no such type
            vnet(1, 1, frame.length + 1, 1448, TCP_AT, 16), // hdr_len past the frame
            vnet(1, 1, TCP_AT + 20, 1448, TCP_AT, 6),  // TCP GSO with UDP's checksum offset
        };
        for (byte[] lie : lies) {
            assertTrue(wire.send(concat(lie, frame)));
        }
        assertTrue(wire.send(new byte[] {1, 2, 3})); // shorter than the header itself
        assertTrue(wire.send(concat(vnet(0, 0, 0, 0, 0, 0), frame)));
        PacketBuffer pkt = host.await(p -> true, WAIT);
        assertNotNull(pkt, "the honest frame after the lies never arrived");
        assertArrayEquals(frame, pkt.toByteArray());
        pkt.release();
        assertEquals(lies.length + 1, host.dropped(DropReason.DEV_HDR));
        assertEquals(lies.length + 1, dev.stats().rxErrors.sum());
    }

    /** {@code frame} as TCP leaves a super-segment: headers marked, checksum partial, three segments of 1448. */
    private PacketBuffer superPacket(byte[] frame) {
        PacketBuffer pkt = Frames.buffer(host.pool(), frame);
        int l4 = pkt.data() + TCP_AT;
        pkt.setNetworkHeader(pkt.data() + 14);
        pkt.setTransportHeader(l4);
        pkt.setChecksumPartial(l4, 16);
        pkt.setGso(1448, 3, PacketBuffer.SKB_GSO_TCPV4);
        return pkt;
    }

    @Test
    void aSuperPacketIsWrittenWholeBehindAHeaderThatSaysHowToCutIt() throws Exception {
        byte[] frame = tcpFrame(3000);
        dev.devQueueXmit(superPacket(frame));
        byte[] got = wire.receive();
        assertArrayEquals(vnet(1, 1, TCP_AT + 20, 1448, TCP_AT, 16), Arrays.copyOf(got, 10));
        assertArrayEquals(frame, Arrays.copyOfRange(got, 10, got.length));
        assertEquals(1, dev.stats().txPackets.sum());
    }

    @Test
    void anOrdinaryFrameIsWrittenBehindAnEmptyHeaderEvenWithoutHeadroom() throws Exception {
        byte[] frame = tcpFrame(10);
        dev.devQueueXmit(Frames.buffer(host.pool(), frame)); // data at 0: no room for the header in front
        byte[] got = wire.receive();
        assertArrayEquals(new byte[10], Arrays.copyOf(got, 10));
        assertArrayEquals(frame, Arrays.copyOfRange(got, 10, got.length));
    }

    @Test
    void withTsoOffTheSuperPacketIsCutInSoftwareAndEachSegmentCarriesItsPartialChecksum() throws Exception {
        dev.setFeatures(dev.features() & ~NetdevFeatures.TSO);
        dev.devQueueXmit(superPacket(tcpFrame(3000)));
        int[] sizes = {1448, 1448, 104};
        for (int size : sizes) {
            byte[] got = wire.receive();
            assertArrayEquals(vnet(1, 0, 0, 0, TCP_AT, 16), Arrays.copyOf(got, 10));
            assertEquals(10 + TCP_AT + 20 + size, got.length);
        }
    }
}
