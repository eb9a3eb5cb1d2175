package io.ustack.core.wire;

import static io.ustack.core.wire.EthernetFrameTest.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.buffer.PacketBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MacAddressTest {
    private final BufferPool pool = new BufferPool();

    @AfterEach
    void noLeaks() {
        assertEquals(0, pool.outstanding(), "buffers not released");
    }

    @Test
    void parsesAndFormats() {
        assertEquals(0x5254_0012_3456L, MacAddress.parse("52:54:00:12:34:56"));
        assertEquals(0x0242_ac11_0002L, MacAddress.parse("02:42:AC:11:00:02"));
        assertEquals(0x0242_ac11_0002L, MacAddress.parse("02:42:ac:11:00:02"));
        assertEquals(MacAddress.BROADCAST, MacAddress.parse("ff:ff:ff:ff:ff:ff"));
        assertEquals(MacAddress.ZERO, MacAddress.parse("00:00:00:00:00:00"));
        assertEquals("02:42:ac:11:00:02", MacAddress.format(0x0242_ac11_0002L));
        assertEquals("ff:ff:ff:ff:ff:ff", MacAddress.format(MacAddress.BROADCAST));
        assertEquals("00:00:00:00:00:00", MacAddress.format(0));
        assertEquals("01:00:5e:00:00:fb", MacAddress.format(MacAddress.parse("01:00:5E:00:00:FB")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ":", "52:54:00:12:34", "52:54:00:12:34:56:78", "52:54:00:12:34:5",
        "52:54:00:12:34:567", "52:54:00:12:34:5g", "52-54-00-12-34-56", "525400123456",
        "52:54:00:12:34:56:", ":52:54:00:12:34:56", "52:54:00:12:34:56::", "52::54:00:12:34:56",
        "+1:00:00:00:00:00", "-1:00:00:00:00:00", "00:00:00:00:00:-1", " 52:54:00:12:34:56", "52:54:00:12:34: 6",
        "0x:54:00:12:34:56", "\uff10\uff12:54:00:12:34:56", "02:54:00:12:34:5\u0661"})
    void rejectsBadText(String s) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(s));
        assertTrue(e.getMessage().contains("'" + s + "'"), e.getMessage());
    }

    @Test
    void readsAndWritesBigEndian() {
        PacketBuffer b = pool.allocate(16);
        b.put(8);
        MacAddress.write(b, 1, 0x0242_ac11_0002L);
        assertArrayEquals(hex("00 0242ac110002 00"), b.toByteArray());
        assertEquals(0x0242_ac11_0002L, MacAddress.read(b, 1));
        MacAddress.write(b, 1, MacAddress.BROADCAST);
        assertEquals(MacAddress.BROADCAST, MacAddress.read(b, 1));
        assertArrayEquals(hex("00 ffffffffffff 00"), b.toByteArray());
        b.release();
    }

    @Test
    void toBytes() {
        assertArrayEquals(hex("0242ac110002"), MacAddress.toBytes(0x0242_ac11_0002L));
        assertArrayEquals(hex("ffffffffffff"), MacAddress.toBytes(MacAddress.BROADCAST));
    }

    @Test
    void groupBit() {
        assertTrue(MacAddress.isMulticast(MacAddress.BROADCAST));
        assertTrue(MacAddress.isMulticast(MacAddress.parse("01:00:5e:00:00:01")));
        assertTrue(MacAddress.isMulticast(MacAddress.parse("33:33:00:00:00:01")));
        assertFalse(MacAddress.isMulticast(MacAddress.parse("52:54:00:12:34:56")));
        assertFalse(MacAddress.isMulticast(MacAddress.parse("02:00:00:00:00:01")));
    }

    @Test
    void randomIsLocallyAdministeredUnicast() {
        for (int i = 0; i < 1000; i++) {
            long m = MacAddress.random();
            assertEquals(0, m >>> 48, "48 bits only");
            assertFalse(MacAddress.isMulticast(m));
            assertTrue((m & 0x0200_0000_0000L) != 0, "locally administered");
            assertEquals(m, MacAddress.parse(MacAddress.format(m)));
        }
    }
}
