package io.ustack.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.Ipv4Prefix;
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
