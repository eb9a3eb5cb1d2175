package io.ustack.it;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the daemon's chargen and {@code /bytes/N} must send, worked out here from RFC 864 rather than taken
 * from the daemon's code, so a fault there cannot agree with itself: lines of 72 characters from the ring of
 * the 95 printable ASCII characters (space first), each line starting one character further along, each
 * ended by CR LF. After 95 lines the pattern repeats.
 */
public final class ChargenPattern {
    private static final int PRINTABLE = 95;
    private static final int LINE = 72;
    /** One whole turn of the ring: 95 lines of 72 characters and CR LF. */
    private static final byte[] PERIOD = period();
    private static final Pattern DIGEST = Pattern.compile("\\b[0-9a-f]{64}\\b");

    private ChargenPattern() {
    }

    private static byte[] period() {
        byte[] b = new byte[PRINTABLE * (LINE + 2)];
        int i = 0;
        for (int line = 0; line < PRINTABLE; line++) {
            for (int c = 0; c < LINE; c++) {
                b[i++] = (byte) (' ' + (line + c) % PRINTABLE);
            }
            b[i++] = '\r';
            b[i++] = '\n';
        }
        return b;
    }

    /** Whether {@code b} is the pattern's first {@code b.length} bytes. */
    public static boolean isPrefix(byte[] b) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] != PERIOD[i % PERIOD.length]) {
                return false;
            }
        }
        return true;
    }

    /** The SHA-256, in lowercase hex as sha256sum prints it, of the pattern's first {@code n} bytes. */
    public static String sha256(long n) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (long left = n; left > 0; left -= PERIOD.length) {
                md.update(PERIOD, 0, (int) Math.min(left, PERIOD.length));
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }

    /** The digest that sha256sum printed in {@code output}, among other lines (curl's figures, say). */
    public static String digestIn(String output) {
        Matcher m = DIGEST.matcher(output);
        return m.find() ? m.group() : "(no SHA-256 printed)";
    }
}
