package io.ustack.core.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Ipv4AddressTest {
    @Test
    void parsesDottedQuads() {
        assertEquals(0, Ipv4Address.parse("0.0.0.0"));
        assertEquals(0xffff_ffff, Ipv4Address.parse("255.255.255.255"));
        assertEquals(0x0a00_0001, Ipv4Address.parse("10.0.0.1"));
        assertEquals(0xc0a8_01fe, Ipv4Address.parse("192.168.1.254"));
        assertEquals(0x7f00_0001, Ipv4Address.parse("127.0.0.1"));
        assertEquals(0x0808_0808, Ipv4Address.parse("8.8.8.8"));
    }

    @Test
    void formatsAndRoundTrips() {
        assertEquals("10.0.0.1", Ipv4Address.format(0x0a00_0001));
        assertEquals("255.255.255.255", Ipv4Address.format(-1));
        assertEquals("0.0.0.0", Ipv4Address.format(0));
        assertEquals("192.168.1.254", Ipv4Address.format(0xc0a8_01fe));
        java.util.Random rnd = new java.util.Random(3);
        for (int i = 0; i < 1000; i++) {
            int a = rnd.nextInt();
            assertEquals(a, Ipv4Address.parse(Ipv4Address.format(a)));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "1.2.3", "1.2.3.4.5", "256.0.0.1", "1.2.3.256", "1.2.3.-1", "-1.2.3.4",
        "+1.2.3.4", "1.2.3.+4", "1..2.3", "1.2.3.4.", ".1.2.3.4", "a.b.c.d", "1.2.3.0x1", " 1.2.3.4", "1.2.3.4 ",
        "1234.1.1.1", "0001.1.1.1", "001.002.003.004", "10.0.0.01", "1.2.3.4/24", "\u0661.2.3.4", "10.0.0.1\n", "localhost"})
    void rejectsBadText(String s) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ipv4Address.parse(s));
        assertTrue(e.getMessage().contains("'" + s + "'"), e.getMessage());
    }

    @Test
    void masks() {
        assertEquals(0, Ipv4Address.mask(0));
        assertEquals(0x8000_0000, Ipv4Address.mask(1));
        assertEquals(0xff00_0000, Ipv4Address.mask(8));
        assertEquals(0xffff_f000, Ipv4Address.mask(20));
        assertEquals(0xffff_ff00, Ipv4Address.mask(24));
        assertEquals(0xffff_fffe, Ipv4Address.mask(31));
        assertEquals(0xffff_ffff, Ipv4Address.mask(32));
    }

    @Test
    void addressClasses() {
        assertTrue(Ipv4Address.isMulticast(Ipv4Address.parse("224.0.0.1")));
        assertTrue(Ipv4Address.isMulticast(Ipv4Address.parse("239.255.255.255")));
        assertFalse(Ipv4Address.isMulticast(Ipv4Address.parse("223.255.255.255")));
        assertFalse(Ipv4Address.isMulticast(Ipv4Address.parse("240.0.0.0")));

        assertTrue(Ipv4Address.isLimitedBroadcast(Ipv4Address.BROADCAST));
        assertFalse(Ipv4Address.isLimitedBroadcast(Ipv4Address.parse("10.255.255.255")));

        assertTrue(Ipv4Address.isZeronet(0));
        assertTrue(Ipv4Address.isZeronet(Ipv4Address.parse("0.1.2.3")));
        assertFalse(Ipv4Address.isZeronet(Ipv4Address.parse("1.0.0.0")));

        assertTrue(Ipv4Address.isLoopback(Ipv4Address.parse("127.0.0.1")));
        assertTrue(Ipv4Address.isLoopback(Ipv4Address.parse("127.255.255.254")));
        assertFalse(Ipv4Address.isLoopback(Ipv4Address.parse("128.0.0.1")));

        assertTrue(Ipv4Address.isLinkLocal(Ipv4Address.parse("169.254.1.1")));
        assertFalse(Ipv4Address.isLinkLocal(Ipv4Address.parse("169.253.1.1")));

        assertTrue(Ipv4Address.isReserved(Ipv4Address.parse("240.0.0.1")));
        assertTrue(Ipv4Address.isReserved(Ipv4Address.parse("255.255.255.254")));
        assertFalse(Ipv4Address.isReserved(Ipv4Address.BROADCAST));
        assertFalse(Ipv4Address.isReserved(Ipv4Address.parse("239.0.0.1")));
    }
}
