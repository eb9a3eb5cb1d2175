package io.ustack.core.icmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.stats.Mib;
import io.ustack.core.stats.MibCounters;
import io.ustack.core.time.ManualClock;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.IcmpPacket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class IcmpRateLimiterTest {
    private static final int D = Ipv4Address.parse("10.77.0.1");
    private static final int E = Ipv4Address.parse("10.77.0.9");

    private final ManualClock clock = new ManualClock();
    private final MibCounters mib = new MibCounters();
    private final IcmpRateLimiter limiter = new IcmpRateLimiter(clock, mib);

    private boolean portUnreach(int daddr) {
        return limiter.allow(IcmpPacket.DEST_UNREACH, IcmpPacket.PORT_UNREACH, daddr, false);
    }

    /** n errors to n different destinations, none of them D or E. */
    private int spread(int n, int base) {
        int allowed = 0;
        for (int i = 0; i < n; i++) {
            if (portUnreach(Ipv4Address.parse("192.168.0.0") + base + i)) {
                allowed++;
            }
        }
        return allowed;
    }

    @Test
    void perDestinationBurstOfSixThenOnePerSecond() {
        for (int i = 0; i < 6; i++) {
            assertTrue(portUnreach(D), "burst message " + i);
        }
        assertFalse(portUnreach(D));
        assertEquals(1, mib.get(Mib.IcmpOutRateLimitHost));
        assertEquals(0, mib.get(Mib.IcmpOutRateLimitGlobal));

        clock.advanceMillis(999);
        assertFalse(portUnreach(D));
        clock.advanceMillis(1);
        assertTrue(portUnreach(D), "one second after the burst");
        assertFalse(portUnreach(D));
        clock.advance(1, TimeUnit.SECONDS);
        assertTrue(portUnreach(D));
        assertFalse(portUnreach(D));
        assertEquals(4, mib.get(Mib.IcmpOutRateLimitHost));

        // another destination has its own budget
        for (int i = 0; i < 6; i++) {
            assertTrue(portUnreach(E), "E message " + i);
        }
        assertFalse(portUnreach(E));
        assertEquals(5, mib.get(Mib.IcmpOutRateLimitHost));
    }

    @Test
    void perDestinationBurstRefillsToSixAndNoMore() {
        for (int i = 0; i < 6; i++) {
            assertTrue(portUnreach(D));
        }
        clock.advance(1, TimeUnit.HOURS);
        for (int i = 0; i < 6; i++) {
            assertTrue(portUnreach(D), "refilled burst message " + i);
        }
        assertFalse(portUnreach(D));
        clock.advance(3, TimeUnit.SECONDS);
        for (int i = 0; i < 3; i++) {
            assertTrue(portUnreach(D));
        }
        assertFalse(portUnreach(D));
    }

    @Test
    void theLimitedTypesShareOneBudgetPerDestination() {
        assertTrue(limiter.allow(IcmpPacket.DEST_UNREACH, IcmpPacket.HOST_UNREACH, D, false));
        assertTrue(limiter.allow(IcmpPacket.TIME_EXCEEDED, IcmpPacket.EXC_TTL, D, false));
        assertTrue(limiter.allow(IcmpPacket.TIME_EXCEEDED, IcmpPacket.EXC_FRAGTIME, D, false));
        assertTrue(limiter.allow(IcmpPacket.PARAMETERPROB, 0, D, false));
        assertTrue(limiter.allow(IcmpPacket.SOURCE_QUENCH, 0, D, false));
        assertTrue(limiter.allow(IcmpPacket.DEST_UNREACH, IcmpPacket.PROT_UNREACH, D, false));
        assertFalse(limiter.allow(IcmpPacket.TIME_EXCEEDED, IcmpPacket.EXC_TTL, D, false));
        assertFalse(limiter.allow(IcmpPacket.PARAMETERPROB, 0, D, false));
        assertEquals(2, mib.get(Mib.IcmpOutRateLimitHost));
    }

    @Test
    void globalBurstOfFiftyThenAThousandPerSecond() {
        assertEquals(50, spread(50, 0));
        assertFalse(portUnreach(D), "the 51st, to a fresh destination");
        assertEquals(1, mib.get(Mib.IcmpOutRateLimitGlobal));
        assertEquals(0, mib.get(Mib.IcmpOutRateLimitHost));

        clock.advanceMillis(1);
        assertEquals(1, spread(2, 100), "one token a millisecond");
        assertEquals(2, mib.get(Mib.IcmpOutRateLimitGlobal));

        clock.advance(500, TimeUnit.MICROSECONDS);
        assertEquals(0, spread(1, 200), "half a millisecond earns nothing yet");
        clock.advance(500, TimeUnit.MICROSECONDS);
        assertEquals(1, spread(2, 300), "but the half is not lost");

        clock.advanceMillis(10);
        assertEquals(10, spread(11, 400));
        assertEquals(5, mib.get(Mib.IcmpOutRateLimitGlobal));

        clock.advance(1, TimeUnit.HOURS);
        assertEquals(50, spread(51, 500), "the bucket holds at most the burst");
        assertEquals(6, mib.get(Mib.IcmpOutRateLimitGlobal));

        // over one second at the full rate: about a thousand
        int sent = 0;
        for (int ms = 0; ms < 1000; ms++) {
            clock.advanceMillis(1);
            sent += spread(3, 1000 + 3 * ms);
        }
        assertEquals(1000, sent);
    }

    @Test
    void fragNeededAndEchoRepliesAreNeverLimited() {
        for (int i = 0; i < 6; i++) {
            assertTrue(portUnreach(D));
        }
        spread(60, 0); // and the global bucket is empty too
        assertFalse(portUnreach(D));
        long host = mib.get(Mib.IcmpOutRateLimitHost);
        long global = mib.get(Mib.IcmpOutRateLimitGlobal);
        for (int i = 0; i < 1000; i++) {
            assertTrue(limiter.allow(IcmpPacket.DEST_UNREACH, IcmpPacket.FRAG_NEEDED, D, false), "PMTU discovery");
            assertTrue(limiter.allow(IcmpPacket.ECHOREPLY, 0, D, false));
            assertTrue(limiter.allow(IcmpPacket.REDIRECT, 1, D, false));
            assertTrue(limiter.allow(IcmpPacket.TIMESTAMPREPLY, 0, D, false));
            assertTrue(limiter.allow(40, 0, D, false), "a type beyond the mask");
            assertTrue(limiter.allow(255, 0, D, false));
        }
        assertEquals(host, mib.get(Mib.IcmpOutRateLimitHost));
        assertEquals(global, mib.get(Mib.IcmpOutRateLimitGlobal));
    }

    @Test
    void unlimitedTypesDoNotSpendGlobalTokens() {
        for (int i = 0; i < 1000; i++) {
            assertTrue(limiter.allow(IcmpPacket.DEST_UNREACH, IcmpPacket.FRAG_NEEDED, D, false));
            assertTrue(limiter.allow(IcmpPacket.ECHOREPLY, 0, E, false));
        }
        assertEquals(50, spread(50, 0));
    }

    @Test
    void loopbackIsLimitedOnlyGlobally() {
        for (int i = 0; i < 50; i++) {
            assertTrue(limiter.allow(IcmpPacket.DEST_UNREACH, IcmpPacket.PORT_UNREACH, Ipv4Address.parse("127.0.0.1"),
                    true), "loopback message " + i);
        }
        assertFalse(limiter.allow(IcmpPacket.DEST_UNREACH, IcmpPacket.PORT_UNREACH, Ipv4Address.parse("127.0.0.1"),
                true));
        assertEquals(0, mib.get(Mib.IcmpOutRateLimitHost));
        assertEquals(1, mib.get(Mib.IcmpOutRateLimitGlobal));
    }

    @Test
    void lowGlobalRateRefillsAcrossFrequentCalls() {
        // icmp_msgs_per_sec 100, burst 1: one message every 10 ms, however often errors are attempted.
        IcmpRateLimiter slow = new IcmpRateLimiter(clock, mib, 1000, 100, 1);
        int allowed = 0;
        for (int step = 0; step < 200; step++) { // one second in 5 ms steps
            if (slow.allow(IcmpPacket.DEST_UNREACH, IcmpPacket.PORT_UNREACH, Ipv4Address.parse("192.168.0.0") + step,
                    false)) {
                allowed++;
            }
            clock.advanceMillis(5);
        }
        assertEquals(100, allowed, "1 from the burst, then one per 10 ms over 995 ms");
    }

    @Test
    void rateThatIsNotAWholeNumberOfMillisecondsKeepsItsFractions() {
        // 300 msgs/s is one every 3.33 ms: tried every millisecond for ten seconds, the burst of 50 and about
        // 3000 more get through.
        IcmpRateLimiter odd = new IcmpRateLimiter(clock, mib, 1000, 300, 50);
        int allowed = 0;
        for (int step = 0; step < 10_000; step++) {
            if (odd.allow(IcmpPacket.DEST_UNREACH, IcmpPacket.PORT_UNREACH, Ipv4Address.parse("172.16.0.0") + step,
                    false)) {
                allowed++;
            }
            clock.advanceMillis(1);
        }
        assertTrue(allowed >= 3049 && allowed <= 3051, "allowed " + allowed);
    }

    @Test
    void customPerDestinationInterval() {
        IcmpRateLimiter fast = new IcmpRateLimiter(clock, mib, 100, 1000, 50);
        for (int i = 0; i < 6; i++) {
            assertTrue(fast.allow(IcmpPacket.TIME_EXCEEDED, 0, D, false));
        }
        assertFalse(fast.allow(IcmpPacket.TIME_EXCEEDED, 0, D, false));
        clock.advanceMillis(100);
        assertTrue(fast.allow(IcmpPacket.TIME_EXCEEDED, 0, D, false));
        assertFalse(fast.allow(IcmpPacket.TIME_EXCEEDED, 0, D, false));
    }

    @Test
    void icmpv6ErrorsShareTheGlobalBucketAndKeepTheirOwnPeers() {
        io.ustack.core.wire.Ipv6Address a = io.ustack.core.wire.Ipv6Address.parse("fd00:77::1");
        for (int i = 0; i < 6; i++) {
            assertTrue(limiter.allow6(4, a, 128, false), "burst message " + i);
        }
        assertFalse(limiter.allow6(1, a, 128, false));
        assertEquals(1, mib.get(Mib.Icmp6OutRateLimitHost));
        assertEquals(0, mib.get(Mib.IcmpOutRateLimitHost), "IPv4's counter is IPv4's");
        assertTrue(limiter.allow6(2, a, 128, false), "Packet Too Big is never limited (icmpv6_ratemask)");
        assertTrue(limiter.allow6(129, a, 128, false), "nor an informational message");
        assertTrue(limiter.allow6(1, a, 128, true), "nor anything about a packet from the loopback");
        clock.advanceMillis(999);
        assertFalse(limiter.allow6(1, a, 128, false));
        clock.advanceMillis(1);
        assertTrue(limiter.allow6(1, a, 128, false), "one second for a /128 route");
        // the second refilled the shared bucket of 50 and a took one: 49 more elsewhere empty it for IPv4 too
        for (int i = 0; i < 49; i++) {
            limiter.allow6(1, io.ustack.core.wire.Ipv6Address.parse("2001:db8::" + Integer.toHexString(i + 1)), 64, false);
        }
        assertFalse(portUnreach(D), "the global bucket is both families'");
        assertEquals(1, mib.get(Mib.IcmpOutRateLimitGlobal));
    }
}
