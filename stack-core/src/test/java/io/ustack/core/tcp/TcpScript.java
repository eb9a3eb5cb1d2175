package io.ustack.core.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.ustack.core.stats.MibCounters;
import io.ustack.core.wire.TcpSegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A packetdrill-style script for one connection: inbound segments, expected outbound segments and clock
 * advances, all against a {@link Tcb} with no I/O and a time the script owns. Sequence numbers in scripts
 * are relative, as packetdrill's are: ours from {@link #ISS}, the peer's from {@link #PEER_ISS}.
 */
final class TcpScript implements TcpOutput, TcpEvents {
    static final int ISS = 1_000_000;
    static final int PEER_ISS = 0x7fff_ff00; // so the peer's sequence numbers wrap during the scripts
    static final int LOCAL = 0x0a00_0002;
    static final int REMOTE = 0x0a00_0001;

    final ArrayDeque<Segment> sent = new ArrayDeque<>();
    final List<String> events = new ArrayList<>();
    final MibCounters mib = new MibCounters();
    int retransmissions;
    long now = 1_000_000_000L;
    Tcb tcb;

    static TcpScript client(TcpConfig cfg) {
        TcpScript s = new TcpScript();
        s.tcb = Tcb.connect(cfg, s, s, s.mib, LOCAL, 40000, REMOTE, 80, ISS, 0, s.now);
        return s;
    }

    /** A client through its handshake, {@code synAck} the peer's answer: ESTABLISHED, events cleared. */
    static TcpScript establishedClient(TcpConfig cfg, Seg synAck) {
        TcpScript s = client(cfg);
        s.expect(TcpSegment.SYN, 0, -1, 0);
        s.in(synAck);
        s.expect(TcpSegment.ACK, 1, 1, 0);
        s.takeEvents();
        return s;
    }

    static TcpScript server(TcpConfig cfg, Seg syn) {
        TcpScript s = new TcpScript();
        s.tcb = Tcb.accept(cfg, s, s, s.mib, LOCAL, 80, REMOTE, 40000, syn.build(), ISS, 0, s.now, null);
        return s;
    }

    /**
     * Records a copy of {@code seg}: its payload borrows the send buffer, whose bytes move on (an ACK frees
     * them) after this returns, while a test looks at the segment later.
     */
    @Override
    public void transmit(Tcb t, Segment seg, boolean retransmission, long departureNanos) {
        sent.add(copyOf(seg));
        if (retransmission) {
            retransmissions++;
        }
    }

    @Override
    public void established() {
        events.add("established");
    }

    @Override
    public void readable() {
        events.add("readable");
    }

    @Override
    public void writable() {
        events.add("writable");
    }

    @Override
    public void closed(CloseReason reason) {
        events.add("closed " + (reason == null ? null : reason.text()));
    }

    /** An inbound segment arrives now. */
    TcpScript in(Seg seg) {
        tcb.segmentArrives(seg.build(), now);
        return this;
    }

    /** Time passes; every timer that falls due runs at its own deadline, as the wheel would run it. */
    TcpScript advanceMs(long ms) {
        long target = now + ms * 1_000_000L;
        while (true) {
            long d = tcb.nextDeadline();
            if (d == 0 || d > target) {
                break;
            }
            now = d;
            tcb.onTimers(now);
        }
        now = target;
        return this;
    }

    /** {@code seg} with its payload copied into an array of its own, to outlive what it borrowed. */
    static Segment copyOf(Segment seg) {
        return new Segment(seg.seq(), seg.ack(), seg.flags(), seg.window(), seg.mss(), seg.wscale(),
                seg.sackPermitted(), seg.timestamps(), seg.tsVal(), seg.tsEcr(), seg.sack(), Payload.of(data(seg)),
                seg.dataLength(), seg.urgPtr());
    }

    /** The payload of {@code seg}, copied into an array of its own. */
    static byte[] data(Segment seg) {
        byte[] b = new byte[seg.dataLength()];
        seg.payload().copyTo(0, b, 0, b.length);
        return b;
    }

    /** The next segment the connection sent; fails if there is none. */
    Segment out() {
        Segment s = sent.poll();
        if (s == null) {
            fail("expected a segment, none was sent");
        }
        return s;
    }

    /** Asserts the next outbound segment's flags (the IP ECN field too), relative seq and ack (ack -1: not checked) and length. */
    Segment expect(int flags, int relSeq, int relAck, int len) {
        Segment s = out();
        assertEquals(Segment.formatFlags(flags), Segment.formatFlags(s.flags()), "flags of " + s);
        assertEquals((flags & Segment.IP_ECN_MASK) >>> Segment.IP_ECN_SHIFT, s.ipEcn(), "IP ECN field of " + s);
        assertEquals(relSeq, s.seq() - ISS, "seq of " + s);
        if (relAck >= 0) {
            assertEquals(relAck, s.ack() - PEER_ISS, "ack of " + s);
        }
        assertEquals(len, s.dataLength(), "length of " + s);
        return s;
    }

    void expectNothing() {
        assertTrue(sent.isEmpty(), "nothing more should be sent, but: " + sent);
    }

    /** The events since the last call, then forgotten. */
    List<String> takeEvents() {
        List<String> e = List.copyOf(events);
        events.clear();
        return e;
    }

    /** Builds inbound segments, relative to the two ISNs. */
    static final class Seg {
        private int flags;
        private int seq;
        private int ack;
        private int window = 65_535;
        private int mss = -1;
        private int wscale = -1;
        private boolean sackOk;
        private boolean ts;
        private int tsVal;
        private int tsEcr;
        private int[] sack = new int[0];
        private byte[] data = new byte[0];
        private int urgPtr;

        static Seg of(int flags, int relSeq, int relAck) {
            Seg s = new Seg();
            s.flags = flags;
            s.seq = PEER_ISS + relSeq;
            s.ack = ISS + relAck;
            return s;
        }

        Seg win(int w) {
            window = w;
            return this;
        }

        Seg mss(int m) {
            mss = m;
            return this;
        }

        Seg wscale(int w) {
            wscale = w;
            return this;
        }

        Seg sackOk() {
            sackOk = true;
            return this;
        }

        Seg ts(int val, int ecr) {
            ts = true;
            tsVal = val;
            tsEcr = ecr;
            return this;
        }

        /** SACK blocks as relative [start, end) pairs of our sequence space. */
        Seg sack(int... relBlocks) {
            sack = new int[relBlocks.length];
            for (int i = 0; i < relBlocks.length; i++) {
                sack[i] = ISS + relBlocks[i];
            }
            return this;
        }

        Seg data(int len) {
            data = new byte[len];
            for (int i = 0; i < len; i++) {
                data[i] = (byte) (seq + i);
            }
            return this;
        }

        Seg data(byte[] bytes) {
            data = bytes.clone();
            return this;
        }

        /** URG with this urgent pointer (BSD's: one past the urgent byte). */
        Seg urg(int ptr) {
            flags |= TcpSegment.URG;
            urgPtr = ptr;
            return this;
        }

        Segment build() {
            return new Segment(seq, ack, flags, window, mss, wscale, sackOk, ts, tsVal, tsEcr, sack, Payload.of(data),
                    data.length, urgPtr);
        }
    }
}
