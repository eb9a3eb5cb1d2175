package io.ustack.core.tcp;

import io.ustack.core.buffer.PacketBuffer;

/**
 * The TCP options a segment carries (RFC 9293 3.2, RFC 7323, RFC 2018), parsed as tcp_parse_options does
 * and written as tcp_options_write lays them out. One mutable object serves both directions, like the
 * kernel's tcp_options_received and tcp_out_options: a connection keeps one for the segment in hand and
 * {@link #clear}s it per segment, so parsing and building options allocate nothing.
 *
 * <p>Parsing takes what the bytes say without knowing the segment: MSS, window scale and SACK-permitted
 * count only on a SYN, and timestamps and SACK only once negotiated; applying those rules (and the
 * sysctls that switch options off) is the state machine's job, as the syn/estab tests in
 * tcp_parse_options are.
 *
 * <p>Writing follows the kernel's order and padding, so segments are byte-for-byte what Linux sends:
 * <pre>
 *   MSS                 02 04 mm mm
 *   TS with SACK_PERM   04 02 08 0a vvvvvvvv eeeeeeee    (SYN with both)
 *   TS alone            01 01 08 0a vvvvvvvv eeeeeeee
 *   SACK_PERM alone     01 01 04 02
 *   window scale        01 03 03 ss
 *   SACK blocks         01 01 05 ll (ssssssss eeeeeeee)*
 * </pre>
 */
public final class TcpOptions {
    public static final int TCPOPT_EOL = 0;
    public static final int TCPOPT_NOP = 1;
    public static final int TCPOPT_MSS = 2;
    public static final int TCPOPT_WINDOW = 3;
    public static final int TCPOPT_SACK_PERM = 4;
    public static final int TCPOPT_SACK = 5;
    public static final int TCPOPT_TIMESTAMP = 8;

    public static final int TCPOLEN_MSS = 4;
    public static final int TCPOLEN_WINDOW = 3;
    public static final int TCPOLEN_SACK_PERM = 2;
    public static final int TCPOLEN_TIMESTAMP = 10;
    public static final int TCPOLEN_SACK_BASE = 2;
    public static final int TCPOLEN_SACK_PERBLOCK = 8;

    /** MAX_TCP_OPTION_SPACE: a data offset of 15 leaves 40 bytes for options. */
    public static final int MAX_OPTION_SPACE = 40;
    /** TCP_NUM_SACKS: the most SACK blocks kept from a segment or sent in one. */
    public static final int MAX_SACKS = 4;
    /** TCP_MAX_WSCALE (RFC 7323 2.3): larger shifts received are taken as 14. */
    public static final int MAX_WSCALE = 14;

    // The aligned sizes tcp_options_write produces, NOP padding included.
    private static final int TCPOLEN_MSS_ALIGNED = 4;
    private static final int TCPOLEN_TSTAMP_ALIGNED = 12;
    private static final int TCPOLEN_SACKPERM_ALIGNED = 4;
    private static final int TCPOLEN_WSCALE_ALIGNED = 4;
    private static final int TCPOLEN_SACK_BASE_ALIGNED = 4;

    private int mss = -1;
    private int wscale = -1;
    private boolean sackPermitted;
    private boolean timestamps;
    private int tsVal;
    private int tsEcr;
    private int numSacks;
    /** start, end pairs: block i is sacks[2i], sacks[2i + 1]. */
    private final int[] sacks = new int[2 * MAX_SACKS];

    /** Forgets every option: no MSS, no window scale, no SACK, no timestamps. */
    public void clear() {
        mss = -1;
        wscale = -1;
        sackPermitted = false;
        timestamps = false;
        tsVal = 0;
        tsEcr = 0;
        numSacks = 0;
    }

    /**
     * tcp_parse_options: replaces this object's contents with the options in the {@code len} bytes at
     * {@code off} (the header from byte 20 up to the data offset). Never throws on what a peer sends: EOL,
     * a kind with no length byte, a length under 2 or one that runs past the end stops parsing and keeps
     * what was read before it, as the kernel does. A known option with the wrong length is skipped (MSS of
     * length 3, say), an MSS of 0 is ignored, a window scale above 14 is taken as 14, and of several
     * timestamp or SACK options the last counts. Bytes past the buffer's tail are never read.
     */
    public void parse(PacketBuffer b, int off, int len) {
        clear();
        if (off < 0 || len <= 0) {
            return;
        }
        int end = (int) Math.min((long) off + len, b.tail());
        int p = off;
        while (p < end) {
            int kind = b.u8(p);
            if (kind == TCPOPT_EOL) {
                return;
            }
            if (kind == TCPOPT_NOP) {
                p++;
                continue;
            }
            if (end - p < 2) {
                return;
            }
            int size = b.u8(p + 1);
            if (size < 2 || size > end - p) {
                return; // "silly options" and partial options end the list
            }
            switch (kind) {
                case TCPOPT_MSS -> {
                    if (size == TCPOLEN_MSS && b.u16(p + 2) != 0) {
                        mss = b.u16(p + 2);
                    }
                }
                case TCPOPT_WINDOW -> {
                    if (size == TCPOLEN_WINDOW) {
                        wscale = Math.min(b.u8(p + 2), MAX_WSCALE);
                    }
                }
                case TCPOPT_SACK_PERM -> {
                    if (size == TCPOLEN_SACK_PERM) {
                        sackPermitted = true;
                    }
                }
                case TCPOPT_TIMESTAMP -> {
                    if (size == TCPOLEN_TIMESTAMP) {
                        timestamps = true;
                        tsVal = b.i32(p + 2);
                        tsEcr = b.i32(p + 6);
                    }
                }
                case TCPOPT_SACK -> {
                    int blocks = (size - TCPOLEN_SACK_BASE) / TCPOLEN_SACK_PERBLOCK;
                    if (blocks >= 1 && (size - TCPOLEN_SACK_BASE) % TCPOLEN_SACK_PERBLOCK == 0) {
                        // tcp_sacktag_write_queue reads at most TCP_NUM_SACKS of them
                        numSacks = Math.min(blocks, MAX_SACKS);
                        for (int i = 0; i < numSacks; i++) {
                            sacks[2 * i] = b.i32(p + TCPOLEN_SACK_BASE + i * TCPOLEN_SACK_PERBLOCK);
                            sacks[2 * i + 1] = b.i32(p + TCPOLEN_SACK_BASE + i * TCPOLEN_SACK_PERBLOCK + 4);
                        }
                    }
                }
                default -> { } // unknown kinds (MD5, Fast Open, MPTCP...) are stepped over
            }
            p += size;
        }
    }

    /** The MSS option's value, or -1 if absent. */
    public int mss() {
        return mss;
    }

    /** Sends an MSS option (SYN and SYN-ACK only), or none with -1. */
    public void setMss(int v) {
        if (v < -1 || v > 0xffff) {
            throw new IllegalArgumentException("MSS " + v);
        }
        mss = v;
    }

    /** The window scale shift (0 to 14), or -1 if absent. */
    public int wscale() {
        return wscale;
    }

    /** Sends a window scale option (SYN and SYN-ACK only), or none with -1. */
    public void setWscale(int v) {
        if (v < -1 || v > MAX_WSCALE) {
            throw new IllegalArgumentException("window scale " + v);
        }
        wscale = v;
    }

    public boolean sackPermitted() {
        return sackPermitted;
    }

    /** Sends SACK-permitted (SYN and SYN-ACK only). */
    public void setSackPermitted(boolean v) {
        sackPermitted = v;
    }

    /** Whether a timestamp option was present (saw_tstamp) or is to be sent. */
    public boolean timestamps() {
        return timestamps;
    }

    public int tsVal() {
        return tsVal;
    }

    public int tsEcr() {
        return tsEcr;
    }

    /** Sends a timestamp option with these values. */
    public void setTimestamps(int val, int ecr) {
        timestamps = true;
        tsVal = val;
        tsEcr = ecr;
    }

    /** SACK blocks present or to be sent, 0 to {@link #MAX_SACKS}. */
    public int numSacks() {
        return numSacks;
    }

    /** The left edge of block {@code i}: the first sequence number it covers. */
    public int sackStart(int i) {
        checkBlock(i);
        return sacks[2 * i];
    }

    /** The right edge of block {@code i}: the sequence number after the last it covers. */
    public int sackEnd(int i) {
        checkBlock(i);
        return sacks[2 * i + 1];
    }

    /**
     * Appends a SACK block to send; the first added goes first on the wire (RFC 2018: the most recently
     * received block first, or the D-SACK block). Returns false, adding nothing, if four are held already.
     * Fewer may be sent than held: see {@link #length}.
     */
    public boolean addSack(int start, int end) {
        if (numSacks == MAX_SACKS) {
            return false;
        }
        sacks[2 * numSacks] = start;
        sacks[2 * numSacks + 1] = end;
        numSacks++;
        return true;
    }

    /**
     * The bytes {@link #write} lays down: a multiple of 4, at most 40. SACK blocks take what room the other
     * options leave, as tcp_established_options sizes them: four without timestamps, three with.
     */
    public int length() {
        int n = sacksThatFit();
        return lengthWithoutSacks() + (n == 0 ? 0 : TCPOLEN_SACK_BASE_ALIGNED + n * TCPOLEN_SACK_PERBLOCK);
    }

    /**
     * tcp_options_write: lays the options down at {@code off} in the kernel's order and padding (see the
     * class comment) and returns how many bytes it wrote, which is {@link #length}. The buffer must hold them.
     */
    public int write(PacketBuffer b, int off) {
        int p = off;
        if (mss >= 0) {
            b.setI32(p, TCPOPT_MSS << 24 | TCPOLEN_MSS << 16 | mss);
            p += TCPOLEN_MSS_ALIGNED;
        }
        if (timestamps) {
            // SACK_PERM rides in the two bytes of padding the timestamp would otherwise need
            int lead = sackPermitted ? TCPOPT_SACK_PERM << 8 | TCPOLEN_SACK_PERM : TCPOPT_NOP << 8 | TCPOPT_NOP;
            b.setI32(p, lead << 16 | TCPOPT_TIMESTAMP << 8 | TCPOLEN_TIMESTAMP);
            b.setI32(p + 4, tsVal);
            b.setI32(p + 8, tsEcr);
            p += TCPOLEN_TSTAMP_ALIGNED;
        } else if (sackPermitted) {
            b.setI32(p, TCPOPT_NOP << 24 | TCPOPT_NOP << 16 | TCPOPT_SACK_PERM << 8 | TCPOLEN_SACK_PERM);
            p += TCPOLEN_SACKPERM_ALIGNED;
        }
        if (wscale >= 0) {
            b.setI32(p, TCPOPT_NOP << 24 | TCPOPT_WINDOW << 16 | TCPOLEN_WINDOW << 8 | wscale);
            p += TCPOLEN_WSCALE_ALIGNED;
        }
        int n = sacksThatFit();
        if (n > 0) {
            b.setI32(p, TCPOPT_NOP << 24 | TCPOPT_NOP << 16 | TCPOPT_SACK << 8
                    | (TCPOLEN_SACK_BASE + n * TCPOLEN_SACK_PERBLOCK));
            p += TCPOLEN_SACK_BASE_ALIGNED;
            for (int i = 0; i < 2 * n; i++) {
                b.setI32(p, sacks[i]);
                p += 4;
            }
        }
        return p - off;
    }

    private int lengthWithoutSacks() {
        int len = 0;
        if (mss >= 0) {
            len += TCPOLEN_MSS_ALIGNED;
        }
        if (timestamps) {
            len += TCPOLEN_TSTAMP_ALIGNED;
        } else if (sackPermitted) {
            len += TCPOLEN_SACKPERM_ALIGNED;
        }
        if (wscale >= 0) {
            len += TCPOLEN_WSCALE_ALIGNED;
        }
        return len;
    }

    private int sacksThatFit() {
        if (numSacks == 0) {
            return 0;
        }
        int room = (MAX_OPTION_SPACE - lengthWithoutSacks() - TCPOLEN_SACK_BASE_ALIGNED) / TCPOLEN_SACK_PERBLOCK;
        return Math.max(0, Math.min(numSacks, room));
    }

    private void checkBlock(int i) {
        if (i < 0 || i >= numSacks) {
            throw new IndexOutOfBoundsException("SACK block " + i + " of " + numSacks);
        }
    }
}
