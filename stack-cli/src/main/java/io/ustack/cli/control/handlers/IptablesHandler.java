package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.cli.control.ControlHandler;
import io.ustack.core.netfilter.NfProto;
import io.ustack.core.netfilter.rules.IptablesException;
import io.ustack.core.stack.NetStack;

/**
 * {@code iptables} (or {@code ip6tables}, for the family's tables): one command line, arg "args" (its words
 * after "iptables"), carried out on the daemon's tables. Answers {@link Result}: what iptables would print and
 * its exit status, so that the client exits as iptables does (2 for a bad command line, 1 for what the
 * tables refuse).
 */
public final class IptablesHandler implements ControlHandler {
    /** An iptables tool's answer: its exit status, its output, and its one-line error (when status is not 0). */
    public record Result(int status, String output, String error) {
        static Result of(IptablesException e) {
            return new Result(e.status(), "", e.getMessage());
        }
    }

    private final NetStack stack;
    private final NfProto family;

    public IptablesHandler(NetStack stack, NfProto family) {
        this.stack = stack;
        this.family = family;
    }

    @Override
    public String name() {
        return family.tool();
    }

    @Override
    public Object execute(ObjectNode args) throws ControlException {
        Args.only(args, name(), "args");
        try {
            return new Result(0, stack.iptables(family).execute(Args.requiredWords(args, name(), "args",
                    "iptables' words, such as [\"-A\",\"INPUT\",\"-p\",\"tcp\",\"-j\",\"DROP\"]")), "");
        } catch (IptablesException e) {
            return Result.of(e);
        }
    }
}
