package io.ustack.cli.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.ustack.core.stack.StackStats;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StackMetricsTest {
    @Test
    void kernelNamesInSnakeCase() {
        assertEquals("ip_in_receives", StackMetrics.snake("IpInReceives"));
        assertEquals("ip_ext_in_csum_errors", StackMetrics.snake("IpExtInCsumErrors"));
        assertEquals("tcp_curr_estab", StackMetrics.snake("TcpCurrEstab"));
        assertEquals("tcp_ext_tcp_sack_recovery", StackMetrics.snake("TcpExtTCPSackRecovery"));
        assertEquals("tcp_ext_tcp_dsack_recv", StackMetrics.snake("TcpExtTCPDSACKRecv"));
        assertEquals("tcp_ext_tcp_ack_skipped_syn_recv", StackMetrics.snake("TcpExtTCPACKSkippedSynRecv"));
        assertEquals("tcp_ext_listen_overflows", StackMetrics.snake("TcpExtListenOverflows"));
        assertEquals("icmp_out_rate_limit_global", StackMetrics.snake("IcmpOutRateLimitGlobal"));
        assertEquals("arp_res_failed", StackMetrics.snake("ArpResFailed"));
    }

    @Test
    void everyPartOfStatsInPrometheusTextFormat() throws IOException {
        Map<String, Long> snmp = new LinkedHashMap<>();
        snmp.put("IpInReceives", 42L);
        snmp.put("TcpExtTCPSackRecovery", 3L);
        snmp.put("TcpCurrEstab", 2L);
        snmp.put("IcmpMsgInType8", 5L);
        snmp.put("IcmpMsgOutType0", 4L);
        Map<String, Map<String, Long>> devices = new LinkedHashMap<>();
        devices.put("tap0", Map.of("rx_packets", 7L));
        devices.put("lo", Map.of("rx_packets", 1L));
        StackStats stats = new StackStats(snmp, Map.of("IP_CSUM", 9L), List.of(new StackStats.Softnet(0, 11, 1, 3)),
                devices, Map.of("Outstanding", 6L, "Allocations", 100L, "ReasmMemory", 2048L));
        String text = text(stats);
        assertTrue(text.contains("# TYPE ustack_ip_in_receives_total counter\n"), text);
        assertTrue(text.contains("# HELP ustack_ip_in_receives_total nstat's IpInReceives\n"), text);
        assertTrue(text.contains("\nustack_ip_in_receives_total 42.0\n"), text);
        assertTrue(text.contains("\nustack_tcp_ext_tcp_sack_recovery_total 3.0\n"), text);
        assertTrue(text.contains("# TYPE ustack_tcp_curr_estab gauge\n"), text);
        assertTrue(text.contains("\nustack_tcp_curr_estab 2.0\n"), text);
        assertTrue(text.contains("\nustack_icmp_msg_in_total{type=\"8\"} 5.0\n"), text);
        assertTrue(text.contains("\nustack_icmp_msg_out_total{type=\"0\"} 4.0\n"), text);
        assertTrue(text.contains("\nustack_drops_total{reason=\"IP_CSUM\"} 9.0\n"), text);
        assertTrue(text.contains("\nustack_softnet_processed_total{cpu=\"0\"} 11.0\n"), text);
        assertTrue(text.contains("\nustack_softnet_dropped_total{cpu=\"0\"} 1.0\n"), text);
        assertTrue(text.contains("\nustack_softnet_queued{cpu=\"0\"} 3.0\n"), text);
        assertTrue(text.contains("\nustack_link_rx_packets_total{device=\"tap0\"} 7.0\n"), text);
        assertTrue(text.contains("\nustack_link_rx_packets_total{device=\"lo\"} 1.0\n"), text);
        assertTrue(text.contains("\nustack_buffer_outstanding 6.0\n"), text);
        assertTrue(text.contains("\nustack_buffer_allocations_total 100.0\n"), text);
        assertTrue(text.contains("\nustack_buffer_reasm_memory_bytes 2048.0\n"), text);
        assertFalse(text.contains("IcmpMsgInType8 "), "IcmpMsg counters become one family with a type label");
    }

    @Test
    void dhcpCountersAreCounters() throws IOException {
        StackStats stats = new StackStats(Map.of("DhcpOutAcks", 3L, "DhcpInErrorBadCookie", 1L), Map.of(), List.of(),
                Map.of(), Map.of());
        String text = text(stats);
        assertTrue(text.contains("# TYPE ustack_dhcp_out_acks_total counter\n"), text);
        assertTrue(text.contains("\nustack_dhcp_out_acks_total 3.0\n"), text);
        assertTrue(text.contains("\nustack_dhcp_in_error_bad_cookie_total 1.0\n"), text);
    }

    @Test
    void familiesWithoutDataAreWrittenAsNothing() throws IOException {
        StackStats empty = new StackStats(Map.of(), Map.of(), List.of(), Map.of(), Map.of());
        assertEquals(6, StackMetrics.snapshots(empty).size(), "icmp_msg_in/out, drops and the three softnet families");
        assertEquals("", text(empty), "a family's series appear with its first data point");
    }

    private static String text(StackStats stats) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, StackMetrics.snapshots(stats));
        return out.toString(StandardCharsets.UTF_8);
    }
}
