package io.ustack.core.offload;

import static io.ustack.core.testing.Frames.ip;
import static io.ustack.core.testing.Frames.ipv4;
import static io.ustack.core.testing.Frames.partialChecksum;
import static io.ustack.core.testing.Frames.pattern;
import static io.ustack.core.testing.Frames.tcp;
import static io.ustack.core.testing.Frames.udp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.buffer.PacketBuffer.IpSummed;
import io.ustack.core.testing.Frames;
import io.ustack.core.testing.PooledBufferTest;
import org.junit.jupiter.api.Test;

/** Partial checksums set up and finished (skb_checksum_help) against checksums {@link Frames} computes whole. */
class PartialChecksumTest extends PooledBufferTest {
    private static final int A = ip("10.0.0.2");
    private static final int B = ip("10.0.0.1");

    /** {@code packet} (IP header first) in a buffer, its transport checksum marked partial at {@code csumOffset}. */
    private PacketBuffer partial(byte[] packet, int csumOffset) {
        PacketBuffer b = buffer(packet);
        b.setChecksumPartial(b.data() + 20, csumOffset);
        return b;
    }

    @Test
    void setWritesThePseudoHeaderSumAndMarksThePacket() {
        byte[] seg = tcp(A, B, 40000, 80, 1, 2, 0x18, pattern(101));
        PacketBuffer b = buffer(ipv4(A, B, 6, 64, 1, 0x4000, seg));
        PartialChecksum.set(b, b.data() + 20, 16, A, B, 6, seg.length);
        assertArrayEquals(ipv4(A, B, 6, 64, 1, 0x4000, partialChecksum(A, B, 6, 16, seg)), b.toByteArray());
        assertEquals(IpSummed.PARTIAL, b.ipSummed());
        assertEquals(b.data() + 20, b.csumStart());
        assertEquals(16, b.csumOffset());
        assertTrue(PartialChecksum.isAt(b, b.data() + 36));
        assertFalse(PartialChecksum.isAt(b, b.data() + 26), "not UDP's field");
        b.release();
    }

    @Test
    void completeFinishesTcpAndUdpChecksums() {
        byte[] seg = tcp(A, B, 40000, 80, 1, 2, 0x18, pattern(101));
        PacketBuffer t = partial(ipv4(A, B, 6, 64, 1, 0x4000, partialChecksum(A, B, 6, 16, seg)), 16);
        assertTrue(PartialChecksum.complete(t));
        assertArrayEquals(ipv4(A, B, 6, 64, 1, 0x4000, seg), t.toByteArray());
        assertEquals(IpSummed.NONE, t.ipSummed());
        t.release();

        byte[] d = udp(A, B, 5000, 53, pattern(33));
        PacketBuffer u = partial(ipv4(A, B, 17, 64, 1, 0, partialChecksum(A, B, 17, 6, d)), 6);
        assertTrue(PartialChecksum.complete(u));
        assertArrayEquals(ipv4(A, B, 17, 64, 1, 0, d), u.toByteArray());
        u.release();
    }

    @Test
    void aChecksumThatComesOutZeroIsStoredAsAllOnes() {
        for (int v = 0; v < 65536; v++) {
            byte[] d = udp(A, B, 5000, 53, new byte[] {(byte) (v >> 8), (byte) v});
            if (Frames.u16(d, 6) != 0xffff) {
                continue; // Frames stores a zero sum as 0xffff too: find the payload that sums to zero
            }
            PacketBuffer u = partial(ipv4(A, B, 17, 64, 1, 0, partialChecksum(A, B, 17, 6, d)), 6);
            assertTrue(PartialChecksum.complete(u));
            assertEquals(0xffff, u.u16(u.data() + 26), "CSUM_MANGLED_0");
            u.release();
            return;
        }
        throw new AssertionError("no payload sums to zero");
    }

    @Test
    void aPacketThatIsNotPartialIsLeftAsItIs() {
        byte[] packet = ipv4(A, B, 6, 64, 1, 0x4000, tcp(A, B, 40000, 80, 1, 2, 0x10, pattern(10)));
        PacketBuffer b = buffer(packet);
        b.setIpSummed(IpSummed.UNNECESSARY);
        assertTrue(PartialChecksum.complete(b));
        assertArrayEquals(packet, b.toByteArray());
        assertEquals(IpSummed.UNNECESSARY, b.ipSummed());
        b.release();
    }

    @Test
    void aSuperPacketOrAFieldOutsideTheDataIsRefusedUnchanged() {
        byte[] seg = partialChecksum(A, B, 6, 16, tcp(A, B, 40000, 80, 1, 2, 0x10, pattern(3000)));
        byte[] packet = ipv4(A, B, 6, 64, 1, 0x4000, seg);
        PacketBuffer gso = partial(packet, 16);
        gso.setGso(1000, 3, PacketBuffer.SKB_GSO_TCPV4);
        assertFalse(PartialChecksum.complete(gso), "a super-packet's checksum is its segments'");
        assertArrayEquals(packet, gso.toByteArray());
        assertEquals(IpSummed.PARTIAL, gso.ipSummed());
        gso.release();

        PacketBuffer past = partial(packet, packet.length - 20 - 1);
        assertFalse(PartialChecksum.complete(past), "a field one byte short of the end");
        past.release();
        PacketBuffer before = buffer(packet);
        before.setChecksumPartial(before.data() - 1, 16);
        assertFalse(PartialChecksum.complete(before), "a start in front of the data");
        before.release();
    }
}
