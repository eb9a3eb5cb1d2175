package io.ustack.cli.packetdrill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The runner on scripts of our own: what passes, and for each way a script can fail the message packetdrill
 * prints for it (the line, what was expected, what was seen).
 */
class PacketdrillRunnerTest {
    /** A listener, a SYN from the script, the stack's SYN-ACK and the third ACK, then accept(2). */
    private static final String HANDSHAKE = """
            0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
            +0  setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
            +0  bind(3, ..., ...) = 0
            +0  listen(3, 1) = 0
            +0  < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>
            +0  > S. 0:0(0) ack 1 <...>
            +.1 < . 1:1(0) ack 1 win 257
            +0  accept(3, ..., ...) = 4
            """;

    private static Runner.Result run(String text) throws ScriptError {
        Script script = Parser.parse("t.pkt", text);
        return new Runner(script, RunConfig.defaults(), Path.of(".")).run();
    }

    private static void assertFails(String text, String... parts) throws ScriptError {
        Runner.Result r = run(text);
        assertEquals(Runner.Verdict.FAILED, r.verdict(), r.message());
        for (String part : parts) {
            assertTrue(r.message().contains(part), "expected \"" + part + "\" in:\n" + r.message());
        }
    }

    @Test
    void aServerExchangesDataAndClosesAsScripted() throws Exception {
        Runner.Result r = run(HANDSHAKE + """
                +0  < P. 1:1001(1000) ack 1 win 257
                +0~+.05 > . 1:1(0) ack 1001
                +0  read(4, ..., 1000) = 1000
                +0  write(4, ..., 10) = 10
                +0  > P. 1:11(10) ack 1001
                +.1 < . 1001:1001(0) ack 11 win 257
                +0  close(4) = 0
                +0  > F. 11:11(0) ack 1001
                +.1 < F. 1001:1001(0) ack 12 win 257
                +0  > . 12:12(0) ack 1002
                """);
        assertEquals(Runner.Verdict.PASSED, r.verdict(), r.message());
    }

    @Test
    void aClientConnectsWithoutBlockingAndLearnsItsIsnFromItsSyn() throws Exception {
        Runner.Result r = run("""
                0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +0  fcntl(3, F_GETFL) = 0x2 (flags O_RDWR)
                +0  fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
                +0  connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)
                +0  > S 0:0(0) <...>
                +.01 < S. 0:0(0) ack 1 win 5792 <mss 1460,nop,nop,sackOK,nop,wscale 7>
                +0  > . 1:1(0) ack 1
                +0  getsockopt(3, SOL_SOCKET, SO_ERROR, [0], [4]) = 0
                +0  write(3, ..., 100) = 100
                +0  > P. 1:101(100) ack 1
                +0  read(3, ..., 10) = -1 EAGAIN (Resource temporarily unavailable)
                """);
        assertEquals(Runner.Verdict.PASSED, r.verdict(), r.message());
    }

    @Test
    void anIcmpPortUnreachableQuotingTheSynRefusesTheConnection() throws Exception {
        Runner.Result r = run("""
                0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +0  fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
                +0  connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)
                +0  > S 0:0(0) <...>
                +.01 < icmp unreachable port_unreachable [0:0(0)]
                +0  getsockopt(3, SOL_SOCKET, SO_ERROR, [ECONNREFUSED], [4]) = 0
                """);
        assertEquals(Runner.Verdict.PASSED, r.verdict(), r.message());
        assertFails("""
                0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +0  fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
                +0  connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)
                +0  > S 0:0(0) <...>
                +.01 < icmp unreachable type_99 [0:0(0)]
                """, "t.pkt:5: error handling packet: bad ICMP code type_99");
    }

    @Test
    void segmentsThatTogetherCarryALinesPayloadCountAsThatLine() throws Exception {
        // with TSO off on the tun device, software GSO cuts the stack's 3000 bytes into three segments
        String script = """
                `ethtool -K tun0 tso off`
                0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +0  bind(3, ..., ...) = 0
                +0  listen(3, 1) = 0
                +0  < S 0:0(0) win 32792 <mss 1000>
                +0  > S. 0:0(0) ack 1 <mss 1460>
                +.1 < . 1:1(0) ack 1 win 32792
                +0  accept(3, ..., ...) = 4
                +0  write(4, ..., 3000) = 3000
                +0  > P. 1:%s ack 1
                """;
        Runner.Result r = run(script.formatted("3001(3000)"));
        assertEquals(Runner.Verdict.PASSED, r.verdict(), r.message());
        assertEquals(List.of(), r.notes(), "ethtool -K on the script's device is applied, not noted");
        assertFails(script.formatted("4001(4000)"), "live packet payload: expected 4000 bytes vs actual 3000 bytes");
    }

    @Test
    void aBlockingAcceptReturnsWhenTheHandshakeCompletes() throws Exception {
        Runner.Result r = run("""
                0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +0  bind(3, ..., ...) = 0
                +0  listen(3, 1) = 0
                +0...0.2 accept(3, ..., ...) = 4
                +0  < S 0:0(0) win 32792 <mss 1460>
                +0  > S. 0:0(0) ack 1 <mss 1460>
                +.2 < . 1:1(0) ack 1 win 257
                +.1 write(4, ..., 5) = 5
                +0  > P. 1:6(5) ack 1
                """);
        assertEquals(Runner.Verdict.PASSED, r.verdict(), r.message());
    }

    @Test
    void aBlockingCallThatReturnsAtTheWrongTimeIsATimingError() throws Exception {
        assertFails("""
                0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +0  bind(3, ..., ...) = 0
                +0  listen(3, 1) = 0
                +0...0.5 accept(3, ..., ...) = 4
                +0  < S 0:0(0) win 32792 <mss 1460>
                +0  > S. 0:0(0) ack 1 <mss 1460>
                +.2 < . 1:1(0) ack 1 win 257
                """, "t.pkt:4: timing error: expected system call return at 0.500000 sec but happened at 0.200000 sec");
    }

    @Test
    void aFieldThatDiffersIsNamedWithBothPackets() throws Exception {
        assertFails("""
                0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +0  bind(3, ..., ...) = 0
                +0  listen(3, 1) = 0
                +0  < S 0:0(0) win 32792 <mss 1460>
                +0  > S. 0:0(0) ack 5 <mss 1460>
                """, "t.pkt:5: error handling packet: live packet field tcp_ack_seq: expected: 5 (0x5) vs actual: 1 (0x1)",
                "script packet:  0.000000 S. 0:0(0) ack 5 <mss 1460>",
                "actual packet:  0.000000 S. 0:0(0) ack 1 win ");
    }

    @Test
    void optionsAreComparedOneForOne() throws Exception {
        assertFails("""
                0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +0  bind(3, ..., ...) = 0
                +0  listen(3, 1) = 0
                +0  < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>
                +0  > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 3>
                """, "t.pkt:5: error handling packet: bad value outbound TCP option 3");
    }

    @Test
    void aPacketAtTheWrongTimeIsATimingError() throws Exception {
        assertFails("""
                0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +0  bind(3, ..., ...) = 0
                +0  listen(3, 1) = 0
                +0  < S 0:0(0) win 32792 <mss 1460>
                +1  > S. 0:0(0) ack 1 <mss 1460>
                """, "t.pkt:5: error handling packet: timing error: expected outbound packet at 1.000000 sec but "
                + "happened at 0.000000 sec; tolerance 0.125000 sec");
    }

    @Test
    void aPacketThatNeverComesIsReportedWithTheLineThatWaitedForIt() throws Exception {
        assertFails(HANDSHAKE + """
                +0  > P. 1:11(10) ack 1
                """, "t.pkt:9: error handling packet: expected outbound packet but none was sent by 0.104000 sec");
    }

    @Test
    void retransmissionsComeOnTheVirtualClock() throws Exception {
        Runner.Result r = run("""
                0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +0  bind(3, ..., ...) = 0
                +0  listen(3, 1) = 0
                +0  < S 0:0(0) win 32792 <mss 1460>
                +0  > S. 0:0(0) ack 1 <mss 1460>
                +1  > S. 0:0(0) ack 1 <mss 1460>
                +2  > S. 0:0(0) ack 1 <mss 1460>
                """);
        assertEquals(Runner.Verdict.PASSED, r.verdict(), r.message());
    }

    @Test
    void aWrongResultOrErrnoIsARuntimeError() throws Exception {
        assertFails("""
                0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +0  listen(3, 1) = 1
                """, "t.pkt:2: runtime error in listen call: Expected result 1 but got 0 with errno 0 (Success)");
        assertFails("""
                0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +0  read(3, ..., 10) = -1 EAGAIN (Resource temporarily unavailable)
                """, "t.pkt:2: runtime error in read call: Expected errno 11 (Resource temporarily unavailable) but got "
                + "107 (Transport endpoint is not connected)");
    }

    @Test
    void aCallThatBlocksWithoutDotsIsAnError() throws Exception {
        assertFails("""
                0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +0  bind(3, ..., ...) = 0
                +0  listen(3, 1) = 0
                +0  accept(3, ..., ...) = 4
                """, "t.pkt:4: runtime error in accept call: it blocked");
    }

    @Test
    void whatTheRunnerCannotDoIsUnsupportedNotFailed() throws Exception {
        Runner.Result r = run("""
                0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +0  sendfile(3, 4, ..., 10) = 10
                """);
        assertEquals(Runner.Verdict.UNSUPPORTED, r.verdict());
        assertTrue(r.message().contains("Unknown system call: 'sendfile'"), r.message());
    }

    @Test
    void snippetsSeeTcpInfoAsTakenAtTheirTime() throws Exception {
        String script = HANDSHAKE + """
                +0  %{ assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd }%
                +0  %{ assert tcpi_state == TCP_ESTABLISHED }%
                """;
        Runner.Result r = run(script);
        assertEquals(Runner.Verdict.PASSED, r.verdict(), r.message());
        assertFails(HANDSHAKE + """
                +0  %{ assert tcpi_snd_cwnd == 11, 'cwnd=%d' % tcpi_snd_cwnd }%
                """, "t.pkt:9: error in Python code", "AssertionError: cwnd=10");
    }

    @Test
    void sysctlsInBackticksAreAppliedAndTheRestNoted() throws Exception {
        Runner.Result r = run("""
                `sysctl -q net.ipv4.tcp_sack=0
                tc qdisc add dev tun0 root netem delay 10ms`
                0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +0  bind(3, ..., ...) = 0
                +0  listen(3, 1) = 0
                +0  < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>
                +0  > S. 0:0(0) ack 1 <mss 1460,nop,wscale 10>
                """);
        assertEquals(Runner.Verdict.PASSED, r.verdict(), r.message());
        assertEquals(1, r.notes().size(), r.notes().toString());
        assertTrue(r.notes().get(0).contains("tc qdisc add dev tun0 root netem delay 10ms"), r.notes().toString());
    }

    /**
     * An RTT of half a second: the first ten segments leave together, unpaced; after the ACK of two, cwnd 12
     * and 2 x 12,000 bytes per 0.5 s make 20.8 ms a segment, the first of them sent at once and the second
     * after half of that (the credit for the idle time).
     */
    private static final String PACED = """
            0    socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
            +0   setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
            +0   bind(3, ..., ...) = 0
            +0   listen(3, 1) = 0
            +0   < S 0:0(0) win 65535 <mss 1000>
            +0   > S. 0:0(0) ack 1 <mss 1460>
            +.5  < . 1:1(0) ack 1 win 65535
            +0   accept(3, ..., ...) = 4
            +0   write(4, ..., 20000) = 20000
            +0   > . 1:10001(10000) ack 1
            +.5  < . 1:1(0) ack 2001 win 65535
            +0   > . 10001:11001(1000) ack 1
            +.0104 > . 11001:12001(1000) ack 1
            +.0208 > . 12001:13001(1000) ack 1
            +.0208 > . 13001:14001(1000) ack 1
            """;

    @Test
    void anFqQdiscPacesDataToItsDepartureTimes() throws Exception {
        Runner.Result r = run("`ethtool -K tun0 tso off gso off\ntc qdisc replace dev tun0 root fq`\n" + PACED);
        assertEquals(Runner.Verdict.PASSED, r.verdict(), r.message());
        assertTrue(r.notes().isEmpty(), r.notes().toString());
        assertFails("`ethtool -K tun0 tso off gso off`\n" + PACED, "t.pkt:14: ", "timing error");
        assertFails("`ethtool -K tun0 tso off gso off\ntc qdisc replace dev tun0 root fq\ntc qdisc del dev tun0 root`\n"
                + PACED, "t.pkt:16: ", "timing error");
    }
}
