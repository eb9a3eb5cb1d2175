package io.ustack.cli.packetdrill;

/**
 * What the stack sends, as an outbound line takes it (run_packet.c's sniffing): the next packet, moving the
 * virtual clock on, timers running, until one comes or the line's time is past; and, as packetdrill does
 * without --strict_segments, several segments gathered into the one a line expects.
 */
final class OutboundStream {
    /** TCP's PSH and FIN: the flags gathered segments may differ in (they ride on the last). */
    private static final int PSH_FIN = 0x09;

    /** Lets a call on the syscall thread finish with what the clock's move woke. */
    interface Settler {
        void settle() throws ScriptStop;
    }

    private final ScriptStack live;
    private final Settler settler;

    OutboundStream(ScriptStack live, Settler settler) {
        this.live = live;
        this.settler = settler;
    }

    /**
     * The next packet the stack sends by script time {@code horizon}, or null when none comes by then; the
     * clock stops at each timer and at each departure the qdisc holds a packet for.
     */
    ScriptDevice.Sent next(long horizon) throws ScriptStop {
        ScriptDevice.Sent sent = live.dev.poll();
        while (sent == null && live.nowUsecs() < horizon) {
            long timer = Math.min(live.stack.earliestTimerDeadline(), live.dev.nextDeparture());
            long to = timer == Long.MAX_VALUE ? horizon
                    : Math.min(horizon, Math.max(ScriptStack.usecsOf(timer), live.nowUsecs() + 1));
            live.advanceTo(to);
            settler.settle();
            sent = live.dev.poll();
        }
        return sent;
    }

    /**
     * Segments that together carry what one line expects ({@code payload} bytes) count as that line, as long
     * as each follows the one before it in sequence and all but the last are the same size; PSH and FIN are
     * taken from any of them. A gap or a different size ends the gathering (the packet that ended it is put
     * back), and the caller's payload check then says what is missing.
     */
    LivePacket gather(LivePacket first, int payload, long horizon) throws ScriptStop {
        LivePacket.Tcp f = first.tcp();
        int total = f.payload();
        int flags = f.flags();
        int size = f.payload();
        long nextSeq = f.seq() + f.payload();
        while (total < payload && size > 0) {
            ScriptDevice.Sent more = next(horizon);
            LivePacket m = more == null ? null : LivePacket.decode(more.ip());
            if (m == null || m.tcp() == null || m.tcp().seq() != Connection.u32(nextSeq)
                    || (m.tcp().flags() & ~PSH_FIN) != (f.flags() & ~PSH_FIN) || m.tcp().payload() > size) {
                if (more != null) {
                    live.dev.pushBack(more);
                }
                break;
            }
            total += m.tcp().payload();
            flags |= m.tcp().flags() & PSH_FIN;
            nextSeq += m.tcp().payload();
            if (m.tcp().payload() < size) {
                break; // a short one ends a run of equal segments
            }
        }
        if (total == f.payload()) {
            return first;
        }
        LivePacket.Tcp merged = new LivePacket.Tcp(f.sport(), f.dport(), f.seq(), f.ack(), flags, f.window(), f.urgent(),
                f.headerLength(), f.options(), total);
        return new LivePacket(first.tos(), first.ttl(), first.id(), first.df(), first.protocol(), first.src(), first.dst(),
                first.totalLength() + total - f.payload(), first.headerChecksumOk(), merged, null, null);
    }
}
