package io.ustack.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlClient;
import io.ustack.cli.control.ControlRequest;
import io.ustack.cli.control.ControlResponse;
import io.ustack.cli.control.Json;
import io.ustack.cli.control.handlers.PingHandler;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ustack ping}: ICMP or ICMPv6 echo sent by the daemon's stack, printed as iputils ping prints it. */
@Command(name = "ping", description = {"Send ICMP echo requests from the daemon's stack and print the replies as ping does.",
    "An address with a colon is IPv6 (ICMPv6 echo, as ping -6); a link-local one names its interface, fe80::1%tap0.",
    "Exits 1 if no reply came back."})
public final class PingCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ControlOption control;

    @Option(names = "-c", paramLabel = "N", description = "Send N requests (default 4, at most " + PingHandler.MAX_COUNT + ").")
    int count = 4;

    @Option(names = "-i", paramLabel = "SECONDS", description = "Wait SECONDS between requests (default 1, at least 0.01).")
    double interval = 1;

    @Option(names = "-s", paramLabel = "SIZE", description = "SIZE bytes of data in each request (default 56, at most "
            + PingHandler.MAX_SIZE + ", " + PingHandler.MAX_SIZE6 + " over IPv6).")
    int size = 56;

    @Mixin
    FamilyOption family;

    @Option(names = "-W", paramLabel = "TIMEOUT", description = "Wait up to TIMEOUT seconds for replies after the last request "
            + "(default 10). The whole run, (N - 1) x interval + TIMEOUT, may take at most 120 seconds.")
    double timeout = 10;

    @Option(names = "--json", description = "Print the daemon's answer as JSON.")
    boolean json;

    @Parameters(paramLabel = "ADDRESS", description = "The IPv4 or IPv6 address to ping (fe80::1%IFNAME for a link-local one).")
    String address;

    @Override
    public Integer call() {
        check();
        ObjectNode args = Json.MAPPER.createObjectNode();
        args.put("address", address);
        String f = family.family(spec);
        if (f != null) {
            args.put("family", f);
        }
        args.put("count", count);
        args.put("intervalMs", (int) Math.round(interval * 1000));
        args.put("size", size);
        args.put("timeoutMs", (int) Math.round(timeout * 1000));
        Duration wait = Duration.ofMillis((long) Math.max(0, count - 1) * Math.round(interval * 1000)
                + Math.round(timeout * 1000)).plusSeconds(10);
        ControlResponse r = ControlClient.call(control.resolve(), new ControlRequest("ping", args), wait);
        if (!r.ok()) {
            throw new UserException(r.error());
        }
        Output.print(spec, r.result(), json, PingCommand::text);
        return r.result().path("received").asInt() > 0 ? 0 : 1;
    }

    /** The daemon's limits, checked here so that a mistake is a usage error naming the flag in its own unit. */
    private void check() {
        double maxSeconds = PingHandler.MAX_TOTAL_MS / 1000.0;
        double minInterval = PingHandler.MIN_INTERVAL_MS / 1000.0;
        if (count < 1 || count > PingHandler.MAX_COUNT) {
            throw usage("-c must be from 1 to " + PingHandler.MAX_COUNT + " requests, not " + count);
        }
        if (!(interval >= minInterval && interval <= maxSeconds)) {
            throw usage("-i must be from " + seconds(minInterval) + " to " + seconds(maxSeconds) + " seconds, not "
                    + seconds(interval));
        }
        String f = family.family(spec);
        int maxSize = "inet6".equals(f) || f == null && address.indexOf(':') >= 0 ? PingHandler.MAX_SIZE6 : PingHandler.MAX_SIZE;
        if (size < 0 || size > maxSize) {
            throw usage("-s must be from 0 to " + maxSize + " bytes, not " + size);
        }
        if (!(timeout >= 0.001 && timeout <= maxSeconds)) {
            throw usage("-W must be from 0.001 to " + seconds(maxSeconds) + " seconds, not " + seconds(timeout));
        }
        double total = (count - 1) * (Math.round(interval * 1000) / 1000.0) + Math.round(timeout * 1000) / 1000.0;
        if (total > maxSeconds) {
            throw usage("-c " + count + " -i " + seconds(interval) + " -W " + seconds(timeout) + " would take "
                    + seconds(total) + " seconds, and a ping may take at most " + seconds(maxSeconds)
                    + " ((N - 1) x interval + timeout)");
        }
    }

    private ParameterException usage(String sentence) {
        return new ParameterException(spec.commandLine(), sentence);
    }

    /** Seconds as a person writes them: 1, 0.2, 120. */
    static String seconds(double s) {
        if (!Double.isFinite(s)) {
            return Double.toString(s);
        }
        return BigDecimal.valueOf(s).round(new MathContext(6)).stripTrailingZeros().toPlainString();
    }

    /** iputils ping's lines: the banner (ping -6's its own), one per reply, the statistics. */
    static String text(JsonNode r) {
        String target = r.path("target").asText();
        int size = r.path("size").asInt();
        StringBuilder sb = new StringBuilder(r.path("family").asText().equals("inet6")
                ? String.format(Locale.ROOT, "PING %s(%s) %d data bytes%n", target, target, size)
                : String.format(Locale.ROOT, "PING %s (%s) %d(%d) bytes of data.%n", target, target, size, size + 28));
        double min = Double.MAX_VALUE;
        double max = 0;
        double sum = 0;
        double sum2 = 0;
        int n = 0;
        for (JsonNode p : r.path("replies")) {
            double t = p.path("timeMs").asDouble();
            sb.append(String.format(Locale.ROOT, "%d bytes from %s: icmp_seq=%d ttl=%d time=%s ms%s%n", p.path("bytes").asInt(),
                    p.path("from").asText(), p.path("seq").asInt(), p.path("ttl").asInt(), rtt(t),
                    p.path("dup").asBoolean() ? " (DUP!)" : ""));
            if (!p.path("dup").asBoolean()) {
                min = Math.min(min, t);
                max = Math.max(max, t);
                sum += t;
                sum2 += t * t;
                n++;
            }
        }
        int tx = r.path("transmitted").asInt();
        int rx = r.path("received").asInt();
        int dups = r.path("duplicates").asInt();
        sb.append(String.format(Locale.ROOT, "%n--- %s ping statistics ---%n", target));
        sb.append(String.format(Locale.ROOT, "%d packets transmitted, %d received, ", tx, rx));
        if (dups > 0) {
            sb.append('+').append(dups).append(" duplicates, ");
        }
        sb.append(percent(tx == 0 ? 0 : (tx - rx) * 100.0 / tx)).append("% packet loss, time ")
                .append(r.path("timeMs").asLong()).append("ms\n");
        if (n > 0) {
            double avg = sum / n;
            double mdev = Math.sqrt(Math.max(0, sum2 / n - avg * avg));
            sb.append(String.format(Locale.ROOT, "rtt min/avg/max/mdev = %.3f/%.3f/%.3f/%.3f ms%n", min, avg, max, mdev));
        }
        return sb.toString();
    }

    /** As ping prints a round trip: three decimals under 1 ms... one under 100, none above. */
    private static String rtt(double ms) {
        if (ms >= 100) {
            return String.format(Locale.ROOT, "%.0f", ms);
        }
        if (ms >= 10) {
            return String.format(Locale.ROOT, "%.1f", ms);
        }
        if (ms >= 1) {
            return String.format(Locale.ROOT, "%.2f", ms);
        }
        return String.format(Locale.ROOT, "%.3f", ms);
    }

    /** C's %g: six significant digits, no trailing zeros (0, 25, 33.3333). */
    private static String percent(double v) {
        if (v == 0) {
            return "0";
        }
        return new BigDecimal(v).round(new MathContext(6)).stripTrailingZeros().toPlainString();
    }
}
