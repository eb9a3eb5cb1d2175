package io.ustack.cli.services;

/**
 * The facts of iperf3's protocol (esnet/iperf, iperf_api.h) that its server side needs. A test is one control
 * connection and one or more data connections, all to port 5201, each opening with the client's 37-byte
 * cookie (36 characters and a NUL). On the control connection the server drives the test with one-byte
 * states and both sides exchange JSON objects, each after its length as a 4-byte big-endian number.
 */
final class Iperf3 {
    static final int PORT = 5201;
    static final int COOKIE_SIZE = 37;

    // the one-byte states (signed char on the wire)
    static final byte TEST_START = 1;
    static final byte TEST_RUNNING = 2;
    static final byte TEST_END = 4;
    static final byte PARAM_EXCHANGE = 9;
    static final byte CREATE_STREAMS = 10;
    static final byte CLIENT_TERMINATE = 12;
    static final byte EXCHANGE_RESULTS = 13;
    static final byte DISPLAY_RESULTS = 14;
    static final byte IPERF_DONE = 16;
    static final byte ACCESS_DENIED = -1;
    /** Followed by two 4-byte big-endian numbers: iperf3's i_errno, then errno. */
    static final byte SERVER_ERROR = -2;

    // i_errno values the client turns into its message (iperf_strerror)
    static final int IEDURATION = 5;
    static final int IENUMSTREAMS = 6;
    static final int IEBLOCKSIZE = 7;
    static final int IEOMIT = 12;
    static final int IEREVERSEBIDIR = 25;
    /** "protocol does not exist": what a server without the protocol asked for (set_protocol) fails with. */
    static final int IEPROTOCOL = 131;

    // iperf3's own limits (iperf.h), which its client checks before it asks
    static final int MAX_STREAMS = 128;
    static final int MAX_BLOCKSIZE = 1024 * 1024;
    static final int MAX_TIME = 86400;

    /**
     * The longest JSON message taken: the client's results list every stream (about 150 bytes each, 256 at
     * most with --bidir), and its parameters are a few hundred bytes. A longer length is a lie.
     */
    static final int MAX_JSON = 256 * 1024;

    private Iperf3() {
    }

    /** What iperf3's make_cookie writes: 36 printable characters and a NUL (a lying client sends other bytes). */
    static boolean wellFormedCookie(byte[] cookie) {
        for (int i = 0; i < COOKIE_SIZE - 1; i++) {
            if (cookie[i] <= ' ' || cookie[i] > '~') {
                return false;
            }
        }
        return cookie[COOKIE_SIZE - 1] == 0;
    }
}
