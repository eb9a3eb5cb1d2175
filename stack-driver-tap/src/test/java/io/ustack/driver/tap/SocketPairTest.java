package io.ustack.driver.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.FileDescriptor;
import io.ustack.core.link.NetdevFeatures;
import io.ustack.core.testing.Requirement;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the driver's tests over a socket pair share (no privileges needed): the pair standing in for a TAP,
 * a collecting host, the device under test, and the leak check after each test.
 */
abstract class SocketPairTest {
    static final Duration WAIT = Duration.ofSeconds(10);

    SocketPair wire;
    CollectingHost host;
    TapDevice dev;

    @BeforeEach
    void setUp() {
        if (!Epoll.isAvailable()) {
            Requirement.unmet("the driver's tests need Netty's epoll, which is not available: " + Epoll.unavailabilityCause());
        }
        wire = new SocketPair();
        host = new CollectingHost();
    }

    @AfterEach
    void tearDown() throws IOException {
        if (dev != null) {
            dev.unregister();
        }
        if (wire != null) {
            wire.close();
        }
        if (host != null) {
            host.releaseAll();
            assertEquals(0, host.pool().outstanding(), "packet buffers leaked");
        }
    }

    /**
     * The device under test on the driver's end of the pair, not yet open, as on a kernel that takes USO (6.2
     * and later, as this machine's).
     */
    TapDevice device(TapConfig config) {
        dev = new TapDevice(config, new FileDescriptor[] {wire.driverEnd}, false,
                NetdevFeatures.TSO6 | NetdevFeatures.GSO_UDP_L4);
        return dev;
    }
}
