package io.ustack.driver.tap;

import static io.ustack.core.testing.Frames.eth;
import static io.ustack.core.testing.Frames.ipv4;
import static io.ustack.core.testing.Frames.pattern;
import static io.ustack.core.testing.Frames.tcp;
import static io.ustack.core.testing.Frames.udp;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
    /** Where the transport header starts, TCP's or UDP's: after Ethernet and a 20-byte IPv4 header. */
    private static final int L4_AT = 14 + 20;

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

    /**
     * Sends {@code frame} behind a NEEDS_CSUM header of GSO type {@code vnetType} and checks that it arrives
     * whole, the header mapped onto the buffer: checksum partial at the transport header's
     * {@code csumOffset}, three segments of {@code gsoSize}, {@code skbType} marked DODGY until the stack has
     * looked. Its transport header is {@code l4HeaderLen} bytes long.
     */
    private void assertArrivesWhole(byte[] frame, int vnetType, int l4HeaderLen, int csumOffset, int gsoSize,
                                    int skbType) throws Exception {
        assertTrue(wire.send(concat(vnet(1, vnetType, L4_AT + l4HeaderLen, gsoSize, L4_AT, csumOffset), frame)));
        PacketBuffer pkt = host.await(p -> true, WAIT);
        assertNotNull(pkt, "the super-packet never arrived");
        assertArrayEquals(frame, pkt.toByteArray());
        assertEquals(IpSummed.PARTIAL, pkt.ipSummed());
        assertEquals(pkt.data() + L4_AT, pkt.csumStart());
        assertEquals(csumOffset, pkt.csumOffset());
        assertEquals(gsoSize, pkt.gsoSize());
        assertEquals(3, pkt.gsoSegs());
        assertEquals(skbType | PacketBuffer.SKB_GSO_DODGY, pkt.gsoType());
        assertTrue(pkt.headroom() >= 10, "room to write a header in front again");
        pkt.release();
    }

    @Test
    void aHostSuperPacketArrivesWholeWithItsPartialChecksumAndGsoFields() throws Exception {
        assertArrivesWhole(tcpFrame(4000), 1, 20, 16, 1448, PacketBuffer.SKB_GSO_TCPV4); // 4000 bytes at 1448 a segment
    }

    private static byte[] udpFrame(int payload) {
        return eth(0x02_00_00_00_00_02L, 0x02_00_00_00_00_01L, 0x0800,
                ipv4(A, B, 17, 64, 1, 0, udp(A, B, 40000, 9, pattern(payload))));
    }

    /** USO from the host (TUN_F_USO4): GSO_UDP_L4 (5) becomes SKB_GSO_UDP_L4. */
    @Test
    void aHostUdpSuperPacketArrivesWholeWithItsGsoFields() throws Exception {
        assertArrivesWhole(udpFrame(3000), 5, 8, 6, 1400, PacketBuffer.SKB_GSO_UDP_L4); // 3000 bytes at 1400 a datagram
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
            vnet(1, 1, L4_AT + 20, 0, L4_AT, 16), // GSO with gso_size 0
            vnet(1, 4, L4_AT + 20, 1448, L4_AT, 16), // TCP over IPv6 in an IPv4 frame
            vnet(1, 3, L4_AT + 20, 1448, L4_AT, 16), // UFO: not taken
            vnet(1, 9, L4_AT + 20, 1448, L4_AT, 16), // no such type
            vnet(1, 1, frame.length + 1, 1448, L4_AT, 16), // hdr_len past the frame
            vnet(1, 1, L4_AT + 20, 1448, L4_AT, 6),  // TCP GSO with UDP's checksum offset
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

    /**
     * {@code frame} as a sender leaves a super-packet of three segments of {@code gsoSize}: headers marked,
     * checksum partial at the transport header's {@code csumOffset}.
     */
    private PacketBuffer superPacket(byte[] frame, int csumOffset, int gsoSize, int type) {
        PacketBuffer pkt = Frames.buffer(host.pool(), frame);
        int l4 = pkt.data() + L4_AT;
        pkt.setNetworkHeader(pkt.data() + 14);
        pkt.setTransportHeader(l4);
        pkt.setChecksumPartial(l4, csumOffset);
        pkt.setGso(gsoSize, 3, type);
        return pkt;
    }

    /** {@code frame} as TCP leaves a super-segment: three segments of 1448. */
    private PacketBuffer superPacket(byte[] frame) {
        return superPacket(frame, 16, 1448, PacketBuffer.SKB_GSO_TCPV4);
    }

    /** {@code frame} as UDP_SEGMENT leaves a send: three datagrams' worth, of 1400. */
    private PacketBuffer udpSuperPacket(byte[] frame) {
        return superPacket(frame, 6, 1400, PacketBuffer.SKB_GSO_UDP_L4);
    }

    /**
     * USO to the host: the header says GSO_UDP_L4 (5), the headers end after UDP's 8 bytes (hdr_len 42),
     * each datagram carries 1400 bytes, and the host finishes each one's checksum from byte 34, field at 6.
     */
    @Test
    void aUdpSuperPacketIsWrittenWholeBehindAGsoUdpL4Header() throws Exception {
        assertTrue(dev.hasFeatures(NetdevFeatures.GSO_UDP_L4), "tx-udp-segmentation on where the kernel takes USO");
        byte[] frame = udpFrame(3000);
        dev.devQueueXmit(udpSuperPacket(frame));
        byte[] got = wire.receive();
        assertArrayEquals(new byte[] {1, 5}, Arrays.copyOf(got, 2), "NEEDS_CSUM, GSO_UDP_L4");
        assertArrayEquals(vnet(1, 5, 42, 1400, 34, 6), Arrays.copyOf(got, 10));
        assertArrayEquals(frame, Arrays.copyOfRange(got, 10, got.length));
        assertEquals(1, dev.stats().txPackets.sum());
    }

    @Test
    void withUsoOffTheUdpSuperPacketIsCutInSoftwareIntoWholeDatagrams() throws Exception {
        dev.setFeatures(dev.features() & ~NetdevFeatures.GSO_UDP_L4);
        dev.devQueueXmit(udpSuperPacket(udpFrame(3000)));
        for (byte[] got : assertCutInSoftware(6, 8, 1400, 1400, 200)) {
            int udpLength = ((got[10 + L4_AT + 4] & 0xff) << 8) | (got[10 + L4_AT + 5] & 0xff);
            assertEquals(got.length - 10 - L4_AT, udpLength, "UDP length");
        }
    }

    /**
     * Reads the segments software GSO cut, one of each size in {@code sizes}: each behind a header without GSO
     * that leaves its checksum (at the transport header's {@code csumOffset}) for the host to finish, with a
     * transport header of {@code l4HeaderLen} bytes. Returns them, header included.
     */
    private List<byte[]> assertCutInSoftware(int csumOffset, int l4HeaderLen, int... sizes) throws Exception {
        List<byte[]> frames = new ArrayList<>();
        for (int size : sizes) {
            byte[] got = wire.receive();
            assertArrayEquals(vnet(1, 0, 0, 0, L4_AT, csumOffset), Arrays.copyOf(got, 10));
            assertEquals(10 + L4_AT + l4HeaderLen + size, got.length);
            frames.add(got);
        }
        return frames;
    }

    @Test
    void aSuperPacketIsWrittenWholeBehindAHeaderThatSaysHowToCutIt() throws Exception {
        byte[] frame = tcpFrame(3000);
        dev.devQueueXmit(superPacket(frame));
        byte[] got = wire.receive();
        assertArrayEquals(vnet(1, 1, L4_AT + 20, 1448, L4_AT, 16), Arrays.copyOf(got, 10));
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
        assertCutInSoftware(16, 20, 1448, 1448, 104);
    }
}
