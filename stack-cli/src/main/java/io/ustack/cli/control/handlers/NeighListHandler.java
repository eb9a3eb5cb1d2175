package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.cli.control.ControlHandler;
import io.ustack.core.neigh.Neighbour;
import io.ustack.core.neigh.NudState;
import io.ustack.core.stack.NetStack;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.MacAddress;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * {@code neigh list}: the ARP table, then the ND table (IPv6), as {@code ip -j neigh} names the fields, each by
 * interface and address; with {@code family} "inet" or "inet6" one of them, as {@code ip -4 neigh} and
 * {@code ip -6 neigh}.
 */
public final class NeighListHandler implements ControlHandler {
    private final NetStack stack;

    public NeighListHandler(NetStack stack) {
        this.stack = stack;
    }

    /** One entry; {@code lladdr} is absent while none is known (INCOMPLETE, FAILED). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Entry(String dst, String dev, String lladdr, String state) {
    }

    @Override
    public String name() {
        return "neigh list";
    }

    @Override
    public Object execute(ObjectNode args) throws ControlException {
        Args.only(args, name(), "family");
        String family = Args.family(args, name());
        Stream<Neighbour> arp = "inet6".equals(family) ? Stream.empty() : stack.neighbours().entries().stream()
                .sorted(Comparator.comparingInt((Neighbour n) -> n.dev().ifindex())
                        .thenComparing(n -> n.ip(), Integer::compareUnsigned));
        Stream<Neighbour> nd = "inet".equals(family) ? Stream.empty() : stack.ndTable().entries().stream()
                .sorted(Comparator.comparingInt((Neighbour n) -> n.dev().ifindex())
                        .thenComparing(n -> n.ip6().hi(), Long::compareUnsigned)
                        .thenComparing(n -> n.ip6().lo(), Long::compareUnsigned));
        return Stream.concat(arp, nd).map(NeighListHandler::entry).toList();
    }

    private static Entry entry(Neighbour n) {
        NudState s = n.state();
        String dst = n.ip6() != null ? n.ip6().toString() : Ipv4Address.format(n.ip());
        return new Entry(dst, n.dev().name(), s.hasAddress() ? MacAddress.format(n.mac()) : null, s.name());
    }
}
