package io.ustack.cli.packetdrill;

/** What running a {@code %{ }%} snippet came to. */
sealed interface CodeOutcome {

    /**
     * What packetdrill prints for this outcome of a snippet in {@code file} ({@code FILE:LINE: error in Python
     * code} and the exception for a failure), or null when it passed.
     */
    String report(String file);

    /** Every assert held. */
    record Passed() implements CodeOutcome {
        @Override
        public String report(String file) {
            return null;
        }
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

        @Override
        public String report(String file) {
            return file + ":" + line + ": error in Python code\n    assert " + expression + "\nAssertionError"
                    + (message == null ? "" : ": " + message);
        }
    }

    /** Python would have raised an error other than AssertionError (ZeroDivisionError, TypeError...). */
    record Error(int line, String message) implements CodeOutcome {
        @Override
        public String toString() {
            return message;
        }

        @Override
        public String report(String file) {
            return file + ":" + line + ": error in Python code\n" + message;
        }
    }

    /** The snippet uses a name or a construct this evaluator does not have. */
    record Unsupported(int line, String what) implements CodeOutcome {
        @Override
        public String toString() {
            return "unsupported in %{ }%: " + what;
        }

        @Override
        public String report(String file) {
            return file + ":" + line + ": " + this;
        }
    }
}
