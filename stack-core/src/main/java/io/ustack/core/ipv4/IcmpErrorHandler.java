package io.ustack.core.ipv4;

/**
 * net_protocol.err_handler: how a transport protocol hears of an ICMP error about a packet it sent
 * (udp_err, tcp_v4_err). The arguments come from the quoted header: the original packet went from
 * {@code saddr}:{@code sport} to {@code daddr}:{@code dport}.
 */
@FunctionalInterface
public interface IcmpErrorHandler {
    void err(int type, int code, int info, int saddr, int daddr, int sport, int dport);
}
