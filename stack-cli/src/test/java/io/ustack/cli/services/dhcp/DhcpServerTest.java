package io.ustack.cli.services.dhcp;

import static io.ustack.cli.services.dhcp.DhcpMessage.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.ustack.cli.services.dhcp.DhcpCounters.Counter;
import io.ustack.cli.services.dhcp.DhcpServer.Dest;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.Ipv4Prefix;
import io.ustack.core.wire.MacAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The server as a state machine over a manual clock: client messages in, the expected answers out. */
class DhcpServerTest {
    static final int SERVER = ip("10.1.0.1");
    static final long A = MacAddress.parse("02:00:00:00:00:0a");
    static final long B = MacAddress.parse("02:00:00:00:00:0b");
    static final long C = MacAddress.parse("02:00:00:00:00:0c");
    static final long S = MacAddress.parse("02:00:00:00:00:55");

    DhcpCounters counters;
    DhcpServer server;
    long now = 1_000_000;

    static int ip(String s) {
        return s.isEmpty() || s.equals("0") ? 0 : Ipv4Address.parse(s);
    }

    @BeforeEach
    void setUp() {
        counters = new DhcpCounters();
        DhcpPool pool = new DhcpPool(Ipv4Prefix.parse("10.1.0.1/24"), ip("10.1.0.100"), ip("10.1.0.101"), 3600,
                List.of(ip("9.9.9.9")), Map.of(S, ip("10.1.0.50")));
        server = new DhcpServer(pool, counters);
    }

    static Builder msg(int type, long mac) {
        return new Builder(BOOTREQUEST).xid(42).chaddr(mac).messageType(type);
    }

    DhcpServer.Reply send(Builder b) {
        return send(b, true);
    }

    DhcpServer.Reply send(Builder b, boolean toBroadcast) {
        return server.handle(DhcpMessage.parseRequest(b.build()).message(), toBroadcast, now);
    }

    /** DISCOVER, OFFER, REQUEST (selecting), ACK: returns the address bound. */
    int bind(long mac) {
        DhcpServer.Reply offer = send(msg(DISCOVER, mac));
        int yi = offer.message().yiaddr();
        DhcpServer.Reply ack = send(msg(REQUEST, mac).addressOption(OPT_SERVER_ID, SERVER).addressOption(OPT_REQUESTED_IP, yi));
        assertEquals(ACK, ack.message().messageType());
        return yi;
    }

    @Test
    void discoverGetsAnOfferWithEveryOption() {
        DhcpServer.Reply r = send(msg(DISCOVER, A));
        DhcpMessage m = r.message();
        assertEquals(OFFER, m.messageType());
        assertEquals(BOOTREPLY, m.op());
        assertEquals(42, m.xid());
        assertEquals(ip("10.1.0.100"), m.yiaddr());
        assertEquals(A, m.chaddr());
        assertEquals(ip("255.255.255.0"), m.addressOption(OPT_SUBNET_MASK));
        assertEquals(SERVER, m.addressOption(OPT_ROUTER));
        assertEquals(SERVER, m.addressOption(OPT_SERVER_ID));
        assertEquals(ip("9.9.9.9"), m.addressOption(OPT_DNS));
        assertEquals(3600, m.u32Option(OPT_LEASE_TIME));
        assertEquals(1800, m.u32Option(OPT_RENEWAL_T1));
        assertEquals(3150, m.u32Option(OPT_REBINDING_T2));
        // no broadcast flag, no address: unicast to yiaddr at chaddr
        assertEquals(Dest.UNICAST_TO_CHADDR, r.dest());
        assertEquals(ip("10.1.0.100"), r.address());
        assertEquals(A, r.mac());
        assertEquals(1, counters.get(Counter.DhcpInDiscovers));
        assertEquals(1, counters.get(Counter.DhcpOutOffers));
    }

    @Test
    void broadcastFlagAndRelayChooseTheDestination() {
        assertEquals(Dest.BROADCAST, send(msg(DISCOVER, A).flags(FLAG_BROADCAST)).dest());
        DhcpServer.Reply relayed = send(msg(DISCOVER, B).giaddr(ip("10.9.0.1")));
        assertEquals(Dest.RELAY, relayed.dest());
        assertEquals(ip("10.9.0.1"), relayed.address());
    }

    @Test
    void offersAreHeldAndThePoolRunsOut() {
        assertEquals(ip("10.1.0.100"), send(msg(DISCOVER, A)).message().yiaddr());
        assertEquals(ip("10.1.0.101"), send(msg(DISCOVER, B)).message().yiaddr());
        assertEquals(ip("10.1.0.100"), send(msg(DISCOVER, A)).message().yiaddr()); // the same again
        assertNull(send(msg(DISCOVER, C)));
        assertEquals(1, counters.get(Counter.DhcpPoolExhausted));
        now += DhcpServer.OFFER_HOLD_MILLIS + 1; // offers lapse
        assertEquals(ip("10.1.0.100"), send(msg(DISCOVER, C)).message().yiaddr());
        assertEquals(2, server.leases().size()); // never more than the pool: C took A's lapsed offer
    }

    @Test
    void staticAddressAndPreviousLeaseAreReused() {
        assertEquals(ip("10.1.0.50"), bind(S));
        int a = bind(A);
        now += 10_000_000; // long expired
        assertEquals(a, send(msg(DISCOVER, A)).message().yiaddr());
        assertEquals(ip("10.1.0.101"), send(msg(DISCOVER, C).addressOption(OPT_REQUESTED_IP, ip("10.1.0.101"))).message().yiaddr());
    }

    /**
     * REQUEST in each client state (RFC 2131 4.3.2), after A has bound 10.1.0.100 and B holds 10.1.0.101:
     * who asks, server id, requested address, ciaddr, sent to broadcast, expected answer.
     */
    @ParameterizedTest(name = "{0}: {1} sid={2} req={3} ci={4} bcast={5} -> {6}")
    @CsvSource({
            "selecting ours,          A, 10.1.0.1, 10.1.0.100, 0,          true,  ACK",
            "selecting wrong address, A, 10.1.0.1, 10.1.0.101, 0,          true,  NAK",
            "selecting another server,A, 10.1.0.9, 10.1.0.100, 0,          true,  none",
            "selecting no offer,      C, 10.1.0.1, 10.1.0.100, 0,          true,  NAK",
            "init-reboot its own,     A, 0,        10.1.0.100, 0,          true,  ACK",
            "init-reboot another's,   A, 0,        10.1.0.101, 0,          true,  NAK",
            "init-reboot wrong net,   A, 0,        10.2.0.100, 0,          true,  NAK",
            "init-reboot unknown,     C, 0,        10.1.0.101, 0,          true,  none",
            "init-reboot static,      S, 0,        10.1.0.50,  0,          true,  ACK",
            "init-reboot static wrong,S, 0,        10.1.0.100, 0,          true,  NAK",
            "renewing its own,        A, 0,        0,          10.1.0.100, false, ACK",
            "renewing another's,      A, 0,        0,          10.1.0.101, false, NAK",
            "renewing unknown taken,  C, 0,        0,          10.1.0.101, false, NAK",
            "rebinding its own,       A, 0,        0,          10.1.0.100, true,  ACK",
            "rebinding unknown taken, C, 0,        0,          10.1.0.101, true,  none",
            "rebinding another's,     A, 0,        0,          10.1.0.101, true,  NAK",
            "nothing to go by,        A, 0,        0,          0,          true,  none",
    })
    void requestInEachState(String name, String who, String sid, String req, String ci, boolean bcast, String expect) {
        bind(A);
        bind(B);
        long mac = switch (who) { case "A" -> A; case "C" -> C; default -> S; };
        Builder b = msg(REQUEST, mac).ciaddr(ip(ci));
        if (!sid.equals("0")) {
            b.addressOption(OPT_SERVER_ID, ip(sid));
        }
        if (!req.equals("0")) {
            b.addressOption(OPT_REQUESTED_IP, ip(req));
        }
        DhcpServer.Reply r = send(b, bcast);
        if (expect.equals("none")) {
            assertNull(r);
            return;
        }
        assertNotNull(r);
        assertEquals(expect.equals("ACK") ? ACK : NAK, r.message().messageType());
        if (expect.equals("NAK")) {
            assertEquals(Dest.BROADCAST, r.dest());
            assertEquals(0, r.message().yiaddr());
        }
    }

    @Test
    void renewalExtendsTheLeaseAndIsUnicastToCiaddr() {
        int a = bind(A);
        now += 1_800_000;
        DhcpServer.Reply r = send(msg(REQUEST, A).ciaddr(a), false);
        assertEquals(Dest.UNICAST, r.dest());
        assertEquals(a, r.address());
        assertEquals(a, r.message().yiaddr());
        assertEquals(now + 3_600_000, server.leases().get(0).expires());
    }

    @Test
    void releaseFreesTheAddressButRemembersTheClient() {
        int a = bind(A);
        assertNull(send(msg(RELEASE, A).ciaddr(a).addressOption(OPT_SERVER_ID, SERVER)));
        assertEquals(1, counters.get(Counter.DhcpInReleases));
        assertEquals(now, server.leases().get(0).expires());
        assertEquals(a, send(msg(DISCOVER, A)).message().yiaddr()); // A gets it back
    }

    @Test
    void declinedAddressIsNotOfferedForAWhile() {
        int a = bind(A);
        assertNull(send(msg(DECLINE, A).addressOption(OPT_REQUESTED_IP, a).addressOption(OPT_SERVER_ID, SERVER)));
        assertEquals(1, counters.get(Counter.DhcpInDeclines));
        assertEquals(ip("10.1.0.101"), send(msg(DISCOVER, A)).message().yiaddr());
        assertNull(send(msg(DISCOVER, B))); // .100 declined, .101 offered to A
        now += DhcpServer.DECLINE_HOLD_MILLIS + DhcpServer.OFFER_HOLD_MILLIS;
        assertNotNull(send(msg(DISCOVER, B)));
    }

    @Test
    void informGetsConfigurationWithoutALease() {
        DhcpServer.Reply r = send(msg(INFORM, C).ciaddr(ip("10.1.0.7")), false);
        assertEquals(ACK, r.message().messageType());
        assertEquals(0, r.message().yiaddr());
        assertEquals(-1, r.message().u32Option(OPT_LEASE_TIME));
        assertEquals(SERVER, r.message().addressOption(OPT_ROUTER));
        assertEquals(Dest.UNICAST, r.dest());
        assertEquals(ip("10.1.0.7"), r.address());
        assertEquals(0, server.leases().size());
    }

    @Test
    void restoredLeaseIsRenewedAfterARestart() {
        assertEquals(true, server.restore(new Lease(A, ip("10.1.0.101"), now + 1000, "box", true)));
        assertEquals(false, server.restore(new Lease(B, ip("10.1.0.101"), now + 1000, null, true))); // taken
        assertEquals(false, server.restore(new Lease(C, ip("10.2.0.1"), now + 1000, null, true))); // not ours
        DhcpServer.Reply r = send(msg(REQUEST, A).ciaddr(ip("10.1.0.101")), false);
        assertEquals(ACK, r.message().messageType());
        assertEquals("box", server.leases().get(0).hostname());
    }

    @Test
    void clientMessagesOfServerTypesAreIgnored() {
        assertNull(send(msg(OFFER, A)));
        assertEquals(1, counters.get(Counter.DhcpInIgnored));
    }
}
