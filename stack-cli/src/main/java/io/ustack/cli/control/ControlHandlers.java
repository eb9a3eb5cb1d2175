package io.ustack.cli.control;

import io.ustack.cli.control.handlers.AddrAddHandler;
import io.ustack.cli.control.handlers.AddrDelHandler;
import io.ustack.cli.control.handlers.AddrHandler;
import io.ustack.cli.control.handlers.CaptureHandler;
import io.ustack.cli.control.handlers.ConntrackFlushHandler;
import io.ustack.cli.control.handlers.ConntrackListHandler;
import io.ustack.cli.control.handlers.IptablesHandler;
import io.ustack.cli.control.handlers.IptablesRestoreHandler;
import io.ustack.cli.control.handlers.IptablesSaveHandler;
import io.ustack.cli.control.handlers.LinkSetHandler;
import io.ustack.cli.control.handlers.LinkShowHandler;
import io.ustack.cli.control.handlers.NeighFlushHandler;
import io.ustack.cli.control.handlers.NeighListHandler;
import io.ustack.cli.control.handlers.SsHandler;
import io.ustack.cli.control.handlers.PingHandler;
import io.ustack.cli.control.handlers.RouteAddHandler;
import io.ustack.cli.control.handlers.RouteDelHandler;
import io.ustack.cli.control.handlers.RouteListHandler;
import io.ustack.cli.control.handlers.RuleChangeHandler;
import io.ustack.cli.control.handlers.RuleListHandler;
import io.ustack.cli.control.handlers.StatsHandler;
import io.ustack.cli.control.handlers.SysctlHandler;
import io.ustack.core.netfilter.NfProto;
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
                .add(new StatsHandler(stack))
                .add(new AddrHandler(stack))
                .add(new AddrAddHandler(stack))
                .add(new AddrDelHandler(stack))
                .add(new LinkShowHandler(stack))
                .add(new LinkSetHandler(stack))
                .add(new RouteListHandler(stack))
                .add(new RouteAddHandler(stack))
                .add(new RouteDelHandler(stack))
                .add(new RuleListHandler(stack))
                .add(new RuleChangeHandler(stack, true))
                .add(new RuleChangeHandler(stack, false))
                .add(new NeighListHandler(stack))
                .add(new NeighFlushHandler(stack))
                .add(new SsHandler(stack))
                .add(new IptablesHandler(stack, NfProto.IPV4))
                .add(new IptablesSaveHandler(stack, NfProto.IPV4))
                .add(new IptablesRestoreHandler(stack, NfProto.IPV4))
                .add(new IptablesHandler(stack, NfProto.IPV6))
                .add(new IptablesSaveHandler(stack, NfProto.IPV6))
                .add(new IptablesRestoreHandler(stack, NfProto.IPV6))
                .add(new ConntrackListHandler(stack))
                .add(new ConntrackFlushHandler(stack))
                .add(new PingHandler(stack))
                .add(new CaptureHandler(stack))
                .add(new SysctlHandler(stack));
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
