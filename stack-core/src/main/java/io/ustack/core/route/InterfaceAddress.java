package io.ustack.core.route;

import io.ustack.core.link.NetDevice;
import io.ustack.core.wire.Ipv4Prefix;

/** struct in_ifaddr: an IPv4 address with its prefix, on a device. */
public record InterfaceAddress(NetDevice dev, Ipv4Prefix prefix) {
    public int address() {
        return prefix.address();
    }
}
