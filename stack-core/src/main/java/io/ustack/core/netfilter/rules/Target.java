package io.ustack.core.netfilter.rules;

import io.ustack.core.wire.Ipv4Address;

/**
 * What a rule does with a packet it matches (an xt_target with its parameters). Every target here ends
 * the chain's walk: ACCEPT, DROP and REJECT as in iptables' filter table, and the NAT targets, which choose
 * a new connection's binding and accept (as in the nat table).
 *
 * @param rejectWith REJECT's answer; null for the other kinds
 * @param addr       SNAT's and DNAT's address (--to)
 * @param portLo     the port or the start of the port range of --to (SNAT, DNAT) or --to-ports
 *                   (MASQUERADE); -1 for none
 * @param portHi     the end of that range (equal to portLo for one port)
 */
public record Target(Kind kind, RejectWith rejectWith, int addr, int portLo, int portHi) {
    public enum Kind { ACCEPT, DROP, REJECT, SNAT, DNAT, MASQUERADE }

    public static final Target ACCEPT = new Target(Kind.ACCEPT, null, 0, -1, -1);
    public static final Target DROP = new Target(Kind.DROP, null, 0, -1, -1);

    static Target reject(RejectWith with) {
        return new Target(Kind.REJECT, with, 0, -1, -1);
    }

    /** The target's name as -j takes it and the listing shows it. */
    public String name() {
        return kind.name();
    }

    /** Whether it is a NAT target, which only a connection's first packet meets. */
    public boolean isNat() {
        return kind == Kind.SNAT || kind == Kind.DNAT || kind == Kind.MASQUERADE;
    }

    /** Whether it translates sources (SNAT, MASQUERADE) rather than destinations (DNAT). */
    public boolean isSourceNat() {
        return kind == Kind.SNAT || kind == Kind.MASQUERADE;
    }

    /** The target's options as iptables -L prints them after the matches ("reject-with ...", "to:..."), or "". */
    public String describe() {
        return switch (kind) {
            case REJECT -> "reject-with " + rejectWith.text();
            case SNAT, DNAT -> "to:" + to();
            case MASQUERADE -> portLo < 0 ? "" : "masq ports: " + ports();
            default -> "";
        };
    }

    /** The target's part of the rule as typed ("-j REJECT --reject-with tcp-reset", "-j DNAT --to-destination ..."). */
    public String spec() {
        return switch (kind) {
            case REJECT -> rejectWith == RejectWith.ICMP_PORT_UNREACHABLE ? "-j REJECT"
                    : "-j REJECT --reject-with " + rejectWith.text();
            case SNAT -> "-j SNAT --to-source " + to();
            case DNAT -> "-j DNAT --to-destination " + to();
            case MASQUERADE -> portLo < 0 ? "-j MASQUERADE" : "-j MASQUERADE --to-ports " + ports();
            default -> "-j " + name();
        };
    }

    private String to() {
        return Ipv4Address.format(addr) + (portLo < 0 ? "" : ":" + ports());
    }

    private String ports() {
        return portLo == portHi ? Integer.toString(portLo) : portLo + "-" + portHi;
    }
}
