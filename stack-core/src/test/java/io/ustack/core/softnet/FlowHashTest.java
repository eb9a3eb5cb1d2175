package io.ustack.core.softnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The flow hash is the same in both directions and spreads flows over threads. */
class FlowHashTest {
    @Test
    void bothDirectionsOfAFlowHashAlike() {
        Random r = new Random(9);
        for (int i = 0; i < 10_000; i++) {
            int a = r.nextInt();
            int b = r.nextInt();
            int p = r.nextInt(65536);
            int q = r.nextInt(65536);
            assertEquals(FlowHash.ofFlow(a, b, 6, p, q), FlowHash.ofFlow(b, a, 6, q, p));
        }
    }

    @Test
    void flowsDifferingInOnePortSpreadOverThreads() {
        Set<Integer> buckets = new HashSet<>();
        for (int port = 40000; port < 40064; port++) {
            buckets.add(Math.floorMod(FlowHash.ofFlow(0x0a000001, 0x0a000002, 6, port, 80), 4));
        }
        assertEquals(4, buckets.size(), "64 connections to one server use all four threads");
        assertNotEquals(FlowHash.ofFlow(1, 2, 6, 3, 4), FlowHash.ofFlow(1, 2, 17, 3, 4));
    }
}
