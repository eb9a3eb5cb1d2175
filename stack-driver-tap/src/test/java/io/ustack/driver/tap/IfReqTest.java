package io.ustack.driver.tap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ustack.core.wire.Ipv4Address;
import java.nio.ByteOrder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

class IfReqTest {
    @BeforeAll
    static void littleEndian() {
        // the expected bytes below are x86_64's; the layout code itself follows the native order
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "expected bytes are little-endian");
    }

    @Test
    void isFortyBytesWithTheNameNulTerminatedInTheFirstSixteen() {
        byte[] b = IfReq.forName("tap0").bytes();
        assertEquals(40, b.length);
        byte[] expected = new byte[40];
        expected[0] = 't';
        expected[1] = 'a';
        expected[2] = 'p';
        expected[3] = '0';
        assertArrayEquals(expected, b);
    }

    @Test
    void aFifteenByteNameLeavesTheNul() {
        byte[] b = IfReq.forName("abcdefghijklmno").bytes();
        assertEquals('o', b[14]);
        assertEquals(0, b[15]);
    }

    @Test
    void flagsAreAHostOrderShortAtSixteen() {
        byte[] b = IfReq.forName("tap0").flags(Tun.IFF_TAP | Tun.IFF_NO_PI | Tun.IFF_MULTI_QUEUE).bytes();
        assertEquals(0x02, b[16]);
        assertEquals(0x11, b[17]);
        assertEquals(0, b[18]);
        assertEquals(Tun.IFF_TAP | Tun.IFF_NO_PI | Tun.IFF_MULTI_QUEUE, IfReq.forName("x").flags(0x1102).flags());
    }

    @Test
    void flagsReadBackUnsigned() {
        assertEquals(0x8001, IfReq.forName("x").flags(0x8001).flags());
    }

    @Test
    void mtuIsAHostOrderIntAtSixteen() {
        byte[] b = IfReq.forName("tap0").mtu(9000).bytes();
        assertArrayEquals(new byte[] {0x28, 0x23, 0, 0}, java.util.Arrays.copyOfRange(b, 16, 20));
        assertEquals(9000, IfReq.forName("x").mtu(9000).mtu());
    }

    @Test
    void sockaddrInHasHostOrderFamilyZeroPortAndNetworkOrderAddress() {
        byte[] b = IfReq.forName("tap0").ipv4(Ipv4Address.parse("10.77.1.2")).bytes();
        byte[] expected = {
            2, 0,            // sin_family AF_INET, host order
            0, 0,            // sin_port
            10, 77, 1, 2,    // sin_addr, network order
            0, 0, 0, 0, 0, 0, 0, 0,  // sin_zero
        };
        assertArrayEquals(expected, java.util.Arrays.copyOfRange(b, 16, 32));
        assertArrayEquals(new byte[8], java.util.Arrays.copyOfRange(b, 32, 40));
    }
}
