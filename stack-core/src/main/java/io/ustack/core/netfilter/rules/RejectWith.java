package io.ustack.core.netfilter.rules;

import io.ustack.core.wire.IcmpPacket;

/** REJECT's --reject-with answers (ipt_reject_with), under iptables' names. */
public enum RejectWith {
    ICMP_NET_UNREACHABLE("icmp-net-unreachable", IcmpPacket.NET_UNREACH),
    ICMP_HOST_UNREACHABLE("icmp-host-unreachable", IcmpPacket.HOST_UNREACH),
    ICMP_PORT_UNREACHABLE("icmp-port-unreachable", IcmpPacket.PORT_UNREACH),
    ICMP_PROTO_UNREACHABLE("icmp-proto-unreachable", IcmpPacket.PROT_UNREACH),
    ICMP_NET_PROHIBITED("icmp-net-prohibited", IcmpPacket.NET_ANO),
    ICMP_HOST_PROHIBITED("icmp-host-prohibited", IcmpPacket.HOST_ANO),
    ICMP_ADMIN_PROHIBITED("icmp-admin-prohibited", IcmpPacket.PKT_FILTERED),
    /** A TCP RST built from the offending segment (nf_send_reset) instead of an ICMP message. */
    TCP_RESET("tcp-reset", -1);

    private final String text;
    private final int icmpCode;

    RejectWith(String text, int icmpCode) {
        this.text = text;
        this.icmpCode = icmpCode;
    }

    /** The name iptables gives it, as typed after --reject-with. */
    public String text() {
        return text;
    }

    /** The ICMP destination-unreachable code sent; -1 for {@link #TCP_RESET}. */
    public int icmpCode() {
        return icmpCode;
    }

    /** The answer named {@code text}, or null; tcp-rst is iptables' other spelling of tcp-reset. */
    static RejectWith parse(String text) {
        for (RejectWith r : values()) {
            if (r.text.equals(text)) {
                return r;
            }
        }
        return text.equals("tcp-rst") ? TCP_RESET : null;
    }
}
