package io.ustack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import io.ustack.cli.control.Json;
import org.junit.jupiter.api.Test;

/** ustack ss's text: ss -tuna's columns, and ss -ti's second line with -i. */
class SsCommandTest {
    private static final String ENTRIES = """
            [{"netid":"tcp","state":"ESTAB","recvQ":0,"sendQ":2896,"local":"10.77.0.2:80","peer":"10.77.0.1:40000",
              "info":{"timestamps":true,"sack":true,"congestion":"cubic","sndWscale":7,"rcvWscale":2,"rtoMs":204.0,"rttMs":0.25,"rttvarMs":0.125,
                      "mss":1448,"cwnd":7,"ssthresh":7,"retrans":0,"totalRetrans":3,"sackedBytes":2896}},
             {"netid":"udp","state":"UNCONN","recvQ":0,"sendQ":0,"local":"0.0.0.0:7","peer":"0.0.0.0:*"}]
            """;

    @Test
    void infoAddsSsTisLineUnderEachConnection() throws Exception {
        JsonNode entries = Json.MAPPER.readTree(ENTRIES);
        String text = SsCommand.text(entries, true);
        String[] lines = text.split(System.lineSeparator());
        assertEquals(4, lines.length, text);
        assertEquals("\t ts sack cubic wscale:7,2 rto:204 rtt:0.25/0.125 mss:1448 cwnd:7 ssthresh:7 retrans:0/3 sacked:2896B",
                lines[2]);
        assertFalse(SsCommand.text(entries, false).contains("cubic"), "only with -i");
    }

    @Test
    void aConnectionWithoutLossOmitsWhatItDoesNotHave() {
        JsonNode i = Json.MAPPER.createObjectNode().put("congestion", "reno").put("sndWscale", 0).put("rcvWscale", 0)
                .put("rtoMs", 1000.0).put("rttMs", 0).put("rttvarMs", 0).put("mss", 536).put("cwnd", 10)
                .put("retrans", 0).put("totalRetrans", 0).put("sackedBytes", 0);
        assertEquals("\t reno wscale:0,0 rto:1000 rtt:0/0 mss:536 cwnd:10", SsCommand.infoLine(i));
    }

    /** iproute2's order: ts, sack, ecn, ecnseen, then the algorithm. */
    @Test
    void anEcnConnectionSaysSo() {
        JsonNode i = Json.MAPPER.createObjectNode().put("timestamps", true).put("sack", true).put("ecn", true)
                .put("ecnSeen", true).put("congestion", "cubic").put("sndWscale", 7).put("rcvWscale", 7)
                .put("rtoMs", 204.0).put("rttMs", 0).put("rttvarMs", 0).put("mss", 1448).put("cwnd", 10)
                .put("retrans", 0).put("totalRetrans", 0).put("sackedBytes", 0);
        assertEquals("\t ts sack ecn ecnseen cubic wscale:7,7 rto:204 rtt:0/0 mss:1448 cwnd:10", SsCommand.infoLine(i));
    }
}
