package io.ustack.core.tcp;

import static io.ustack.core.wire.TcpSegment.ACK;
import static io.ustack.core.wire.TcpSegment.CWR;
import static io.ustack.core.wire.TcpSegment.ECE;
import static io.ustack.core.wire.TcpSegment.FIN;
import static io.ustack.core.wire.TcpSegment.PSH;
import static io.ustack.core.wire.TcpSegment.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.stats.Mib;
import io.ustack.core.tcp.TcpScript.Seg;
import org.junit.jupiter.api.Test;

/**
 * RFC 3168 ECN as Linux 6.12 does it (tcp_ecn_* in tcp_input.c and tcp_output.c): the negotiation both ways
 * under net.ipv4.tcp_ecn, ECT(0) on new data only, ECE from a CE mark until the peer's CWR, and the sender's
 * once-a-window reduction (tcp_enter_cwr) with CWR on its next new data. The flags checked are the TCP
 * header's (ECE 0x40, CWR 0x80) and the IP header's ECN field ({@link Segment#IP_ECT0}: 10, CE: 11).
 */
class TcpEcnTest {
    private static final int MSS = 1000;
    private static final TcpConfig PLAIN = TcpConfig.defaults().withOptions(false, false, false);
    private static final TcpConfig ASK = PLAIN.withEcn(1, true);

    // ---- negotiation ----

    @Test
    void theSysctlDefaultsAreLinuxs() {
        assertEquals(2, TcpConfig.defaults().ecn(), "tcp_ecn 2: accept ECN, do not ask for it");
        assertTrue(TcpConfig.defaults().ecnFallback());
    }

    /** tcp_ecn_create_request and tcp_ecn_make_synack: an ECN-setup SYN (ECE and CWR) gets ECE on the SYN-ACK. */
    @Test
    void anEcnSetupSynIsAnsweredWithEce() {
        TcpScript s = TcpScript.server(PLAIN, Seg.of(SYN | ECE | CWR, 0, 0).mss(MSS));
        Segment synAck = s.expect(SYN | ACK | ECE, 0, 1, 0);
        assertEquals(SYN | ACK | ECE, synAck.flags(), "no CWR, and no ECT in IP: 0x52 and TOS 0");
        assertTrue(s.tcb.ecnOk());
        s.advanceMs(1000);
        s.expect(SYN | ACK | ECE, 0, 1, 0); // the retransmitted SYN-ACK too (tcp_make_synack)
    }

    @Test
    void ecnIsNotAgreedWithoutBothFlagsOrWithTcpEcn0OrForAnEctSyn() {
        TcpScript ece = TcpScript.server(PLAIN, Seg.of(SYN | ECE, 0, 0).mss(MSS));
        ece.expect(SYN | ACK, 0, 1, 0);
        assertFalse(ece.tcb.ecnOk());
        TcpScript off = TcpScript.server(PLAIN.withEcn(0, true), Seg.of(SYN | ECE | CWR, 0, 0).mss(MSS));
        off.expect(SYN | ACK, 0, 1, 0);
        TcpScript ect = TcpScript.server(PLAIN, Seg.of(SYN | ECE | CWR | Segment.IP_ECT0, 0, 0).mss(MSS));
        ect.expect(SYN | ACK, 0, 1, 0);
        TcpScript ce = TcpScript.server(PLAIN, Seg.of(SYN | ECE | CWR | Segment.IP_CE, 0, 0).mss(MSS));
        ce.expect(SYN | ACK, 0, 1, 0);
        TcpScript one = TcpScript.server(PLAIN.withEcn(1, true), Seg.of(SYN | ECE | CWR, 0, 0).mss(MSS));
        one.expect(SYN | ACK | ECE, 0, 1, 0);
    }

    /** tcp_ecn_send_syn: tcp_ecn 1 asks on our connects with ECE and CWR (0xc2), 2 does not. */
    @Test
    void tcpEcn1AsksOnConnect() {
        TcpScript ask = TcpScript.client(ASK);
        Segment syn = ask.expect(SYN | ECE | CWR, 0, -1, 0);
        assertEquals(0xc2, syn.flags());
        TcpScript passive = TcpScript.client(PLAIN);
        passive.expect(SYN, 0, -1, 0);
    }

    /** tcp_ecn_clear_syn: with tcp_ecn_fallback the retransmitted SYN goes without ECE and CWR. */
    @Test
    void aRetransmittedSynFallsBack() {
        TcpScript s = TcpScript.client(ASK);
        s.expect(SYN | ECE | CWR, 0, -1, 0);
        s.advanceMs(1000);
        s.expect(SYN, 0, -1, 0);
        // the SYN-ACK with ECE still turns ECN on: ecn_flags are kept until it comes
        s.in(Seg.of(SYN | ACK | ECE, 0, 1).mss(MSS));
        s.expect(ACK, 1, 1, 0);
        assertTrue(s.tcb.ecnOk());

        TcpScript keep = TcpScript.client(ASK.withEcn(1, false));
        keep.expect(SYN | ECE | CWR, 0, -1, 0);
        keep.advanceMs(1000);
        keep.expect(SYN | ECE | CWR, 0, -1, 0);
    }

    /** tcp_ecn_rcv_synack: a SYN-ACK with ECE and not CWR agrees; with both, or without ECE, ECN is off. */
    @Test
    void onlyASynAckWithEceAloneAgrees() {
        TcpScript yes = askingClient(Seg.of(SYN | ACK | ECE, 0, 1).mss(MSS));
        assertTrue(yes.tcb.ecnOk());
        yes.tcb.write(new byte[100], 0, 100, yes.now);
        yes.expect(ACK | PSH | Segment.IP_ECT0, 1, 1, 100);

        TcpScript both = askingClient(Seg.of(SYN | ACK | ECE | CWR, 0, 1).mss(MSS));
        assertFalse(both.tcb.ecnOk());
        both.tcb.write(new byte[100], 0, 100, both.now);
        both.expect(ACK | PSH, 1, 1, 100);

        TcpScript none = askingClient(Seg.of(SYN | ACK, 0, 1).mss(MSS));
        assertFalse(none.tcb.ecnOk());
    }

    private static TcpScript askingClient(Seg synAck) {
        TcpScript s = TcpScript.client(ASK);
        s.expect(SYN | ECE | CWR, 0, -1, 0);
        s.in(synAck);
        s.expect(ACK, 1, 1, 0);
        return s;
    }

    /** A SYN-ACK with ECE to a SYN that did not ask (tcp_ecn 2) does not make the connection ECN. */
    @Test
    void aSynAckWithEceToAPlainSynIsIgnored() {
        TcpScript s = TcpScript.establishedClient(PLAIN, Seg.of(SYN | ACK | ECE, 0, 1).mss(MSS));
        assertFalse(s.tcb.ecnOk());
        s.tcb.write(new byte[100], 0, 100, s.now);
        s.expect(ACK | PSH, 1, 1, 100);
    }

    // ---- the sender's marks ----

    private static TcpScript ecnClient() {
        TcpScript s = TcpScript.client(ASK);
        s.expect(SYN | ECE | CWR, 0, -1, 0);
        s.advanceMs(100);
        s.in(Seg.of(SYN | ACK | ECE, 0, 1).mss(MSS).win(65535));
        s.expect(ACK, 1, 1, 0); // a pure ACK: not ECT
        s.takeEvents();
        return s;
    }

    /**
     * tcp_ecn_send: new data leaves ECT(0); its retransmission (RFC 3168 6.1.5), the FIN alone and the ACKs
     * leave not ECN-capable.
     */
    @Test
    void newDataIsEct0AndRetransmissionsAreNot() {
        TcpScript s = ecnClient();
        s.tcb.write(new byte[2 * MSS], 0, 2 * MSS, s.now);
        s.expect(ACK | Segment.IP_ECT0, 1, 1, MSS);
        s.expect(ACK | PSH | Segment.IP_ECT0, 1 + MSS, 1, MSS);
        s.advanceMs(350); // the RTO (300 ms after the handshake's 100 ms): go-back-N from snd_una, not ECT
        s.expect(ACK, 1, 1, MSS);
        s.in(Seg.of(ACK, 1, 1 + MSS).win(65535));
        Segment again = s.out();
        assertEquals(1 + MSS, again.seq() - TcpScript.ISS);
        assertEquals(0, again.ipEcn(), "a retransmission is not ECT: " + again);
        s.in(Seg.of(ACK, 1, 1 + 2 * MSS).win(65535));
        s.tcb.close(s.now);
        s.expect(ACK | FIN, 1 + 2 * MSS, 1, 0);
    }

    /** tcp_xmit_probe_skb: a zero-window probe (snd_una - 1, no data) is a pure ACK, not ECT. */
    @Test
    void aWindowProbeIsNotEct() {
        TcpScript s = TcpScript.client(ASK);
        s.expect(SYN | ECE | CWR, 0, -1, 0);
        s.in(Seg.of(SYN | ACK | ECE, 0, 1).mss(MSS).win(0));
        s.expect(ACK, 1, 1, 0);
        s.tcb.write(new byte[100], 0, 100, s.now);
        s.expectNothing();
        s.advanceMs(5000);
        Segment probe = s.out();
        assertEquals(0, probe.ipEcn(), "probe " + probe);
        assertEquals(0, probe.flags() & (ECE | CWR));
    }

    // ---- the receiver: CE, ECE, CWR ----

    private static TcpScript ecnServer() {
        TcpScript s = TcpScript.server(PLAIN, Seg.of(SYN | ECE | CWR, 0, 0).mss(MSS).win(65535));
        s.expect(SYN | ACK | ECE, 0, 1, 0);
        s.in(Seg.of(ACK, 1, 1).win(65535));
        s.takeEvents();
        return s;
    }

    /**
     * tcp_ecn_check_ce: CE on data makes the ACK immediate (quick-ACK mode) and ECE; ECE stays on every
     * segment until the peer's CWR (tcp_ecn_accept_cwr), whose data is ACKed at once too.
     */
    @Test
    void ceIsEchoedUntilCwr() {
        TcpScript s = ecnServer();
        assertTrue(s.tcb.ecn());
        assertFalse(s.tcb.ecnSeen());
        s.in(Seg.of(ACK | Segment.IP_ECT0, 1, 1).data(MSS));
        assertTrue(s.tcb.ecnSeen(), "ss's ecnseen: ECT data arrived");
        s.expect(ACK, 1, 1 + MSS, 0); // quick ACK at the start of the connection, not ECE
        s.in(Seg.of(ACK | Segment.IP_CE, 1 + MSS, 1).data(MSS));
        Segment ack = s.expect(ACK | ECE, 1, 1 + 2 * MSS, 0);
        assertEquals(0x50, ack.flags(), "ECE and ACK; a pure ACK is not ECT");
        // data of ours while the echo is owed: ECT(0) and ECE
        s.tcb.write(new byte[10], 0, 10, s.now);
        s.expect(ACK | PSH | ECE | Segment.IP_ECT0, 1, 1 + 2 * MSS, 10);
        s.in(Seg.of(ACK | Segment.IP_ECT0, 1 + 2 * MSS, 11).data(MSS));
        s.advanceMs(200); // our data made the connection interactive (pingpong): this ACK is delayed
        s.expect(ACK | ECE, 11, 1 + 3 * MSS, 0);
        // the peer's CWR, with data: the echo ends and the ACK goes at once
        s.in(Seg.of(ACK | CWR | Segment.IP_ECT0, 1 + 3 * MSS, 11).data(10));
        s.expect(ACK, 11, 1 + 3 * MSS + 10, 0);
        s.expectNothing();
    }

    /** A CE mark on data held out of order counts as well (tcp_data_queue_ofo). */
    @Test
    void ceOnOutOfOrderDataIsEchoed() {
        TcpScript s = ecnServer();
        s.in(Seg.of(ACK | Segment.IP_CE, 1 + MSS, 1).data(MSS));
        s.expect(ACK | ECE, 1, 1, 0);
    }

    /** On a connection without ECN, CE marks mean nothing to TCP. */
    @Test
    void ceWithoutEcnIsIgnored() {
        TcpScript s = TcpScript.server(PLAIN, Seg.of(SYN, 0, 0).mss(MSS).win(65535));
        s.expect(SYN | ACK, 0, 1, 0);
        s.in(Seg.of(ACK, 1, 1).win(65535));
        s.in(Seg.of(ACK | Segment.IP_CE, 1, 1).data(MSS));
        s.expect(ACK, 1, 1 + MSS, 0);
        s.tcb.write(new byte[10], 0, 10, s.now);
        s.expect(ACK | PSH, 1, 1 + MSS, 10);
    }

    // ---- the sender's reduction ----

    /**
     * tcp_enter_cwr on an ACK with ECE: ssthresh from CUBIC (0.7 of cwnd), PRR lowers cwnd toward it, the next
     * new data carries CWR; a second ECE within the same window changes nothing; an ACK past what was out at
     * the echo ends the CWR state with cwnd at ssthresh. TcpExtTCPDeliveredCE counts the segments ECE-ACKed.
     */
    @Test
    void eceReducesTheWindowOncePerWindowAndCwrFollows() {
        TcpScript s = ecnClient();
        s.tcb.write(new byte[30 * MSS], 0, 30 * MSS, s.now);
        for (int i = 0; i < 10; i++) {
            s.expect(ACK | Segment.IP_ECT0, 1 + i * MSS, 1, MSS);
        }
        s.expectNothing();
        assertEquals(10 * MSS, s.tcb.cwnd());
        s.advanceMs(100);
        s.in(Seg.of(ACK | ECE, 1, 1 + 2 * MSS).win(65535));
        assertEquals(7 * MSS, s.tcb.ssthresh(), "CUBIC's beta, 717/1024 of ten segments");
        assertEquals(2, s.mib.get(Mib.TcpExtTCPDeliveredCE));
        // PRR: 8 in flight over ssthresh 7: ceil(7 * 2 / 10) = 2 - 0 sent = 2 more: cwnd 10
        assertEquals(10 * MSS, s.tcb.cwnd());
        s.expect(ACK | CWR | Segment.IP_ECT0, 1 + 10 * MSS, 1, MSS);
        s.expect(ACK | Segment.IP_ECT0, 1 + 11 * MSS, 1, MSS);
        s.expectNothing();
        // another echo for the same window: no second reduction
        s.in(Seg.of(ACK | ECE, 1, 1 + 4 * MSS).win(65535));
        assertEquals(7 * MSS, s.tcb.ssthresh());
        assertEquals(4, s.mib.get(Mib.TcpExtTCPDeliveredCE));
        // prr_delivered 4: ceil(7 * 4 / 10) = 3 - 2 sent = 1: 8 in flight + 1
        assertEquals(9 * MSS, s.tcb.cwnd());
        s.expect(ACK | Segment.IP_ECT0, 1 + 12 * MSS, 1, MSS);
        s.expectNothing();
        // an ACK past what was out at the first echo (ten segments): our CWR has arrived, the CWR state ends
        s.in(Seg.of(ACK, 1, 1 + 11 * MSS).win(65535));
        // tcp_end_cwnd_reduction sets cwnd to ssthresh; CUBIC then grows it on the same ACK, in the Open state
        assertTrue(s.tcb.cwnd() >= 7 * MSS && s.tcb.cwnd() < 8 * MSS, "cwnd " + s.tcb.cwnd());
        assertEquals(7 * MSS, s.tcb.ssthresh());
        assertFalse(s.tcb.loss.inCwr);
    }

    /** An ECE on a connection that did not agree ECN is nothing (tcp_ecn_rcv_ecn_echo). */
    @Test
    void eceWithoutEcnIsIgnored() {
        TcpScript s = TcpScript.establishedClient(PLAIN, Seg.of(SYN | ACK, 0, 1).mss(MSS).win(65535));
        s.tcb.write(new byte[10 * MSS], 0, 10 * MSS, s.now);
        for (int i = 0; i < 10; i++) {
            s.out();
        }
        s.in(Seg.of(ACK | ECE, 1, 1 + 2 * MSS).win(65535));
        assertEquals(0, s.mib.get(Mib.TcpExtTCPDeliveredCE));
        assertFalse(s.tcb.loss.inCwr);
        assertTrue(s.tcb.ssthresh() > 10 * MSS);
    }
}
