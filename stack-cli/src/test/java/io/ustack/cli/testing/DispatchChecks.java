package io.ustack.cli.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ustack.cli.control.ControlDispatcher;
import io.ustack.cli.control.ControlHandlers;
import io.ustack.cli.control.ControlResponse;
import io.ustack.core.stack.NetStack;

/** Control requests through the dispatcher, no socket: the answer of one that must succeed, or must fail. */
public final class DispatchChecks {
    private final ControlDispatcher d;

    public DispatchChecks(NetStack stack) {
        this.d = new ControlDispatcher(ControlHandlers.forStack(stack));
    }

    /** The result of a request line that must succeed. */
    public JsonNode ok(String line) {
        ControlResponse r = d.dispatch(line);
        assertTrue(r.ok(), line + " -> " + r.error());
        return r.result();
    }

    /** The error sentence of a request line that must fail. */
    public String error(String line) {
        ControlResponse r = d.dispatch(line);
        assertFalse(r.ok(), line + " -> " + r.result());
        return r.error();
    }
}
