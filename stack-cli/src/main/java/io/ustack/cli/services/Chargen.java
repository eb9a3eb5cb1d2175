package io.ustack.cli.services;

/**
 * RFC 864's rotating pattern as inetd sends it: lines of 72 characters from the ring of the 95 printable
 * ASCII characters (space first), each line starting one character further along, ended by CR LF.
 */
final class Chargen {
    private static final int FIRST = ' ';
    private static final int PRINTABLE = 95;
    private static final int LINE = 72;

    private Chargen() {
    }

    /** The first {@code n} bytes of the pattern. */
    static byte[] lines(int n) {
        byte[] out = new byte[n];
        int i = 0;
        for (int line = 0; i < n; line++) {
            for (int c = 0; c < LINE && i < n; c++) {
                out[i++] = (byte) (FIRST + (line + c) % PRINTABLE);
            }
            if (i < n) {
                out[i++] = '\r';
            }
            if (i < n) {
                out[i++] = '\n';
            }
        }
        return out;
    }
}
