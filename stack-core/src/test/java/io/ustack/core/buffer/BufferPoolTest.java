package io.ustack.core.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.link.LoopbackDevice;
import io.ustack.core.route.DstEntry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BufferPoolTest {
    private final BufferPool pool = new BufferPool();

    @AfterEach
    void noLeaks() {
        assertEquals(0, pool.outstanding(), "buffers not released");
    }

    @Test
    void sizeClasses() {
        PacketBuffer tiny = pool.allocate(0);
        PacketBuffer small = pool.allocate(BufferPool.SMALL_CAPACITY);
        PacketBuffer large = pool.allocate(BufferPool.SMALL_CAPACITY + 1);
        PacketBuffer largest = pool.allocate(BufferPool.LARGE_CAPACITY);
        assertEquals(BufferPool.SMALL_CAPACITY, tiny.end());
        assertEquals(BufferPool.SMALL_CAPACITY, small.end());
        assertEquals(BufferPool.LARGE_CAPACITY, large.end());
        assertEquals(BufferPool.LARGE_CAPACITY, largest.end());
        assertTrue(BufferPool.LARGE_CAPACITY >= BufferPool.DEFAULT_HEADROOM + 14 + 65535,
                "a whole datagram with headroom and an Ethernet header fits");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> pool.allocate(BufferPool.LARGE_CAPACITY + 1));
        assertTrue(e.getMessage().contains(String.valueOf(BufferPool.LARGE_CAPACITY + 1)), e.getMessage());
        assertEquals(4, pool.outstanding());
        tiny.release();
        small.release();
        large.release();
        largest.release();
    }

    @Test
    void outstandingCountsHandedOutBuffers() {
        List<PacketBuffer> held = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            held.add(pool.allocate(i % 2 == 0 ? 100 : 10_000));
            assertEquals(i, pool.outstanding());
        }
        for (int i = 9; i >= 0; i--) {
            held.remove(held.size() - 1).release();
            assertEquals(i, pool.outstanding());
        }
        assertEquals(10, pool.allocations());
    }

    @Test
    void releasedBuffersAreReusedWithinTheirClass() {
        PacketBuffer s = pool.allocate(100);
        PacketBuffer l = pool.allocate(9000);
        s.release();
        l.release();
        assertEquals(2, pool.allocations());
        PacketBuffer l2 = pool.allocate(5000);
        PacketBuffer s2 = pool.allocate(1500);
        assertSame(l, l2);
        assertSame(s, s2);
        assertEquals(2, pool.allocations(), "no new buffers");
        PacketBuffer s3 = pool.allocate(64);
        assertNotSame(s, s3);
        assertEquals(3, pool.allocations());
        s2.release();
        l2.release();
        s3.release();
    }

    @Test
    void reuseResetsPointersAndMetadata() {
        PacketBuffer b = pool.allocate(100);
        b.reserve(20);
        b.put(50);
        b.push(6);
        b.setMacHeader(14);
        b.resetNetworkHeader();
        b.setTransportHeader(34);
        b.setDev(new LoopbackDevice());
        b.setProtocol(0x0806);
        b.setPktType(PacketBuffer.PacketType.OTHERHOST);
        b.setHash(0x1234);
        b.setMark(99);
        b.setDst(new DstEntry(DstEntry.Type.LOCAL, null, 0, 0, p -> { }, p -> { }));
        b.release();

        PacketBuffer again = pool.allocate(100);
        assertSame(b, again);
        assertFalse(again.isReleased());
        assertEquals(0, again.data());
        assertEquals(0, again.tail());
        assertEquals(0, again.len());
        assertEquals(-1, again.macHeader());
        assertEquals(-1, again.networkHeader());
        assertEquals(-1, again.transportHeader());
        assertNull(again.dev());
        assertEquals(0, again.protocol());
        assertEquals(PacketBuffer.PacketType.HOST, again.pktType());
        assertFalse(again.hashValid());
        assertEquals(0, again.hash());
        assertEquals(0, again.mark());
        assertNull(again.dst());
        again.release();
    }

    @Test
    void releaseDropsReferencesAtOnce() {
        PacketBuffer b = pool.allocate(100);
        b.setDev(new LoopbackDevice());
        b.setDst(new DstEntry(DstEntry.Type.LOCAL, null, 0, 0, p -> { }, p -> { }));
        b.release();
        assertNull(b.dev(), "an idle pooled buffer must not keep a device reachable");
        assertNull(b.dst());
    }

    @Test
    void idleBuffersAreBoundedPerClass() {
        BufferPool bounded = new BufferPool(1);
        List<PacketBuffer> smalls = new ArrayList<>();
        List<PacketBuffer> larges = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            smalls.add(bounded.allocate(10));
            larges.add(bounded.allocate(10_000));
        }
        smalls.forEach(PacketBuffer::release);
        larges.forEach(PacketBuffer::release);
        assertEquals(0, bounded.outstanding());
        assertEquals(20, bounded.allocations());
        smalls.clear();
        larges.clear();
        for (int i = 0; i < 10; i++) {
            smalls.add(bounded.allocate(10));
            larges.add(bounded.allocate(10_000));
        }
        // per class at most one idle buffer in this thread's cache and one in the shared depot survived
        assertEquals(20 + 2 * 8, bounded.allocations());
        smalls.forEach(PacketBuffer::release);
        larges.forEach(PacketBuffer::release);
        assertEquals(0, bounded.outstanding());
    }

    @Test
    void buffersReleasedOnAnotherThreadComeBackThroughTheDepot() throws Exception {
        List<PacketBuffer> handedOver = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            handedOver.add(pool.allocate(100));
        }
        Thread releaser = new Thread(() -> handedOver.forEach(PacketBuffer::release));
        releaser.start();
        releaser.join();
        assertEquals(0, pool.outstanding());
        long before = pool.allocations();
        List<PacketBuffer> again = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            again.add(pool.allocate(100));
        }
        assertEquals(before, pool.allocations(), "the other thread's spilled magazines were reused");
        again.forEach(PacketBuffer::release);
    }

    @Test
    void allocateWithHeadroom() {
        PacketBuffer b = pool.allocateWithHeadroom(1472);
        assertEquals(BufferPool.DEFAULT_HEADROOM, b.headroom());
        assertEquals(0, b.len());
        assertTrue(b.tailroom() >= 1472);
        assertEquals(BufferPool.SMALL_CAPACITY, b.end());
        b.release();
        PacketBuffer big = pool.allocateWithHeadroom(65535);
        assertEquals(BufferPool.DEFAULT_HEADROOM, big.headroom());
        assertTrue(big.tailroom() >= 65535);
        big.release();
    }
}
