package io.ustack.cli.packetdrill;

/**
 * A script packetdrill would refuse, with the line to blame. Its message is what packetdrill prints:
 * {@code FILE:LINE: parse error at 'TOKEN': WHAT} for the grammar (bison's yyerror) and
 * {@code FILE:LINE: semantic error: WHAT} for values the grammar accepts but packetdrill does not (out of
 * range, inconsistent sequence numbers, misplaced wildcards).
 */
final class ScriptError extends Exception {
    private final String file;
    private final int line;
    private final String detail;

    private ScriptError(String file, int line, String detail, String message) {
        super(message, null, false, false);
        this.file = file;
        this.line = line;
        this.detail = detail;
    }

    static ScriptError parse(String file, Token at, String what) {
        String detail = "parse error at '" + at.quoted() + "': " + what;
        return new ScriptError(file, at.line(), detail, file + ":" + at.line() + ": " + detail);
    }

    static ScriptError semantic(String file, int line, String what) {
        String detail = "semantic error: " + what;
        return new ScriptError(file, line, detail, file + ":" + line + ": " + detail);
    }

    String file() {
        return file;
    }

    int line() {
        return line;
    }

    /** The message without the {@code FILE:LINE: } prefix. */
    String detail() {
        return detail;
    }
}
