package io.ustack.cli;

import com.fasterxml.jackson.databind.JsonNode;

/** PingCommand's text, for the handler tests in another package. */
public final class PingCommandText {
    private PingCommandText() {
    }

    public static String of(JsonNode result) {
        return PingCommand.text(result);
    }
}
