package io.ustack.cli.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One control request, one line on the wire: {@code {"cmd":"NAME","args":{...}}}, "args" optional.
 *
 * @param cmd  the command's name, which selects its {@link ControlHandler}
 * @param args the command's arguments, empty when there are none
 */
public record ControlRequest(String cmd, ObjectNode args) {
    private static final String EXAMPLE = "{\"cmd\":\"stats\"}";

    public static ControlRequest of(String cmd) {
        return new ControlRequest(cmd, Json.MAPPER.createObjectNode());
    }

    /** The request as one line of JSON, without the newline; "args" is left out when empty. */
    public String toJson() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("cmd", cmd);
        if (!args.isEmpty()) {
            n.set("args", args);
        }
        return n.toString();
    }

    /** Parses one request line; the exception's sentence says what is wrong with it. */
    public static ControlRequest parse(String line) throws ControlException {
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            throw new ControlException("the request is not valid JSON: " + e.getOriginalMessage());
        }
        if (n == null || !n.isObject() || !n.path("cmd").isTextual()) {
            throw new ControlException("a request must be a JSON object with a \"cmd\" string, like " + EXAMPLE);
        }
        JsonNode args = n.get("args");
        if (args != null && !args.isObject()) {
            throw new ControlException("the request's \"args\" must be a JSON object");
        }
        return new ControlRequest(n.get("cmd").asText(), args == null ? Json.MAPPER.createObjectNode() : (ObjectNode) args);
    }
}
