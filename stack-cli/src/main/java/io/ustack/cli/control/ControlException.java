package io.ustack.cli.control;

/**
 * A control request that cannot be carried out; the message is one sentence and becomes the response's
 * {@code "error"}. Thrown by request parsing and by {@link ControlHandler}s.
 */
public final class ControlException extends Exception {
    private static final long serialVersionUID = 1L;

    public ControlException(String sentence) {
        super(sentence, null, false, false);
    }
}
