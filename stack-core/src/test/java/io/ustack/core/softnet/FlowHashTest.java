package io.ustack.core.softnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.testing.Frames;
import io.ustack.core.wire.EthernetFrame;
import io.ustack.core.wire.Ipv6Address;
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

    /**
     * An IPv6 flow hashes on its whole addresses and its ports, the same both ways and as the TCP and GRO code
     * compute it; fragments and ICMPv6 on their addresses and next header only. Before, every IPv6 packet
     * hashed alike and went to one backlog thread.
     */
    @Test
    void ipv6FlowsHashOnTheirAddressesAndPorts() {
        byte[] a = Frames.ip6("fd00:77::1");
        byte[] b = Frames.ip6("fd00:77::2");
        Set<Integer> buckets = new HashSet<>();
        for (int port = 40000; port < 40064; port++) {
            PacketBuffer p = ipv6Packet(Frames.ipv6(a, b, 6, 64, Frames.tcp6(a, b, port, 80, 1, 0, 0x02, new byte[0])));
            int h = FlowHash.compute(p);
            assertEquals(FlowHash.ofFlow6(Ipv6Address.fromBytes(b, 0), Ipv6Address.fromBytes(a, 0), 6, 80, port), h,
                    "the hash of the other direction");
            buckets.add(Math.floorMod(h, 4));
            p.release();
        }
        assertEquals(4, buckets.size(), "64 connections over IPv6 use all four threads");
        PacketBuffer first = ipv6Packet(Frames.ipv6(a, b, 44, 64, Frames.concat(Frames.fragHeader(17, 0, true, 7),
                new byte[16])));
        PacketBuffer later = ipv6Packet(Frames.ipv6(a, b, 44, 64, Frames.concat(Frames.fragHeader(17, 16, false, 7),
                new byte[8])));
        assertEquals(FlowHash.compute(first), FlowHash.compute(later), "a datagram's fragments meet on one thread");
        first.release();
        later.release();
    }

    private final BufferPool pool = new BufferPool();

    private PacketBuffer ipv6Packet(byte[] packet) {
        PacketBuffer p = pool.allocate(packet.length + 64);
        p.copyIn(p.put(packet.length), packet, 0, packet.length);
        p.setProtocol(EthernetFrame.ETH_P_IPV6);
        return p;
    }
}
