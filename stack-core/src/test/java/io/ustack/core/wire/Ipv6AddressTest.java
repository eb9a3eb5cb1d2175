package io.ustack.core.wire;

import static io.ustack.core.wire.EthernetFrameTest.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.testing.PooledBufferTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class Ipv6AddressTest extends PooledBufferTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        // RFC 5952's own examples (sections 4.1-4.3, 5) and the corner cases
        "2001:db8:0:0:0:0:2:1, 2001:db8::2:1",
        "2001:0db8::0001, 2001:db8::1",
        "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
        "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
        "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",
        "2001:DB8::AAAA, 2001:db8::aaaa",
        "0:0:0:0:0:0:0:0, ::",
        "::1, ::1",
        "1::, 1::",
        "fe80::0200:00ff:fe00:0001, fe80::200:ff:fe00:1",
        "::ffff:10.77.0.2, ::ffff:10.77.0.2",
        "::ffff:a4d:2, ::ffff:10.77.0.2",
        "64:ff9b::192.0.2.33, 64:ff9b::c000:221",
        "1:2:3:4:5:6:7::, 1:2:3:4:5:6:7:0",
        "ff02::1:ff00:2, ff02::1:ff00:2",
    })
    void parsesAndFormatsAsRfc5952(String text, String canonical) {
        Ipv6Address a = Ipv6Address.parse(text);
        assertEquals(canonical, a.toString());
        assertEquals(a, Ipv6Address.parse(canonical));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ":", ":::", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "g::1", "1:2:3:4:5:6:7",
        ":1::", "1::2:", "::ffff:1.2.3", "::ffff:1.2.3.256", "1:2:3:4:5:6:7:1.2.3.4", "fe80::1%eth0", "::/64"})
    void refusesWhatIsNotAnAddress(String text) {
        assertThrows(IllegalArgumentException.class, () -> Ipv6Address.parse(text));
    }

    @Test
    void bytesBothWays() {
        byte[] bytes = hex("fd00 0077 0000 0000 0000 0000 0000 0002");
        PacketBuffer b = buffer(bytes);
        Ipv6Address a = Ipv6Address.read(b, 0);
        assertEquals(Ipv6Address.parse("fd00:77::2"), a);
        assertEquals(0xfd00_0077_0000_0000L, a.hi());
        assertEquals(2L, a.lo());
        assertArrayEquals(bytes, a.toBytes());
        assertEquals(a, Ipv6Address.fromBytes(bytes, 0));
        b.fill(0, 16, (byte) 0);
        a.write(b, 0);
        assertArrayEquals(bytes, b.toByteArray());
        b.release();
    }

    @Test
    void solicitedNodeAndItsMac() {
        Ipv6Address a = Ipv6Address.parse("fd00:77::1:2:abcd:ef12");
        assertEquals(Ipv6Address.parse("ff02::1:ffcd:ef12"), a.solicitedNode());
        assertTrue(a.solicitedNode().isSolicitedNode());
        assertFalse(a.isSolicitedNode());
        assertFalse(Ipv6Address.ALL_NODES.isSolicitedNode());
        assertEquals(MacAddress.parse("33:33:ff:cd:ef:12"), a.solicitedNode().multicastMac());
        assertEquals(MacAddress.parse("33:33:00:00:00:01"), Ipv6Address.ALL_NODES.multicastMac());
    }

    @Test
    void linkLocalFromMacByEui64() {
        // RFC 4291 appendix A; the same as Linux gives a TAP with this MAC (addr_gen_mode 0)
        assertEquals(Ipv6Address.parse("fe80::ff:fe00:2"), Ipv6Address.linkLocalFromMac(MacAddress.parse("02:00:00:00:00:02")));
        assertEquals(Ipv6Address.parse("fe80::5054:ff:fe12:3456"), Ipv6Address.linkLocalFromMac(MacAddress.parse("52:54:00:12:34:56")));
        assertEquals(Ipv6Address.parse("fe80::200:5eff:fe00:5301"), Ipv6Address.linkLocalFromMac(MacAddress.parse("00:00:5e:00:53:01")));
    }

    @Test
    void classesAndScopes() {
        assertTrue(Ipv6Address.parse("fe80::1").isLinkLocal());
        assertTrue(Ipv6Address.parse("febf::1").isLinkLocal());
        assertFalse(Ipv6Address.parse("fec0::1").isLinkLocal());
        assertTrue(Ipv6Address.parse("ff02::1").isMulticast());
        assertEquals(2, Ipv6Address.parse("ff02::1").multicastScope());
        assertEquals(14, Ipv6Address.parse("ff0e::1").multicastScope());
        assertTrue(Ipv6Address.LOOPBACK.isLoopback());
        assertTrue(Ipv6Address.UNSPECIFIED.isUnspecified());
        assertEquals(Ipv6Address.Scope.LINK, Ipv6Address.parse("fe80::1").scope());
        assertEquals(Ipv6Address.Scope.GLOBAL, Ipv6Address.parse("fd00:77::2").scope());
        assertEquals(Ipv6Address.Scope.HOST, Ipv6Address.LOOPBACK.scope());
        assertTrue(Ipv6Address.parse("fe80::1").needsScopeId());
        assertTrue(Ipv6Address.ALL_NODES.needsScopeId());
        assertFalse(Ipv6Address.parse("2001:db8::1").needsScopeId());
    }

    @Test
    void prefixes() {
        Ipv6Prefix p = Ipv6Prefix.parse("fd00:77::2/64");
        assertEquals(Ipv6Address.parse("fd00:77::"), p.network());
        assertTrue(p.contains(Ipv6Address.parse("fd00:77::ffff:1")));
        assertFalse(p.contains(Ipv6Address.parse("fd00:78::1")));
        // each length against an address that differs from the prefix's first at bit 'differ' (0 the top)
        Ipv6Address base = Ipv6Address.parse("2001:db8::");
        for (int len = 0; len <= 128; len++) {
            for (int differ : new int[] {0, 31, 63, 64, 100, 127}) {
                Ipv6Address other = differ < 64 ? new Ipv6Address(base.hi() ^ (1L << (63 - differ)), base.lo())
                        : new Ipv6Address(base.hi(), base.lo() ^ (1L << (127 - differ)));
                assertEquals(differ >= len, new Ipv6Prefix(base, len).contains(other), "/" + len + ", bit " + differ);
            }
            assertTrue(new Ipv6Prefix(base, len).contains(base));
        }
        assertEquals("fd00:77::2/64", p.toString());
        assertEquals(128, Ipv6Prefix.parse("::1").prefixLen());
        assertEquals(Ipv6Address.parse("2001:db8:ab00::"), Ipv6Address.parse("2001:db8:abcd::1").masked(40));
        assertEquals(Ipv6Address.parse("2001:db8::1:0:0"), Ipv6Address.parse("2001:db8::1:2:3").masked(96));
        assertEquals(Ipv6Address.UNSPECIFIED, Ipv6Address.parse("2001:db8::1").masked(0));
        assertThrows(IllegalArgumentException.class, () -> Ipv6Prefix.parse("fd00::1/129"));
        assertThrows(IllegalArgumentException.class, () -> Ipv6Prefix.parse("fd00::1/"));
        assertThrows(IllegalArgumentException.class, () -> Ipv6Prefix.parse("10.0.0.1/24"));
    }
}
