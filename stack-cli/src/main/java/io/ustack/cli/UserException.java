package io.ustack.cli;

/**
 * A failure the user can act on, such as a missing permission, a busy TAP or no daemon to talk to. The
 * message is one sentence printed as {@code ustack: MESSAGE}; {@link Main} exits with {@link #EXIT_CODE}
 * and no stack trace.
 */
public final class UserException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The exit status for these failures; 2 stays reserved for a bad command line. */
    public static final int EXIT_CODE = 1;

    public UserException(String sentence) {
        super(sentence, null, false, false);
    }
}
