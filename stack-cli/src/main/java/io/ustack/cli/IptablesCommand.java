package io.ustack.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlClient;
import io.ustack.cli.control.ControlRequest;
import io.ustack.cli.control.Json;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ustack iptables ARGS...}: iptables' own command lines, unchanged, on the daemon's tables
 * ({@code ustack iptables -t nat -A POSTROUTING -o tapR -j MASQUERADE}). It prints what iptables prints
 * and exits as it does: 0, 1 when the tables refuse (no such chain or rule), 2 for a bad command line.
 */
@Command(name = "iptables",
        description = {"Change or list the daemon's packet filter with iptables' command lines: -t filter|nat|mangle|raw, "
            + "-A -I -D -R -C -L -S -F -Z -N -X -E -P with -v -n -x --line-numbers.",
            "Matches: tcp udp multiport icmp state conntrack mark connmark comment limit iprange addrtype length ttl "
                + "pkttype mac dscp. Targets: ACCEPT DROP REJECT RETURN, user chains (-j, -g), LOG MARK CONNMARK "
                + "TCPMSS SNAT DNAT MASQUERADE REDIRECT NOTRACK TTL DSCP."})
public class IptablesCommand implements Callable<Integer> {
    CommandSpec spec;

    /** iptables' words start with '-': picocli must take them as this command's words, not its own options. */
    @Spec
    void spec(CommandSpec spec) {
        this.spec = spec;
        spec.parser().unmatchedOptionsArePositionalParams(true);
    }

    @Mixin
    ControlOption control;

    @Parameters(arity = "0..*", paramLabel = "ARG", description = "iptables' arguments, as iptables takes them")
    List<String> args = List.of();

    /** The tool, and the daemon's request: iptables here, ip6tables for {@link Ip6tablesCommand}. */
    String tool() {
        return "iptables";
    }

    @Override
    public Integer call() {
        ObjectNode request = Json.MAPPER.createObjectNode();
        ArrayNode words = request.putArray("args");
        args.forEach(words::add);
        return answer(spec, tool(), ControlClient.result(control.resolve(), new ControlRequest(tool(), request)));
    }

    /**
     * Prints an iptables tool's answer (output, or its error line on stderr, in {@code tool}'s name) and gives
     * its exit status.
     */
    static int answer(CommandSpec spec, String tool, JsonNode result) {
        spec.commandLine().getOut().print(result.path("output").asText());
        spec.commandLine().getOut().flush();
        int status = result.path("status").asInt();
        if (status != 0) {
            String error = result.path("error").asText();
            spec.commandLine().getErr().println(error.startsWith(tool) ? error : tool + ": " + error);
            spec.commandLine().getErr().flush();
        }
        return status;
    }
}
