package io.ustack.cli.services;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.Json;
import io.ustack.core.time.Clock;
import java.util.List;
import java.util.Locale;

/**
 * The server's results of an iperf3 test, as its send_results puts them: CPU use in percent, whether the
 * sender counted retransmissions (-1 when the server only received), and per stream its id, bytes, and
 * retransmissions, with UDP's jitter, errors and packets at zero; with "get_server_output", the report
 * iperf3's server would have printed, as "server_output_text".
 */
final class Iperf3Report {
    /** When a test's figures start: its clock and the process's CPU time. */
    record Start(long nanos, ProcessCpu cpu) {
        static Start now(Clock clock) {
            return new Start(clock.nanos(), ProcessCpu.now());
        }

        Elapsed until(Clock clock) {
            long wall = clock.nanos() - nanos;
            return new Elapsed(wall / 1e9, ProcessCpu.now().percentSince(cpu, wall));
        }
    }

    /** How long the test ran, in seconds, and iperf3's three CPU figures for that time. */
    record Elapsed(double seconds, double[] cpuPercent) {
    }

    /** One stream's figures; {@code retransmits} is -1 for a stream the server received on. */
    record StreamResult(int id, boolean sends, long bytes, long retransmits, String congestion) {
    }

    private final Elapsed elapsed;
    private final List<StreamResult> streams;
    private final boolean serverSends;
    private final String client;

    /** {@code client} names the client in the server's text, null to send no text. */
    Iperf3Report(Elapsed elapsed, List<StreamResult> streams, boolean serverSends, String client) {
        this.elapsed = elapsed;
        this.streams = streams;
        this.serverSends = serverSends;
        this.client = client;
    }

    ObjectNode json() {
        ObjectNode j = Json.MAPPER.createObjectNode();
        j.put("cpu_util_total", elapsed.cpuPercent()[0]);
        j.put("cpu_util_user", elapsed.cpuPercent()[1]);
        j.put("cpu_util_system", elapsed.cpuPercent()[2]);
        j.put("sender_has_retransmits", serverSends ? 1 : -1);
        streams.stream().filter(StreamResult::sends).findFirst().ifPresent(s -> j.put("congestion_used", s.congestion()));
        ArrayNode list = j.putArray("streams");
        for (StreamResult s : streams) {
            list.addObject()
                    .put("id", s.id())
                    .put("bytes", s.bytes())
                    .put("retransmits", s.retransmits())
                    .put("jitter", 0)
                    .put("errors", 0)
                    .put("packets", 0)
                    .put("start_time", 0)
                    .put("end_time", elapsed.seconds());
        }
        if (client != null) {
            j.put("server_output_text", text());
        }
        return j;
    }

    /** The summary iperf3's server prints at a test's end, in its layout and units. */
    String text() {
        StringBuilder sb = new StringBuilder("Accepted connection from ").append(client).append('\n')
                .append("[ ID] Interval           Transfer     Bitrate         Retr\n");
        long total = 0;
        for (StreamResult s : streams) {
            line(sb, String.format(Locale.ROOT, "%3d", s.id()), s.bytes(), s.sends() ? s.retransmits() : -1,
                    s.sends() ? "sender" : "receiver");
            total += s.bytes();
        }
        if (streams.size() > 1) {
            line(sb, "SUM", total, -1, "");
        }
        double[] cpu = elapsed.cpuPercent();
        return sb.append(String.format(Locale.ROOT, "CPU Utilization: %.1f%% (%.1f%%u/%.1f%%s)%n", cpu[0], cpu[1], cpu[2]))
                .toString();
    }

    private void line(StringBuilder sb, String id, long bytes, long retransmits, String role) {
        sb.append(String.format(Locale.ROOT, "[%s]   0.00-%-6.2f sec  %s  %s  %5s  %s%n", id, elapsed.seconds(),
                bytesText(bytes), bitsText(bytes * 8 / Math.max(elapsed.seconds(), 1e-9)),
                retransmits < 0 ? "" : Long.toString(retransmits), role));
    }

    /** Bytes in iperf3's binary units (KBytes are 1024 bytes). */
    static String bytesText(double b) {
        return scaled(b, 1024, "Bytes", "KBytes", "MBytes", "GBytes", "TBytes");
    }

    /** A rate in iperf3's decimal units (Kbits are 1000 bits). */
    static String bitsText(double bps) {
        return scaled(bps, 1000, "bits/sec", "Kbits/sec", "Mbits/sec", "Gbits/sec", "Tbits/sec");
    }

    private static String scaled(double v, double base, String... units) {
        int u = 0;
        while (v >= base && u < units.length - 1) {
            v /= base;
            u++;
        }
        return String.format(Locale.ROOT, "%6.2f %s", v, units[u]);
    }
}
