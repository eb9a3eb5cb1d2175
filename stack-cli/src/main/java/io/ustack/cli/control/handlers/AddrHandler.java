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
import io.ustack.core.wire.Ipv4Prefix;
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

    /**
     * One interface. {@code operstate} is UP, DOWN, LOWERLAYERDOWN (up, but no carrier) or NOTPRESENT (what was
     * behind it went away: a TAP deleted under the daemon).
     */
    public record Link(int ifindex, String ifname, List<String> flags, int mtu, String operstate,
                       @JsonProperty("link_type") String linkType, String address,
                       @JsonProperty("addr_info") List<Address> addrInfo, Map<String, Long> stats) {
    }

    /**
     * One address. An IPv4 one has {@code local}, {@code prefixlen}, {@code broadcast} (absent where there is
     * none: loopback, /31, /32), {@code secondary} unless it is one (IFA_F_SECONDARY: a second address on a
     * network the device has already), {@code scope} ({@code host} on loopback, else {@code global}) and
     * {@code label} (the device's name); an IPv6 one has {@code family} "inet6" and its {@code scope}
     * ("global", "link", "host"), and {@code tentative} while Duplicate Address Detection runs, with
     * {@code dadfailed} too when it found the address taken, as ip -j names them.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @com.fasterxml.jackson.annotation.JsonPropertyOrder({"family", "local", "prefixlen", "broadcast", "scope"})
    public record Address(String family, String local, int prefixlen, String broadcast, String scope, Boolean secondary,
                          String label, Boolean tentative, Boolean dadfailed) {
        Address(String family, String local, int prefixlen, String broadcast, String scope, Boolean secondary,
                String label) {
            this(family, local, prefixlen, broadcast, scope, secondary, label, null, null);
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

    /**
     * Device {@code d} with those of {@code addresses} that are on it, in the kernel's ifa_list order (the
     * primaries as they came, then the secondaries: inet_insert_ifa puts a new primary after the last one),
     * then its IPv6 addresses {@code on6}, global before link-local.
     */
    static Link link(NetDevice d, List<InterfaceAddress> addresses, List<Ipv6Fib.Inet6Address> on6) {
        List<Address> primaries = new ArrayList<>();
        List<Address> secondaries = new ArrayList<>();
        List<InterfaceAddress> before = new ArrayList<>();
        for (InterfaceAddress a : addresses) {
            if (a.dev() != d) {
                continue;
            }
            Ipv4Prefix p = a.prefix();
            boolean secondary = before.stream().anyMatch(b -> b.prefix().prefixLen() == p.prefixLen()
                    && b.prefix().network() == p.network());
            before.add(a);
            boolean brd = !d.isLoopback() && p.prefixLen() < 31;
            (secondary ? secondaries : primaries).add(new Address(null, Ipv4Address.format(a.address()), p.prefixLen(),
                    brd ? Ipv4Address.format(p.broadcast()) : null, d.isLoopback() ? "host" : "global",
                    secondary ? Boolean.TRUE : null, d.name()));
        }
        List<Address> mine = new ArrayList<>(primaries);
        mine.addAll(secondaries);
        List<Ipv6Fib.Inet6Address> sorted = new ArrayList<>(on6);
        sorted.sort((x, y) -> y.scope().ordinal() - x.scope().ordinal()); // stable: global, then link, then host
        for (Ipv6Fib.Inet6Address a : sorted) {
            boolean notValid = a.state() != Ipv6Fib.Inet6Address.State.VALID; // Linux keeps tentative with dadfailed
            mine.add(new Address("inet6", a.address().toString(), a.prefix().prefixLen(), null, a.scope().ipName(),
                    null, null, notValid ? true : null, a.state() == Ipv6Fib.Inet6Address.State.DADFAILED ? true : null));
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
        if (!d.present()) {
            return "NOTPRESENT"; // IF_OPER_NOTPRESENT
        }
        if (!d.isUp()) {
            return "DOWN";
        }
        return d.carrier() ? "UP" : "LOWERLAYERDOWN";
    }
}
