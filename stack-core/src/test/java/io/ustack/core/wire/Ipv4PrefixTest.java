package io.ustack.core.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Ipv4PrefixTest {
    private static int a(String s) {
        return Ipv4Address.parse(s);
    }

    @Test
    void interfaceAddressWithPrefix() {
        Ipv4Prefix p = Ipv4Prefix.parse("10.77.0.2/24");
        assertEquals(a("10.77.0.2"), p.address());
        assertEquals(24, p.prefixLen());
        assertEquals(0xffff_ff00, p.mask());
        assertEquals(a("10.77.0.0"), p.network());
        assertEquals(a("10.77.0.255"), p.broadcast());
        assertTrue(p.contains(a("10.77.0.0")));
        assertTrue(p.contains(a("10.77.0.255")));
        assertFalse(p.contains(a("10.77.1.0")));
        assertFalse(p.contains(a("10.76.255.255")));
        assertEquals("10.77.0.2/24", p.toString());
        assertEquals(new Ipv4Prefix(a("10.77.0.2"), 24), p);
    }

    @Test
    void bareAddressIsAHostPrefix() {
        Ipv4Prefix p = Ipv4Prefix.parse("192.168.1.7");
        assertEquals(32, p.prefixLen());
        assertEquals(a("192.168.1.7"), p.network());
        assertEquals(a("192.168.1.7"), p.broadcast());
        assertTrue(p.contains(a("192.168.1.7")));
        assertFalse(p.contains(a("192.168.1.6")));
    }

    @Test
    void edgeLengths() {
        Ipv4Prefix all = Ipv4Prefix.parse("0.0.0.0/0");
        assertEquals(0, all.mask());
        assertEquals(0, all.network());
        assertEquals(-1, all.broadcast());
        assertTrue(all.contains(a("1.2.3.4")));
        assertTrue(all.contains(-1));

        Ipv4Prefix p31 = Ipv4Prefix.parse("10.0.0.1/31");
        assertEquals(a("10.0.0.0"), p31.network());
        assertEquals(a("10.0.0.1"), p31.broadcast());

        Ipv4Prefix p8 = Ipv4Prefix.parse("10.200.3.4/8");
        assertEquals(a("10.0.0.0"), p8.network());
        assertEquals(a("10.255.255.255"), p8.broadcast());
        assertTrue(p8.contains(a("10.1.1.1")));
        assertFalse(p8.contains(a("11.0.0.0")));

        Ipv4Prefix p20 = Ipv4Prefix.parse("172.16.31.9/20");
        assertEquals(a("172.16.16.0"), p20.network());
        assertEquals(a("172.16.31.255"), p20.broadcast());
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/", "10.0.0.0/abc", "10.0.0.256/24", "/24",
        "10.0.0.0/8/8", "10.0.0.0/+8", "10.0.0.0/ 8", "10.0.0/8", "10.0.0.0/4294967304", "", "10.0.0.0/\u0668"})
    void rejectsBadText(String s) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ipv4Prefix.parse(s));
        assertTrue(e.getMessage().contains("'" + s + "'"), e.getMessage());
    }

    @Test
    void constructorChecksTheLength() {
        assertThrows(IllegalArgumentException.class, () -> new Ipv4Prefix(0, 33));
        assertThrows(IllegalArgumentException.class, () -> new Ipv4Prefix(0, -1));
    }
}
