package io.ustack.driver.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.wire.Ipv4Prefix;
import io.ustack.core.wire.MacAddress;
import org.junit.jupiter.api.Test;

class TapConfigTest {
    @Test
    void defaults() {
        TapConfig c = TapConfig.of("tap0");
        assertEquals("tap0", c.name());
        assertEquals(1500, c.mtu());
        assertEquals(1, c.queues());
        assertNull(c.host());
        assertNotEquals(0, c.mac());
        assertFalse(MacAddress.isMulticast(c.mac()));
        assertTrue((c.mac() & 0x0200_0000_0000L) != 0, "locally administered");
    }

    @Test
    void withersKeepTheRest() {
        TapConfig c = TapConfig.of("tap0").withMac(0x02_00_00_00_00_01L).withMtu(9000).withQueues(4)
                .withHost(Ipv4Prefix.parse("10.77.0.1/24"));
        assertEquals(new TapConfig("tap0", 0x02_00_00_00_00_01L, 9000, 4, Ipv4Prefix.parse("10.77.0.1/24"), true), c);
        TapConfig random = TapConfig.of("tap0");
        assertEquals(random.mac(), random.withMtu(1400).mac(), "a random MAC is drawn once");
    }

    @Test
    void rejectsBadNames() {
        assertEquals("a TAP needs a name (like tap0)", message(() -> TapConfig.of("")));
        assertEquals("'abcdefghijklmnop' is not a valid interface name: it is longer than 15 bytes",
                message(() -> TapConfig.of("abcdefghijklmnop")));
        assertEquals("'tap%d' is not a valid interface name: it may not contain '%'", message(() -> TapConfig.of("tap%d")));
        assertEquals("'a/b' is not a valid interface name: it may not contain '/'", message(() -> TapConfig.of("a/b")));
        assertEquals("'a b' is not a valid interface name: it may not contain spaces or control characters",
                message(() -> TapConfig.of("a b")));
        assertEquals("'..' is not a valid interface name", message(() -> TapConfig.of("..")));
        TapConfig.of("abcdefghijklmno");
    }

    @Test
    void rejectsBadNumbers() {
        assertEquals("MTU 67 for tap0 is outside 68..65535", message(() -> TapConfig.of("tap0").withMtu(67)));
        assertEquals("MTU 65536 for tap0 is outside 68..65535", message(() -> TapConfig.of("tap0").withMtu(65536)));
        assertEquals("257 queues for tap0 is outside 1..256", message(() -> TapConfig.of("tap0").withQueues(257)));
        assertEquals("-1 queues for tap0 is outside 1..256", message(() -> TapConfig.of("tap0").withQueues(-1)));
    }

    @Test
    void rejectsBadMacs() {
        assertEquals("the MAC of tap0 must be a 48-bit unicast address, not 01:00:5e:00:00:01",
                message(() -> TapConfig.of("tap0").withMac(0x01_00_5e_00_00_01L)));
        assertEquals("the MAC of tap0 must be a 48-bit unicast address, not 1000000000000",
                message(() -> TapConfig.of("tap0").withMac(1L << 48)));
    }

    @Test
    void rejectsZeroHostAddresses() {
        assertEquals("host address 0.0.0.0/24 for tap0 needs a non-zero address and prefix length, like 10.77.0.1/24",
                message(() -> TapConfig.of("tap0").withHost(Ipv4Prefix.parse("0.0.0.0/24"))));
        assertEquals("host address 10.0.0.1/0 for tap0 needs a non-zero address and prefix length, like 10.77.0.1/24",
                message(() -> TapConfig.of("tap0").withHost(Ipv4Prefix.parse("10.0.0.1/0"))));
    }

    private static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }
}
