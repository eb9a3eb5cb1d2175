package io.ustack.core.buffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PacketBufferTest {
    private final BufferPool pool = new BufferPool();
    private PacketBuffer b;

    @BeforeEach
    void allocate() {
        b = pool.allocate(100);
    }

    @AfterEach
    void noLeaks() {
        if (!b.isReleased()) {
            b.release();
        }
        assertEquals(0, pool.outstanding(), "buffers not released");
    }

    private void assertPointers(int data, int tail) {
        assertEquals(data, b.data(), "data");
        assertEquals(tail, b.tail(), "tail");
        assertEquals(tail - data, b.len(), "len");
        assertEquals(data, b.headroom(), "headroom");
        assertEquals(b.end() - tail, b.tailroom(), "tailroom");
    }

    @Test
    void freshBufferIsEmpty() {
        assertEquals(BufferPool.SMALL_CAPACITY, b.end());
        assertPointers(0, 0);
        assertEquals(BufferPool.SMALL_CAPACITY, b.tailroom());
        assertFalse(b.isReleased());
        assertSame(pool, b.pool());
        assertEquals(0, b.toByteArray().length);
    }

    @Test
    void reserveLeavesHeadroom() {
        b.reserve(128);
        assertPointers(128, 128);
        b.reserve(2); // still empty: allowed
        assertPointers(130, 130);
    }

    @Test
    void reserveBounds() {
        b.reserve(b.end()); // all of it
        assertPointers(b.end(), b.end());
        b.setData(0, 0);
        assertThrows(IllegalStateException.class, () -> b.reserve(b.end() + 1));
        assertThrows(IllegalStateException.class, () -> b.reserve(-1));
        b.put(1);
        assertThrows(IllegalStateException.class, () -> b.reserve(1), "reserve on a non-empty buffer");
        assertPointers(0, 1);
    }

    @Test
    void putAppendsAtTail() {
        b.reserve(128);
        assertEquals(128, b.put(10));
        assertPointers(128, 138);
        assertEquals(138, b.put(0));
        assertEquals(138, b.put(5));
        assertPointers(128, 143);
    }

    @Test
    void putBounds() {
        b.reserve(48);
        assertEquals(48, b.put(b.end() - 48));
        assertEquals(0, b.tailroom());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.put(1));
        assertTrue(e.getMessage().contains("tailroom 0"), e.getMessage());
        assertPointers(48, b.end());
        assertThrows(IllegalStateException.class, () -> b.put(-1));
        assertPointers(48, b.end());
    }

    @Test
    void pushPrependsAtData() {
        b.reserve(34);
        b.put(100);
        assertEquals(14, b.push(20));
        assertPointers(14, 134);
        assertEquals(0, b.push(14));
        assertPointers(0, 134);
    }

    @Test
    void pushBounds() {
        b.reserve(10);
        b.put(10);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.push(11));
        assertTrue(e.getMessage().contains("headroom 10"), e.getMessage());
        assertPointers(10, 20);
        assertThrows(IllegalStateException.class, () -> b.push(-1));
        assertPointers(10, 20);
    }

    @Test
    void pullRemovesFromTheFront() {
        b.reserve(64);
        b.put(60);
        assertEquals(78, b.pull(14));
        assertPointers(78, 124);
        assertEquals(124, b.pull(46));
        assertPointers(124, 124);
    }

    @Test
    void pullBounds() {
        b.put(20);
        assertThrows(IllegalStateException.class, () -> b.pull(21));
        assertThrows(IllegalStateException.class, () -> b.pull(-1));
        assertPointers(0, 20);
    }

    @Test
    void pushUndoesPull() {
        b.put(40);
        for (int i = 0; i < 40; i++) {
            b.setU8(i, i);
        }
        b.pull(14);
        assertEquals(14, b.toByteArray()[0]);
        b.push(14);
        assertEquals(0, b.toByteArray()[0]);
        assertEquals(40, b.len());
    }

    @Test
    void trimCutsFromTheEnd() {
        b.reserve(10);
        b.put(100);
        b.trim(60);
        assertPointers(10, 70);
        b.trim(80); // longer than the packet: nothing happens
        assertPointers(10, 70);
        b.trim(0);
        assertPointers(10, 10);
        assertThrows(IllegalArgumentException.class, () -> b.trim(-1));
        assertPointers(10, 10);
    }

    @Test
    void setDataBounds() {
        b.setData(14, 100);
        assertPointers(14, 114);
        b.setData(0, b.end());
        assertPointers(0, b.end());
        assertThrows(IllegalArgumentException.class, () -> b.setData(-1, 10));
        assertThrows(IllegalArgumentException.class, () -> b.setData(0, -1));
        assertThrows(IllegalArgumentException.class, () -> b.setData(1, b.end()));
    }

    @Test
    void accessorsAreBigEndianFromHead() {
        b.reserve(4);
        b.put(8);
        b.setU8(4, 0x81);
        b.setU16(5, 0xfedc);
        b.setI32(7, 0x89ab_cdef);
        assertArrayEquals(new byte[] {(byte) 0x81, (byte) 0xfe, (byte) 0xdc, (byte) 0x89, (byte) 0xab,
            (byte) 0xcd, (byte) 0xef, 0}, b.toByteArray());
        assertEquals(0x81, b.u8(4));
        assertEquals(0xfedc, b.u16(5));
        assertEquals(0x89ab_cdefL, b.u32(7));
        assertEquals(0x89ab_cdef, b.i32(7));
        b.setU8(4, 0x1ff); // only the low byte is kept
        assertEquals(0xff, b.u8(4));
        b.setU16(5, 0x12345);
        assertEquals(0x2345, b.u16(5));
    }

    @Test
    void copiesAndFill() {
        byte[] src = {1, 2, 3, 4, 5, 6};
        b.put(16);
        b.copyIn(3, src, 1, 4);
        assertArrayEquals(new byte[] {0, 0, 0, 2, 3, 4, 5, 0}, java.util.Arrays.copyOf(b.toByteArray(), 8));
        byte[] out = new byte[6];
        b.copyOut(2, out, 1, 4);
        assertArrayEquals(new byte[] {0, 0, 2, 3, 4, 0}, out);

        PacketBuffer other = pool.allocate(2000);
        other.put(10);
        other.copyFrom(b, 3, 5, 4);
        assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 2, 3, 4, 5, 0}, other.toByteArray());
        other.fill(0, 3, (byte) 0xee);
        assertArrayEquals(new byte[] {(byte) 0xee, (byte) 0xee, (byte) 0xee, 0, 0, 2, 3, 4, 5, 0},
                other.toByteArray());
        other.release();
    }

    @Test
    void headerOffsets() {
        assertEquals(-1, b.macHeader());
        assertEquals(-1, b.networkHeader());
        assertEquals(-1, b.transportHeader());
        b.reserve(14);
        b.put(40);
        b.resetNetworkHeader();
        assertEquals(14, b.networkHeader());
        b.setMacHeader(0);
        b.setTransportHeader(34);
        assertEquals(0, b.macHeader());
        assertEquals(34, b.transportHeader());
        b.setNetworkHeader(20);
        assertEquals(20, b.networkHeader());
    }

    @Test
    void metadata() {
        assertNull(b.dev());
        assertEquals(0, b.protocol());
        assertEquals(PacketBuffer.PacketType.HOST, b.pktType());
        assertFalse(b.hashValid());
        assertEquals(0, b.mark());
        assertNull(b.dst());
        b.setProtocol(0x0800);
        b.setPktType(PacketBuffer.PacketType.BROADCAST);
        b.setHash(0);
        b.setMark(7);
        assertEquals(0x0800, b.protocol());
        assertEquals(PacketBuffer.PacketType.BROADCAST, b.pktType());
        assertTrue(b.hashValid(), "a hash of zero is still a valid hash");
        assertEquals(0, b.hash());
        assertEquals(7, b.mark());
    }

    @Test
    void doubleReleaseThrowsAndCountsOnce() {
        b.release();
        assertTrue(b.isReleased());
        assertEquals(0, pool.outstanding());
        assertThrows(IllegalStateException.class, b::release);
        assertEquals(0, pool.outstanding(), "the failed release must not count");
        // the buffer went back to the pool once: two allocations cannot both get it
        PacketBuffer x = pool.allocate(10);
        PacketBuffer y = pool.allocate(10);
        assertFalse(x == y);
        assertEquals(2, pool.allocations(), "b, then a new buffer for y: x reused b");
        assertSame(b, x);
        x.release();
        y.release();
    }
}
