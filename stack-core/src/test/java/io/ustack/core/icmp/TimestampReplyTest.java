package io.ustack.core.icmp;

import static io.ustack.core.testing.Frames.checksum;
import static io.ustack.core.testing.Frames.eth;
import static io.ustack.core.testing.Frames.i32;
import static io.ustack.core.testing.Frames.icmpEcho;
import static io.ustack.core.testing.Frames.ip;
import static io.ustack.core.testing.Frames.ipv4;
import static io.ustack.core.testing.Frames.u16;
import static io.ustack.core.testing.Frames.u8;
import static io.ustack.core.testing.StackHarness.HOST_IP;
import static io.ustack.core.testing.StackHarness.HOST_MAC;
import static io.ustack.core.testing.StackHarness.STACK_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.testing.StackHarness;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** ICMP timestamp requests (type 13), answered as Linux's icmp_timestamp answers them. */
class TimestampReplyTest {
    private static final int ORIGINATE = 0x0102_0304;
    private final StackHarness h = new StackHarness();

    @AfterEach
    void leakCheck() {
        h.close();
    }

    /** A timestamp request's body: the originate time, then {@code extra} zero bytes. */
    private static byte[] times(int extra) {
        return ByteBuffer.allocate(4 + extra).putInt(ORIGINATE).array();
    }

    @Test
    void theReplyCarriesTheOriginateTimeAndNowSinceMidnight() {
        h.hostArps();
        // the test clock reads as time since the epoch: a day, 3 h 25 min 45.678 s after it
        long sinceMidnight = ((3 * 60 + 25) * 60 + 45) * 1000L + 678;
        h.clock.advanceMillis(86_400_000L + sinceMidnight - h.clock.wallMillis());
        h.injectIp(ipv4(HOST_IP, STACK_IP, 1, 64, 9, 0, icmpEcho(13, 0x4321, 7, times(8))));
        List<byte[]> out = h.sent();
        assertEquals(1, out.size());
        byte[] f = out.get(0);
        assertEquals(20 + 20, u16(f, 16), "the header and three times, nothing more");
        assertEquals(STACK_IP, i32(f, 26));
        assertEquals(HOST_IP, i32(f, 30));
        assertEquals(14, u8(f, 34), "timestamp reply");
        assertEquals(0, u8(f, 35));
        assertEquals(0, checksum(f, 34, 20), "ICMP checksum");
        assertEquals(0x4321, u16(f, 38));
        assertEquals(7, u16(f, 40));
        assertEquals(ORIGINATE, i32(f, 42));
        assertEquals(sinceMidnight, i32(f, 46), "receive time");
        assertEquals(sinceMidnight, i32(f, 50), "transmit time");
        assertEquals(1, h.counter("IcmpInTimestamps"));
        assertEquals(1, h.counter("IcmpOutTimestampReps"));
        assertEquals(1, h.counter("IcmpMsgInType13"));
        assertEquals(1, h.counter("IcmpMsgOutType14"));
    }

    @Test
    void theOriginateTimeIsAllARequestNeeds() {
        h.hostArps();
        h.injectIp(ipv4(HOST_IP, STACK_IP, 1, 64, 9, 0, icmpEcho(13, 1, 1, times(0))));
        List<byte[]> out = h.sent();
        assertEquals(1, out.size());
        assertEquals(20 + 20, u16(out.get(0), 16), "the reply is whole even when the request is not");
        assertEquals(ORIGINATE, i32(out.get(0), 42));
    }

    @Test
    void aRequestWithoutAnOriginateTimeIsCountedAndDropped() {
        h.hostArps();
        h.injectIp(ipv4(HOST_IP, STACK_IP, 1, 64, 9, 0, icmpEcho(13, 1, 1, new byte[3])));
        assertTrue(h.sent().isEmpty());
        assertEquals(1, h.counter("IcmpInErrors"));
        assertEquals(1, h.counter("DropReasonPKT_TOO_SMALL"));
        assertEquals(0, h.counter("IcmpOutTimestampReps"));
    }

    @Test
    void aBroadcastRequestIsIgnored() {
        h.hostArps();
        h.dev.inject(eth(-1L >>> 16, HOST_MAC, 0x0800, ipv4(HOST_IP, ip("10.0.0.255"), 1, 64, 1, 0, icmpEcho(13, 1, 1, times(8)))));
        assertTrue(h.sent().isEmpty());
        assertEquals(1, h.counter("IcmpInTimestamps"));
        assertEquals(1, h.counter("DropReasonICMP_IGNORED"));
    }
}
