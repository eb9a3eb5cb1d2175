package io.ustack.cli.services;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/**
 * The test the client asks for, from the JSON object it sends after PARAM_EXCHANGE (iperf3's
 * send_parameters): "tcp" or "udp", "time" and "omit" in seconds, "num" bytes or "blockcount" blocks to end
 * on instead, "parallel" streams, "reverse" or "bidirectional", "len" bytes per write, "get_server_output".
 * Window, MSS, congestion control, pacing and the rest are taken but not applied.
 *
 * @param serverReceives streams on which the client sends (the first ones it opens)
 * @param serverSends streams on which this server sends (-R, or the second half of --bidir)
 * @param sendLimit bytes the server sends in all before it stops, Long.MAX_VALUE for as long as the test runs
 */
record Iperf3Params(int time, int omit, int serverReceives, int serverSends, int len, long sendLimit,
                    boolean serverOutput) {

    /** iperf3's DEFAULT_TCP_BLKSIZE: the length of one write when "len" is absent. */
    static final int DEFAULT_LEN = 128 * 1024;

    /** A request this server turns down with SERVER_ERROR and iperf3's error number for it. */
    static final class Refused extends Exception {
        final int errno;

        Refused(int errno, String why) {
            super(why);
            this.errno = errno;
        }
    }

    /**
     * Parses and checks the client's parameters. Refused for a valid request this server will not run (UDP,
     * out of iperf3's own limits); IOException for something no iperf3 client sends (not an object).
     */
    static Iperf3Params parse(JsonNode j) throws Refused, IOException {
        if (!j.isObject()) {
            throw new IOException("the parameters are not a JSON object");
        }
        if (j.has("udp") || j.has("sctp") || !j.has("tcp")) {
            throw new Refused(Iperf3.IEPROTOCOL, "only TCP tests are served");
        }
        int time = j.path("time").asInt(10);
        int omit = j.path("omit").asInt(0);
        int parallel = j.path("parallel").asInt(1);
        int len = j.path("len").asInt(DEFAULT_LEN);
        long bytes = j.path("num").asLong(0);
        long blocks = j.path("blockcount").asLong(0);
        boolean reverse = j.has("reverse");
        boolean bidir = j.has("bidirectional");
        if (time < 0 || time > Iperf3.MAX_TIME || bytes < 0 || blocks < 0) {
            throw new Refused(Iperf3.IEDURATION, "time " + time + ", bytes " + bytes + ", blocks " + blocks);
        }
        if (omit < 0 || omit > Iperf3.MAX_TIME) {
            throw new Refused(Iperf3.IEOMIT, "omit " + omit);
        }
        if (parallel < 1 || parallel > Iperf3.MAX_STREAMS) {
            throw new Refused(Iperf3.IENUMSTREAMS, "parallel " + parallel);
        }
        if (len < 1 || len > Iperf3.MAX_BLOCKSIZE) {
            throw new Refused(Iperf3.IEBLOCKSIZE, "len " + len);
        }
        if (reverse && bidir) {
            throw new Refused(Iperf3.IEREVERSEBIDIR, "both reverse and bidirectional");
        }
        long limit = bytes > 0 ? bytes
                : blocks > 0 && blocks <= Long.MAX_VALUE / len ? blocks * len
                : Long.MAX_VALUE;
        int receives = reverse ? 0 : parallel;
        int sends = reverse || bidir ? parallel : 0;
        return new Iperf3Params(time, omit, receives, sends, len, limit, j.has("get_server_output"));
    }

    int streams() {
        return serverReceives + serverSends;
    }
}
