package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.cli.control.ControlHandler;
import io.ustack.cli.daemon.AddrSpec;
import io.ustack.core.link.NetDevice;
import io.ustack.core.stack.NetStack;

/**
 * {@code addr del}: {@code ip addr del LOCAL dev DEV}, args as {@code addr add}'s: the address goes with the
 * routes that sent from it, ARP stops answering for it and connections masqueraded to it are forgotten
 * (Fib.removeAddress); an IPv6 one goes with its connected route (unless another address is on its prefix),
 * its solicited-node group and its Duplicate Address Detection. Sockets bound to it stay, unable to send.
 * Answers with the interface as {@code addr} lists it.
 */
public final class AddrDelHandler implements ControlHandler {
    private final NetStack stack;

    public AddrDelHandler(NetStack stack) {
        this.stack = stack;
    }

    @Override
    public String name() {
        return "addr del";
    }

    @Override
    public Object execute(ObjectNode args) throws ControlException {
        AddrSpec spec = AddrAddHandler.spec(args, name());
        NetDevice dev = Args.device(stack, spec.dev());
        if (spec.prefix6() != null) {
            stack.removeAddress(dev, spec.prefix6());
        } else {
            stack.fib().removeAddress(dev, spec.prefix());
        }
        return AddrHandler.link(dev, stack);
    }
}
