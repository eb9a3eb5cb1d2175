package io.ustack.cli.control;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Turns one request line into one response: parse, find the handler, run it, and make every failure a
 * {@code {"ok":false}} response with a sentence. Knows nothing of sockets, so it is tested without one.
 */
public final class ControlDispatcher {
    private static final System.Logger LOG = System.getLogger(ControlDispatcher.class.getName());

    private final ControlHandlers handlers;

    public ControlDispatcher(ControlHandlers handlers) {
        this.handlers = handlers;
    }

    public ControlResponse dispatch(String line) {
        ControlRequest req;
        try {
            req = ControlRequest.parse(line);
        } catch (ControlException e) {
            return ControlResponse.failure(e.getMessage());
        }
        ControlHandler h = handlers.get(req.cmd());
        if (h == null) {
            return ControlResponse.failure("unknown command '" + req.cmd() + "'; this daemon knows: "
                    + String.join(", ", handlers.names()));
        }
        Object result;
        try {
            result = h.execute(req.args());
        } catch (ControlException | IllegalArgumentException e) {
            return ControlResponse.failure(e.getMessage());
        } catch (RuntimeException e) {
            return bug(req, e);
        }
        try {
            JsonNode tree = result == null ? Json.MAPPER.createObjectNode() : Json.MAPPER.valueToTree(result);
            return ControlResponse.success(tree);
        } catch (IllegalArgumentException e) {
            return bug(req, e);
        }
    }

    /** A bug, not a bad request: the trace goes to the daemon's log, the client gets a pointer to it. */
    private static ControlResponse bug(ControlRequest req, RuntimeException e) {
        LOG.log(System.Logger.Level.ERROR, "control command '" + req.cmd() + "' failed", e);
        return ControlResponse.failure("'" + req.cmd() + "' failed inside the daemon (" + e + "); its log has the details");
    }
}
