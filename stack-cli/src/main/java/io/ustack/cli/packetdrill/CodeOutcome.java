package io.ustack.cli.packetdrill;

/** What running a {@code %{ }%} snippet came to. */
sealed interface CodeOutcome {

    /** Every assert held. */
    record Passed() implements CodeOutcome {
    }

    /**
     * An {@code assert} did not hold, as Python's AssertionError.
     *
     * @param expression the assert's test as written
     * @param message the message's value as Python's str() gives it, or null when the assert has none
     */
    record AssertionFailed(int line, String expression, String message) implements CodeOutcome {
        @Override
        public String toString() {
            return "assertion failed: " + expression + (message == null ? "" : ": " + message);
        }
    }

    /** Python would have raised an error other than AssertionError (ZeroDivisionError, TypeError...). */
    record Error(int line, String message) implements CodeOutcome {
        @Override
        public String toString() {
            return message;
        }
    }

    /** The snippet uses a name or a construct this evaluator does not have. */
    record Unsupported(int line, String what) implements CodeOutcome {
        @Override
        public String toString() {
            return "unsupported in %{ }%: " + what;
        }
    }
}
