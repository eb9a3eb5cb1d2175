package io.ustack.cli.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The wire format and the dispatcher, without a socket. */
class ControlProtocolTest {
    @Test
    void requestsAreOneLineWithArgsOnlyWhenGiven() throws Exception {
        assertEquals("{\"cmd\":\"stats\"}", ControlRequest.of("stats").toJson());
        ObjectNode args = Json.MAPPER.createObjectNode().put("dev", "tap0");
        assertEquals("{\"cmd\":\"neigh\",\"args\":{\"dev\":\"tap0\"}}", new ControlRequest("neigh", args).toJson());

        ControlRequest back = ControlRequest.parse("{\"cmd\":\"neigh\",\"args\":{\"dev\":\"tap0\"}}");
        assertEquals("neigh", back.cmd());
        assertEquals("tap0", back.args().get("dev").asText());
        assertTrue(ControlRequest.parse("{\"cmd\":\"stats\"}").args().isEmpty());
    }

    @Test
    void badRequestsAreSentences() {
        assertEquals("a request must be a JSON object with a \"cmd\" string, like {\"cmd\":\"stats\"}", badRequest("[1,2]"));
        assertEquals("a request must be a JSON object with a \"cmd\" string, like {\"cmd\":\"stats\"}", badRequest("{\"cmd\":3}"));
        assertEquals("the request's \"args\" must be a JSON object", badRequest("{\"cmd\":\"stats\",\"args\":[]}"));
        assertTrue(badRequest("{\"cmd\":").startsWith("the request is not valid JSON: "));
        assertTrue(badRequest("{\"cmd\":\"stats\"} {}").startsWith("the request is not valid JSON: "), "one object per line");
    }

    @Test
    void responses() {
        ObjectNode result = Json.MAPPER.createObjectNode().put("IpInReceives", 3);
        String ok = ControlResponse.success(result).toJson();
        assertEquals("{\"ok\":true,\"result\":{\"IpInReceives\":3}}", ok);
        assertEquals(3, ControlResponse.parse(ok).result().get("IpInReceives").asLong());

        String failed = ControlResponse.failure("no such device tap9").toJson();
        assertEquals("{\"ok\":false,\"error\":\"no such device tap9\"}", failed);
        ControlResponse back = ControlResponse.parse(failed);
        assertFalse(back.ok());
        assertEquals("no such device tap9", back.error());

        assertEquals("the answer has no boolean \"ok\"",
                assertThrows(IllegalArgumentException.class, () -> ControlResponse.parse("{}")).getMessage());
    }

    @Test
    void dispatchRunsTheNamedHandler() {
        ControlDispatcher d = new ControlDispatcher(new ControlHandlers().add(handler("echo", args -> args)));
        ControlResponse r = d.dispatch("{\"cmd\":\"echo\",\"args\":{\"x\":1}}");
        assertTrue(r.ok());
        assertEquals(1, r.result().get("x").asInt());
    }

    @Test
    void dispatchFailuresAreResponsesNotExceptions() {
        ControlDispatcher d = new ControlDispatcher(new ControlHandlers()
                .add(handler("refuse", args -> {
                    throw new ControlException("no such device tap9");
                }))
                .add(handler("stack", args -> {
                    throw new IllegalArgumentException("gateway 10.1.1.1 is not on a connected network");
                }))
                .add(handler("bug", args -> {
                    throw new IllegalStateException("oops");
                }))
                .add(handler("nothing", args -> null)));
        assertEquals("unknown command 'nope'; this daemon knows: bug, nothing, refuse, stack", d.dispatch("{\"cmd\":\"nope\"}").error());
        assertEquals("no such device tap9", d.dispatch("{\"cmd\":\"refuse\"}").error());
        assertEquals("gateway 10.1.1.1 is not on a connected network", d.dispatch("{\"cmd\":\"stack\"}").error());
        assertEquals("'bug' failed inside the daemon (java.lang.IllegalStateException: oops); its log has the details",
                d.dispatch("{\"cmd\":\"bug\"}").error());
        assertEquals("{}", d.dispatch("{\"cmd\":\"nothing\"}").result().toString());
        assertTrue(d.dispatch("not json").error().startsWith("the request is not valid JSON"));
    }

    @Test
    void handlerNamesAreUnique() {
        ControlHandlers h = new ControlHandlers().add(handler("stats", args -> null));
        assertThrows(IllegalArgumentException.class, () -> h.add(handler("stats", args -> null)));
        assertEquals(List.of("stats"), List.copyOf(h.names()));
    }

    @Test
    void onlyRootAndTheDaemonsUserGetIn() {
        assertTrue(PeerCheck.allowed(0, 1000));
        assertTrue(PeerCheck.allowed(1000, 1000));
        assertFalse(PeerCheck.allowed(1001, 1000));
        assertFalse(PeerCheck.allowed(1000, 0));
    }

    private interface Body {
        Object run(ObjectNode args) throws ControlException;
    }

    private static ControlHandler handler(String name, Body body) {
        return new ControlHandler() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Object execute(ObjectNode args) throws ControlException {
                return body.run(args);
            }
        };
    }

    private static String badRequest(String line) {
        return assertThrows(ControlException.class, () -> ControlRequest.parse(line)).getMessage();
    }
}
