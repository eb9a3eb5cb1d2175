package io.ustack.cli.control;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The daemon's side of one control command, such as {@code stats}. One class per command; register it in
 * {@link ControlHandlers#forStack}. Handlers run on a control worker thread, never on the socket's I/O
 * thread, so they may block for a moment; they may be called concurrently for different clients.
 */
public interface ControlHandler {
    /**
     * The request's {@code "cmd"}: the words of the matching client subcommand, such as {@code stats} or
     * {@code route add}.
     */
    String name();

    /**
     * Carries out the request.
     *
     * @param args the request's "args" object, empty if none was sent
     * @return the response's "result": anything Jackson serialises (a JsonNode, a record, a Map); null
     *         means an empty object
     * @throws ControlException with the sentence for the client when the request cannot be carried out;
     *                          an IllegalArgumentException from the stack (whose messages are sentences too)
     *                          is reported the same way
     */
    Object execute(ObjectNode args) throws ControlException;

    /**
     * Whether this command may run for seconds or more ({@code ping}, {@code capture}). Such a command gets a
     * thread of its own instead of one of the few control workers, so it cannot hold up other clients; that
     * thread is interrupted when its client goes away, and {@link #execute} should then end soon, returning
     * what it has.
     */
    default boolean longRunning() {
        return false;
    }
}
