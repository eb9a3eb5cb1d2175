package io.ustack.cli.services.dhcp;

import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.MacAddress;

/**
 * One binding of a client (by MAC) to an address: offered (held for the client until {@code expires}) or
 * bound (leased until {@code expires}), in milliseconds of the server's clock (wall-clock epoch milliseconds
 * in the daemon, so that a lease file means the same after a restart).
 */
public record Lease(long mac, int ip, long expires, String hostname, boolean bound) {
    public String describe() {
        return MacAddress.format(mac) + " " + Ipv4Address.format(ip);
    }
}
