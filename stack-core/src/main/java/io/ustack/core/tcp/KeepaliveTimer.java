package io.ustack.core.tcp;

import io.ustack.core.stats.Mib;
import io.ustack.core.stats.MibCounters;
import static io.ustack.core.tcp.Tcb.MS;

/**
 * SO_KEEPALIVE for one connection: tcp_set_keepalive and tcp_keepalive_timer. After the idle time without a
 * word from the peer, a probe it must answer (an old sequence number, as tcp_xmit_probe_skb sends); after
 * {@link Keepalive#probes()} unanswered probes the connection is dead. While data is outstanding the
 * retransmission timer watches the peer instead, so this one only waits.
 */
final class KeepaliveTimer {
    private final Tcb tcb;
    private final MibCounters mib;
    /** SO_KEEPALIVE's settings, null while it is off. */
    private Keepalive keepalive;
    /** The deadline in nanoseconds, 0 when not armed. */
    long at;
    /** When the peer was last heard from (rcv_tstamp). */
    private long lastHeard;
    private int probesOut;

    KeepaliveTimer(Tcb tcb, MibCounters mib) {
        this.tcb = tcb;
        this.mib = mib;
    }

    /** The peer was heard from: the idle time counts from now, and no probe waits for an answer. */
    void heard(long now) {
        lastHeard = now;
        probesOut = 0;
    }

    /**
     * setsockopt SO_KEEPALIVE (tcp_set_keepalive): {@code k} turns keepalive on with those settings, null
     * turns it off. The first probe may go {@code k.idleMs()} from now.
     */
    void set(Keepalive k, long now) {
        keepalive = k;
        at = k != null && applies() ? now + k.idleMs() * MS : 0;
    }

    /** Keepalive turned on before the handshake starts counting when the connection is established. */
    void established(long now) {
        if (keepalive != null && at == 0) {
            at = now + keepalive.idleMs() * MS;
        }
    }

    /** Keepalive watches a connection from its handshake to the end, TIME_WAIT aside (tcp_keepalive_timer). */
    private boolean applies() {
        TcpState state = tcb.state();
        return state != TcpState.CLOSED && state != TcpState.LISTEN && state != TcpState.SYN_SENT
                && state != TcpState.TIME_WAIT;
    }

    /** tcp_keepalive_timer: the deadline passed. */
    void expired(long now) {
        at = 0;
        if (keepalive == null || !applies()) {
            return;
        }
        long idle = keepalive.idleMs() * MS;
        Sender snd = tcb.snd;
        if (snd.sndUna != snd.sndMax || snd.sendBuf.size() > 0) {
            at = now + idle;
            return;
        }
        if (now - lastHeard < idle) {
            at = lastHeard + idle;
            return;
        }
        if (probesOut >= keepalive.probes()) {
            tcb.terminate(CloseReason.TIMEOUT);
            return;
        }
        snd.sendProbe(now);
        mib.inc(Mib.TcpExtTCPKeepAlive);
        probesOut++;
        at = now + keepalive.intervalMs() * MS;
    }
}
