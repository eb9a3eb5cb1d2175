package io.ustack.core.tcp;

import io.ustack.core.time.Clock;

/**
 * SYN cookies (RFC 4987; Linux's cookie_v4_init_sequence and __cookie_v4_check): when a listener's SYN
 * queue is full, the SYN-ACK's sequence number carries a keyed hash of the four-tuple and the minute, and
 * the index of the MSS the peer offered; the ACK that comes back proves the peer saw it, and the
 * connection is made from it without any state kept in between. A cookie lives two minutes.
 */
final class SynCookies {
    private static final int COOKIEBITS = 24;
    private static final int COOKIEMASK = (1 << COOKIEBITS) - 1;
    private static final int MAX_AGE_MINUTES = 2;
    /** msstab: the MSS values a cookie can say, in its two low bits. */
    static final int[] MSS_TABLE = {536, 1300, 1440, 1460};
    private static final long MINUTE_NANOS = 60_000_000_000L;

    private final IsnGenerator hash;
    private final Clock clock;

    SynCookies(IsnGenerator hash, Clock clock) {
        this.hash = hash;
        this.clock = clock;
    }

    private int minute() {
        return (int) (clock.nanos() / MINUTE_NANOS);
    }

    /** The ISN of a cookie SYN-ACK to a SYN with sequence {@code peerIsn} offering {@code peerMss}. */
    int make(int laddr, int lport, int raddr, int rport, int peerIsn, int peerMss) {
        int mssIndex = 0;
        for (int i = MSS_TABLE.length - 1; i > 0; i--) {
            if (peerMss >= MSS_TABLE[i]) {
                mssIndex = i;
                break;
            }
        }
        int count = minute();
        return hash.cookieHash(laddr, lport, raddr, rport, 0, 0) + peerIsn + (count << COOKIEBITS)
                + ((hash.cookieHash(laddr, lport, raddr, rport, count, 1) + mssIndex) & COOKIEMASK);
    }

    /**
     * The MSS a returning ACK's cookie vouches for, or -1 if it is not one of ours (or too old). {@code ack}
     * and {@code seq} are the ACK's fields: the cookie is ack - 1, the peer's ISN seq - 1.
     */
    int check(int laddr, int lport, int raddr, int rport, int seq, int ack) {
        int cookie = ack - 1 - hash.cookieHash(laddr, lport, raddr, rport, 0, 0) - (seq - 1);
        int count = minute();
        int diff = (count - (cookie >>> COOKIEBITS)) & (-1 >>> COOKIEBITS);
        if (diff >= MAX_AGE_MINUTES) {
            return -1;
        }
        int mssIndex = (cookie - hash.cookieHash(laddr, lport, raddr, rport, count - diff, 1)) & COOKIEMASK;
        return mssIndex < MSS_TABLE.length ? MSS_TABLE[mssIndex] : -1;
    }
}
