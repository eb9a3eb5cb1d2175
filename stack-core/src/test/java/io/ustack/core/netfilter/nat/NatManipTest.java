package io.ustack.core.netfilter.nat;

import static io.ustack.core.testing.Frames.eth;
import static io.ustack.core.testing.Frames.icmpEcho;
import static io.ustack.core.testing.Frames.ip;
import static io.ustack.core.testing.Frames.ipv4;
import static io.ustack.core.testing.Frames.partialChecksum;
import static io.ustack.core.testing.Frames.pattern;
import static io.ustack.core.testing.Frames.tcp;
import static io.ustack.core.testing.Frames.udp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.buffer.PacketBuffer.IpSummed;
import io.ustack.core.offload.Gso;
import io.ustack.core.offload.PartialChecksum;
import io.ustack.core.testing.Frames;
import io.ustack.core.testing.PoolHost;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The incremental checksum fix-ups against packets built whole by {@link Frames}: a packet rewritten in
 * place must be byte for byte the packet built with the new addresses and ports from the start.
 */
class NatManipTest {
    private static final int A = ip("10.0.0.1");
    private static final int B = ip("10.0.1.2");
    private static final int R = ip("192.0.2.77");

    private final BufferPool pool = new BufferPool();

    @AfterEach
    void noLeaks() {
        assertEquals(0, pool.outstanding());
    }

    /** Rewrites {@code packet} in a buffer and returns the result. */
    private byte[] manip(byte[] packet, int ipOff, boolean src, int addr, int port, int icmpId) {
        PacketBuffer b = pool.allocate(packet.length);
        b.copyIn(b.put(packet.length), packet, 0, packet.length);
        NatManip.manip(b, ipOff, src, addr, port, icmpId);
        byte[] out = b.toByteArray();
        b.release();
        return out;
    }

    /**
     * Rewrites {@code packet} (a 20-byte IP header, then a transport header whose checksum is partial at
     * {@code csumOffset}) and returns it twice: as rewritten, and with its checksum then finished
     * (skb_checksum_help).
     */
    private byte[][] manipPartial(byte[] packet, int csumOffset, boolean src, int addr, int port, int icmpId) {
        PacketBuffer b = pool.allocate(packet.length);
        b.copyIn(b.put(packet.length), packet, 0, packet.length);
        b.setChecksumPartial(b.data() + 20, csumOffset);
        NatManip.manip(b, b.data(), src, addr, port, icmpId);
        byte[] rewritten = b.toByteArray();
        assertTrue(PartialChecksum.complete(b));
        assertEquals(IpSummed.NONE, b.ipSummed());
        byte[] finished = b.toByteArray();
        b.release();
        return new byte[][] {rewritten, finished};
    }

    @Test
    void tcpSourceAddressAndPort() {
        byte[] before = ipv4(A, B, 6, 63, 0x1234, 0x4000, tcp(A, B, 40000, 80, 0x11223344, 0x55667788, 0x18, pattern(33)));
        byte[] after = ipv4(R, B, 6, 63, 0x1234, 0x4000, tcp(R, B, 61000, 80, 0x11223344, 0x55667788, 0x18, pattern(33)));
        assertArrayEquals(after, manip(before, 0, true, R, 61000, 0));
    }

    @Test
    void tcpDestinationAddressAndPort() {
        byte[] before = ipv4(A, R, 6, 64, 7, 0, tcp(A, R, 40000, 80, 1, 0, 0x02, new byte[0]));
        byte[] after = ipv4(A, B, 6, 64, 7, 0, tcp(A, B, 40000, 8080, 1, 0, 0x02, new byte[0]));
        assertArrayEquals(after, manip(before, 0, false, B, 8080, 0));
    }

    @Test
    void udpBothWaysAndOddLengths() {
        byte[] before = ipv4(A, B, 17, 64, 9, 0, udp(A, B, 5000, 53, pattern(13)));
        assertArrayEquals(ipv4(R, B, 17, 64, 9, 0, udp(R, B, 1024, 53, pattern(13))), manip(before, 0, true, R, 1024, 0));
        byte[] reply = ipv4(B, R, 17, 64, 9, 0, udp(B, R, 53, 1024, pattern(13)));
        assertArrayEquals(ipv4(B, A, 17, 64, 9, 0, udp(B, A, 53, 5000, pattern(13))), manip(reply, 0, false, A, 5000, 0));
    }

    @Test
    void aUdpChecksumOfZeroMeansNoneAndStaysZero() {
        byte[] seg = udp(A, B, 5000, 53, pattern(8));
        seg[6] = 0;
        seg[7] = 0;
        byte[] out = manip(ipv4(A, B, 17, 64, 9, 0, seg), 0, true, R, 6000, 0);
        assertEquals(0, Frames.u16(out, 26));
        assertEquals(6000, Frames.u16(out, 20));
        assertEquals(0, Frames.checksum(out, 0, 20), "the IP header's is right");
    }

    @Test
    void aPatchedUdpChecksumThatComesOutZeroIsSentAsAllOnes() {
        // find a payload whose translated datagram sums to zero: its checksum must go out as 0xffff
        for (int v = 0; v < 65536; v++) {
            byte[] payload = {(byte) (v >> 8), (byte) v};
            byte[] translated = udp(R, B, 6000, 53, payload);
            translated[6] = 0;
            translated[7] = 0;
            if (Frames.udpChecksum(R, B, translated) != 0) {
                continue;
            }
            byte[] out = manip(ipv4(A, B, 17, 64, 9, 0, udp(A, B, 5000, 53, payload)), 0, true, R, 6000, 0);
            assertEquals(0xffff, Frames.u16(out, 26));
            assertArrayEquals(ipv4(R, B, 17, 64, 9, 0, udp(R, B, 6000, 53, payload)), out);
            return;
        }
        throw new AssertionError("no payload sums to zero");
    }

    @Test
    void icmpEchoIdentifierAndAddress() {
        byte[] before = ipv4(A, B, 1, 64, 3, 0, icmpEcho(8, 0x0707, 1, pattern(56)));
        assertArrayEquals(ipv4(R, B, 1, 64, 3, 0, icmpEcho(8, 0x0808, 1, pattern(56))), manip(before, 0, true, R, 0, 0x0808));
    }

    @Test
    void anIcmpErrorKeepsItsRestOfHeader() {
        // frag needed carries the MTU where an echo carries its identifier: only queries have one to change
        byte[] m = new byte[8 + 28];
        m[0] = 3;
        m[1] = 4;
        m[6] = 0x05;
        m[7] = 0x00;
        int c = Frames.checksum(m, 0, m.length);
        m[2] = (byte) (c >> 8);
        m[3] = (byte) c;
        byte[] out = manip(ipv4(R, B, 1, 64, 3, 0, m), 0, true, A, 0, 0x4242);
        assertArrayEquals(m, Arrays.copyOfRange(out, 20, out.length));
        assertEquals(A, Frames.i32(out, 12));
    }

    @Test
    void aQuotedTcpHeaderOfEightBytesHasItsPortChangedAndNothingAfter() {
        byte[] full = ipv4(R, B, 6, 63, 5, 0x4000, tcp(R, B, 61000, 80, 0x01020304, 0, 0x02, new byte[0]));
        byte[] quoted = Arrays.copyOf(full, 28); // what an ICMP error carries: the header and 8 bytes
        byte[] out = manip(quoted, 0, true, A, 40000, 0);
        assertEquals(A, Frames.i32(out, 12));
        assertEquals(40000, Frames.u16(out, 20));
        assertEquals(0x01020304, Frames.i32(out, 24), "the sequence number is untouched");
        assertEquals(0, Frames.checksum(out, 0, 20), "the quoted IP header's checksum is patched");
        byte[] expectedHeader = Arrays.copyOf(ipv4(A, B, 6, 63, 5, 0x4000, tcp(A, B, 40000, 80, 0x01020304, 0, 0x02, new byte[0])), 20);
        // the total length field still says 40: the quote is cut, not the datagram it quotes
        assertArrayEquals(expectedHeader, Arrays.copyOf(out, 20));
        assertTrue(out.length == 28);
    }

    @Test
    void aPartialTcpChecksumTakesTheNewAddressesAndLeavesThePortsToWhoeverFinishesIt() {
        byte[] seg = tcp(A, B, 40000, 80, 0x11223344, 0x55667788, 0x18, pattern(1001));
        byte[] snatted = tcp(R, B, 61000, 80, 0x11223344, 0x55667788, 0x18, pattern(1001));
        byte[][] out = manipPartial(ipv4(A, B, 6, 63, 0x1234, 0x4000, partialChecksum(A, B, 6, 16, seg)), 16, true, R, 61000, 0);
        assertArrayEquals(ipv4(R, B, 6, 63, 0x1234, 0x4000, partialChecksum(R, B, 6, 16, snatted)), out[0],
                "SNAT: the field holds the pseudo-header sum of the new addresses");
        assertArrayEquals(ipv4(R, B, 6, 63, 0x1234, 0x4000, snatted), out[1], "finished, the translated packet's checksum");

        byte[] dnatted = tcp(A, B, 40000, 8080, 0x11223344, 0x55667788, 0x18, pattern(1001));
        byte[] toR = tcp(A, R, 40000, 80, 0x11223344, 0x55667788, 0x18, pattern(1001));
        out = manipPartial(ipv4(A, R, 6, 64, 7, 0x4000, partialChecksum(A, R, 6, 16, toR)), 16, false, B, 8080, 0);
        assertArrayEquals(ipv4(A, B, 6, 64, 7, 0x4000, partialChecksum(A, B, 6, 16, dnatted)), out[0], "DNAT");
        assertArrayEquals(ipv4(A, B, 6, 64, 7, 0x4000, dnatted), out[1]);
    }

    @Test
    void aPartialUdpChecksumTakesTheNewAddressesBothWays() {
        byte[] d = udp(A, B, 5000, 53, pattern(13));
        byte[] snatted = udp(R, B, 1024, 53, pattern(13));
        byte[][] out = manipPartial(ipv4(A, B, 17, 64, 9, 0, partialChecksum(A, B, 17, 6, d)), 6, true, R, 1024, 0);
        assertArrayEquals(ipv4(R, B, 17, 64, 9, 0, partialChecksum(R, B, 17, 6, snatted)), out[0], "SNAT");
        assertArrayEquals(ipv4(R, B, 17, 64, 9, 0, snatted), out[1]);

        byte[] reply = udp(B, R, 53, 1024, pattern(13));
        byte[] dnatted = udp(B, A, 53, 5000, pattern(13));
        out = manipPartial(ipv4(B, R, 17, 64, 9, 0, partialChecksum(B, R, 17, 6, reply)), 6, false, A, 5000, 0);
        assertArrayEquals(ipv4(B, A, 17, 64, 9, 0, partialChecksum(B, A, 17, 6, dnatted)), out[0], "DNAT, undoing the SNAT");
        assertArrayEquals(ipv4(B, A, 17, 64, 9, 0, dnatted), out[1]);
    }

    @Test
    void aPartialIcmpChecksumIsLeftAloneWhenTheIdentifierChanges() {
        byte[] echo = icmpEcho(8, 0x0707, 1, pattern(56));
        byte[] partial = echo.clone();
        partial[2] = 0; // ICMP has no pseudo-header: a partial ICMP checksum starts from nothing
        partial[3] = 0;
        byte[][] out = manipPartial(ipv4(A, B, 1, 64, 3, 0, partial), 2, true, R, 0, 0x0808);
        assertEquals(0, Frames.u16(out[0], 22), "the field is untouched");
        assertArrayEquals(ipv4(R, B, 1, 64, 3, 0, icmpEcho(8, 0x0808, 1, pattern(56))), out[1]);
    }

    @Test
    void aTranslatedSuperPacketIsCutIntoSegmentsWhoseChecksumsAreRight() {
        byte[] seg = partialChecksum(A, B, 6, 16, tcp(A, B, 40000, 80, 1000, 2000, 0x18, pattern(2500)));
        byte[] frame = eth(0x02_00_00_00_00_01L, 0x02_00_00_00_00_02L, Frames.ETH_P_IP, ipv4(A, B, 6, 64, 1, 0x4000, seg));
        PacketBuffer b = pool.allocateWithHeadroom(frame.length);
        int at = b.put(frame.length);
        b.copyIn(at, frame, 0, frame.length);
        b.setNetworkHeader(at + 14);
        b.setTransportHeader(at + 34);
        b.setChecksumPartial(at + 34, 16);
        b.setGso(1000, 3, PacketBuffer.SKB_GSO_TCPV4);
        NatManip.manip(b, at + 14, true, R, 61000, 0);
        List<PacketBuffer> out = new ArrayList<>();
        Gso.segment(b, new PoolHost(pool), false, out::add);
        assertEquals(3, out.size());
        for (int n = 0; n < 3; n++) {
            byte[] payload = Arrays.copyOfRange(pattern(2500), n * 1000, Math.min(2500, n * 1000 + 1000));
            byte[] expected = ipv4(R, B, 6, 64, 1 + n, 0x4000, tcp(R, B, 61000, 80, 1000 + n * 1000, 2000, n == 2 ? 0x18 : 0x10, payload));
            byte[] sent = out.get(n).toByteArray();
            assertArrayEquals(expected, Arrays.copyOfRange(sent, 14, sent.length), "segment " + n);
            out.get(n).release();
        }
    }
}
