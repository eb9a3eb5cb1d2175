package io.ustack.core.tcp;

/**
 * Earliest departure times (EDT, Linux 4.20 on) for one connection: tp->tcp_wstamp_ns with
 * tcp_update_skb_after_send. Every segment leaves stamped with the time it may leave (skb->tstamp); after a
 * data segment the next time moves on by the segment's length at the pacing rate, less up to half of it for
 * time lost while the connection had nothing to send (the kernel's allowance for OS jitter). The first ten
 * data segments go unpaced, as the original sch_fq did not pace them.
 *
 * <p>Only a connection whose route's device holds packets until their time (a qdisc like sch_fq, which
 * sets SK_PACING_FQ on the socket) paces: elsewhere the stamps move on from the clock alone, as Linux's
 * Cubic and Reno over the default qdiscs do not pace either (SK_PACING_NONE). Confined to the
 * connection's CPU, as its Tcb.
 */
final class Pacer {
    /** tcp_update_skb_after_send's data_segs_out threshold. */
    private static final int UNPACED_SEGMENTS = 10;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    /** sk_pacing_status != SK_PACING_NONE. */
    private final boolean enabled;
    /** tp->tcp_wstamp_ns. */
    private long wstampNanos;
    /** The stamp before the last segment's departure moved it (prior_wstamp). */
    private long priorNanos;
    /** tp->data_segs_out: segments sent with data, a super-segment counting as the segments it holds. */
    private long dataSegsOut;

    Pacer(boolean enabled) {
        this.enabled = enabled;
    }

    /** __tcp_transmit_skb's first step: the departure time of a segment handed down at {@code now}. */
    long departure(long now) {
        priorNanos = wstampNanos;
        wstampNanos = Math.max(wstampNanos, now);
        return wstampNanos;
    }

    /** sk_pacing_status != SK_PACING_NONE: only then does {@link #sent} move the stamp on. */
    boolean paces() {
        return enabled;
    }

    /**
     * tcp_update_skb_after_send for a segment of {@code len} payload bytes in {@code segs} segments, sent at
     * {@code rateBytesPerSec} (sk_pacing_rate; {@link Long#MAX_VALUE} when there is none yet). A connection
     * that does not pace need not call it.
     */
    void sent(int len, int segs, long rateBytesPerSec) {
        if (len == 0 || !enabled) {
            return;
        }
        dataSegsOut += segs;
        if (rateBytesPerSec == Long.MAX_VALUE || rateBytesPerSec <= 0 || dataSegsOut < UNPACED_SEGMENTS) {
            return;
        }
        long lenNanos = len * NANOS_PER_SECOND / rateBytesPerSec;
        long credit = wstampNanos - priorNanos;
        wstampNanos += lenNanos - Math.min(lenNanos / 2, credit);
    }
}
