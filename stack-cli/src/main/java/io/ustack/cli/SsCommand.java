package io.ustack.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.ustack.cli.control.ControlClient;
import io.ustack.cli.control.ControlRequest;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ustack ss}: the daemon's sockets, like {@code ss -tuna}; with {@code -i}, TCP's internals as ss -ti shows them. */
@Command(name = "ss", description = "List the daemon's TCP and UDP sockets with their state and queues, like ss -tuna.")
public final class SsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ControlOption control;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Option(names = {"-i", "--info"}, description = "Show TCP internals under each connection, like ss -ti: "
            + "congestion control, window scales, RTO and RTT, MSS, cwnd, ssthresh, retransmissions, SACKed bytes.")
    boolean info;

    @Override
    public Integer call() {
        JsonNode result = ControlClient.result(control.resolve(), ControlRequest.of("ss"));
        Output.print(spec, result, json, r -> text(r, info));
        return 0;
    }

    /** ss -tuna's columns, and with {@code info} a second line per connection in ss -ti's words. */
    static String text(JsonNode entries, boolean info) {
        StringBuilder sb = new StringBuilder(String.format("%-5s %-10s %6s %6s %-21s %-21s%n", "Netid", "State", "Recv-Q",
                "Send-Q", "Local Address:Port", "Peer Address:Port"));
        for (JsonNode e : entries) {
            sb.append(String.format("%-5s %-10s %6d %6d %-21s %-21s%n", e.path("netid").asText(), e.path("state").asText(),
                    e.path("recvQ").asInt(), e.path("sendQ").asInt(), e.path("local").asText(), e.path("peer").asText()));
            JsonNode i = e.path("info");
            if (info && i.isObject()) {
                sb.append(infoLine(i)).append(System.lineSeparator());
            }
        }
        return sb.toString();
    }

    /** ss -ti's second line: "ts sack cubic wscale:7,7 rto:204 rtt:0.016/0.008 mss:1448 cwnd:10 retrans:0/2". */
    static String infoLine(JsonNode i) {
        StringBuilder sb = new StringBuilder("\t ");
        if (i.path("timestamps").asBoolean()) {
            sb.append("ts ");
        }
        if (i.path("sack").asBoolean()) {
            sb.append("sack ");
        }
        if (i.path("ecn").asBoolean()) {
            sb.append("ecn ");
        }
        if (i.path("ecnSeen").asBoolean()) {
            sb.append("ecnseen ");
        }
        sb.append(i.path("congestion").asText())
                .append(" wscale:").append(i.path("sndWscale").asInt()).append(',').append(i.path("rcvWscale").asInt())
                .append(" rto:").append(number(i.path("rtoMs").asDouble()))
                .append(" rtt:").append(number(i.path("rttMs").asDouble())).append('/').append(number(i.path("rttvarMs").asDouble()))
                .append(" mss:").append(i.path("mss").asInt())
                .append(" cwnd:").append(i.path("cwnd").asInt());
        if (i.hasNonNull("ssthresh")) {
            sb.append(" ssthresh:").append(i.path("ssthresh").asInt());
        }
        if (i.path("totalRetrans").asLong() > 0) {
            sb.append(" retrans:").append(i.path("retrans").asInt()).append('/').append(i.path("totalRetrans").asLong());
        }
        if (i.path("sackedBytes").asInt() > 0) {
            sb.append(" sacked:").append(i.path("sackedBytes").asInt()).append('B');
        }
        return sb.toString();
    }

    /** ss's way with milliseconds: no trailing zeros, at most three decimals. */
    private static String number(double ms) {
        return BigDecimal.valueOf(ms).setScale(3, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }
}
