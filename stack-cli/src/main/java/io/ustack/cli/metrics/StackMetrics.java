package io.ustack.cli.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.ustack.core.stack.StackStats;
import io.ustack.core.stats.Mib;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The daemon's counters (everything {@code ustack stats} shows) as Prometheus metrics, taken from one
 * {@link StackStats} snapshot per scrape. Names are Prometheus' conventions over the kernel's names:
 * {@code IpInReceives} is {@code ustack_ip_in_receives_total}, {@code TcpExtTCPSackRecovery}
 * {@code ustack_tcp_ext_tcp_sack_recovery_total}, the {@code TcpCurrEstab} gauge {@code ustack_tcp_curr_estab};
 * each help text names the kernel's counter. What ustack stats spreads over many names becomes one metric with
 * a label: {@code ustack_icmp_msg_in_total{type="8"}}, {@code ustack_drops_total{reason="IP_CSUM"}},
 * {@code ustack_softnet_processed_total{cpu="0"}}, {@code ustack_link_rx_packets_total{device="tap0"}}.
 */
public final class StackMetrics implements MultiCollector {
    static final String PREFIX = "ustack_";
    private static final Pattern ICMP_MSG = Pattern.compile("IcmpMsg(In|Out)Type(\\d+)");
    /** The buffer pool's entries that go up and down; the rest count. */
    private static final Set<String> BUFFER_GAUGES = Set.of("Outstanding", "ReasmMemory");

    private final Supplier<StackStats> stats;

    public StackMetrics(Supplier<StackStats> stats) {
        this.stats = stats;
    }

    @Override
    public MetricSnapshots collect() {
        return snapshots(stats.get());
    }

    /** The metrics of one snapshot, in the order ustack stats prints its parts. */
    static MetricSnapshots snapshots(StackStats s) {
        Families f = new Families();
        Map<String, Long> icmpIn = new LinkedHashMap<>();
        Map<String, Long> icmpOut = new LinkedHashMap<>();
        s.snmp().forEach((name, v) -> {
            Matcher m = ICMP_MSG.matcher(name);
            if (m.matches()) {
                (m.group(1).equals("In") ? icmpIn : icmpOut).put(m.group(2), v);
            } else if (isMib(name)) {
                f.counter(snake(name), "nstat's " + name, Labels.EMPTY, v);
            } else if (name.startsWith("Dhcp")) {
                // the DHCP server's counters, which it registers beside the MIB (they only go up)
                f.counter(snake(name), "ustack stats' " + name + " (the DHCP server)", Labels.EMPTY, v);
            } else {
                f.gauge(snake(name), "nstat's " + name + " (a gauge)", Labels.EMPTY, v);
            }
        });
        // IcmpMsg counters exist in nstat only once non-zero: a type's series appears with its first message
        f.declare("icmp_msg_in", true, "nstat's IcmpMsgInType<type>: ICMP messages received, by type");
        icmpIn.forEach((t, v) -> f.counter("icmp_msg_in", null, Labels.of("type", t), v));
        f.declare("icmp_msg_out", true, "nstat's IcmpMsgOutType<type>: ICMP messages sent, by type");
        icmpOut.forEach((t, v) -> f.counter("icmp_msg_out", null, Labels.of("type", t), v));
        f.declare("drops", true, "packets dropped, by reason (ustack stats' DropReason<reason>, the kernel's SKB_DROP_REASON_*)");
        s.drops().forEach((reason, v) -> f.counter("drops", null, Labels.of("reason", reason), v));
        f.declare("softnet_processed", true, "packets a backlog thread processed (softnet_stat's processed)");
        f.declare("softnet_dropped", true, "packets a backlog thread's queue refused (softnet_stat's dropped)");
        f.declare("softnet_queued", false, "packets waiting in a backlog thread's queue");
        for (StackStats.Softnet sn : s.softnet()) {
            Labels cpu = Labels.of("cpu", Integer.toString(sn.cpu()));
            f.counter("softnet_processed", null, cpu, sn.processed());
            f.counter("softnet_dropped", null, cpu, sn.dropped());
            f.gauge("softnet_queued", null, cpu, sn.queued());
        }
        s.devices().forEach((dev, fields) -> fields.forEach((field, v) ->
                f.counter("link_" + field, "a device's " + field + " (rtnl_link_stats64; ustack stats' <device>:" + field + ")",
                        Labels.of("device", dev), v)));
        s.buffers().forEach((name, v) -> {
            String metric = "buffer_" + snake(name) + (name.equals("ReasmMemory") ? "_bytes" : "");
            String help = "ustack stats' Buffer" + name;
            if (BUFFER_GAUGES.contains(name)) {
                f.gauge(metric, help, Labels.EMPTY, v);
            } else {
                f.counter(metric, help, Labels.EMPTY, v);
            }
        });
        return f.build();
    }

    private static boolean isMib(String name) {
        try {
            Mib.valueOf(name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * A kernel counter's name in Prometheus' snake case, without the prefix: {@code IpExtInCsumErrors} is
     * {@code ip_ext_in_csum_errors}; the TCP extension counters' own "TCP" stays a word of its own
     * ({@code TcpExtTCPDSACKRecv} is {@code tcp_ext_tcp_dsack_recv}), and a run of capitals is one word.
     */
    static String snake(String name) {
        if (name.startsWith("TcpExtTCP")) {
            return "tcp_ext_tcp_" + snake(name.substring("TcpExtTCP".length()));
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isUpperCase(c) && i > 0) {
                char prev = name.charAt(i - 1);
                boolean nextLower = i + 1 < name.length() && Character.isLowerCase(name.charAt(i + 1));
                if (Character.isLowerCase(prev) || Character.isDigit(prev) || Character.isUpperCase(prev) && nextLower) {
                    sb.append('_');
                }
            }
            sb.append(Character.toLowerCase(c));
        }
        return sb.toString();
    }

    /** Metric families in first-seen order, each with its data points. */
    private static final class Families {
        private record Family(boolean counter, String help, List<Object> points) {
        }

        private final Map<String, Family> byName = new LinkedHashMap<>();

        void declare(String name, boolean counter, String help) {
            byName.computeIfAbsent(name, n -> new Family(counter, help, new ArrayList<>()));
        }

        void counter(String name, String help, Labels labels, long value) {
            declare(name, true, help);
            byName.get(name).points.add(CounterDataPointSnapshot.builder().labels(labels).value(value).build());
        }

        void gauge(String name, String help, Labels labels, long value) {
            declare(name, false, help);
            byName.get(name).points.add(GaugeDataPointSnapshot.builder().labels(labels).value(value).build());
        }

        MetricSnapshots build() {
            List<MetricSnapshot> out = new ArrayList<>();
            byName.forEach((name, fam) -> {
                if (fam.counter) {
                    CounterSnapshot.Builder b = CounterSnapshot.builder().name(PREFIX + name).help(fam.help);
                    fam.points.forEach(p -> b.dataPoint((CounterDataPointSnapshot) p));
                    out.add(b.build());
                } else {
                    GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(PREFIX + name).help(fam.help);
                    fam.points.forEach(p -> b.dataPoint((GaugeDataPointSnapshot) p));
                    out.add(b.build());
                }
            });
            return new MetricSnapshots(out);
        }
    }
}
