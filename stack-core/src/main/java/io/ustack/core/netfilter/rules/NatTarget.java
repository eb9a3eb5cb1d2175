package io.ustack.core.netfilter.rules;

import io.ustack.core.netfilter.nat.NfNat;
import io.ustack.core.route.InterfaceAddress;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.Ipv4Packet;

/**
 * The nat table's targets, which choose a new connection's binding (nf_nat_setup_info) for nf_nat to apply:
 * SNAT (--to-source ADDR[:PORT[-PORT]]), MASQUERADE (the out device's address, [--to-ports]), DNAT
 * (--to-destination ADDR[:PORT]) and REDIRECT (the in device's primary address, [--to-ports PORT]).
 * ustack's nf_nat rewrites at PREROUTING and POSTROUTING only, so DNAT and REDIRECT are for PREROUTING and
 * SNAT for POSTROUTING (the kernel also offers them in OUTPUT and INPUT).
 */
final class NatTarget extends Target {
    enum Kind { SNAT, DNAT, MASQUERADE, REDIRECT }

    private final Kind kind;
    private final int addr;
    /** The port or port range; -1 for none. */
    private final int portLo;
    private final int portHi;

    private NatTarget(Kind kind, int addr, int portLo, int portHi) {
        this.kind = kind;
        this.addr = addr;
        this.portLo = portLo;
        this.portHi = portHi;
    }

    @Override
    public String name() {
        return kind.name();
    }

    @Override
    boolean needsConntrack() {
        return true;
    }

    /** Whether it translates sources (SNAT, MASQUERADE) rather than destinations. */
    boolean isSource() {
        return kind == Kind.SNAT || kind == Kind.MASQUERADE;
    }

    /** They drop when no source port is free, or when MASQUERADE or REDIRECT find no address to use. */
    @Override
    int fire(XtPacket p) {
        NfNat nat = p.env.nat();
        if (!NfNat.decides(p.pkt, isSource())) {
            return ACCEPT; // the nat table walk only runs for such packets; an old table may still see one
        }
        switch (kind) {
            case SNAT:
                return nat.setupSource(p.pkt, addr, portLo, portHi) ? ACCEPT : DROP;
            case MASQUERADE:
                return nat.masquerade(p.pkt, portLo, portHi) ? ACCEPT : DROP;
            case DNAT:
                nat.setupDestination(p.pkt, addr, portLo);
                return ACCEPT;
            default: {
                // redirect_tg4: to the primary address of the device the packet came in on
                InterfaceAddress a = p.in == null ? null : p.env.fib().primaryAddress(p.in);
                if (a == null) {
                    return DROP;
                }
                nat.setupDestination(p.pkt, a.address(), portLo);
                return ACCEPT;
            }
        }
    }

    @Override
    String check(Rule rule, Table table, int hooks) {
        int allowed = isSource() ? Chain.POSTROUTING.bit() : Chain.PREROUTING.bit();
        return restrict(kind.name(), table, hooks, Table.NAT, allowed);
    }

    @Override
    void save(StringBuilder sb) {
        switch (kind) {
            case SNAT -> sb.append(" --to-source ").append(to());
            case DNAT -> sb.append(" --to-destination ").append(to());
            default -> {
                if (portLo >= 0) {
                    sb.append(" --to-ports ").append(ports());
                }
            }
        }
    }

    @Override
    void list(StringBuilder sb, boolean numeric) {
        switch (kind) {
            case SNAT, DNAT -> sb.append(" to:").append(to());
            case MASQUERADE -> sb.append(portLo < 0 ? "" : " masq ports: " + ports());
            default -> sb.append(portLo < 0 ? "" : " redir ports " + ports());
        }
    }

    private String to() {
        return Ipv4Address.format(addr) + (portLo < 0 ? "" : ":" + ports());
    }

    private String ports() {
        return portLo == portHi ? Integer.toString(portLo) : portLo + "-" + portHi;
    }

    static final class Parser implements TargetParser {
        private final Kind kind;
        private String to;

        Parser(Kind kind) {
            this.kind = kind;
        }

        @Override
        public boolean option(String option, boolean invert, Words w) {
            boolean mine = switch (kind) {
                case SNAT -> option.equals("--to-source") || option.equals("--to");
                case DNAT -> option.equals("--to-destination") || option.equals("--to");
                default -> option.equals("--to-ports") || option.equals("--to-port"); // getopt takes the prefix
            };
            if (!mine) {
                return false;
            }
            if (to != null) {
                throw IptablesException.usage(kind + ": Multiple --to-" + (kind == Kind.SNAT ? "source" : "destination")
                        + " not supported");
            }
            to = w.value(option);
            return true;
        }

        @Override
        public Target build(RuleParser.Builder rule) {
            if (kind == Kind.MASQUERADE || kind == Kind.REDIRECT) {
                if (to == null) {
                    return new NatTarget(kind, 0, -1, -1);
                }
                int[] r = ports(to, rule);
                return new NatTarget(kind, 0, r[0], r[1]);
            }
            if (to == null) {
                throw IptablesException.usage("You must specify --to-" + (kind == Kind.SNAT ? "source" : "destination"));
            }
            int colon = to.indexOf(':');
            int a = Xt.address(colon < 0 ? to : to.substring(0, colon));
            if (colon < 0) {
                return new NatTarget(kind, a, -1, -1);
            }
            int[] r = ports(to.substring(colon + 1), rule);
            return new NatTarget(kind, a, r[0], r[1]);
        }

        /** PORT or PORT-PORT, which only TCP and UDP have. */
        private static int[] ports(String v, RuleParser.Builder rule) {
            if (rule.protocolInvert || (rule.protocol != Ipv4Packet.IPPROTO_TCP && rule.protocol != Ipv4Packet.IPPROTO_UDP)) {
                throw IptablesException.usage("Need TCP, UDP, SCTP or DCCP with port specification");
            }
            int dash = v.indexOf('-');
            long lo = Xt.number(dash < 0 ? v : v.substring(0, dash), 65535);
            long hi = dash < 0 ? lo : Xt.number(v.substring(dash + 1), 65535);
            if (lo < 1 || hi < 1) {
                throw IptablesException.usage("Port \"" + v + "\" not valid");
            }
            if (lo > hi) {
                throw IptablesException.usage("Port range " + v + " is reversed");
            }
            return new int[] {(int) lo, (int) hi};
        }
    }
}
