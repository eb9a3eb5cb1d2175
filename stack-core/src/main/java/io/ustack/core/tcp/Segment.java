package io.ustack.core.tcp;

import io.ustack.core.wire.TcpSegment;

/**
 * One segment as the protocol core sees it, in either direction: header fields, the options it carries,
 * and its payload. The receive path fills one from a packet; the send path turns one into a packet. The
 * window is as on the wire (not yet scaled). Options absent are -1 (mss, wscale) or false.
 *
 * @param sack SACK blocks as [start, end) sequence pairs, or an empty array
 * @param payload the {@code dataLength} payload bytes where they lie (the received packet, the send buffer),
 *     borrowed for as long as the segment is being handled: see {@link Payload}
 * @param urgPtr the urgent pointer as on the wire, meaningful with URG set
 */
public record Segment(int seq, int ack, int flags, int window, int mss, int wscale, boolean sackPermitted,
                      boolean timestamps, int tsVal, int tsEcr, int[] sack, Payload payload, int dataLength,
                      int urgPtr) {

    /** A segment with no urgent pointer. */
    public Segment(int seq, int ack, int flags, int window, int mss, int wscale, boolean sackPermitted,
                   boolean timestamps, int tsVal, int tsEcr, int[] sack, Payload payload, int dataLength) {
        this(seq, ack, flags, window, mss, wscale, sackPermitted, timestamps, tsVal, tsEcr, sack, payload,
                dataLength, 0);
    }

    /**
     * The IP header's ECN field (RFC 3168 5), carried beside the TCP control bits in {@link #flags()}, shifted
     * past them: what a segment arrived with (TCP_SKB_CB(skb)->ip_dsfield) and what it is to leave with (the
     * socket's tos as INET_ECN_xmit and INET_ECN_dontxmit set it). TcpWire moves it to and from the TOS byte.
     */
    public static final int IP_ECN_SHIFT = 16;
    /** ECT(1), 01 in the TOS byte's low bits. */
    public static final int IP_ECT1 = 1 << IP_ECN_SHIFT;
    /** ECT(0), 10: what Linux's ECN-capable segments carry. */
    public static final int IP_ECT0 = 2 << IP_ECN_SHIFT;
    /** CE, 11: congestion experienced, set by a router. */
    public static final int IP_CE = 3 << IP_ECN_SHIFT;
    public static final int IP_ECN_MASK = 3 << IP_ECN_SHIFT;

    /** The IP header's ECN codepoint, as in the TOS byte's two low bits (INET_ECN_NOT_ECT 0 ... INET_ECN_CE 3). */
    public int ipEcn() {
        return (flags & IP_ECN_MASK) >>> IP_ECN_SHIFT;
    }

    static final int[] NO_SACK = new int[0];

    /** tcpdump's spelling of the control bits: [S.], [P.], [F.], [R]... */
    public static String formatFlags(int flags) {
        StringBuilder sb = new StringBuilder("[");
        if ((flags & TcpSegment.SYN) != 0) {
            sb.append('S');
        }
        if ((flags & TcpSegment.FIN) != 0) {
            sb.append('F');
        }
        if ((flags & TcpSegment.RST) != 0) {
            sb.append('R');
        }
        if ((flags & TcpSegment.PSH) != 0) {
            sb.append('P');
        }
        if ((flags & TcpSegment.URG) != 0) {
            sb.append('U');
        }
        if ((flags & TcpSegment.ECE) != 0) {
            sb.append('E');
        }
        if ((flags & TcpSegment.CWR) != 0) {
            sb.append('W');
        }
        if ((flags & TcpSegment.ACK) != 0) {
            sb.append('.');
        }
        return sb.append(']').toString();
    }

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** SEG.LEN: payload plus one for each of SYN and FIN, which occupy sequence space. */
    public int seqLength() {
        return dataLength + (has(TcpSegment.SYN) ? 1 : 0) + (has(TcpSegment.FIN) ? 1 : 0);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(formatFlags(flags)).append(" seq ").append(Integer.toUnsignedString(seq));
        if (dataLength > 0) {
            sb.append(':').append(Integer.toUnsignedString(seq + dataLength));
        }
        if (has(TcpSegment.ACK)) {
            sb.append(" ack ").append(Integer.toUnsignedString(ack));
        }
        sb.append(" win ").append(window);
        if (mss >= 0) {
            sb.append(" mss ").append(mss);
        }
        if (wscale >= 0) {
            sb.append(" wscale ").append(wscale);
        }
        if (sackPermitted) {
            sb.append(" sackOK");
        }
        if (timestamps) {
            sb.append(" TS val ").append(Integer.toUnsignedString(tsVal)).append(" ecr ").append(Integer.toUnsignedString(tsEcr));
        }
        for (int i = 0; i + 1 < sack.length; i += 2) {
            sb.append(" sack ").append(Integer.toUnsignedString(sack[i])).append(':').append(Integer.toUnsignedString(sack[i + 1]));
        }
        sb.append(" length ").append(dataLength);
        switch (ipEcn()) {
            case 1 -> sb.append(" [ect1]");
            case 2 -> sb.append(" [ect0]");
            case 3 -> sb.append(" [ce]");
            default -> { }
        }
        return sb.toString();
    }

    /**
     * tcp_v4_send_reset's segment for {@code seg}: a RST its sender accepts, at its ACK, or, without one,
     * numbered 0 and acknowledging what it sent.
     */
    static Segment resetFor(Segment seg) {
        return seg.has(TcpSegment.ACK)
                ? new Segment(seg.ack(), 0, TcpSegment.RST, 0, -1, -1, false, false, 0, 0, NO_SACK, Payload.NONE, 0)
                : new Segment(0, seg.seq() + seg.seqLength(), TcpSegment.RST | TcpSegment.ACK, 0, -1, -1, false, false,
                        0, 0, NO_SACK, Payload.NONE, 0);
    }
}
