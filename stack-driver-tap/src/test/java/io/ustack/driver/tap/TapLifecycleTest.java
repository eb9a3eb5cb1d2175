package io.ustack.driver.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.wire.Ipv4Prefix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real TAPs (root only): create, attach, remove, refuse, and configure the host side. */
@Timeout(60)
class TapLifecycleTest {
    private TestNet net;
    private final List<TapDevice> devices = new ArrayList<>();
    private final CollectingHost host = new CollectingHost();

    @BeforeEach
    void setUp() {
        RootOnly.require();
        net = new TestNet();
    }

    @AfterEach
    void tearDown() {
        devices.forEach(TapDevice::unregister);
        if (net != null) {
            net.close();
        }
        host.releaseAll();
        assertEquals(0, host.pool().outstanding(), "packet buffers leaked");
    }

    private TapDevice open(TapConfig config) throws TapException {
        TapDevice dev = TapDevice.open(config);
        devices.add(dev);
        return dev;
    }

    @Test
    void aTapWeCreatedIsGoneAfterClose() throws Exception {
        TapDevice dev = open(TapConfig.of(net.tap));
        assertTrue(dev.created());
        assertTrue(net.tapExistsHere());
        assertEquals("0x5002", tunFlags(), "IFF_TAP | IFF_NO_PI | IFF_VNET_HDR, not persistent");
        dev.open(host);
        dev.close();
        assertFalse(net.tapExistsHere(), "closing every fd removes a non-persistent TAP");
    }

    @Test
    void aPersistentTapIsAttachedToAndLeftInPlace() throws Exception {
        Shell.ok("ip", "tuntap", "add", "dev", net.tap, "mode", "tap");
        TapDevice dev = open(TapConfig.of(net.tap));
        assertFalse(dev.created());
        dev.open(host);
        dev.close();
        assertTrue(net.tapExistsHere());
    }

    @Test
    void aTapThatAnotherFdHoldsIsBusy() throws Exception {
        open(TapConfig.of(net.tap));
        TapException e = assertThrows(TapException.class, () -> open(TapConfig.of(net.tap)));
        assertEquals(net.tap + " is busy: another process has it open", e.getMessage());
        assertTrue(net.tapExistsHere(), "the failed attach leaves the first one alone");
    }

    @Test
    void twoQueuesOpenTwoFdsOnAMultiQueueTapEachPolledByItsOwnThread() throws Exception {
        long tunFdsBefore = tunFds();
        TapDevice dev = open(TapConfig.of(net.tap).withQueues(2));
        assertEquals(2, dev.queueCount());
        assertEquals(2, dev.numTxQueues());
        assertEquals(tunFdsBefore + 2, tunFds());
        assertEquals("0x5102", tunFlags(), "IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE | IFF_VNET_HDR");
        dev.open(host);
        assertTrue(threadNamed("ustack-napi-" + net.tap + "-0"));
        assertTrue(threadNamed("ustack-napi-" + net.tap + "-1"));
        dev.close();
        assertEquals(tunFdsBefore, tunFds());
        assertFalse(net.tapExistsHere());
    }

    @Test
    void aSingleQueueTapCannotBeOpenedWithTwoQueues() throws Exception {
        Shell.ok("ip", "tuntap", "add", "dev", net.tap, "mode", "tap");
        TapException e = assertThrows(TapException.class, () -> open(TapConfig.of(net.tap).withQueues(2)));
        assertEquals(net.tap + " is a single-queue TAP and cannot take 2 queues: open it with 1 queue, or recreate it "
                + "with `ip tuntap add dev " + net.tap + " mode tap multi_queue`", e.getMessage());
    }

    @Test
    void aTunDeviceIsNotATap() throws Exception {
        Shell.ok("ip", "tuntap", "add", "dev", net.tap, "mode", "tun");
        TapException e = assertThrows(TapException.class, () -> open(TapConfig.of(net.tap)));
        assertEquals(net.tap + " exists and is a TUN device (layer 3), not a TAP", e.getMessage());
    }

    @Test
    void anInterfaceOfAnotherKindIsNotATap() {
        TapException e = assertThrows(TapException.class, () -> open(TapConfig.of("lo")));
        assertEquals("lo exists and is not a TAP device", e.getMessage());
    }

    @Test
    void hostConfigurationSetsAddressNetmaskMtuAndUp() throws Exception {
        String prefix = net.address(1) + "/24";
        TapDevice dev = open(TapConfig.of(net.tap).withMtu(1400).withHost(Ipv4Prefix.parse(prefix)));
        String addr = Shell.ok("ip", "-4", "-o", "addr", "show", "dev", net.tap);
        assertTrue(addr.contains("inet " + prefix + " "), addr);
        String link = Shell.ok("ip", "-o", "link", "show", "dev", net.tap);
        assertTrue(link.contains(" mtu 1400 "), link);
        assertTrue(link.matches("(?s).*<[^>]*\\bUP\\b[^>]*>.*"), link);
        assertEquals(1400, dev.mtu());
        dev.open(host);
        dev.close();
        assertFalse(net.tapExistsHere());
    }

    private String tunFlags() throws IOException {
        return Files.readString(Path.of("/sys/class/net", net.tap, "tun_flags")).trim();
    }

    private static long tunFds() throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().equals(Tun.DEVICE);
                } catch (IOException e) {
                    return false;
                }
            }).count();
        }
    }

    private static boolean threadNamed(String name) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name));
    }
}
