package io.ustack.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ustack.cli.control.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The real iperf3 client in a test namespace against the daemon's iperf3 service: TCP both ways, parallel
 * streams, its JSON report read back; UDP refused as the README says.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Iperf3IT {
    private StackOnTap env;

    @BeforeAll
    void up() throws Exception {
        RootRequirement.require("ip", "iperf3");
        env = StackOnTap.start("--serve", "iperf3");
    }

    @AfterAll
    void down() throws Exception {
        if (env != null) {
            env.close();
        }
    }

    /** Runs iperf3 -c with {@code args} and -J; its JSON report (stderr, where warnings go, is left out). */
    private JsonNode iperf3(String args) throws Exception {
        Cmd c = env.ns.execWithin(60, "sh", "-c", "iperf3 -J -c " + env.stackIp + " " + args + " 2>/dev/null");
        try {
            return Json.MAPPER.readTree(c.output());
        } catch (Exception e) {
            throw new AssertionError("iperf3 " + args + " printed no JSON report: " + c.output() + env.diagnostics(), e);
        }
    }

    private void assertMoved(JsonNode report, String what) {
        assertTrue(report.path("error").isMissingNode(), what + ": " + report.path("error") + env.diagnostics());
        assertTrue(report.at("/end/sum_received/bytes").asLong() > 0, what + ": " + report.path("end"));
        assertTrue(report.at("/end/sum_sent/bytes").asLong() > 0, what + ": " + report.path("end"));
    }

    @Test
    void clientToStack() throws Exception {
        JsonNode r = iperf3("-t 2 --get-server-output");
        assertMoved(r, "iperf3 -c");
        assertTrue(r.path("server_output_text").asText().contains("receiver"), r.path("server_output_text").asText());
    }

    @Test
    void stackToClient() throws Exception {
        JsonNode r = iperf3("-t 2 -R");
        assertMoved(r, "iperf3 -c -R");
        assertTrue(r.at("/end/sum_sent/retransmits").isNumber(), "the stack reports its retransmissions");
    }

    @Test
    void parallelStreamsAndAByteCount() throws Exception {
        JsonNode r = iperf3("-n 50M -P 3 -R");
        assertMoved(r, "iperf3 -c -n 50M -P 3 -R");
        assertEquals(3, r.at("/end/streams").size());
        assertEquals(50L << 20, r.at("/end/sum_received/bytes").asLong(), "the stack stops at the count asked for");
    }

    @Test
    void udpIsRefused() throws Exception {
        assertEquals("protocol does not exist", iperf3("-u -t 1").path("error").asText());
    }
}
