package io.ustack.core.netfilter.rules;

import static io.ustack.core.testing.Frames.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The packed protocol and address match: which rule a walk stops at, inversions included. */
class RuleSetTest {
    private static final int ICMP = 1;
    private static final int UDP = 17;

    private static RuleSet of(String... rules) {
        return new RuleSet(Arrays.stream(rules)
                .map(r -> RuleParser.parse(Chain.FORWARD, Arrays.asList(r.split(" "))))
                .toArray(Rule[]::new));
    }

    @Test
    void anEmptySetMatchesNothing() {
        assertEquals(-1, RuleSet.EMPTY.next(0, UDP, ip("10.0.0.1"), ip("10.0.1.2")));
    }

    @Test
    void theWalkStopsAtEachRuleWhoseProtocolAndAddressesMatch() {
        RuleSet s = of("-p udp -s 198.51.100.1 -j DROP", "-s 10.0.0.0/24 -j ACCEPT", "-p icmp -j DROP",
                "-d 10.0.1.2 -p udp --dport 53 -j DROP");
        int src = ip("10.0.0.1");
        int dst = ip("10.0.1.2");
        assertEquals(1, s.next(0, UDP, src, dst), "rule 0's source differs");
        assertEquals(3, s.next(2, UDP, src, dst), "rule 2 wants ICMP; ports are the caller's to check");
        assertEquals(-1, s.next(4, UDP, src, dst));
        assertEquals(2, s.next(2, ICMP, src, dst));
        assertEquals(0, s.next(0, UDP, ip("198.51.100.1"), dst));
    }

    @Test
    void inversionsTurnEachMatchAround() {
        RuleSet s = of("! -p udp -j DROP", "! -s 10.0.0.0/24 -j DROP", "! -d 10.0.1.2 -j DROP", "-j ACCEPT");
        int src = ip("10.0.0.1");
        int dst = ip("10.0.1.2");
        assertEquals(3, s.next(0, UDP, src, dst), "none of the negations holds for this packet");
        assertEquals(0, s.next(0, ICMP, src, dst));
        assertEquals(1, s.next(1, ICMP, ip("10.9.0.1"), dst));
        assertEquals(2, s.next(1, UDP, src, ip("10.0.1.3")));
    }
}
