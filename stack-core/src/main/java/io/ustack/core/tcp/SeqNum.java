package io.ustack.core.tcp;

/**
 * Sequence-number arithmetic modulo 2^32 (RFC 9293 section 3.4), as include/net/tcp.h's before(), after() and
 * between(). Sequence numbers are Java {@code int}s holding the raw 32 bits; comparison is by the sign of the
 * 32-bit difference, so it is right as long as the two numbers lie less than 2^31 apart, which the window
 * limits (at most 2^30 with the largest window scale) guarantee for every pair the protocol compares.
 *
 * <p>Two numbers exactly 2^31 apart have no order: each is then {@link #before} the other, as in the kernel.
 */
public final class SeqNum {
    private SeqNum() {
    }

    /** before(): {@code a} comes strictly before {@code b}. */
    public static boolean before(int a, int b) {
        return a - b < 0;
    }

    /** after(): {@code a} comes strictly after {@code b}. */
    public static boolean after(int a, int b) {
        return b - a < 0;
    }

    /**
     * between(): {@code low <= seq <= high}, both ends included, measured from {@code low} so the range may
     * span the wrap. Unlike before/after this is defined for ranges up to 2^32 - 1 long.
     */
    public static boolean between(int seq, int low, int high) {
        return Integer.compareUnsigned(high - low, seq - low) >= 0;
    }

    /** The later of two sequence numbers. */
    public static int max(int a, int b) {
        return after(a, b) ? a : b;
    }

    /** The earlier of two sequence numbers. */
    public static int min(int a, int b) {
        return before(a, b) ? a : b;
    }

    /** {@code seq + n} modulo 2^32. */
    public static int add(int seq, int n) {
        return seq + n;
    }

    /**
     * The signed distance from {@code b} to {@code a}: {@code a - b} modulo 2^32, read as an int (positive
     * when {@code a} is after {@code b}).
     */
    public static int diff(int a, int b) {
        return a - b;
    }
}
