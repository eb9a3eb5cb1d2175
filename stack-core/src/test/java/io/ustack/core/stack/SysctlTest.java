package io.ustack.core.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.testing.StackHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The tunables under their kernel names: Linux's defaults, writes that reach the stack, refusals. */
class SysctlTest {
    private final StackHarness h = new StackHarness();
    private final Sysctl sysctl = new Sysctl(h.stack);

    @AfterEach
    void close() {
        h.close();
    }

    @Test
    void linuxDefaultsAreWhatTheStackRunsWith() {
        assertEquals("0", sysctl.get("net.ipv4.ip_forward"));
        assertEquals("1", sysctl.get("net.ipv4.tcp_sack"));
        assertEquals("1", sysctl.get("net.ipv4.tcp_timestamps"));
        assertEquals("1", sysctl.get("net.ipv4.tcp_window_scaling"));
        assertEquals("cubic", sysctl.get("net.ipv4.tcp_congestion_control"));
        assertEquals("6", sysctl.get("net.ipv4.tcp_syn_retries"));
        assertEquals("5", sysctl.get("net.ipv4.tcp_synack_retries"));
        assertEquals("15", sysctl.get("net.ipv4.tcp_retries2"));
        assertEquals("2", sysctl.get("net.ipv4.tcp_min_tso_segs"));
        assertEquals("1", sysctl.get("net.ipv4.tcp_slow_start_after_idle"));
        assertEquals("200", sysctl.get("net.ipv4.tcp_pacing_ss_ratio"));
        assertEquals("120", sysctl.get("net.ipv4.tcp_pacing_ca_ratio"));
        assertEquals("2", sysctl.get("net.ipv4.tcp_ecn"));
        assertEquals("1", sysctl.get("net.ipv4.tcp_ecn_fallback"));
        assertEquals("32768\t60999", sysctl.get("net.ipv4.ip_local_port_range"));
        assertEquals("0", sysctl.get("net.ipv6.bindv6only"));
        assertEquals("65536", sysctl.get("net.netfilter.nf_conntrack_max"));
        assertEquals("0", sysctl.get("net.netfilter.nf_conntrack_count"));
        assertTrue(sysctl.all().keySet().stream().sorted().toList().equals(sysctl.all().keySet().stream().toList()),
                "sysctl -a lists keys in order");
    }

    @Test
    void theWritableKeysAreAllButTheReadOnlyOnesAndEachTakesItsOwnValueBack() {
        java.util.Map<String, String> writable = sysctl.writable();
        assertEquals(sysctl.all().size() - 3, writable.size(), "all but the three read-only keys");
        assertFalse(writable.containsKey("net.netfilter.nf_conntrack_count"));
        assertFalse(writable.containsKey("net.ipv4.ip_local_port_range"));
        writable.forEach(sysctl::set); // what a saved configuration does: nothing changes
        assertEquals(writable, sysctl.writable());
    }

    @Test
    void writesReachTheStack() {
        sysctl.set("net.ipv4.ip_forward", "1");
        assertTrue(h.stack.forwarding());
        sysctl.set("net.ipv6.bindv6only", "1");
        assertTrue(h.stack.bindV6Only());
        assertTrue(h.stack.udp().open6().v6only(), "the default of sockets opened afterwards");
        sysctl.set("net.ipv4.tcp_sack", " 0\n"); // as echo writes it into /proc/sys
        sysctl.set("net.ipv4.tcp_congestion_control", "reno");
        sysctl.set("net.ipv4.tcp_syn_retries", "2");
        assertFalse(h.stack.tcp().config().sack());
        assertTrue(h.stack.tcp().config().timestamps(), "the other options stay");
        assertEquals("reno", h.stack.tcp().config().congestion());
        assertEquals(2, h.stack.tcp().config().synRetries());
        assertEquals(5, h.stack.tcp().config().synAckRetries());
        sysctl.set("net.ipv4.tcp_min_tso_segs", "10");
        assertEquals(10, h.stack.tcp().config().minTsoSegs());
        sysctl.set("net.ipv4.tcp_pacing_ss_ratio", "1000");
        assertEquals(1000, h.stack.tcp().config().pacingSsRatio());
        assertEquals(120, h.stack.tcp().config().pacingCaRatio());
        sysctl.set("net.ipv4.tcp_slow_start_after_idle", "0");
        assertFalse(h.stack.tcp().config().slowStartAfterIdle());
        sysctl.set("net.ipv4.tcp_ecn", "1");
        assertEquals(1, h.stack.tcp().config().ecn());
        sysctl.set("net.ipv4.tcp_ecn_fallback", "0");
        assertFalse(h.stack.tcp().config().ecnFallback());
        assertEquals(1, h.stack.tcp().config().ecn());
        assertThrows(IllegalArgumentException.class, () -> sysctl.set("net.ipv4.tcp_ecn", "3"));
        sysctl.set("net.netfilter.nf_conntrack_max", "1024");
        assertEquals(1024, h.stack.conntrack().max());
    }

    @Test
    void mistakesAreRefusedWithASentenceNamingTheKey() {
        assertEquals("net.ipv4.tcp_sack must be 0 or 1, not 'yes'",
                assertThrows(IllegalArgumentException.class, () -> sysctl.set("net.ipv4.tcp_sack", "yes")).getMessage());
        assertEquals("net.ipv4.tcp_syn_retries must be a whole number from 1 to 127, not '0'",
                assertThrows(IllegalArgumentException.class, () -> Sysctl.check("net.ipv4.tcp_syn_retries", "0")).getMessage());
        assertEquals("net.ipv4.tcp_min_tso_segs must be a whole number from 1 to 255, not '0'",
                assertThrows(IllegalArgumentException.class, () -> sysctl.set("net.ipv4.tcp_min_tso_segs", "0")).getMessage());
        assertEquals("net.ipv4.tcp_congestion_control must be one of reno cubic, not 'bbr'",
                assertThrows(IllegalArgumentException.class, () -> sysctl.set("net.ipv4.tcp_congestion_control", "bbr")).getMessage());
        assertEquals("there is no sysctl key net.ipv4.tcp_sacks (ustack sysctl -a lists them)",
                assertThrows(IllegalArgumentException.class, () -> sysctl.get("net.ipv4.tcp_sacks")).getMessage());
        assertEquals("net.netfilter.nf_conntrack_count is read-only",
                assertThrows(IllegalArgumentException.class, () -> sysctl.set("net.netfilter.nf_conntrack_count", "5")).getMessage());
        assertEquals("1", sysctl.get("net.ipv4.tcp_sack"), "nothing changed");
    }
}
