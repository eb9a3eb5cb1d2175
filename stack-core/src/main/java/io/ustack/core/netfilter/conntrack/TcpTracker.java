package io.ustack.core.netfilter.conntrack;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.wire.TcpSegment;

/**
 * nf_conntrack_proto_tcp: the kernel's state transition table decides each segment's effect from its flags,
 * its direction and the connection's state, then {@link TcpWindow} checks that it lies inside what the two
 * ends can have agreed on. Segments the table calls invalid, and those far outside the windows, are
 * INVALID; those it ignores, and plausible stragglers just outside, pass without changing anything.
 */
final class TcpTracker {
    /** What {@link #packet} decided. */
    enum Result { ACCEPT, INVALID, REOPEN }

    /** enum tcp_bit_set: the table's row for a segment. */
    static final int SYN_SET = 0;
    static final int SYNACK_SET = 1;
    static final int FIN_SET = 2;
    static final int ACK_SET = 3;
    static final int RST_SET = 4;
    static final int NONE_SET = 5;

    private static final int NO = 0;
    private static final int SS = 1;
    private static final int SR = 2;
    private static final int ES = 3;
    private static final int FW = 4;
    private static final int CW = 5;
    private static final int LA = 6;
    private static final int TW = 7;
    private static final int CL = 8;
    private static final int S2 = 9;
    /** sIV: invalid. */
    private static final int IV = 10;
    /** sIG: ignored (may be valid; the endpoints will tell). */
    private static final int IG = 11;

    private static final TcpCtState[] STATES = TcpCtState.values();

    /** tcp_conntracks[dir][index][old state], columns sNO sSS sSR sES sFW sCW sLA sTW sCL sS2. */
    private static final int[][][] TABLE = {
        { // ORIGINAL
            /* syn    */ {SS, SS, IG, IG, IG, IG, IG, SS, SS, S2},
            /* synack */ {IV, IV, SR, IV, IV, IV, IV, IV, IV, SR},
            /* fin    */ {IV, IV, FW, FW, LA, LA, LA, TW, CL, IV},
            /* ack    */ {ES, IV, ES, ES, CW, CW, TW, TW, CL, IV},
            /* rst    */ {IV, CL, CL, CL, CL, CL, CL, CL, CL, CL},
            /* none   */ {IV, IV, IV, IV, IV, IV, IV, IV, IV, IV},
        },
        { // REPLY
            /* syn    */ {IV, S2, IV, IV, IV, IV, IV, SS, IV, S2},
            /* synack */ {IV, SR, IG, IG, IG, IG, IG, IG, IG, SR},
            /* fin    */ {IV, IV, FW, FW, LA, LA, LA, TW, CL, IV},
            /* ack    */ {IV, IG, SR, ES, CW, CW, TW, TW, CL, IG},
            /* rst    */ {IV, CL, CL, CL, CL, CL, CL, CL, CL, CL},
            /* none   */ {IV, IV, IV, IV, IV, IV, IV, IV, IV, IV},
        },
    };

    /** tcp_valid_flags, indexed by FIN|SYN|RST|ACK|URG (PSH, ECE and CWR masked off). */
    private static final boolean[] VALID_FLAGS = new boolean[0x40];

    static {
        int fin = TcpSegment.FIN;
        int syn = TcpSegment.SYN;
        int rst = TcpSegment.RST;
        int ack = TcpSegment.ACK;
        int urg = TcpSegment.URG;
        for (int f : new int[] {syn, syn | urg, syn | ack, rst, rst | ack, fin | ack, fin | ack | urg, ack, ack | urg}) {
            VALID_FLAGS[f] = true;
        }
    }

    private TcpTracker() {
    }

    /** tcp_error's flag check: a combination no TCP sends (SYN|FIN, none at all...) is invalid. */
    static boolean validFlags(int flags) {
        return VALID_FLAGS[flags & ~(TcpSegment.PSH | TcpSegment.ECE | TcpSegment.CWR)];
    }

    /** get_conntrack_index. */
    static int index(int flags) {
        if ((flags & TcpSegment.RST) != 0) {
            return RST_SET;
        }
        if ((flags & TcpSegment.SYN) != 0) {
            return (flags & TcpSegment.ACK) != 0 ? SYNACK_SET : SYN_SET;
        }
        if ((flags & TcpSegment.FIN) != 0) {
            return FIN_SET;
        }
        return (flags & TcpSegment.ACK) != 0 ? ACK_SET : NONE_SET;
    }

    /**
     * tcp_new: the state a segment with no connection starts one in: SYN_SENT for a SYN, ESTABLISHED for
     * an ACK (picking up a connection already open, nf_conntrack_tcp_loose); null if it starts none.
     */
    static TcpCtState newState(int flags) {
        int s = TABLE[0][index(flags)][NO];
        return s == IV ? null : STATES[s];
    }

    /** tcp_new's window tracking: the first segment's side, from a SYN or picked up mid-stream. */
    static void start(Conn ct, PacketBuffer pkt, TcpSegment th, int end) {
        if (index(th.flags()) == SYN_SET) {
            ct.window(false).startFromSyn(pkt, th, end);
        } else {
            ct.window(false).startMidStream(th, end, ct.window(true));
        }
    }

    /**
     * tcp_packet: moves {@code ct} by one segment {@code th} going {@code reply}-wise and ending at
     * {@code end} (seq + data + SYN + FIN), and refreshes its deadline. REOPEN asks the caller to delete
     * the connection and look the segment up again: a SYN reopening a connection that was closed or reset.
     * Called under the table's lock.
     */
    static Result packet(Conn ct, boolean reply, PacketBuffer pkt, TcpSegment th, int end, long now, ConntrackTable table) {
        int flags = th.flags();
        int dir = reply ? 1 : 0;
        int index = index(flags);
        TcpCtState old = ct.tcpState;
        int next = TABLE[dir][index][old.ordinal()];
        switch (next) {
            case SS:
                if (old.ordinal() >= TW) {
                    if (ct.closeInit[0] || ct.closeInit[1] || (ct.lastReply == reply && ct.lastIndex == RST_SET)) {
                        return Result.REOPEN;
                    }
                    return ignore(ct, reply, index, pkt, th, end);
                }
                break;
            case IG:
                if (index == SYNACK_SET && ct.lastIndex == SYN_SET && ct.lastReply != reply && th.ackSeq() == ct.lastEnd) {
                    // this SYN/ACK answers a SYN we ignored: both ends are in sync and we were not; the
                    // windows start over from that SYN
                    old = TcpCtState.SYN_SENT;
                    next = SR;
                    TcpWindow opener = ct.window(ct.lastReply);
                    opener.end = ct.lastEnd;
                    opener.maxEnd = ct.lastEnd;
                    opener.maxWin = Math.max(ct.lastWin, 1);
                    opener.scale = ct.lastWscale;
                    opener.flags = ct.lastFlags;
                    ct.window(reply).reset();
                    break;
                }
                return ignore(ct, reply, index, pkt, th, end);
            case IV:
                return Result.INVALID;
            case S2:
                ct.simultaneousOpen = true;
                break;
            case SR:
                if (reply && index == ACK_SET && ct.simultaneousOpen) {
                    next = ES;
                }
                break;
            default:
                break;
        }
        TcpWindow.Action inWindow = TcpWindow.inWindow(ct, reply, index, pkt, th, end);
        if (inWindow == TcpWindow.Action.INVALID) {
            return Result.INVALID;
        }
        if (inWindow == TcpWindow.Action.IGNORE) {
            return Result.ACCEPT; // passes with its connection, changing nothing
        }
        ct.lastIndex = index;
        ct.lastReply = reply;
        ct.lastEnd = end;
        TcpCtState state = STATES[next];
        ct.tcpState = state;
        if (old != state && state == TcpCtState.FIN_WAIT) {
            ct.closeInit[dir] = true;
        }
        long timeout = index == RST_SET ? TcpCtState.CLOSE.timeoutSeconds() : state.timeoutSeconds();
        if (!ct.has(Conn.IPS_SEEN_REPLY)) {
            if (index == RST_SET) {
                // the only answer was a RST: there is no connection to remember
                table.remove(ct);
                return Result.ACCEPT;
            }
            if (index == SYN_SET && old == TcpCtState.SYN_SENT) {
                return Result.ACCEPT; // a retransmitted SYN does not renew the deadline
            }
            if (state == TcpCtState.ESTABLISHED) {
                timeout = Math.min(timeout, TcpCtState.UNACK_SECONDS); // picked up mid-stream, unanswered
            }
        } else if (!ct.has(Conn.IPS_ASSURED) && (old == TcpCtState.SYN_RECV || old == TcpCtState.ESTABLISHED)
                && state == TcpCtState.ESTABLISHED) {
            ct.status |= Conn.IPS_ASSURED;
        }
        ct.deadline = now + timeout * 1_000_000_000L;
        return Result.ACCEPT;
    }

    /**
     * The IGNORE case: remember the segment, with a SYN's window options, so that a SYN/ACK answering it can
     * resynchronise; change nothing else.
     */
    private static Result ignore(Conn ct, boolean reply, int index, PacketBuffer pkt, TcpSegment th, int end) {
        ct.lastIndex = index;
        ct.lastReply = reply;
        ct.lastEnd = end;
        ct.lastWin = th.window();
        if (index == SYN_SET && !reply) {
            TcpWindow syn = new TcpWindow();
            syn.options(pkt, th);
            ct.lastWscale = syn.scale;
            ct.lastFlags = syn.flags;
        }
        return Result.ACCEPT;
    }
}
