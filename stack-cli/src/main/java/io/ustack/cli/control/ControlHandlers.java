package io.ustack.cli.control;

import io.ustack.cli.control.handlers.StatsHandler;
import io.ustack.core.stack.NetStack;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The control commands a daemon serves, by name. */
public final class ControlHandlers {
    private final Map<String, ControlHandler> byName = new TreeMap<>();

    /** Every command the daemon serves over {@code stack}. A new command is one more {@code add} here. */
    public static ControlHandlers forStack(NetStack stack) {
        return new ControlHandlers()
                .add(new StatsHandler(stack));
    }

    public ControlHandlers add(ControlHandler h) {
        if (byName.putIfAbsent(h.name(), h) != null) {
            throw new IllegalArgumentException("two control handlers are named " + h.name());
        }
        return this;
    }

    /** The handler for {@code name}, or null. */
    public ControlHandler get(String name) {
        return byName.get(name);
    }

    /** The command names, sorted. */
    public Set<String> names() {
        return byName.keySet();
    }
}
