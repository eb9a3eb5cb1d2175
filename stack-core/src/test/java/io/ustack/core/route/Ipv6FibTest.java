package io.ustack.core.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.testing.FakeDevice;
import io.ustack.core.wire.Ipv6Address;
import io.ustack.core.wire.Ipv6Prefix;
import org.junit.jupiter.api.Test;

class Ipv6FibTest {
    private final FakeDevice lo = new FakeDevice("lo", 0);
    private final FakeDevice a = new FakeDevice("a", 0x02_00_00_00_00_0aL);
    private final FakeDevice b = new FakeDevice("b", 0x02_00_00_00_00_0bL);
    private final Ipv6Fib fib = new Ipv6Fib(lo, (type, dev) -> new DstEntry(type, dev, 0, 0, p -> { }, p -> { }));

    private static Ipv6Address ip(String s) {
        return Ipv6Address.parse(s);
    }

    private void setUp() {
        fib.addAddress(a, new Ipv6Prefix(Ipv6Address.linkLocalFromMac(a.mac()), 64));
        fib.addAddress(b, new Ipv6Prefix(Ipv6Address.linkLocalFromMac(b.mac()), 64));
        fib.addAddress(a, Ipv6Prefix.parse("fd00:a::1/64"));
        fib.addAddress(b, Ipv6Prefix.parse("fd00:b::1/64"));
        fib.addAddress(b, Ipv6Prefix.parse("fd00::1/16"));
    }

    @Test
    void longestPrefixWins() {
        setUp();
        assertSame(b, fib.lookup(ip("fd00:b::9"), null).dev());
        assertEquals(64, fib.lookup(ip("fd00:a::9"), null).prefix().prefixLen());
        assertEquals(16, fib.lookup(ip("fd00:c::9"), null).prefix().prefixLen());
        assertNull(fib.lookup(ip("2001:db8::1"), null));
        assertEquals(16, fib.lookup(ip("fd00:a::9"), b).prefix().prefixLen(), "restricted to b, the /16 is all that covers it");
        assertEquals(5, fib.routes().size(), "fe80::/64 on each, fd00:a::/64, fd00:b::/64, fd00::/16");
    }

    @Test
    void linkLocalAddressesBelongToTheirLink() {
        setUp();
        Ipv6Address llA = Ipv6Address.linkLocalFromMac(a.mac());
        assertTrue(fib.isLocal(llA, a));
        assertFalse(fib.isLocal(llA, b));
        assertEquals(DstEntry.Type.LOCAL, fib.inputRoute(llA, a).type());
        assertEquals(DstEntry.Type.UNICAST, fib.inputRoute(llA, b).type(), "on b it is someone else's");
        assertNull(fib.outputRoute(ip("fe80::99"), null), "a link-local destination needs its interface");
        assertSame(b, fib.outputRoute(ip("fe80::99"), b).dev());
    }

    @Test
    void sourceSelection() {
        setUp();
        assertEquals(Ipv6Address.linkLocalFromMac(a.mac()), fib.chooseSource(ip("fe80::99"), a), "link-local for link-local");
        assertEquals(ip("fd00:a::1"), fib.chooseSource(ip("fd00:a::99"), a));
        assertEquals(ip("fd00:b::1"), fib.chooseSource(ip("fd00:b::99"), b), "the longest prefix in common");
        assertEquals(ip("fd00::1"), fib.chooseSource(ip("fd00:7::99"), b));
        assertEquals(ip("fd00:a::1"), fib.chooseSource(ip("2001:db8::1"), a), "the outgoing interface's own");
        assertEquals(ip("fd00:a::1"), fib.chooseSource(ip("fd00:a::1"), null), "our own address is its own source");
    }

    @Test
    void groupsFollowTheAddresses() {
        setUp();
        assertTrue(fib.isMember(a, Ipv6Address.ALL_NODES));
        assertTrue(fib.isMember(a, ip("fd00:a::1").solicitedNode()));
        assertFalse(fib.isMember(b, Ipv6Address.linkLocalFromMac(a.mac()).solicitedNode()), "a group joined on a only");
        fib.addAddress(a, Ipv6Prefix.parse("fd00:a::2:1/64")); // another solicited-node group: ff02::1:ff02:1
        fib.removeAddress(a, Ipv6Prefix.parse("fd00:a::1/64"));
        assertFalse(fib.isMember(a, ip("fd00:a::1").solicitedNode()));
        assertTrue(fib.isMember(a, ip("fd00:a::2:1").solicitedNode()));
        assertSame(a, fib.lookup(ip("fd00:a::5"), null).dev(), "the route stays while an address is on the prefix");
        fib.removeAddress(a, Ipv6Prefix.parse("fd00:a::2:1/64"));
        assertEquals(16, fib.lookup(ip("fd00:a::5"), null).prefix().prefixLen());
    }

    @Test
    void duplicatesAreRefused() {
        setUp();
        assertThrows(IllegalArgumentException.class, () -> fib.addAddress(a, Ipv6Prefix.parse("fd00:b::1/64")));
        assertThrows(IllegalArgumentException.class, () -> fib.addAddress(a, Ipv6Prefix.parse("ff02::1/64")));
        // the same link-local address on another link is another address
        fib.addAddress(b, new Ipv6Prefix(Ipv6Address.linkLocalFromMac(a.mac()), 64));
    }
}
