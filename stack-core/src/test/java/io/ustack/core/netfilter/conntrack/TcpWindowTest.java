package io.ustack.core.netfilter.conntrack;

import static io.ustack.core.testing.Frames.eth;
import static io.ustack.core.testing.Frames.ipv4;
import static io.ustack.core.testing.Frames.pattern;
import static io.ustack.core.testing.StackHarness.HOST_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ustack.core.testing.FakeDevice;
import io.ustack.core.testing.Frames;
import io.ustack.core.testing.StackHarness;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * tcp_in_window on a forwarding stack between the host on eth0 (10.0.0.1, port 40000) and the far host on
 * eth1 (10.0.1.2, port 80), with small windows so that a few segments reach their edges. A hook at FORWARD
 * records the ctinfo of each segment ("none": INVALID); segments are byte literals with their own window
 * and options.
 */
class TcpWindowTest {
    private static final long RIGHT_MAC = TrackedForwarding.RIGHT_MAC;
    private static final long FAR_MAC = TrackedForwarding.FAR_MAC;
    private static final int FAR_IP = TrackedForwarding.FAR_IP;
    private static final int SYN = 0x02;
    private static final int ACK = 0x10;
    private static final int PSH = 0x08;
    private static final byte[] NONE = new byte[0];
    /** NOP, Window Scale 7. */
    private static final byte[] WSCALE_7 = {1, 3, 3, 7};
    /** SACK Permitted, NOP, NOP. */
    private static final byte[] SACK_PERM = {4, 2, 1, 1};

    private final TrackedForwarding rig = new TrackedForwarding();
    private final StackHarness h = rig.h;
    private final FakeDevice right = rig.right;
    private final Conntrack ct = rig.ct;
    private final List<String> seen = rig.seen;

    @AfterEach
    void leakCheck() {
        ct.put();
        h.close();
    }

    /** A TCP segment with its own window and options (a multiple of 4 bytes) and {@code len} bytes of data. */
    private static byte[] segment(int src, int dst, int sport, int dport, int seq, int ack, int flags, int window,
                                  byte[] options, int len) {
        return Frames.tcp(src, dst, sport, dport, seq, ack, flags, window, options, pattern(len));
    }

    /** From the host on eth0; returns the ctinfo conntrack gave it. */
    private String left(int sport, int seq, int ack, int flags, int window, byte[] options, int len) {
        h.injectIp(ipv4(HOST_IP, FAR_IP, 6, 64, 1, 0, segment(HOST_IP, FAR_IP, sport, 80, seq, ack, flags, window, options, len)));
        right.drain();
        return seen.get(seen.size() - 1);
    }

    private String right(int dport, int seq, int ack, int flags, int window, byte[] options, int len) {
        right.inject(eth(RIGHT_MAC, FAR_MAC, Frames.ETH_P_IP,
                ipv4(FAR_IP, HOST_IP, 6, 64, 2, 0, segment(FAR_IP, HOST_IP, 80, dport, seq, ack, flags, window, options, len))));
        h.sent();
        return seen.get(seen.size() - 1);
    }

    /** SYN 1000 and SYN/ACK 5000, each with its options, windows of 1000 bytes, then the ACK. */
    private void handshake(int port, byte[] leftOptions, byte[] rightOptions) {
        assertEquals("NEW", left(port, 1000, 0, SYN, 1000, leftOptions, 0));
        assertEquals("ESTABLISHED_REPLY", right(port, 5000, 1001, SYN | ACK, 1000, rightOptions, 0));
        assertEquals("ESTABLISHED", left(port, 1001, 5001, ACK, 1000, NONE, 0));
    }

    private long invalid() {
        return ct.stats().get("invalid");
    }

    @Test
    void dataInsideTheWindowPassesAndDataFarBeyondItIsInvalidAndCounted() {
        handshake(40000, NONE, NONE);
        assertEquals("ESTABLISHED", left(40000, 1001, 5001, ACK | PSH, 1000, NONE, 1000), "exactly the window");
        assertEquals("ESTABLISHED_REPLY", right(40000, 5001, 2001, ACK, 1000, NONE, 0));
        long before = invalid();
        assertEquals("none", left(40000, 1_000_000, 5001, ACK | PSH, 1000, NONE, 100), "SEQ is over the upper bound");
        assertEquals("none", right(40000, 5001, 900_000, ACK, 1000, NONE, 0), "it acknowledges data never sent");
        assertEquals(before + 2, invalid());
        assertEquals("ESTABLISHED", left(40000, 2001, 5001, ACK | PSH, 1000, NONE, 1000), "the stream goes on");
        assertEquals("ESTABLISHED", ct.list().get(0).state());
    }

    @Test
    void anOldRetransmissionAndASenderOverrunningTheWindowPassWithoutBeingInvalid() {
        handshake(40000, NONE, NONE);
        for (int seq = 1001; seq < 4001; seq += 1000) {
            left(40000, seq, 5001, ACK | PSH, 1000, NONE, 1000);
            right(40000, 5001, seq + 1000, ACK, 1000, NONE, 0);
        }
        long before = invalid();
        assertEquals("ESTABLISHED", left(40000, 1001, 5001, ACK | PSH, 1000, NONE, 1000),
                "data acknowledged long ago: ignored, not invalid");
        assertEquals("ESTABLISHED", left(40000, 5500, 5001, ACK | PSH, 1000, NONE, 10),
                "500 bytes past what the window allowed, but less than a window");
        assertEquals(before, invalid());
        assertEquals("ESTABLISHED_REPLY", right(40000, 5001, 5510, ACK, 1000, NONE, 0),
                "the overrun data was remembered, so its ACK is not over the bound");
    }

    @Test
    void windowScalingWidensTheWindowOnlyWhenBothEndsOfferIt() {
        handshake(40000, WSCALE_7, WSCALE_7);
        right(40000, 5001, 1001, ACK, 1000, NONE, 0); // 1000 << 7 = 128000 bytes
        assertEquals("ESTABLISHED", left(40000, 100_001, 5001, ACK | PSH, 1000, NONE, 10));

        handshake(40001, WSCALE_7, NONE);
        right(40001, 5001, 1001, ACK, 1000, NONE, 0); // the far end did not scale: 1000 bytes
        long before = invalid();
        assertEquals("none", left(40001, 100_001, 5001, ACK | PSH, 1000, NONE, 10));
        assertEquals(before + 1, invalid());
    }

    @Test
    void sackBlocksCountAsAcknowledgmentsOnlyWhereSackWasPermitted() {
        // NOP, NOP, SACK with one block 3001-4001: beyond the 2001 bytes the host has sent
        byte[] sack = {1, 1, 5, 10, 0, 0, 0x0b, (byte) 0xb9, 0, 0, 0x0f, (byte) 0xa1};
        handshake(40000, SACK_PERM, NONE);
        left(40000, 1001, 5001, ACK | PSH, 1000, NONE, 1000);
        long before = invalid();
        assertEquals("none", right(40000, 5001, 1001, ACK, 1000, sack, 0), "it SACKs data never sent");
        assertEquals(before + 1, invalid());

        handshake(40001, NONE, NONE);
        left(40001, 1001, 5001, ACK | PSH, 1000, NONE, 1000);
        assertEquals("ESTABLISHED_REPLY", right(40001, 5001, 1001, ACK, 1000, sack, 0),
                "without SACK Permitted its blocks mean nothing to conntrack");
    }

    @Test
    void aConnectionPickedUpMidStreamIsCheckedLiberally() {
        assertEquals("NEW", left(40000, 1000, 5000, ACK | PSH, 1000, NONE, 10));
        assertEquals("ESTABLISHED_REPLY", right(40000, 5000, 1010, ACK, 1000, NONE, 0));
        long before = invalid();
        assertEquals("ESTABLISHED", left(40000, 9_000_000, 5000, ACK | PSH, 1000, NONE, 10),
                "nobody saw its window scale, so nothing is out of its window");
        assertEquals(before, invalid());
    }
}
