package io.ustack.core.ipv6;

import io.ustack.core.link.NetDevice;
import io.ustack.core.wire.Ipv6Address;

/**
 * inet6_protocol.err_handler: how a transport protocol over IPv6 hears of an ICMPv6 error about a packet it
 * sent (udpv6_err, tcp_v6_err), through icmpv6_notify. The arguments come from the error and its quote: the
 * original packet went from {@code saddr}:{@code sport} to {@code daddr}:{@code dport}; {@code info} is the
 * rest of the ICMPv6 header (Packet Too Big's MTU, a parameter problem's pointer); the error came in on
 * {@code dev}.
 */
@FunctionalInterface
public interface Icmpv6ErrorHandler {
    void err(int type, int code, int info, NetDevice dev, Ipv6Address saddr, Ipv6Address daddr, int sport, int dport);
}
