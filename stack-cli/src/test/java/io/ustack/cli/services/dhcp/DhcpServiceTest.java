package io.ustack.cli.services.dhcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.neigh.Neighbour;
import io.ustack.core.testing.Frames;
import io.ustack.core.testing.StackHarness;
import io.ustack.core.wire.Ipv4Prefix;
import io.ustack.core.wire.MacAddress;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The service on a stack with a fake link (eth0 10.0.0.2/24, pool .100-.101): frames in, frames out. */
class DhcpServiceTest {
    static final long CLIENT = MacAddress.parse("02:00:00:00:00:0c");
    static final long BCAST = MacAddress.BROADCAST;

    @TempDir
    Path dir;
    StackHarness h;
    DhcpService svc;
    long now = 1_000_000;

    @BeforeEach
    void up() throws Exception {
        h = new StackHarness();
        DhcpPool pool = new DhcpPool(Ipv4Prefix.parse("10.0.0.2/24"), Frames.ip("10.0.0.100"), Frames.ip("10.0.0.101"),
                3600, List.of(), Map.of());
        svc = new DhcpService(Map.of("eth0", pool), new LeaseStore(dir.resolve("leases")), () -> now);
        svc.start(h.stack);
    }

    @AfterEach
    void down() {
        svc.close();
        h.close();
    }

    /** A client message from 0.0.0.0:68 to 255.255.255.255:67, broadcast on the link. */
    void inject(byte[] dhcp) {
        byte[] udp = Frames.udp(0, -1, 68, 67, dhcp);
        h.dev.inject(Frames.eth(BCAST, CLIENT, Frames.ETH_P_IP, Frames.ipv4(0, -1, 17, 64, 1, 0, udp)));
    }

    static DhcpMessage.Builder discover() {
        return new DhcpMessage.Builder(DhcpMessage.BOOTREQUEST).xid(9).chaddr(CLIENT).messageType(DhcpMessage.DISCOVER);
    }

    static DhcpMessage payload(byte[] frame) {
        return DhcpMessage.parse(Arrays.copyOfRange(frame, 14 + 20 + 8, frame.length)).message();
    }

    @Test
    void offerWithoutBroadcastFlagGoesToYiaddrAtChaddr() {
        inject(discover().build());
        List<byte[]> sent = h.sent();
        assertEquals(1, sent.size(), "no ARP first: the neighbour entry comes from chaddr");
        byte[] f = sent.get(0);
        assertEquals(CLIENT, Frames.mac(f, 0));
        assertEquals(Frames.ip("10.0.0.2"), Frames.i32(f, 14 + 12));
        assertEquals(Frames.ip("10.0.0.100"), Frames.i32(f, 14 + 16));
        assertEquals(67, Frames.u16(f, 34));
        assertEquals(68, Frames.u16(f, 36));
        DhcpMessage offer = payload(f);
        assertEquals(DhcpMessage.OFFER, offer.messageType());
        assertEquals(Frames.ip("10.0.0.100"), offer.yiaddr());
        Neighbour n = h.stack.neighbours().lookup(h.dev, Frames.ip("10.0.0.100"));
        assertEquals(CLIENT, n.mac());
        assertEquals(1, h.counter("DhcpOutOffers"));
    }

    @Test
    void offerWithBroadcastFlagIsBroadcastOnTheLink() {
        inject(discover().flags(DhcpMessage.FLAG_BROADCAST).build());
        byte[] f = h.sent().get(0);
        assertEquals(BCAST, Frames.mac(f, 0));
        assertEquals(-1, Frames.i32(f, 14 + 16));
        assertEquals(Frames.ip("10.0.0.2"), Frames.i32(f, 14 + 12));
        assertEquals(DhcpMessage.OFFER, payload(f).messageType());
    }

    @Test
    void hostilePacketsAreCountedDrops() {
        byte[] bad = discover().build();
        bad[236] = 0; // the magic cookie
        inject(bad);
        inject(Arrays.copyOf(discover().build(), 100));
        byte[] past = Arrays.copyOf(discover().build(), 243 + 2);
        past[243] = 50;
        past[244] = (byte) 200; // an option 200 bytes long, 0 of them there
        inject(past);
        byte[] reply = discover().build();
        reply[0] = DhcpMessage.BOOTREPLY;
        inject(reply);
        byte[] tokenRing = discover().build();
        tokenRing[1] = 6;
        inject(tokenRing);
        assertEquals(List.of(), h.sent());
        assertEquals(5, h.counter("DhcpInErrors"));
        assertEquals(1, h.counter("DhcpInErrorBadCookie"));
        assertEquals(1, h.counter("DhcpInErrorTruncated"));
        assertEquals(1, h.counter("DhcpInErrorBadOptions"));
        assertEquals(1, h.counter("DhcpInErrorBadOp"));
        assertEquals(1, h.counter("DhcpInErrorBadHtype"));
    }

    @Test
    void exhaustedPoolIsCounted() {
        for (int i = 0; i < 3; i++) {
            inject(new DhcpMessage.Builder(DhcpMessage.BOOTREQUEST).chaddr(CLIENT + i).messageType(DhcpMessage.DISCOVER)
                    .flags(DhcpMessage.FLAG_BROADCAST).build());
        }
        assertEquals(2, h.sent().size());
        assertEquals(1, h.counter("DhcpPoolExhausted"));
        assertTrue(svc.leases().size() <= 2);
    }

    @Test
    void ackIsWrittenToTheLeaseFile() throws Exception {
        inject(discover().flags(DhcpMessage.FLAG_BROADCAST).build());
        h.sent();
        inject(new DhcpMessage.Builder(DhcpMessage.BOOTREQUEST).xid(9).chaddr(CLIENT).flags(DhcpMessage.FLAG_BROADCAST)
                .messageType(DhcpMessage.REQUEST).addressOption(DhcpMessage.OPT_SERVER_ID, Frames.ip("10.0.0.2"))
                .addressOption(DhcpMessage.OPT_REQUESTED_IP, Frames.ip("10.0.0.100")).build());
        assertEquals(DhcpMessage.ACK, payload(h.sent().get(0)).messageType());
        svc.flush();
        List<Lease> saved = new LeaseStore(dir.resolve("leases")).load();
        assertEquals(1, saved.size());
        assertEquals(Frames.ip("10.0.0.100"), saved.get(0).ip());
        assertEquals(now + 3_600_000, saved.get(0).expires());
    }

    @Test
    void leasesAreListedThroughTheControlSocket() {
        inject(discover().flags(DhcpMessage.FLAG_BROADCAST).stringOption(DhcpMessage.OPT_HOSTNAME, "box").build());
        h.sent();
        io.ustack.cli.control.ControlDispatcher d = new io.ustack.cli.control.ControlDispatcher(
                io.ustack.cli.control.ControlHandlers.forStack(h.stack)
                        .add(new io.ustack.cli.control.handlers.DhcpLeasesHandler(() -> svc)));
        io.ustack.cli.control.ControlResponse r = d.dispatch("{\"cmd\":\"dhcp leases\"}");
        assertTrue(r.ok(), r.error());
        assertEquals("[{\"dev\":\"eth0\",\"mac\":\"02:00:00:00:00:0c\",\"ip\":\"10.0.0.100\","
                + "\"expires\":\"1970-01-01T00:17:40Z\",\"expiresEpochMillis\":1060000,\"state\":\"offered\","
                + "\"hostname\":\"box\"}]", r.result().toString());
        io.ustack.cli.control.ControlDispatcher none = new io.ustack.cli.control.ControlDispatcher(
                io.ustack.cli.control.ControlHandlers.forStack(h.stack)
                        .add(new io.ustack.cli.control.handlers.DhcpLeasesHandler(() -> null)));
        assertEquals("[]", none.dispatch("{\"cmd\":\"dhcp leases\"}").result().toString());
    }
}
