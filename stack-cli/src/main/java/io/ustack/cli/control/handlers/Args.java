package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.core.link.NetDevice;
import io.ustack.core.stack.NetStack;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** Reading a request's "args" in the handlers, each mistake refused with a sentence that names it. */
final class Args {
    private Args() {
    }

    /** Refuses any argument but {@code names}: a misspelt field must not be ignored silently. */
    static void only(ObjectNode args, String cmd, String... names) throws ControlException {
        List<String> known = List.of(names);
        for (Iterator<String> it = args.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!known.contains(name)) {
                throw new ControlException(known.isEmpty() ? cmd + " takes no arguments"
                        : cmd + " has no argument \"" + name + "\"; it takes " + String.join(", ", known));
            }
        }
    }

    /** The string argument {@code name}, or null if it is absent. */
    static String optional(ObjectNode args, String cmd, String name) throws ControlException {
        JsonNode n = args.get(name);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new ControlException(cmd + "'s \"" + name + "\" must be a string");
        }
        return n.asText();
    }

    /** The {@code family} argument, as ip's -4 and -6 choose one: "inet", "inet6", or null for none given. */
    static String family(ObjectNode args, String cmd) throws ControlException {
        String family = optional(args, cmd, "family");
        if (family != null && !family.equals("inet") && !family.equals("inet6")) {
            throw new ControlException(cmd + "'s \"family\" is inet or inet6, not " + family);
        }
        return family;
    }

    /** The string argument {@code name}, which must be there. */
    static String required(ObjectNode args, String cmd, String name, String what) throws ControlException {
        String v = optional(args, cmd, name);
        if (v == null) {
            throw new ControlException(cmd + " needs \"" + name + "\", " + what);
        }
        return v;
    }

    /** The whole-number argument {@code name}, which must be there. */
    static int requiredInt(ObjectNode args, String cmd, String name, String what) throws ControlException {
        JsonNode n = args.get(name);
        if (n == null || n.isNull()) {
            throw new ControlException(cmd + " needs \"" + name + "\", " + what);
        }
        if (!n.canConvertToInt() || !n.isIntegralNumber()) {
            throw new ControlException(cmd + "'s \"" + name + "\" must be a whole number");
        }
        return n.asInt();
    }

    /** The argument {@code name}, an array of strings (a command line's words), which must be there. */
    static List<String> requiredWords(ObjectNode args, String cmd, String name, String what) throws ControlException {
        JsonNode n = args.get(name);
        if (n == null || n.isNull()) {
            throw new ControlException(cmd + " needs \"" + name + "\", " + what);
        }
        if (!n.isArray()) {
            throw new ControlException(cmd + "'s \"" + name + "\" must be an array of strings");
        }
        List<String> words = new ArrayList<>();
        for (JsonNode w : n) {
            if (!w.isTextual()) {
                throw new ControlException(cmd + "'s \"" + name + "\" must be an array of strings");
            }
            words.add(w.asText());
        }
        return words;
    }

    /** The stack's device named {@code name}. */
    static NetDevice device(NetStack stack, String name) throws ControlException {
        NetDevice d = stack.device(name);
        if (d == null) {
            throw new ControlException("there is no interface named " + name);
        }
        return d;
    }
}
