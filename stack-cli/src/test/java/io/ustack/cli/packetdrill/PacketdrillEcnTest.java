package io.ustack.cli.packetdrill;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * ECN (RFC 3168) as Linux 6.12 does it, on the wire through the packetdrill runner: the IP header's ECN field
 * ({@code [noecn]}, {@code [ect0]}, {@code [ce]}) and the TCP flags E (ECE) and W (CWR).
 */
class PacketdrillEcnTest {
    private static Runner.Result run(String text) throws ScriptError {
        Script script = Parser.parse("ecn.pkt", text);
        return new Runner(script, RunConfig.defaults(), Path.of(".")).run();
    }

    /**
     * tcp_ecn 2 (the default): an ECN-setup SYN gets a SYN-ACK with ECE and neither it nor pure ACKs are ECT;
     * our data leaves ECT(0); a CE mark is answered at once with ECE, which our segments carry until the
     * peer's CWR arrives, whose data is ACKed at once.
     */
    @Test
    void aPassiveOpenAgreesEcnAndEchoesCeUntilCwr() throws Exception {
        Runner.Result r = run("""
                // passive ECN: ECN-setup SYN, SYN-ACK with ECE, ECT(0) data, CE echoed until CWR
                0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +0  setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
                +0  bind(3, ..., ...) = 0
                +0  listen(3, 1) = 0
                +0  < SEW 0:0(0) win 32792 <mss 1000,nop,nop,sackOK,nop,wscale 7>
                +0  > [noecn] SE. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 10>
                +.1 < . 1:1(0) ack 1 win 257
                +0  accept(3, ..., ...) = 4
                +0  write(4, ..., 100) = 100
                +0  > [ect0] P. 1:101(100) ack 1
                +.1 < [ce] P. 1:1001(1000) ack 101 win 257
                +0  > [noecn] E. 101:101(0) ack 1001
                +0  write(4, ..., 100) = 100
                +0  > [ect0] PE. 101:201(100) ack 1001
                +.1 < [ect0] PW. 1001:2001(1000) ack 201 win 257
                +0  > [noecn] . 201:201(0) ack 2001
                """);
        assertEquals(Runner.Verdict.PASSED, r.verdict(), r.message());
    }

    /**
     * tcp_ecn 1: our SYN asks (ECE and CWR, not ECT), a SYN-ACK with ECE alone agrees; an ACK with ECE
     * reduces the window (tcp_enter_cwr) and the next new data carries CWR, once.
     */
    @Test
    void anActiveOpenAsksWithTcpEcn1AndAnswersEceWithCwr() throws Exception {
        Runner.Result r = run("""
                // active ECN with tcp_ecn=1: ECN-setup SYN; an ECE-ACK makes the next new data carry CWR
                `sysctl -q net.ipv4.tcp_ecn=1`
                0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +0  fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
                +0  connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)
                +0  > [noecn] SEW 0:0(0) <...>
                +.1 < SE. 0:0(0) ack 1 win 65535 <mss 1000,nop,nop,sackOK,nop,wscale 7>
                +0  > [noecn] . 1:1(0) ack 1
                +0  write(3, ..., 2000) = 2000
                +0  > [ect0] P. 1:2001(2000) ack 1
                +.1 < E. 1:1(0) ack 1001 win 500
                +0  write(3, ..., 1000) = 1000
                +0  > [ect0] PW. 2001:3001(1000) ack 1
                +.1 < . 1:1(0) ack 3001 win 500
                +0  write(3, ..., 1000) = 1000
                +0  > [ect0] P. 3001:4001(1000) ack 1
                """);
        assertEquals(Runner.Verdict.PASSED, r.verdict(), r.message());
    }

    /** With tcp_ecn 0 the ECN-setup SYN is answered as a plain one. */
    @Test
    void tcpEcn0RefusesEcn() throws Exception {
        Runner.Result r = run("""
                `sysctl -q net.ipv4.tcp_ecn=0`
                0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +0  bind(3, ..., ...) = 0
                +0  listen(3, 1) = 0
                +0  < SEW 0:0(0) win 32792 <mss 1000>
                +0  > [noecn] S. 0:0(0) ack 1 <mss 1460>
                +.1 < . 1:1(0) ack 1 win 257
                +0  accept(3, ..., ...) = 4
                +0  write(4, ..., 100) = 100
                +0  > [noecn] P. 1:101(100) ack 1
                """);
        assertEquals(Runner.Verdict.PASSED, r.verdict(), r.message());
    }
}
