package io.ustack.core.wire;

import static io.ustack.core.wire.EthernetFrameTest.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.testing.PooledBufferTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** NS, NA, RS and RA and their link-layer address options, both ways; checksums from an independent implementation. */
class NdMessageTest extends PooledBufferTest {
    static final Ipv6Address HOST = Ipv6Address.parse("fd00:77::1");
    static final Ipv6Address STACK = Ipv6Address.parse("fd00:77::2");
    static final long HOST_MAC = 0x02_00_00_00_00_01L;
    static final long STACK_MAC = 0x02_00_00_00_00_02L;
    /** NS from fd00:77::1 to ff02::1:ff00:2 for fd00:77::2, source link-layer address 02:00:00:00:00:01. */
    static final String NS = "8700 7ca9 0000 0000 fd00 0077 0000 0000 0000 0000 0000 0002 0101 0200 0000 0001";
    /** Its answer from fd00:77::2: S and O set, target link-layer address 02:00:00:00:00:02. */
    static final String NA = "8800 1b35 6000 0000 fd00 0077 0000 0000 0000 0000 0000 0002 0201 0200 0000 0002";
    /** RS from fe80::ff:fe00:1 to ff02::2 with its source link-layer address. */
    static final String RS = "8500 7b2c 0000 0000 0101 0200 0000 0001";
    /** RA from fe80::ff:fe00:2 to ff02::1: hop limit 64, M and O, lifetime 1800 s, reachable 30000 ms, retrans 1000 ms. */
    static final String RA = "8600 b942 40c0 0708 0000 7530 0000 03e8 0101 0200 0000 0002";
    /**
     * RA as ustack's router sends it (radvd's defaults): hop limit 64, no flags, lifetime 1800 s, reachable and
     * retrans unspecified, source link-layer address, MTU 1500, fd00:77::/64 on-link and autonomous, valid
     * 2592000 s and preferred 604800 s.
     */
    static final String ROUTER_RA = "8600 1f29 4000 0708 0000 0000 0000 0000 0101 0200 0000 0002 0501 0000 0000 05dc "
            + "0304 40c0 0027 8d00 0009 3a80 0000 0000 fd00 0077 0000 0000 0000 0000 0000 0000";
    /** RS from :: to ff02::2: no options (a host without an address may not give its link-layer address). */
    static final String RS_UNSPECIFIED = "8500 7bb8 0000 0000";

    /**
     * Finishes the message {@code built} into {@code out} with its checksum from {@code src} to {@code dst},
     * checks it is the hex {@code expected}, and releases {@code out}.
     */
    private static void assertBuilt(PacketBuffer out, NdMessage built, Ipv6Address src, Ipv6Address dst, String expected) {
        Icmpv6Packet.wrap(out, built.offset()).updateChecksum(src, dst, built.length());
        assertArrayEquals(hex(expected), out.toByteArray());
        out.release();
    }

    @Test
    void neighbourSolicitationBothWays() {
        PacketBuffer b = buffer(hex(NS));
        NdMessage m = NdMessage.wrap(b, 0, 32);
        assertNotNull(m);
        assertEquals(Icmpv6Packet.ND_NEIGHBOUR_SOLICIT, m.type());
        assertEquals(0, m.code());
        assertEquals(STACK, m.target());
        assertEquals(24, m.optionsOffset());
        assertEquals(8, m.optionsLength());
        NdOptions o = m.options();
        assertEquals(24, o.sourceLinkLayer());
        assertEquals(-1, o.targetLinkLayer());
        assertEquals(HOST_MAC, NdOptions.linkLayerAddress(b, o.sourceLinkLayer()));
        assertTrue(Icmpv6Packet.wrap(b, 0).checksumOk(HOST, STACK.solicitedNode(), 32));
        b.release();

        PacketBuffer out = pool.allocate(64);
        NdMessage built = NdMessage.appendNs(out, STACK, HOST_MAC);
        assertBuilt(out, built, HOST, STACK.solicitedNode(), NS);
    }

    @Test
    void neighbourAdvertisementBothWays() {
        PacketBuffer b = buffer(hex(NA));
        NdMessage m = NdMessage.wrap(b, 0, 32);
        assertEquals(Icmpv6Packet.ND_NEIGHBOUR_ADVERT, m.type());
        assertFalse(m.router());
        assertTrue(m.solicited());
        assertTrue(m.override());
        assertEquals(NdMessage.NA_SOLICITED | NdMessage.NA_OVERRIDE, m.naFlags());
        assertEquals(STACK, m.target());
        NdOptions o = m.options();
        assertEquals(-1, o.sourceLinkLayer());
        assertEquals(STACK_MAC, NdOptions.linkLayerAddress(b, o.targetLinkLayer()));
        assertTrue(Icmpv6Packet.wrap(b, 0).checksumOk(STACK, HOST, 32));
        b.release();

        PacketBuffer out = pool.allocate(64);
        NdMessage built = NdMessage.appendNa(out, NdMessage.NA_SOLICITED | NdMessage.NA_OVERRIDE, STACK, STACK_MAC);
        assertBuilt(out, built, STACK, HOST, NA);
    }

    @Test
    void routerSolicitationAndAdvertisementBothWays() {
        Ipv6Address hostLl = Ipv6Address.parse("fe80::ff:fe00:1");
        Ipv6Address stackLl = Ipv6Address.parse("fe80::ff:fe00:2");
        PacketBuffer b = buffer(hex(RS));
        NdMessage rs = NdMessage.wrap(b, 0, 16);
        assertEquals(Icmpv6Packet.ND_ROUTER_SOLICIT, rs.type());
        assertEquals(HOST_MAC, NdOptions.linkLayerAddress(b, rs.options().sourceLinkLayer()));
        assertTrue(Icmpv6Packet.wrap(b, 0).checksumOk(hostLl, Ipv6Address.ALL_ROUTERS, 16));
        b.release();
        PacketBuffer out = pool.allocate(64);
        NdMessage built = NdMessage.appendRs(out, HOST_MAC);
        assertBuilt(out, built, hostLl, Ipv6Address.ALL_ROUTERS, RS);

        b = buffer(hex(RA));
        NdMessage ra = NdMessage.wrap(b, 0, 24);
        assertEquals(Icmpv6Packet.ND_ROUTER_ADVERT, ra.type());
        assertEquals(64, ra.curHopLimit());
        assertEquals(NdMessage.RA_MANAGED | NdMessage.RA_OTHER, ra.raFlags());
        assertEquals(1800, ra.routerLifetime());
        assertEquals(30000, ra.reachableTime());
        assertEquals(1000, ra.retransTimer());
        assertEquals(16, ra.optionsOffset());
        assertEquals(STACK_MAC, NdOptions.linkLayerAddress(b, ra.options().sourceLinkLayer()));
        assertTrue(Icmpv6Packet.wrap(b, 0).checksumOk(stackLl, Ipv6Address.ALL_NODES, 24));
        b.release();
        out = pool.allocate(64);
        built = NdMessage.appendRa(out, 64, NdMessage.RA_MANAGED | NdMessage.RA_OTHER, 1800, 30000, 1000, STACK_MAC, 0,
                List.of());
        assertBuilt(out, built, stackLl, Ipv6Address.ALL_NODES, RA);
    }

    @Test
    void routerAdvertisementWithEveryOptionBothWays() {
        Ipv6Address stackLl = Ipv6Address.parse("fe80::ff:fe00:2");
        PacketBuffer b = buffer(hex(ROUTER_RA));
        NdMessage ra = NdMessage.wrap(b, 0, 64);
        assertEquals(64, ra.curHopLimit());
        assertEquals(0, ra.raFlags());
        assertEquals(1800, ra.routerLifetime());
        assertEquals(0, ra.reachableTime());
        assertEquals(0, ra.retransTimer());
        NdOptions o = ra.options();
        assertEquals(new NdOptions(16, -1, 32, 24, -1), o);
        assertEquals(STACK_MAC, NdOptions.linkLayerAddress(b, o.sourceLinkLayer()));
        assertEquals(1500, NdOptions.mtu(b, o.mtu()));
        NdOptions.PrefixInfo pi = new NdOptions.PrefixInfo(Ipv6Prefix.parse("fd00:77::/64"),
                NdOptions.PREFIX_ONLINK | NdOptions.PREFIX_AUTOCONF, 2_592_000, 604_800);
        assertEquals(pi, NdOptions.PrefixInfo.read(b, o.prefixInfo()));
        assertTrue(Icmpv6Packet.wrap(b, 0).checksumOk(stackLl, Ipv6Address.ALL_NODES, 64));
        b.release();

        PacketBuffer out = pool.allocate(128);
        // the prefix as an interface has it: the address's host bits are not sent
        NdOptions.PrefixInfo fromAddress = new NdOptions.PrefixInfo(Ipv6Prefix.parse("fd00:77::2/64"), pi.flags(),
                pi.validLifetime(), pi.preferredLifetime());
        NdMessage built = NdMessage.appendRa(out, 64, 0, 1800, 0, 0, STACK_MAC, 1500, List.of(fromAddress));
        assertEquals(64, built.length());
        assertBuilt(out, built, stackLl, Ipv6Address.ALL_NODES, ROUTER_RA);
    }

    @Test
    void routerSolicitationWithoutOptions() {
        PacketBuffer b = buffer(hex(RS_UNSPECIFIED));
        NdMessage rs = NdMessage.wrap(b, 0, 8);
        assertEquals(0, rs.optionsLength());
        assertEquals(new NdOptions(-1, -1, -1, -1, -1), rs.options());
        assertTrue(Icmpv6Packet.wrap(b, 0).checksumOk(Ipv6Address.UNSPECIFIED, Ipv6Address.ALL_ROUTERS, 8));
        assertNull(NdMessage.wrap(b, 0, 7), "shorter than an RS");
        b.release();
        PacketBuffer out = pool.allocate(16);
        NdMessage built = NdMessage.appendRs(out, -1);
        assertBuilt(out, built, Ipv6Address.UNSPECIFIED, Ipv6Address.ALL_ROUTERS, RS_UNSPECIFIED);
    }

    @Test
    void prefixAndMtuOptionsOfTheWrongLengthAreNotRead() {
        PacketBuffer b = buffer(hex("0502 0000 0000 05dc 0000 0000 0000 0000 0303 40c0 0027 8d00 0009 3a80 0000 0000 "
                + "fd00 0077 0000 0000"));
        NdOptions o = NdOptions.parse(b, 0, 40);
        assertEquals(-1, NdOptions.mtu(b, o.mtu()));
        assertNull(NdOptions.PrefixInfo.read(b, o.prefixInfo()));
        b.release();
    }

    @Test
    void withoutOptions() {
        PacketBuffer out = pool.allocate(64);
        NdMessage ns = NdMessage.appendNs(out, STACK, -1);
        assertEquals(24, ns.length());
        assertEquals(new NdOptions(-1, -1, -1, -1, -1), ns.options());
        out.release();
    }

    @Test
    void truncatedMessagesAreRejected() {
        PacketBuffer b = buffer(hex(NS));
        assertNull(NdMessage.wrap(b, 0, 23), "shorter than an NS's fixed part");
        assertNotNull(NdMessage.wrap(b, 0, 24));
        assertNull(NdMessage.wrap(b, 0, 33), "past tail");
        b.setU8(0, Icmpv6Packet.ECHO_REQUEST);
        assertNull(NdMessage.wrap(b, 0, 32), "not an ND type");
        b.release();
        b = buffer(hex(RA));
        assertNull(NdMessage.wrap(b, 0, 15));
        b.release();
    }

    @Test
    void malformedOptionsAreRefusedWhole() {
        // length 0: ndisc_parse_options gives up on the message
        PacketBuffer b = buffer(hex("0100 0200 0000 0001"));
        assertNull(NdOptions.parse(b, 0, 8));
        b.release();
        // an option running past the message
        b = buffer(hex("0102 0200 0000 0001"));
        assertNull(NdOptions.parse(b, 0, 8));
        b.release();
        // a stray byte after a good option
        b = buffer(hex("0101 0200 0000 0001 05"));
        assertNull(NdOptions.parse(b, 0, 9));
        b.release();
        // an unknown option is skipped, a repeated one ignored; a 16-byte link-layer option is no Ethernet address
        b = buffer(hex("0e01 0000 0000 0000 0101 0200 0000 0001 0101 0200 0000 0009 0202 0200 0000 0002 0000 0000 0000 0000"));
        NdOptions o = NdOptions.parse(b, 0, 40);
        assertEquals(8, o.sourceLinkLayer());
        assertEquals(HOST_MAC, NdOptions.linkLayerAddress(b, o.sourceLinkLayer()));
        assertEquals(24, o.targetLinkLayer());
        assertEquals(-1, NdOptions.linkLayerAddress(b, o.targetLinkLayer()));
        b.release();
    }
}
