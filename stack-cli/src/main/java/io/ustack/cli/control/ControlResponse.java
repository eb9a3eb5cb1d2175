package io.ustack.cli.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One control response, one line on the wire: {@code {"ok":true,"result":...}} or
 * {@code {"ok":false,"error":"sentence"}}.
 *
 * @param result the command's result when {@code ok}, else null
 * @param error  one sentence for the user when not {@code ok}, else null
 */
public record ControlResponse(boolean ok, JsonNode result, String error) {

    public static ControlResponse success(JsonNode result) {
        return new ControlResponse(true, result, null);
    }

    public static ControlResponse failure(String sentence) {
        return new ControlResponse(false, null, sentence);
    }

    /** The response as one line of JSON, without the newline. */
    public String toJson() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("ok", ok);
        if (ok) {
            n.set("result", result);
        } else {
            n.put("error", error);
        }
        return n.toString();
    }

    /** Parses one response line; throws IllegalArgumentException with a sentence if it is not one. */
    public static ControlResponse parse(String line) {
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the answer is not valid JSON: " + e.getOriginalMessage());
        }
        if (n == null || !n.path("ok").isBoolean()) {
            throw new IllegalArgumentException("the answer has no boolean \"ok\"");
        }
        if (n.get("ok").asBoolean()) {
            return success(n.path("result"));
        }
        return failure(n.path("error").asText("the daemon gave no reason"));
    }
}
