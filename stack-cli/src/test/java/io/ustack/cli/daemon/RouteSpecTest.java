package io.ustack.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.route.DstEntry;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.Ipv4Prefix;
import io.ustack.core.wire.Ipv6Address;
import io.ustack.core.wire.Ipv6Prefix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RouteSpecTest {
    @Test
    void viaGateway() {
        RouteSpec r = RouteSpec.parse("10.0.0.0/8 via 10.77.0.1");
        assertEquals(Ipv4Prefix.parse("10.0.0.0/8"), r.prefix());
        assertEquals(Ipv4Address.parse("10.77.0.1"), r.gateway());
        assertNull(r.dev());
        assertEquals("10.0.0.0/8 via 10.77.0.1", r.describe());
    }

    @Test
    void outOfADevice() {
        RouteSpec r = RouteSpec.parse("  192.168.5.0/24   dev tap1 ");
        assertEquals(0, r.gateway());
        assertEquals("tap1", r.dev());
        assertEquals("192.168.5.0/24 dev tap1", r.describe());
    }

    @Test
    void defaultIsTheZeroPrefix() {
        RouteSpec r = RouteSpec.parse("default via 10.77.0.1");
        assertEquals(new Ipv4Prefix(0, 0), r.prefix());
        assertEquals("default via 10.77.0.1", r.describe());
    }

    @Test
    void gatewayAndDeviceTogether() {
        RouteSpec r = RouteSpec.parse("10.9.0.0/16 dev tap0 via 10.77.0.1");
        assertEquals("10.9.0.0/16 via 10.77.0.1 dev tap0", r.describe());
    }

    @Test
    void aBareAddressIsAHostRoute() {
        assertEquals(32, RouteSpec.parse("10.1.2.3 via 10.77.0.1").prefix().prefixLen());
    }

    @Test
    void anIpv6RouteIsToldByItsAddresses() {
        RouteSpec r = RouteSpec.parse("fd02::/64 via fe80::1 dev tapR");
        assertTrue(r.isInet6());
        assertNull(r.prefix());
        assertEquals(Ipv6Prefix.parse("fd02::/64"), r.prefix6());
        assertEquals(Ipv6Address.parse("fe80::1"), r.gateway6());
        assertEquals("tapR", r.dev());
        assertEquals("fd02::/64 via fe80::1 dev tapR", r.describe());
        assertEquals(new Ipv6Prefix(Ipv6Address.UNSPECIFIED, 0), RouteSpec.parse("default via fd02::9").prefix6(),
                "an IPv6 gateway makes default ::/0");
        assertEquals("default via fd02::9", RouteSpec.parse("default via fd02::9").describe());
        assertEquals(128, RouteSpec.parse("fd03::7 dev tapR").prefix6().prefixLen(), "a bare address is a host route");
    }

    @Test
    void anIpv6DefaultWithoutAGatewayIsWrittenAsTheZeroPrefix() {
        RouteSpec hole = RouteSpec.parse("blackhole default", true);
        assertEquals(DstEntry.Type.BLACKHOLE, hole.type());
        assertEquals("blackhole ::/0", hole.describe(), "'blackhole default' would read back as IPv4");
        assertEquals(hole, RouteSpec.parse(hole.describe()));
        assertEquals("::/0 dev tapR", RouteSpec.parse("default dev tapR", true).describe());
        assertEquals(RouteSpec.parse("unreachable fd09::/64"), RouteSpec.parse(RouteSpec.parse("unreachable fd09::/64").describe()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            fd02::/64                       | a route needs 'via GATEWAY' or 'dev NAME'; it reads PREFIX via GATEWAY, PREFIX dev NAME or default via GATEWAY
            fd02::5/64 via fe80::1 dev a    | 'fd02::5/64' has host bits set; did you mean fd02::/64?
            default via ::                  | the gateway cannot be ::
            fd02::/64 via fd01::1 table 100 | an IPv6 route goes in the main table; there are no other IPv6 tables
            fd02::/64 nexthop via fd01::1 nexthop via fd01::2 | a multipath route is IPv4 only
            blackhole fd09::/64 dev a       | a blackhole route takes no gateway or device
            """)
    void badIpv6RoutesSayWhatIsWrong(String route, String sentence) {
        assertEquals(sentence, bad(route));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            ""                              | a route needs a destination, like '10.0.0.0/8 via 10.77.0.1'
            10.0.0.0/8                      | a route needs 'via GATEWAY' or 'dev NAME'; it reads PREFIX via GATEWAY, PREFIX dev NAME or default via GATEWAY
            10.0.0.0/8 via                  | 'via' needs a gateway address
            10.0.0.0/8 dev                  | 'dev' needs an interface name
            10.0.0.0/8 gw 10.77.0.1         | 'gw' is not understood; a route reads PREFIX via GATEWAY, PREFIX dev NAME or default via GATEWAY
            10.0.0.0/8 via 10.77.0.1 via 10.77.0.3 | 'via' is given twice
            10.0.0.0/8 dev a dev b          | 'dev' is given twice
            10.1.2.3/8 via 10.77.0.1        | '10.1.2.3/8' has host bits set; did you mean 10.0.0.0/8?
            default via 0.0.0.0             | the gateway cannot be 0.0.0.0
            """)
    void badRoutesSayWhatIsWrong(String route, String sentence) {
        assertEquals(sentence, bad(route));
    }

    /** Prefixes and gateways are judged by stack-core's parsers, in their words. */
    @Test
    void badAddressesGetTheCoresSentence() {
        assertEquals(core(() -> Ipv4Prefix.parse("10.0.0.0/40")), bad("10.0.0.0/40 via 10.77.0.1"));
        assertEquals(core(() -> Ipv4Prefix.parse("deflaut")), bad("deflaut via 10.77.0.1"));
        assertEquals(core(() -> Ipv4Address.parse("10.77.0.256")), bad("default via 10.77.0.256"));
    }

    private static String core(Executable parse) {
        return assertThrows(IllegalArgumentException.class, parse).getMessage();
    }

    private static String bad(String route) {
        return assertThrows(IllegalArgumentException.class, () -> RouteSpec.parse(route)).getMessage();
    }
}
