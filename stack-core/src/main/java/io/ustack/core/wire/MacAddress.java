package io.ustack.core.wire;

import io.ustack.core.buffer.PacketBuffer;
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
        String[] parts = s.split(":");
        if (parts.length != 6) {
            throw new IllegalArgumentException("'" + s + "' is not a MAC address (want six hex bytes like 02:00:00:00:00:01)");
        }
        long m = 0;
        for (String p : parts) {
            if (p.length() != 2) {
                throw new IllegalArgumentException("'" + s + "' is not a MAC address (want six hex bytes like 02:00:00:00:00:01)");
            }
            try {
                m = (m << 8) | Integer.parseInt(p, 16);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + s + "' is not a MAC address (want six hex bytes like 02:00:00:00:00:01)");
            }
        }
        return m;
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
