package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.cli.control.ControlHandler;
import io.ustack.cli.daemon.AddrSpec;
import io.ustack.core.link.NetDevice;
import io.ustack.core.stack.NetStack;

/**
 * {@code addr add}: {@code ip addr add LOCAL dev DEV}, args {@code local} (A.B.C.D/P or X:X::X/P) and
 * {@code dev}: an IPv4 address with its local, broadcast and connected routes, announced by a gratuitous ARP;
 * an IPv6 one with its connected route and solicited-node group, tentative while Duplicate Address Detection
 * runs. Answers with the interface as {@code addr} lists it.
 */
public final class AddrAddHandler implements ControlHandler {
    private final NetStack stack;

    public AddrAddHandler(NetStack stack) {
        this.stack = stack;
    }

    @Override
    public String name() {
        return "addr add";
    }

    @Override
    public Object execute(ObjectNode args) throws ControlException {
        AddrSpec spec = spec(args, name());
        NetDevice dev = Args.device(stack, spec.dev());
        if (spec.prefix6() != null) {
            stack.addAddress(dev, spec.prefix6());
        } else {
            stack.addAddress(dev, spec.prefix());
        }
        return AddrHandler.link(dev, stack);
    }

    /** The {@code local} and {@code dev} arguments of {@code addr add} and {@code addr del}. */
    static AddrSpec spec(ObjectNode args, String cmd) throws ControlException {
        Args.only(args, cmd, "local", "dev");
        return AddrSpec.of(Args.required(args, cmd, "local", "the address as A.B.C.D/P or X:X::X/P"),
                Args.required(args, cmd, "dev", "the interface's name"));
    }
}
