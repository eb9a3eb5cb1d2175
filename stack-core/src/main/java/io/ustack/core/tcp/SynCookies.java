package io.ustack.core.tcp;

import io.ustack.core.time.Clock;
import io.ustack.core.wire.Ipv6Address;

/**
 * SYN cookies (RFC 4987; Linux's cookie_v4_init_sequence and __cookie_v4_check, cookie_v6_init_sequence and
 * __cookie_v6_check): when a listener's SYN queue is full, the SYN-ACK's sequence number carries a keyed hash
 * of the four-tuple and the minute, and the index of the MSS the peer offered; the ACK that comes back proves
 * the peer saw it, and the connection is made from it without any state kept in between. A cookie lives two
 * minutes. Both families make the cookie alike; they differ in what is hashed (the whole IPv6 addresses,
 * as cookie_v6_hash) and in the MSS table (msstab and msstab v6).
 */
final class SynCookies {
    private static final int COOKIEBITS = 24;
    private static final int COOKIEMASK = (1 << COOKIEBITS) - 1;
    private static final int MAX_AGE_MINUTES = 2;
    /** msstab: the MSS values a cookie over IPv4 can say, in its two low bits. */
    static final int[] MSS_TABLE = {536, 1300, 1440, 1460};
    /** syncookies.c's IPv6 msstab: the MTUs 1280, 1480, 1500 and 9000 less 60 bytes of headers. */
    static final int[] MSS_TABLE6 = {1280 - 60, 1480 - 60, 1500 - 60, 9000 - 60};
    private static final long MINUTE_NANOS = 60_000_000_000L;

    /** cookie_hash for one four-tuple: the keyed hash for minute {@code count} and use {@code c}. */
    @FunctionalInterface
    private interface TupleHash {
        int hash(int count, int c);
    }

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
        return make((count, c) -> hash.cookieHash(laddr, lport, raddr, rport, count, c), peerIsn, peerMss, MSS_TABLE);
    }

    /**
     * The MSS a returning ACK's cookie vouches for, or -1 if it is not one of ours (or too old). {@code ack}
     * and {@code seq} are the ACK's fields: the cookie is ack - 1, the peer's ISN seq - 1.
     */
    int check(int laddr, int lport, int raddr, int rport, int seq, int ack) {
        return check((count, c) -> hash.cookieHash(laddr, lport, raddr, rport, count, c), seq, ack, MSS_TABLE);
    }

    /** cookie_v6_init_sequence: {@link #make} over IPv6. */
    int make6(Ipv6Address laddr, int lport, Ipv6Address raddr, int rport, int peerIsn, int peerMss) {
        return make((count, c) -> hash.cookieHash6(laddr, lport, raddr, rport, count, c), peerIsn, peerMss, MSS_TABLE6);
    }

    /** __cookie_v6_check: {@link #check} over IPv6. */
    int check6(Ipv6Address laddr, int lport, Ipv6Address raddr, int rport, int seq, int ack) {
        return check((count, c) -> hash.cookieHash6(laddr, lport, raddr, rport, count, c), seq, ack, MSS_TABLE6);
    }

    private int make(TupleHash h, int peerIsn, int peerMss, int[] table) {
        int mssIndex = 0;
        for (int i = table.length - 1; i > 0; i--) {
            if (peerMss >= table[i]) {
                mssIndex = i;
                break;
            }
        }
        int count = minute();
        return h.hash(0, 0) + peerIsn + (count << COOKIEBITS) + ((h.hash(count, 1) + mssIndex) & COOKIEMASK);
    }

    private int check(TupleHash h, int seq, int ack, int[] table) {
        int cookie = ack - 1 - h.hash(0, 0) - (seq - 1);
        int count = minute();
        int diff = (count - (cookie >>> COOKIEBITS)) & (-1 >>> COOKIEBITS);
        if (diff >= MAX_AGE_MINUTES) {
            return -1;
        }
        int mssIndex = (cookie - h.hash(count - diff, 1)) & COOKIEMASK;
        return mssIndex < table.length ? table[mssIndex] : -1;
    }
}
