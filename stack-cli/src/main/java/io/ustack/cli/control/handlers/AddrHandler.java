package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.cli.control.ControlHandler;
import io.ustack.core.link.NetDevice;
import io.ustack.core.route.InterfaceAddress;
import io.ustack.core.stack.NetStack;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.Ipv4Prefix;
import io.ustack.core.wire.MacAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code addr}: every interface of the stack, as {@code ip -j -s addr} names the fields: index, name, flags,
 * MTU, operational state, MAC, IPv4 addresses and the link counters.
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
     * One IPv4 address; {@code broadcast} is absent where there is none (loopback, /31, /32), {@code secondary}
     * unless it is one (IFA_F_SECONDARY: a second address on a network the device has already), as ip -j has
     * them; {@code scope} is {@code host} on loopback, else {@code global}, and {@code label} the device's name.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Address(String local, int prefixlen, String broadcast, String scope, Boolean secondary, String label) {
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
            links.add(link(d, addresses));
        }
        return links;
    }

    /**
     * Device {@code d} with those of {@code addresses} that are on it, in the kernel's ifa_list order: the
     * primaries as they came, then the secondaries (inet_insert_ifa puts a new primary after the last one).
     */
    static Link link(NetDevice d, List<InterfaceAddress> addresses) {
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
            (secondary ? secondaries : primaries).add(new Address(Ipv4Address.format(a.address()), p.prefixLen(),
                    brd ? Ipv4Address.format(p.broadcast()) : null, d.isLoopback() ? "host" : "global",
                    secondary ? Boolean.TRUE : null, d.name()));
        }
        List<Address> mine = new ArrayList<>(primaries);
        mine.addAll(secondaries);
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
