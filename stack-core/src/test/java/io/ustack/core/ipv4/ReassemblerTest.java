package io.ustack.core.ipv4;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.stats.DropReason;
import io.ustack.core.stats.Mib;
import io.ustack.core.stats.MibCounters;
import io.ustack.core.stats.PacketDrops;
import io.ustack.core.time.ManualClock;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.Ipv4Packet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReassemblerTest {
    private static final int SRC = Ipv4Address.parse("10.77.0.1");
    private static final int DST = Ipv4Address.parse("10.77.0.2");
    private static final int SMALL = BufferPool.SMALL_CAPACITY;

    private final BufferPool pool = new BufferPool();
    private final ManualClock clock = new ManualClock();
    private final MibCounters mib = new MibCounters();
    private final PacketDrops drops = new PacketDrops();
    private Reassembler reasm = new Reassembler(pool, clock, mib, drops, Reassembler.DEFAULT_HIGH_THRESH,
            Reassembler.DEFAULT_LOW_THRESH, Reassembler.DEFAULT_TIMEOUT_MS);

    @AfterEach
    void noLeaks() {
        clock.advance(1, TimeUnit.HOURS);
        reasm.expire();
        assertEquals(0, reasm.queueCount());
        assertEquals(0, reasm.memory());
        assertEquals(0, pool.outstanding(), "buffers not released");
    }

    private static byte[] data(int n, int seed) {
        byte[] d = new byte[n];
        new Random(seed).nextBytes(d);
        return d;
    }

    /** One fragment as ip_local_deliver hands it over: network header set, trimmed to its total length. */
    private PacketBuffer frag(int id, int protocol, byte[] options, byte[] data, int start, int len, boolean mf) {
        int hlen = 20 + options.length;
        PacketBuffer b = pool.allocate(BufferPool.DEFAULT_HEADROOM + hlen + len);
        b.reserve(BufferPool.DEFAULT_HEADROOM);
        b.copyIn(b.put(len), data, start, len);
        b.copyIn(b.push(options.length), options, 0, options.length);
        Ipv4Packet ip = Ipv4Packet.push(b, 0, hlen + len, id, (start >> 3) | (mf ? Ipv4Packet.IP_MF : 0), 61,
                protocol, SRC, DST);
        b.setU8(ip.offset(), 0x40 | hlen / 4);
        ip.updateChecksum();
        b.setMark(7);
        return b;
    }

    private PacketBuffer frag(int id, byte[] data, int start, int len, boolean mf) {
        return frag(id, Ipv4Packet.IPPROTO_UDP, new byte[0], data, start, len, mf);
    }

    /** Checks the reassembled datagram and releases it. */
    private void assertDatagram(PacketBuffer d, int id, byte[] data, int hlen) {
        assertNotNull(d, "datagram complete");
        Ipv4Packet ip = Ipv4Packet.wrap(d, d.data());
        assertEquals(d.data(), d.networkHeader());
        assertEquals(d.data() + hlen, d.transportHeader());
        assertEquals(hlen, ip.headerLength());
        assertEquals(hlen + data.length, ip.totalLength());
        assertEquals(hlen + data.length, d.len());
        assertEquals(0, ip.fragOffField(), "fragment bits cleared");
        assertFalse(ip.isFragment());
        assertTrue(ip.checksumOk());
        assertEquals(id, ip.id());
        assertEquals(61, ip.ttl());
        assertEquals(SRC, ip.saddr());
        assertEquals(DST, ip.daddr());
        assertEquals(7, d.mark(), "metadata of the first fragment");
        assertArrayEquals(data, Arrays.copyOfRange(d.toByteArray(), hlen, hlen + data.length));
        d.release();
    }

    private List<PacketBuffer> split(int id, byte[] data, int pieceLen) {
        List<PacketBuffer> out = new ArrayList<>();
        for (int off = 0; off < data.length; off += pieceLen) {
            int len = Math.min(pieceLen, data.length - off);
            out.add(frag(id, data, off, len, off + len < data.length));
        }
        return out;
    }

    /** Feeds all but the last; returns what the last produced. */
    private PacketBuffer feed(List<PacketBuffer> frags) {
        for (int i = 0; i < frags.size() - 1; i++) {
            assertNull(reasm.defrag(frags.get(i)), "fragment " + i + " does not complete the datagram");
        }
        return reasm.defrag(frags.get(frags.size() - 1));
    }

    @Test
    void inOrder() {
        byte[] data = data(3000, 1);
        PacketBuffer f0 = frag(0x1234, data, 0, 1480, true);
        PacketBuffer f1 = frag(0x1234, data, 1480, 1480, true);
        PacketBuffer f2 = frag(0x1234, data, 2960, 40, false);
        assertNull(reasm.defrag(f0));
        assertEquals(1, reasm.queueCount());
        assertEquals(SMALL, reasm.memory());
        assertNull(reasm.defrag(f1));
        assertEquals(2 * SMALL, reasm.memory());
        assertDatagram(reasm.defrag(f2), 0x1234, data, 20);
        assertEquals(0, reasm.queueCount());
        assertEquals(0, reasm.memory());
        assertEquals(3, mib.get(Mib.IpReasmReqds));
        assertEquals(1, mib.get(Mib.IpReasmOKs));
        assertEquals(0, mib.get(Mib.IpReasmFails));
        assertTrue(f0.isReleased() && f1.isReleased() && f2.isReleased(), "fragments released once copied");
        assertEquals(Map.of(), drops.snapshot());
    }

    @Test
    void reversedOrder() {
        byte[] data = data(3000, 2);
        List<PacketBuffer> frags = split(9, data, 1480);
        Collections.reverse(frags);
        assertDatagram(feed(frags), 9, data, 20);
        assertEquals(1, mib.get(Mib.IpReasmOKs));
    }

    @Test
    void randomOrderAndRandomSizes() {
        for (int seed = 0; seed < 30; seed++) {
            Random rnd = new Random(seed);
            byte[] data = data(1 + rnd.nextInt(12_000), seed);
            List<PacketBuffer> frags = new ArrayList<>();
            int off = 0;
            while (off < data.length) {
                int len = Math.min(8 * (1 + rnd.nextInt(185)), data.length - off);
                frags.add(frag(seed, data, off, len, off + len < data.length));
                off += len;
            }
            Collections.shuffle(frags, rnd);
            assertDatagram(feed(frags), seed, data, 20);
        }
        assertEquals(30, mib.get(Mib.IpReasmOKs));
        assertEquals(0, mib.get(Mib.IpReasmFails));
    }

    @Test
    void interleavedDatagramsAreKeptApart() {
        byte[] a = data(2000, 3);
        byte[] b = data(2000, 4);
        byte[] c = data(2000, 5);
        // same ID: a and b differ by protocol, c by ID
        PacketBuffer a0 = frag(77, Ipv4Packet.IPPROTO_UDP, new byte[0], a, 0, 1000, true);
        PacketBuffer b0 = frag(77, Ipv4Packet.IPPROTO_ICMP, new byte[0], b, 0, 1000, true);
        PacketBuffer c0 = frag(78, Ipv4Packet.IPPROTO_UDP, new byte[0], c, 0, 1000, true);
        assertNull(reasm.defrag(a0));
        assertNull(reasm.defrag(b0));
        assertNull(reasm.defrag(c0));
        assertEquals(3, reasm.queueCount());
        PacketBuffer b1 = reasm.defrag(frag(77, Ipv4Packet.IPPROTO_ICMP, new byte[0], b, 1000, 1000, false));
        assertEquals(Ipv4Packet.IPPROTO_ICMP, Ipv4Packet.wrap(b1, b1.data()).protocol());
        assertDatagram(b1, 77, b, 20);
        assertDatagram(reasm.defrag(frag(78, c, 1000, 1000, false)), 78, c, 20);
        assertDatagram(reasm.defrag(frag(77, a, 1000, 1000, false)), 77, a, 20);
    }

    @Test
    void duplicateFragmentIsDroppedAndTheDatagramStillCompletes() {
        byte[] data = data(3000, 6);
        assertNull(reasm.defrag(frag(5, data, 0, 1480, true)));
        assertNull(reasm.defrag(frag(5, data, 0, 1480, true)), "an exact copy");
        assertEquals(1, drops.count(DropReason.DUP_FRAG));
        assertEquals(SMALL, reasm.memory(), "the duplicate is not held");
        assertNull(reasm.defrag(frag(5, data, 1480, 1480, true)));
        assertNull(reasm.defrag(frag(5, data, 1488, 800, true)), "lies wholly inside a held fragment");
        assertEquals(2, drops.count(DropReason.DUP_FRAG));
        assertDatagram(reasm.defrag(frag(5, data, 2960, 40, false)), 5, data, 20);
        assertEquals(1, mib.get(Mib.IpReasmOKs));
        assertEquals(0, mib.get(Mib.IpReasmFails));
        assertEquals(0, mib.get(Mib.IpExtReasmOverlaps));
    }

    @Test
    void duplicateSpanningTwoContiguousHeldFragmentsIsOnlyADuplicate() {
        byte[] data = data(3000, 16);
        assertNull(reasm.defrag(frag(8, data, 0, 1000, true)));
        assertNull(reasm.defrag(frag(8, data, 1000, 1000, true)));
        assertNull(reasm.defrag(frag(8, data, 504, 1000, true)), "a retransmission cut at another MTU");
        assertEquals(1, drops.count(DropReason.DUP_FRAG));
        assertEquals(0, mib.get(Mib.IpExtReasmOverlaps));
        assertDatagram(reasm.defrag(frag(8, data, 2000, 1000, false)), 8, data, 20);
    }

    @Test
    void duplicateOfTheLastFragment() {
        byte[] data = data(3000, 7);
        assertNull(reasm.defrag(frag(6, data, 2960, 40, false)));
        assertNull(reasm.defrag(frag(6, data, 2960, 40, false)));
        assertEquals(1, drops.count(DropReason.DUP_FRAG));
        assertNull(reasm.defrag(frag(6, data, 1480, 1480, true)));
        assertDatagram(reasm.defrag(frag(6, data, 0, 1480, true)), 6, data, 20);
    }

    @Test
    void overlapWithDifferentBoundsDiscardsTheWholeDatagram() {
        byte[] data = data(3000, 8);
        PacketBuffer f0 = frag(7, data, 0, 1480, true);
        assertNull(reasm.defrag(f0));
        assertNull(reasm.defrag(frag(7, data, 2960, 40, false)));
        PacketBuffer overlapping = frag(7, data, 1472, 1488, true); // starts inside f0, ends at 2960
        assertNull(reasm.defrag(overlapping));
        assertTrue(overlapping.isReleased());
        assertTrue(f0.isReleased(), "held fragments are discarded too");
        assertEquals(1, mib.get(Mib.IpExtReasmOverlaps));
        assertEquals(1, mib.get(Mib.IpReasmFails));
        assertEquals(3, drops.count(DropReason.FRAG_OVERLAP));
        assertEquals(0, reasm.queueCount());
        assertEquals(0, reasm.memory());
        assertEquals(0, pool.outstanding());

        // The rest of that datagram starts a fresh queue that can no longer complete from what was sent.
        assertNull(reasm.defrag(frag(7, data, 1480, 1480, true)));
        assertEquals(1, reasm.queueCount());
        assertEquals(0, mib.get(Mib.IpReasmOKs));
    }

    @Test
    void overlapReachingIntoAHeldFragmentAboveDiscardsTheDatagram() {
        byte[] data = data(3000, 9);
        assertNull(reasm.defrag(frag(8, data, 1480, 1480, true)));
        assertNull(reasm.defrag(frag(8, data, 0, 1488, true))); // ends 8 bytes into the held one
        assertEquals(1, mib.get(Mib.IpExtReasmOverlaps));
        assertEquals(1, mib.get(Mib.IpReasmFails));
        assertEquals(2, drops.count(DropReason.FRAG_OVERLAP));
        assertEquals(0, reasm.queueCount());
    }

    @Test
    void overlapCoveringAHeldFragmentDiscardsTheDatagram() {
        byte[] data = data(3000, 10);
        assertNull(reasm.defrag(frag(9, data, 1480, 8, true)));
        assertNull(reasm.defrag(frag(9, data, 1000, 1000, true))); // swallows [1480, 1488)
        assertEquals(1, mib.get(Mib.IpExtReasmOverlaps));
        assertEquals(2, drops.count(DropReason.FRAG_OVERLAP));
        assertEquals(0, reasm.queueCount());
    }

    @Test
    void secondLastFragmentWithAnotherLengthIsInconsistent() {
        byte[] data = data(3008, 11);
        assertNull(reasm.defrag(frag(10, data, 0, 1480, true)));
        assertNull(reasm.defrag(frag(10, data, 2960, 40, false)));
        assertNull(reasm.defrag(frag(10, data, 2960, 48, false)));
        assertEquals(1, mib.get(Mib.IpReasmFails));
        assertEquals(0, mib.get(Mib.IpExtReasmOverlaps));
        assertEquals(3, drops.count(DropReason.FRAG_REASM_FAIL));
        assertEquals(0, reasm.queueCount());
        assertEquals(0, reasm.memory());
    }

    @Test
    void lastFragmentEndingBeforeHeldDataIsInconsistent() {
        byte[] data = data(3000, 12);
        assertNull(reasm.defrag(frag(11, data, 1480, 1480, true)));
        assertNull(reasm.defrag(frag(11, data, 1000, 40, false))); // ends at 1040, data held up to 2960
        assertEquals(1, mib.get(Mib.IpReasmFails));
        assertEquals(2, drops.count(DropReason.FRAG_REASM_FAIL));
        assertEquals(0, reasm.queueCount());
    }

    @Test
    void dataBeyondTheLastFragmentIsInconsistent() {
        byte[] data = data(4000, 13);
        assertNull(reasm.defrag(frag(12, data, 1480, 40, false))); // the datagram ends at 1520
        assertNull(reasm.defrag(frag(12, data, 1520, 1480, true)));
        assertEquals(1, mib.get(Mib.IpReasmFails));
        assertEquals(2, drops.count(DropReason.FRAG_REASM_FAIL));
        assertEquals(0, reasm.queueCount());
    }

    @Test
    void emptyNonLastFragmentDiscardsTheQueue() {
        byte[] data = data(100, 14);
        assertNull(reasm.defrag(frag(13, data, 0, 16, true)));
        assertNull(reasm.defrag(frag(13, data, 16, 0, true)));
        assertEquals(1, mib.get(Mib.IpReasmFails));
        assertEquals(0, reasm.queueCount());
    }

    @Test
    void raggedTailOfANonLastFragmentIsIgnored() {
        byte[] data = data(3000, 15);
        assertNull(reasm.defrag(frag(14, data, 0, 1483, true))); // counts as [0, 1480)
        assertDatagram(reasm.defrag(frag(14, data, 1480, 1520, false)), 14, data, 20);
    }

    @Test
    void optionsOfTheFirstFragmentHeadTheDatagram() {
        byte[] routerAlert = {(byte) 0x94, 4, 0, 0};
        byte[] data = data(3000, 16);
        assertNull(reasm.defrag(frag(15, Ipv4Packet.IPPROTO_UDP, new byte[] {1, 1, 1, 1}, data, 1480, 1520, false)));
        PacketBuffer d = reasm.defrag(frag(15, Ipv4Packet.IPPROTO_UDP, routerAlert, data, 0, 1480, true));
        assertNotNull(d);
        assertArrayEquals(routerAlert, Arrays.copyOfRange(d.toByteArray(), 20, 24));
        assertDatagram(d, 15, data, 24);
    }

    @Test
    void timeoutAfterThirtySecondsReportsTheFirstFragment() {
        List<String> reported = new ArrayList<>();
        reasm.setExpiryReporter(first -> {
            Ipv4Packet ip = Ipv4Packet.wrap(first, first.networkHeader());
            assertFalse(first.isReleased(), "borrowed before the drop");
            reported.add(ip.id() + "@" + ip.fragmentOffset());
        });
        byte[] data = data(3000, 17);
        assertNull(reasm.defrag(frag(16, data, 0, 1480, true)));
        assertNull(reasm.defrag(frag(16, data, 2960, 40, false)));
        clock.advanceMillis(29_999);
        reasm.expire();
        assertEquals(1, reasm.queueCount());
        assertEquals(0, mib.get(Mib.IpReasmTimeout));
        clock.advanceMillis(1);
        reasm.expire();
        assertEquals(0, reasm.queueCount());
        assertEquals(0, reasm.memory());
        assertEquals(List.of("16@0"), reported);
        assertEquals(1, mib.get(Mib.IpReasmTimeout));
        assertEquals(1, mib.get(Mib.IpReasmFails));
        assertEquals(2, drops.count(DropReason.FRAG_REASM_TIMEOUT));
        assertEquals(0, pool.outstanding());

        // the middle fragment, late: a new queue, not a completed datagram
        assertNull(reasm.defrag(frag(16, data, 1480, 1480, true)));
        assertEquals(1, reasm.queueCount());
    }

    @Test
    void timeoutWithoutTheFirstFragmentSendsNoReport() {
        List<PacketBuffer> reported = new ArrayList<>();
        reasm.setExpiryReporter(reported::add);
        byte[] data = data(3000, 18);
        assertNull(reasm.defrag(frag(17, data, 1480, 1480, true)));
        assertNull(reasm.defrag(frag(17, data, 2960, 40, false)));
        clock.advance(30, TimeUnit.SECONDS);
        reasm.expire();
        assertTrue(reported.isEmpty());
        assertEquals(1, mib.get(Mib.IpReasmTimeout));
        assertEquals(1, mib.get(Mib.IpReasmFails));
        assertEquals(2, drops.count(DropReason.FRAG_REASM_TIMEOUT));
        assertEquals(0, reasm.queueCount());
    }

    @Test
    void queuesExpireByTheirOwnAge() {
        byte[] data = data(3000, 19);
        assertNull(reasm.defrag(frag(20, data, 0, 1480, true)));
        clock.advance(10, TimeUnit.SECONDS);
        assertNull(reasm.defrag(frag(21, data, 0, 1480, true)));
        clock.advance(15, TimeUnit.SECONDS);
        assertNull(reasm.defrag(frag(20, data, 1480, 1480, true)), "a later fragment does not renew the queue");
        clock.advance(5, TimeUnit.SECONDS);
        reasm.expire();
        assertEquals(1, reasm.queueCount());
        assertEquals(1, mib.get(Mib.IpReasmTimeout));
        assertEquals(2, drops.count(DropReason.FRAG_REASM_TIMEOUT));
        assertDatagram(reasm.defrag(frag(21, data, 1480, 1520, false)), 21, data, 20);
    }

    @Test
    void memoryBoundEvictsTheOldestQueues() {
        reasm = new Reassembler(pool, clock, mib, drops, 3 * SMALL, SMALL, Reassembler.DEFAULT_TIMEOUT_MS);
        byte[] data = data(3000, 20);
        PacketBuffer a = frag(1, data, 0, 8, true);
        PacketBuffer b = frag(2, data, 0, 8, true);
        assertNull(reasm.defrag(a));
        assertNull(reasm.defrag(b));
        assertNull(reasm.defrag(frag(3, data, 0, 8, true)));
        assertEquals(3 * SMALL, reasm.memory(), "exactly at the high mark is allowed");
        assertEquals(3, reasm.queueCount());
        assertEquals(0, mib.get(Mib.IpReasmFails));

        assertNull(reasm.defrag(frag(4, data, 0, 8, true)));
        assertTrue(a.isReleased() && b.isReleased(), "the two oldest queues were evicted");
        assertEquals(2, mib.get(Mib.IpReasmFails));
        assertEquals(2, drops.count(DropReason.FRAG_REASM_FAIL));
        assertEquals(2, reasm.queueCount());
        assertEquals(2 * SMALL, reasm.memory());
        assertTrue(reasm.memory() <= 3 * SMALL);
        assertEquals(2, pool.outstanding(), "queues 3 and 4 hold one buffer each");

        // queue 3 still completes
        assertDatagram(reasm.defrag(frag(3, data, 8, 100, false)), 3, Arrays.copyOf(data, 108), 20);
    }

    @Test
    void fragmentLargerThanTheBoundIsDropped() {
        reasm = new Reassembler(pool, clock, mib, drops, 1000, 500, Reassembler.DEFAULT_TIMEOUT_MS);
        PacketBuffer f = frag(1, data(100, 21), 0, 8, true);
        assertNull(reasm.defrag(f));
        assertTrue(f.isReleased());
        assertEquals(1, mib.get(Mib.IpReasmFails));
        assertEquals(1, drops.count(DropReason.FRAG_REASM_FAIL));
        assertEquals(0, reasm.queueCount());
        assertEquals(0, reasm.memory());
    }

    @Test
    void largestDatagram() {
        byte[] data = data(65535 - 20, 22);
        List<PacketBuffer> frags = split(0xffff, data, 1480);
        assertEquals(45, frags.size());
        Collections.shuffle(frags, new Random(22));
        assertDatagram(feed(frags), 0xffff, data, 20);
    }

    @Test
    void datagramOver65535BytesIsRejected() {
        byte[] data = data(65600, 23);
        assertNull(reasm.defrag(frag(1, data, 0, 1480, true)));
        // ends at 65520: with a 20-byte header, 65540 bytes
        assertNull(reasm.defrag(frag(1, data, 65512, 8, false)));
        assertEquals(1, mib.get(Mib.IpReasmFails));
        assertEquals(2, drops.count(DropReason.FRAG_REASM_FAIL));
        assertEquals(0, reasm.queueCount());
        // the highest offset there is, with more than 7 bytes
        assertNull(reasm.defrag(frag(2, data, 8191 * 8, 16, false)));
        assertEquals(2, mib.get(Mib.IpReasmFails));
        assertEquals(0, reasm.queueCount());
    }

    @Test
    void datagramOver65535BytesWithTheFirstFragmentsOptionsIsRejected() {
        // Each fragment fits 65535 with its own 20-byte header, but the first one's 24-byte header heads the
        // datagram: 24 + 65515 = 65539 bytes, which no total length field can describe.
        byte[] data = data(65515, 24);
        byte[] routerAlert = {(byte) 0x94, 4, 0, 0};
        assertNull(reasm.defrag(frag(3, Ipv4Packet.IPPROTO_UDP, routerAlert, data, 0, 32768, true)));
        assertNull(reasm.defrag(frag(3, data, 32768, 65515 - 32768, false)));
        assertEquals(0, mib.get(Mib.IpReasmOKs));
        assertEquals(1, mib.get(Mib.IpReasmFails));
        assertEquals(2, drops.count(DropReason.FRAG_REASM_FAIL));
        assertEquals(0, reasm.queueCount());
        assertEquals(0, reasm.memory());
    }
}
