package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.cli.control.ControlHandler;
import io.ustack.cli.services.dhcp.DhcpService;
import io.ustack.cli.services.dhcp.Lease;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.MacAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** {@code dhcp leases}: every lease of the DHCP server, by interface and address; none without a server. */
public final class DhcpLeasesHandler implements ControlHandler {
    private final Supplier<DhcpService> dhcp;

    public DhcpLeasesHandler(Supplier<DhcpService> dhcp) {
        this.dhcp = dhcp;
    }

    /** One lease; {@code expires} in ISO 8601 UTC, {@code state} bound or offered. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Entry(String dev, String mac, String ip, String expires, long expiresEpochMillis, String state,
                        String hostname) {
    }

    @Override
    public String name() {
        return "dhcp leases";
    }

    @Override
    public Object execute(ObjectNode args) throws ControlException {
        Args.only(args, name());
        DhcpService s = dhcp.get();
        if (s == null) {
            return List.of();
        }
        return s.leases().stream()
                .sorted((a, b) -> a.getKey().equals(b.getKey())
                        ? Integer.compareUnsigned(a.getValue().ip(), b.getValue().ip()) : a.getKey().compareTo(b.getKey()))
                .map(DhcpLeasesHandler::entry).toList();
    }

    private static Entry entry(Map.Entry<String, Lease> e) {
        Lease l = e.getValue();
        return new Entry(e.getKey(), MacAddress.format(l.mac()), Ipv4Address.format(l.ip()),
                Instant.ofEpochMilli(l.expires()).toString(), l.expires(), l.bound() ? "bound" : "offered", l.hostname());
    }
}
