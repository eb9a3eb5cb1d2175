package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.cli.control.ControlHandler;
import io.ustack.core.stack.NetStack;
import io.ustack.core.stack.Sysctl;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code sysctl}: reads and writes the stack's tunables by their kernel names. "settings" holds sysctl's
 * words: {@code NAME} reads a key, {@code NAME=VALUE} writes one; without it every key is read. Every write
 * is checked before any is made, so a bad one changes nothing. The answer maps each key named (all of
 * them without "settings") to its value, after the writes.
 */
public final class SysctlHandler implements ControlHandler {
    private final Sysctl sysctl;

    public SysctlHandler(NetStack stack) {
        this.sysctl = new Sysctl(stack);
    }

    @Override
    public String name() {
        return "sysctl";
    }

    @Override
    public Object execute(ObjectNode args) throws ControlException {
        Args.only(args, name(), "settings");
        if (!args.has("settings")) {
            return sysctl.all();
        }
        List<String> words = Args.requiredWords(args, name(), "settings", "the keys to read or NAME=VALUE to write");
        Map<String, String> writes = new LinkedHashMap<>();
        List<String> names = new ArrayList<>();
        for (String w : words) {
            int eq = w.indexOf('=');
            String key = (eq < 0 ? w : w.substring(0, eq)).strip();
            try {
                if (eq < 0) {
                    sysctl.get(key);
                } else {
                    Sysctl.check(key, w.substring(eq + 1));
                    writes.put(key, w.substring(eq + 1));
                }
            } catch (IllegalArgumentException e) {
                throw new ControlException(e.getMessage());
            }
            names.add(key);
        }
        writes.forEach(sysctl::set);
        Map<String, String> out = new LinkedHashMap<>();
        for (String n : names) {
            out.put(n, sysctl.get(n));
        }
        return out;
    }
}
