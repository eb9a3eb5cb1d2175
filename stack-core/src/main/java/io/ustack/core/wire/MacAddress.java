package io.ustack.core.wire;

import io.ustack.core.buffer.PacketBuffer;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * 48-bit MAC addresses, kept in the low bits of a {@code long} so the hot path compares and copies them
 * without allocating.
 */
public final class MacAddress {
    public static final long BROADCAST = 0xffff_ffff_ffffL;
    public static final long ZERO = 0L;

    private MacAddress() {
    }

    public static long read(PacketBuffer b, int off) {
        return ((long) b.u16(off) << 32) | b.u32(off + 2);
    }

    public static void write(PacketBuffer b, int off, long mac) {
        b.setU16(off, (int) (mac >>> 32));
        b.setI32(off + 2, (int) mac);
    }

    /** The I/G bit: group (multicast or broadcast) address. */
    public static boolean isMulticast(long mac) {
        return (mac & 0x0100_0000_0000L) != 0;
    }

    /** A random locally administered unicast address (eth_random_addr). */
    public static long random() {
        long m = ThreadLocalRandom.current().nextLong() & 0xffff_ffff_ffffL;
        m &= ~0x0100_0000_0000L; // unicast
        m |= 0x0200_0000_0000L;  // locally administered
        return m;
    }

    /** Parses {@code aa:bb:cc:dd:ee:ff}; throws IllegalArgumentException naming the bad text. */
    public static long parse(String s) {
        String[] parts = s.split(":", -1); // -1: keep trailing empty parts, so "…:56:" is rejected
        if (parts.length != 6) {
            throw new IllegalArgumentException("'" + s + "' is not a MAC address (want six hex bytes like 02:00:00:00:00:01)");
        }
        long m = 0;
        for (String p : parts) {
            // Two ASCII hex digits each; Integer.parseInt alone would also take a sign ("+1", "-1").
            int hi = p.length() == 2 ? hexDigit(p.charAt(0)) : -1;
            int lo = p.length() == 2 ? hexDigit(p.charAt(1)) : -1;
            if (hi < 0 || lo < 0) {
                throw new IllegalArgumentException("'" + s + "' is not a MAC address (want six hex bytes like 02:00:00:00:00:01)");
            }
            m = (m << 8) | (hi << 4) | lo;
        }
        return m;
    }

    /** The value of ASCII hex digit {@code c}, or -1 for anything else (HexFormat's digits, not Unicode's). */
    private static int hexDigit(char c) {
        return HexFormat.isHexDigit(c) ? HexFormat.fromHexDigit(c) : -1;
    }

    public static String format(long mac) {
        StringBuilder sb = new StringBuilder(17);
        for (int i = 5; i >= 0; i--) {
            int v = (int) (mac >>> (i * 8)) & 0xff;
            sb.append(Character.forDigit(v >> 4, 16)).append(Character.forDigit(v & 15, 16));
            if (i > 0) {
                sb.append(':');
            }
        }
        return sb.toString();
    }

    public static byte[] toBytes(long mac) {
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) (mac >>> ((5 - i) * 8));
        }
        return b;
    }
}
