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

    /** Parses {@code line}, finds its handler and runs it, on the caller's thread. */
    public ControlResponse dispatch(String line) {
        return prepare(line).run();
    }

    /**
     * Parses {@code line} and finds its handler, without running it: the caller learns from the {@link Call}
     * whether the command may run for long, and so where to run it.
     */
    public Call prepare(String line) {
        ControlRequest req;
        try {
            req = ControlRequest.parse(line);
        } catch (ControlException e) {
            return new Call(null, null, ControlResponse.failure(e.getMessage()));
        }
        ControlHandler h = handlers.get(req.cmd());
        if (h == null) {
            return new Call(req, null, ControlResponse.failure("unknown command '" + req.cmd() + "'; this daemon knows: "
                    + String.join(", ", handlers.names())));
        }
        return new Call(req, h, null);
    }

    /** One request ready to run: a handler and its arguments, or already a response (a bad request). */
    public static final class Call {
        private final ControlRequest req;
        private final ControlHandler handler;
        private final ControlResponse refusal;

        private Call(ControlRequest req, ControlHandler handler, ControlResponse refusal) {
            this.req = req;
            this.handler = handler;
            this.refusal = refusal;
        }

        /** The command's name, or null if the request could not be read. */
        public String cmd() {
            return req == null ? null : req.cmd();
        }

        /** Whether the command may run for seconds or more (see {@link ControlHandler#longRunning}). */
        public boolean longRunning() {
            return handler != null && handler.longRunning();
        }

        /**
         * Runs the command and turns every failure into a response with a sentence. An interrupt (the client
         * went away) ends a long-running command early with what it had.
         */
        public ControlResponse run() {
            if (refusal != null) {
                return refusal;
            }
            Object result;
            try {
                result = handler.execute(req.args());
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
    }

    /** A bug, not a bad request: the trace goes to the daemon's log, the client gets a pointer to it. */
    private static ControlResponse bug(ControlRequest req, RuntimeException e) {
        LOG.log(System.Logger.Level.ERROR, "control command '" + req.cmd() + "' failed", e);
        return ControlResponse.failure("'" + req.cmd() + "' failed inside the daemon (" + e + "); its log has the details");
    }
}
