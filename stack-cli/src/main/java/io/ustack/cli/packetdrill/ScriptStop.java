package io.ustack.cli.packetdrill;

/**
 * Ends a script's run: a failure (packetdrill's message for it), or something this runner or the stack does
 * not have.
 */
final class ScriptStop extends Exception {
    final Runner.Verdict verdict;

    ScriptStop(Runner.Verdict verdict, String message) {
        super(message, null, false, false);
        this.verdict = verdict;
    }

    static ScriptStop failed(String message) {
        return new ScriptStop(Runner.Verdict.FAILED, message);
    }

    static ScriptStop unsupported(String message) {
        return new ScriptStop(Runner.Verdict.UNSUPPORTED, message);
    }
}
