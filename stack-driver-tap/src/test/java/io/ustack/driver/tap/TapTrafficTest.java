package io.ustack.driver.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.wire.ArpPacket;
import io.ustack.core.wire.EthernetFrame;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.MacAddress;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Frames between the driver and a real kernel (root only): the TAP's host side lives in a namespace of
 * its own with 10.x.y.1/24, and the driver plays 10.x.y.2 by hand.
 */
@Timeout(60)
class TapTrafficTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int IPPROTO_ICMP = 1;

    private TestNet net;
    private TapDevice dev;
    private Process ping;
    private final CollectingHost host = new CollectingHost();

    @BeforeEach
    void setUp() throws Exception {
        RootOnly.require();
        net = new TestNet();
        dev = TapDevice.open(TapConfig.of(net.tap));
        dev.open(host);
        net.moveTapIntoNamespace();
        net.inNs("ip", "addr", "add", net.address(1) + "/24", "dev", net.tap);
        net.inNs("ip", "link", "set", net.tap, "up");
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        if (ping != null) {
            ping.destroy();
            ping.waitFor(5, TimeUnit.SECONDS);
        }
        if (dev != null) {
            dev.unregister();
        }
        if (net != null) {
            net.close();
        }
        host.releaseAll();
        assertEquals(0, host.pool().outstanding(), "packet buffers leaked");
    }

    @Test
    void receivesTheArpRequestOfAPingFromTheNamespace() throws Exception {
        startPing();
        PacketBuffer req = host.await(this::isArpRequestForUs, WAIT);
        assertNotNull(req, "no ARP request for " + net.address(2) + " arrived");
        EthernetFrame eth = EthernetFrame.wrap(req, req.data());
        ArpPacket arp = ArpPacket.wrap(req, req.data() + EthernetFrame.HEADER_LEN);
        assertEquals(MacAddress.BROADCAST, eth.destination());
        assertEquals(hostSideMac(), eth.source());
        assertEquals(Ipv4Address.parse(net.address(1)), arp.senderIp());
        assertEquals(dev, req.dev());
        req.release();
        assertTrue(dev.stats().rxPackets.sum() >= 1);
    }

    @Test
    void anArpReplyWeSendReachesTheNamespaceAndThePingFollowsIt() throws Exception {
        long hostMac = hostSideMac();
        long rxBefore = nsRxPackets();
        startPing();
        // answered at once: the kernel holds the echo request only while it solicits (3 probes, 1 s apart),
        // and a command run in between (two were, here) can take that long on a loaded machine
        PacketBuffer req = host.await(this::isArpRequestForUs, WAIT);
        assertNotNull(req, "no ARP request for " + net.address(2) + " arrived");
        req.release();

        PacketBuffer reply = host.pool().allocateWithHeadroom(ArpPacket.LEN);
        ArpPacket.append(reply, ArpPacket.ARPOP_REPLY, dev.mac(), Ipv4Address.parse(net.address(2)), hostMac,
                Ipv4Address.parse(net.address(1)));
        EthernetFrame.push(reply, hostMac, dev.mac(), EthernetFrame.ETH_P_ARP);
        dev.devQueueXmit(reply);

        // the kernel learnt our MAC, so the echo request comes to it
        PacketBuffer echo = host.await(this::isEchoRequestForUs, WAIT);
        assertNotNull(echo, "no ICMP echo request followed the ARP reply");
        assertEquals(dev.mac(), EthernetFrame.wrap(echo, echo.data()).destination());
        echo.release();
        String neigh = net.inNs("ip", "neigh", "show", net.address(2), "dev", net.tap);
        assertTrue(neigh.contains("lladdr " + MacAddress.format(dev.mac())), neigh);
        assertTrue(nsRxPackets() > rxBefore);
        assertEquals(1, dev.stats().txPackets.sum());
        assertEquals(0, dev.stats().txErrors.sum());
    }

    private void startPing() throws IOException {
        ping = new ProcessBuilder("ip", "netns", "exec", net.ns, "ping", "-c1", "-W2", net.address(2))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    private boolean isArpRequestForUs(PacketBuffer p) {
        EthernetFrame eth = EthernetFrame.wrap(p, p.data());
        if (eth == null || eth.etherType() != EthernetFrame.ETH_P_ARP) {
            return false;
        }
        ArpPacket arp = ArpPacket.wrap(p, p.data() + EthernetFrame.HEADER_LEN);
        return arp != null && arp.operation() == ArpPacket.ARPOP_REQUEST
                && arp.targetIp() == Ipv4Address.parse(net.address(2));
    }

    private boolean isEchoRequestForUs(PacketBuffer p) {
        EthernetFrame eth = EthernetFrame.wrap(p, p.data());
        int ip = p.data() + EthernetFrame.HEADER_LEN;
        return eth != null && eth.etherType() == EthernetFrame.ETH_P_IP && p.len() >= EthernetFrame.HEADER_LEN + 21
                && p.u8(ip + 9) == IPPROTO_ICMP && p.i32(ip + 16) == Ipv4Address.parse(net.address(2))
                && p.u8(ip + 20) == 8;
    }

    private long hostSideMac() {
        return MacAddress.parse(net.inNs("cat", "/sys/class/net/" + net.tap + "/address").trim());
    }

    private long nsRxPackets() {
        return Long.parseLong(net.inNs("cat", "/sys/class/net/" + net.tap + "/statistics/rx_packets").trim());
    }
}
