package io.ustack.cli.daemon;

import io.ustack.cli.services.dhcp.DhcpPool;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.MacAddress;
import io.ustack.driver.tap.TapConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Writes a configuration as the file {@link ConfigFile} reads, for {@code ustack save}: every setting spelled
 * out (the MAC a TAP was given, every writable sysctl), so that a daemon started from it runs the same state
 * rather than today's defaults, which may change.
 */
public final class ConfigWriter {
    /** What YAML reads back as the same text without quotes; anything else is written double-quoted. */
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]*");

    private ConfigWriter() {
    }

    /**
     * The file for {@code config} with its services and log level.
     *
     * @param heading comment lines for the top (each without its "# "), such as who wrote the file and when
     */
    public static String write(DaemonConfig config, String serve, String logLevel, List<String> heading) {
        StringBuilder sb = new StringBuilder();
        heading.forEach(h -> sb.append("# ").append(h).append('\n'));
        sb.append("interfaces:\n");
        for (IfaceSpec i : config.ifaces()) {
            iface(sb, i);
        }
        if (!config.routes().isEmpty()) {
            sb.append("routes:\n");
            config.routes().forEach(r -> sb.append("  - ").append(scalar(r.describe())).append('\n'));
        }
        if (!config.ipRules().isEmpty()) {
            sb.append("ip-rules:\n");
            config.ipRules().forEach(r -> sb.append("  - ").append(scalar(r.text())).append('\n'));
        }
        if (!config.sysctls().isEmpty()) {
            sb.append("sysctl:\n");
            // tcp_rmem's three numbers are tab-separated as /proc/sys has them; spaces read the same
            config.sysctls().forEach((k, v) -> sb.append("  ").append(k).append(": ")
                    .append(scalar(v.replace('\t', ' '))).append('\n'));
        }
        sb.append("backlog-threads: ").append(config.backlogThreads()).append('\n');
        sb.append("serve: ").append(scalar(serve)).append('\n');
        if (config.metrics() != null) {
            sb.append("metrics: ").append(scalar(io.ustack.cli.metrics.MetricsServer.describe(config.metrics())))
                    .append('\n');
        }
        if (config.dhcpLeases() != null) {
            sb.append("dhcp-leases: ").append(scalar(config.dhcpLeases().toString())).append('\n');
        }
        sb.append("log-level: ").append(logLevel).append('\n');
        rules(sb, "rules", config.rules());
        rules(sb, "rules6", config.rules6());
        return sb.toString();
    }

    /** A rules key with its text as a block scalar; nothing for no rules. */
    private static void rules(StringBuilder sb, String key, Sourced rules) {
        if (rules != null && !rules.text().isBlank()) {
            sb.append(key).append(": |\n");
            for (String line : rules.text().strip().split("\n", -1)) {
                sb.append(line.isEmpty() ? "" : "  " + line).append('\n');
            }
        }
    }

    private static void iface(StringBuilder sb, IfaceSpec i) {
        TapConfig tap = i.tap();
        sb.append("  ").append(i.name()).append(":\n");
        List<String> addrs = new ArrayList<>();
        i.addrs().forEach(p -> addrs.add(p.toString()));
        i.addrs6().forEach(p -> addrs.add(p.toString()));
        list(sb, "addr", addrs);
        List<String> hosts = new ArrayList<>();
        if (tap.host() != null) {
            hosts.add(tap.host().toString());
        }
        tap.host6().forEach(p -> hosts.add(p.toString()));
        list(sb, "host", hosts);
        key(sb, "mac", MacAddress.format(tap.mac()));
        key(sb, "mtu", Integer.toString(tap.mtu()));
        key(sb, "queues", Integer.toString(tap.queues()));
        key(sb, "offload", tap.offload() ? "on" : "off");
        key(sb, "ra", i.ra() ? "on" : "off");
        DhcpPool d = i.dhcp();
        if (d != null) {
            key(sb, "dhcp", Ipv4Address.format(d.first()) + "-" + Ipv4Address.format(d.last()));
            key(sb, "dhcp-lease", Long.toString(d.leaseSeconds()));
            list(sb, "dhcp-dns", d.dns().stream().map(Ipv4Address::format).toList());
            List<String> statics = new ArrayList<>();
            for (Map.Entry<Long, Integer> e : d.statics().entrySet()) {
                statics.add(MacAddress.format(e.getKey()) + "=" + Ipv4Address.format(e.getValue()));
            }
            list(sb, "dhcp-static", statics);
        }
    }

    private static void key(StringBuilder sb, String key, String value) {
        sb.append("    ").append(key).append(": ").append(scalar(value)).append('\n');
    }

    private static void list(StringBuilder sb, String key, List<String> values) {
        if (values.isEmpty()) {
            return;
        }
        sb.append("    ").append(key).append(":\n");
        values.forEach(v -> sb.append("      - ").append(scalar(v)).append('\n'));
    }

    /** {@code text} as a YAML scalar that reads back as the same text. */
    static String scalar(String text) {
        if (PLAIN.matcher(text).matches()) {
            return text;
        }
        return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
