package io.ustack.driver.tap;

/**
 * A TAP could not be opened or configured. The message is one sentence meant for the user as it stands
 * (no errno numbers to look up, no stack trace needed): print {@link #getMessage()} and stop.
 */
public final class TapException extends Exception {
    private static final long serialVersionUID = 1L;

    public TapException(String sentence) {
        super(sentence, null, false, false);
    }
}
