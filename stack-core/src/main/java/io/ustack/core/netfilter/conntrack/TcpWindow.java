package io.ustack.core.netfilter.conntrack;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.tcp.TcpOptions;
import io.ustack.core.wire.TcpSegment;

/**
 * struct ip_ct_tcp_state and tcp_in_window: what conntrack has seen of one direction of a TCP connection
 * (the highest sequence number sent, the highest the other side's window allowed, the largest window, the
 * window scale), and the check that a segment lies where the two ends can have agreed it may. It follows
 * Guido van Rooij's "Real Stateful TCP Packet Filtering in IP Filter", as the kernel does: the bounds are
 * loose enough for retransmissions, window probes and SACK, so what fails them is far outside the stream.
 */
final class TcpWindow {
    /** enum nf_ct_tcp_action: what a segment's place in the window makes of it. */
    enum Action {
        ACCEPT,
        /** Outside the window, but plausibly a late retransmission or ACK: passes, changing nothing. */
        IGNORE,
        /** Far outside anything either end sent or offered: INVALID. */
        INVALID
    }

    /** IP_CT_TCP_FLAG_WINDOW_SCALE: this side sent the Window Scale option on its SYN. */
    static final int WINDOW_SCALE = 0x01;
    /** IP_CT_TCP_FLAG_SACK_PERM: this side permitted SACK, so the other side's ACKs may carry SACK blocks. */
    static final int SACK_PERM = 0x02;
    /** IP_CT_TCP_FLAG_BE_LIBERAL: a connection picked up mid-stream, whose window scale nobody saw. */
    static final int BE_LIBERAL = 0x08;
    /** MAXACKWINCONST: how far behind the stream an ACK may lag at least. */
    private static final int MAX_ACK_WIN_CONST = 66000;

    /** td_end: the highest sequence number this side has sent, plus one. */
    int end;
    /** td_maxend: the highest sequence number the other side's window let this side send. */
    int maxEnd;
    /** td_maxwin: the largest window this side advertised (scaled); 0 until its first segment is seen. */
    int maxWin;
    /** td_scale: this side's window scale shift. */
    int scale;
    int flags;

    /** nf_ct_tcp_state_reset. */
    void reset() {
        end = 0;
        maxEnd = 0;
        maxWin = 0;
        scale = 0;
        flags = 0;
    }

    /** tcp_new for a SYN: the opener's side, from its SYN. */
    void startFromSyn(PacketBuffer pkt, TcpSegment th, int segEnd) {
        end = segEnd;
        maxEnd = segEnd;
        maxWin = Math.max(th.window(), 1);
        options(pkt, th);
    }

    /**
     * tcp_new for a segment in the middle of a connection (nf_conntrack_tcp_loose): its history is lost, so
     * the window is taken from this segment and both sides are checked liberally, as nobody saw the scale.
     */
    void startMidStream(TcpSegment th, int segEnd, TcpWindow other) {
        end = segEnd;
        maxWin = Math.max(th.window(), 1);
        maxEnd = segEnd + maxWin;
        flags = SACK_PERM | BE_LIBERAL;
        other.flags = SACK_PERM | BE_LIBERAL;
    }

    /**
     * tcp_in_window: checks a segment of the connection going {@code reply}-wise against what was seen of
     * both directions and, if it passes, widens what was seen. {@code index} is its row in the state table
     * and {@code segEnd} its seq + data + SYN + FIN. Called under the table's lock.
     */
    static Action inWindow(Conn ct, boolean reply, int index, PacketBuffer pkt, TcpSegment th, int segEnd) {
        TcpWindow sender = ct.window(reply);
        TcpWindow receiver = ct.window(!reply);
        int flags = th.flags();
        boolean syn = (flags & TcpSegment.SYN) != 0;
        boolean hasAck = (flags & TcpSegment.ACK) != 0;
        int seq = th.seq();
        int end = segEnd;
        int ack = th.ackSeq();
        int sack = (receiver.flags & SACK_PERM) != 0 ? sackEdge(pkt, th, ack) : ack;
        int win = th.window();

        if (sender.maxWin == 0) {
            if (syn) {
                // the SYN/ACK answering the SYN, or the reply side's SYN in a simultaneous open
                sender.initSender(receiver, pkt, th, end);
                if (!hasAck) {
                    return Action.ACCEPT;
                }
            } else {
                // this direction's first segment is not a SYN: take what it says
                sender.end = end;
                int swin = win << sender.scale;
                sender.maxWin = swin == 0 ? 1 : swin;
                sender.maxEnd = end + sender.maxWin;
                if (receiver.maxWin == 0) {
                    receiver.end = sack; // so that the ACK checks below pass until that side speaks
                    receiver.maxEnd = sack;
                } else if (sack == receiver.end + 1) {
                    receiver.end++; // the answer to a keepalive probe
                }
            }
        } else if (syn && after(end, sender.end)
                && (ct.tcpState == TcpCtState.SYN_SENT || ct.tcpState == TcpCtState.SYN_RECV)) {
            // RFC 793: a reinitialized TCP only has to use larger sequence numbers: start this side over
            sender.initSender(receiver, pkt, th, end);
            if (reply && !hasAck) {
                return Action.ACCEPT;
            }
        }

        if (!hasAck || ((flags & TcpSegment.RST) != 0 && ack == 0)) {
            // no ACK (or a broken stack's RST with ACK set and zero in it): as if it acknowledged what was seen
            ack = receiver.end;
            sack = receiver.end;
        }
        if ((flags & TcpSegment.RST) != 0 && seq == 0 && ct.tcpState == TcpCtState.SYN_SENT) {
            seq = sender.end; // the RST refusing a SYN
            end = sender.end;
        }

        int maxAckWindow = Integer.compareUnsigned(sender.maxWin, MAX_ACK_WIN_CONST) > 0 ? sender.maxWin : MAX_ACK_WIN_CONST;
        if (!before(seq, sender.maxEnd + 1)) {
            int overshot = seq - sender.maxEnd + 1;
            boolean inRecvWin = receiver.maxWin != 0 && after(end, sender.end - receiver.maxWin - 1);
            if (inRecvWin && after(sack, receiver.end - maxAckWindow - 1)
                    && Integer.compareUnsigned(overshot, receiver.maxWin) <= 0 && before(sack, receiver.end + 1)) {
                // more than the window allowed, by less than a window: a sender overrunning it; remember the
                // data, so that its ACK is not over the bound later
                sender.end = end;
                return sender.outside(Action.IGNORE);
            }
            return sender.outside(Action.INVALID); // "SEQ is over upper bound"
        }
        if (!before(sack, receiver.end + 1)) {
            return sender.outside(Action.INVALID); // "ACK is over upper bound": it acknowledges data never sent
        }
        if (receiver.maxWin != 0 && !after(end, sender.end - receiver.maxWin - 1)) {
            return sender.outside(Action.IGNORE); // "SEQ is under lower bound": data acknowledged long ago
        }
        if (!after(sack, receiver.end - maxAckWindow - 1)) {
            return sender.outside(Action.IGNORE); // "ACK under lower bound": an ACK delayed very long
        }

        if (!syn) {
            win <<= sender.scale; // RFC 7323: a SYN's window is never scaled
        }
        int swin = win + (sack - ack);
        if (Integer.compareUnsigned(sender.maxWin, swin) < 0) {
            sender.maxWin = swin;
        }
        if (after(end, sender.end)) {
            sender.end = end;
        }
        if (receiver.maxWin != 0 && after(end, sender.maxEnd)) {
            receiver.maxWin += end - sender.maxEnd;
        }
        if (after(sack + win, receiver.maxEnd - 1)) {
            receiver.maxEnd = sack + win + (win == 0 ? 1 : 0); // a zero window still takes a probe's byte
        }
        return Action.ACCEPT;
    }

    /**
     * tcp_init_sender: this side's first SYN (or SYN/ACK) seen, or a SYN starting it over. Both sides must
     * have sent Window Scale for either to scale (RFC 7323).
     */
    private void initSender(TcpWindow receiver, PacketBuffer pkt, TcpSegment th, int segEnd) {
        end = segEnd;
        maxEnd = segEnd;
        maxWin = Math.max(th.window(), 1);
        options(pkt, th);
        if ((flags & WINDOW_SCALE) == 0 || (receiver.flags & WINDOW_SCALE) == 0) {
            scale = 0;
            receiver.scale = 0;
        }
    }

    /** nf_tcp_log_invalid's verdict: a liberal side lets everything through. */
    private Action outside(Action action) {
        return (flags & BE_LIBERAL) != 0 ? Action.ACCEPT : action;
    }

    /** tcp_options: Window Scale and SACK Permitted from a SYN's options; other flags but BE_LIBERAL are cleared. */
    void options(PacketBuffer pkt, TcpSegment th) {
        scale = 0;
        flags &= BE_LIBERAL;
        int limit = th.optionsOffset() + th.optionsLength();
        for (int p = th.optionsOffset(), size; (size = optionSize(pkt, p, limit)) > 0; p += size) {
            int kind = pkt.u8(p);
            if (kind == TcpOptions.TCPOPT_SACK_PERM && size == TcpOptions.TCPOLEN_SACK_PERM) {
                flags |= SACK_PERM;
            } else if (kind == TcpOptions.TCPOPT_WINDOW && size == TcpOptions.TCPOLEN_WINDOW) {
                scale = Math.min(pkt.u8(p + 2), TcpOptions.MAX_WSCALE);
                flags |= WINDOW_SCALE;
            }
        }
    }

    /**
     * tcp_sack: the highest right edge of the segment's SACK blocks, if above {@code ack}; else {@code ack}.
     * Data the receiver SACKed has been seen, so the ACK bound is checked against it.
     */
    static int sackEdge(PacketBuffer pkt, TcpSegment th, int ack) {
        int sack = ack;
        int limit = th.optionsOffset() + th.optionsLength();
        for (int p = th.optionsOffset(), size; (size = optionSize(pkt, p, limit)) > 0; p += size) {
            if (pkt.u8(p) == TcpOptions.TCPOPT_SACK && size >= TcpOptions.TCPOLEN_SACK_BASE + TcpOptions.TCPOLEN_SACK_PERBLOCK
                    && (size - TcpOptions.TCPOLEN_SACK_BASE) % TcpOptions.TCPOLEN_SACK_PERBLOCK == 0) {
                for (int b = p + TcpOptions.TCPOLEN_SACK_BASE; b < p + size; b += TcpOptions.TCPOLEN_SACK_PERBLOCK) {
                    int right = pkt.i32(b + 4);
                    if (after(right, sack)) {
                        sack = right;
                    }
                }
            }
        }
        return sack;
    }

    /**
     * The length of the option at {@code p}: 1 for NOP, its length byte for the rest; 0 at EOL, at the end
     * and for an option cut short or with a length under 2, where the kernel's walks stop.
     */
    private static int optionSize(PacketBuffer pkt, int p, int limit) {
        if (p >= limit) {
            return 0;
        }
        int kind = pkt.u8(p);
        if (kind == TcpOptions.TCPOPT_NOP) {
            return 1;
        }
        if (kind == TcpOptions.TCPOPT_EOL || p + 1 >= limit) {
            return 0;
        }
        int size = pkt.u8(p + 1);
        return size < 2 || p + size > limit ? 0 : size;
    }

    /** before(): sequence space comparison, modulo 2^32. */
    static boolean before(int a, int b) {
        return a - b < 0;
    }

    static boolean after(int a, int b) {
        return b - a < 0;
    }
}
