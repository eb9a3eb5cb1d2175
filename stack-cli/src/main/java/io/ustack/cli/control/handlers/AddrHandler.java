package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.cli.control.ControlHandler;
import io.ustack.core.link.NetDevice;
import io.ustack.core.route.InterfaceAddress;
import io.ustack.core.route.Ipv6Fib;
import io.ustack.core.stack.NetStack;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.MacAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code addr}: every interface of the stack, as {@code ip -j -s addr} names the fields: index, name, flags,
 * MTU, operational state, MAC, IPv4 addresses, IPv6 addresses (global ones first, then link-local, as the
 * kernel orders them by scope) and the link counters.
 */
public final class AddrHandler implements ControlHandler {
    private final NetStack stack;

    public AddrHandler(NetStack stack) {
        this.stack = stack;
    }

    /** One interface. {@code operstate} is UP, DOWN or LOWERLAYERDOWN (up, but no carrier). */
    public record Link(int ifindex, String ifname, List<String> flags, int mtu, String operstate,
                       @JsonProperty("link_type") String linkType, String address,
                       @JsonProperty("addr_info") List<Address> addrInfo, Map<String, Long> stats) {
    }

    /**
     * One address. An IPv4 one has {@code local}, {@code prefixlen} and {@code broadcast} (absent where there
     * is none: loopback, /31, /32); an IPv6 one has {@code family} "inet6" and its {@code scope} ("global",
     * "link", "host"), as ip -j names them.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @com.fasterxml.jackson.annotation.JsonPropertyOrder({"family", "local", "prefixlen", "broadcast", "scope"})
    public record Address(String family, String local, int prefixlen, String broadcast, String scope) {
        Address(String local, int prefixlen, String broadcast) {
            this(null, local, prefixlen, broadcast, null);
        }
    }

    @Override
    public String name() {
        return "addr";
    }

    @Override
    public Object execute(ObjectNode args) throws ControlException {
        Args.only(args, name());
        List<InterfaceAddress> addresses = stack.fib().addresses();
        List<Link> links = new ArrayList<>();
        for (NetDevice d : stack.devices()) {
            links.add(link(d, addresses, stack.fib6().addresses(d)));
        }
        return links;
    }

    /** Device {@code d} with its IPv4 and IPv6 addresses in {@code stack}. */
    static Link link(NetDevice d, NetStack stack) {
        return link(d, stack.fib().addresses(), stack.fib6().addresses(d));
    }

    /** Device {@code d} with those of {@code addresses} that are on it and its IPv6 addresses {@code on6}. */
    static Link link(NetDevice d, List<InterfaceAddress> addresses, List<Ipv6Fib.Inet6Address> on6) {
        List<Address> mine = new ArrayList<>();
        for (InterfaceAddress a : addresses) {
            if (a.dev() == d) {
                boolean brd = !d.isLoopback() && a.prefix().prefixLen() < 31;
                mine.add(new Address(Ipv4Address.format(a.address()), a.prefix().prefixLen(),
                        brd ? Ipv4Address.format(a.prefix().broadcast()) : null));
            }
        }
        List<Ipv6Fib.Inet6Address> sorted = new ArrayList<>(on6);
        sorted.sort((x, y) -> y.scope().ordinal() - x.scope().ordinal()); // stable: global, then link, then host
        for (Ipv6Fib.Inet6Address a : sorted) {
            mine.add(new Address("inet6", a.address().toString(), a.prefix().prefixLen(), null, a.scope().ipName()));
        }
        return new Link(d.ifindex(), d.name(), flags(d), d.mtu(), operstate(d),
                d.isLoopback() ? "loopback" : "ether", MacAddress.format(d.mac()), mine, d.stats().snapshot());
    }

    /** The IFF_* flags ip-link prints between angle brackets. */
    private static List<String> flags(NetDevice d) {
        List<String> f = new ArrayList<>();
        f.add(d.isLoopback() ? "LOOPBACK" : "BROADCAST");
        if (d.isUp()) {
            f.add("UP");
            f.add(d.carrier() ? "LOWER_UP" : "NO-CARRIER");
        }
        return f;
    }

    private static String operstate(NetDevice d) {
        if (!d.isUp()) {
            return "DOWN";
        }
        return d.carrier() ? "UP" : "LOWERLAYERDOWN";
    }
}
