package io.ustack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.cli.control.Json;
import io.ustack.cli.testing.ServedStackTest;
import io.ustack.core.link.NetdevFeatures;
import org.junit.jupiter.api.Test;

/** ustack link as a user meets it: ethtool -k's listing, ethtool -K's switches, and the mistakes. */
class LinkCommandTest extends ServedStackTest {
    @Test
    void showListsTheFeaturesAsEthtoolDoes() throws Exception {
        assertEquals(0, cli.run("link", "show", "eth0"));
        assertEquals("""
                Features for eth0 (mtu 1500, up):
                rx-checksumming: off [fixed]
                tx-checksumming: off [fixed]
                tcp-segmentation-offload: off [fixed]
                tx-tcp6-segmentation: off [fixed]
                tx-udp-segmentation: off [fixed]
                generic-segmentation-offload: on
                generic-receive-offload: on
                rx-gro-hw: off [fixed]
                """, cli.out());
        assertEquals(0, cli.run("link"));
        assertTrue(cli.out().startsWith("Features for lo (mtu 65536, up):\nrx-checksumming: on\n"), cli.out());
        assertTrue(cli.out().contains("Features for eth0"), cli.out());
        assertEquals(0, cli.run("link", "show", "--json"));
        assertEquals("generic-segmentation-offload", Json.MAPPER.readTree(cli.out()).get(1).get("features").get(5).get("name").asText());
    }

    @Test
    void setSwitchesFeaturesWhileTheStackRuns() {
        assertEquals(0, cli.run("link", "set", "eth0", "gso", "off", "gro", "off"));
        assertEquals("", cli.out() + cli.err());
        assertFalse(h.dev.hasFeatures(NetdevFeatures.GSO));
        assertFalse(h.dev.hasFeatures(NetdevFeatures.GRO));
        assertEquals(0, cli.run("link", "set", "eth0", "generic-segmentation-offload", "on"));
        assertTrue(h.dev.hasFeatures(NetdevFeatures.GSO));
        assertEquals(0, cli.run("link", "set", "lo", "tx", "off"));
        assertFalse(h.stack.device("lo").hasFeatures(NetdevFeatures.TSO), "tso goes off with tx checksumming");
        assertFalse(h.stack.device("lo").hasFeatures(NetdevFeatures.TSO6), "and so does tx-tcp6-segmentation");
    }

    @Test
    void mistakesAreUsageErrorsAndRefusalsExit1() {
        assertEquals(2, cli.run("link", "set", "eth0", "gso"));
        assertEquals("ustack: link set: each feature needs on or off after it\n", cli.err());
        assertEquals(2, cli.run("link", "set", "eth0", "warp", "on"));
        assertEquals("ustack: link set: there is no feature named warp (rx, tx, tso, gso, gro, rx-gro-hw)\n", cli.err());
        assertEquals(2, cli.run("link", "set", "eth0", "gso", "maybe"));
        assertEquals("ustack: link set: gso must be followed by on or off, not maybe\n", cli.err());
        assertEquals(1, cli.run("link", "set", "eth0", "tso", "on"));
        assertEquals("ustack: eth0 cannot switch tcp-segmentation-offload (fixed)\n", cli.err());
        assertEquals(1, cli.run("link", "set", "eth9", "gso", "on"));
        assertEquals("ustack: there is no interface named eth9\n", cli.err());
        assertTrue(h.dev.hasFeatures(NetdevFeatures.GSO), "a refusal changes nothing");
    }
}
