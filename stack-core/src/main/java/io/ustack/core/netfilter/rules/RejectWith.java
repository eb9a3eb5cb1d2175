package io.ustack.core.netfilter.rules;

import io.ustack.core.netfilter.NfProto;
import io.ustack.core.wire.IcmpPacket;
import io.ustack.core.wire.Icmpv6Packet;

/**
 * REJECT's --reject-with answers (ipt_reject_with, and ip6t_reject_with for ICMPv6's destination
 * unreachable codes of RFC 4443 3.1), under iptables' and ip6tables' names; each tool takes only its own
 * (and tcp-reset), ip6tables its short aliases too.
 */
public enum RejectWith {
    ICMP_NET_UNREACHABLE("icmp-net-unreachable", IcmpPacket.NET_UNREACH),
    ICMP_HOST_UNREACHABLE("icmp-host-unreachable", IcmpPacket.HOST_UNREACH),
    ICMP_PORT_UNREACHABLE("icmp-port-unreachable", IcmpPacket.PORT_UNREACH),
    ICMP_PROTO_UNREACHABLE("icmp-proto-unreachable", IcmpPacket.PROT_UNREACH),
    ICMP_NET_PROHIBITED("icmp-net-prohibited", IcmpPacket.NET_ANO),
    ICMP_HOST_PROHIBITED("icmp-host-prohibited", IcmpPacket.HOST_ANO),
    ICMP_ADMIN_PROHIBITED("icmp-admin-prohibited", IcmpPacket.PKT_FILTERED),
    ICMP6_NO_ROUTE("icmp6-no-route", Icmpv6Packet.NOROUTE, "no-route"),
    ICMP6_ADM_PROHIBITED("icmp6-adm-prohibited", Icmpv6Packet.ADM_PROHIBITED, "adm-prohibited"),
    ICMP6_ADDR_UNREACHABLE("icmp6-addr-unreachable", Icmpv6Packet.ADDR_UNREACH, "addr-unreach"),
    ICMP6_PORT_UNREACHABLE("icmp6-port-unreachable", Icmpv6Packet.PORT_UNREACH, "port-unreach"),
    ICMP6_POLICY_FAIL("icmp6-policy-fail", Icmpv6Packet.POLICY_FAIL, "policy-fail"),
    ICMP6_REJECT_ROUTE("icmp6-reject-route", Icmpv6Packet.REJECT_ROUTE, "reject-route"),
    /** A TCP RST built from the offending segment (nf_send_reset) instead of an ICMP message. */
    TCP_RESET("tcp-reset", -1);

    private final String text;
    private final int icmpCode;
    /** ip6tables' short name for it; null for IPv4's, which have none, and tcp-reset, which both take. */
    private final String alias;

    RejectWith(String text, int icmpCode) {
        this(text, icmpCode, null);
    }

    RejectWith(String text, int icmpCode, String alias) {
        this.text = text;
        this.icmpCode = icmpCode;
        this.alias = alias;
    }

    /** The name iptables gives it, as typed after --reject-with. */
    public String text() {
        return text;
    }

    /** The ICMP destination-unreachable code sent; -1 for {@link #TCP_RESET}. */
    public int icmpCode() {
        return icmpCode;
    }

    /** What REJECT answers when the rule does not say: port unreachable, in the family's ICMP. */
    static RejectWith defaultFor(NfProto family) {
        return family == NfProto.IPV6 ? ICMP6_PORT_UNREACHABLE : ICMP_PORT_UNREACHABLE;
    }

    /** {@code family}'s answer named {@code text}, or null; tcp-rst is the tools' other spelling of tcp-reset. */
    static RejectWith parse(NfProto family, String text) {
        for (RejectWith r : values()) {
            boolean ours = r == TCP_RESET || (r.alias != null) == (family == NfProto.IPV6);
            if (ours && (r.text.equals(text) || text.equals(r.alias))) {
                return r;
            }
        }
        return text.equals("tcp-rst") ? TCP_RESET : null;
    }
}
