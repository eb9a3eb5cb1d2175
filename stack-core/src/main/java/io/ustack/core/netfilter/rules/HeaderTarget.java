package io.ustack.core.netfilter.rules;

import io.ustack.core.wire.Checksum;
import io.ustack.core.wire.Ipv4Packet;

/**
 * The mangle table's IP header rewrites: TTL (ttl_tg: set, decrement or increment the TTL, within 0..255)
 * and DSCP (dscp_tg: set the DSCP bits of the TOS byte, keeping ECN), with the header checksum patched.
 * The walk goes on.
 */
final class HeaderTarget extends Target {
    enum Kind { TTL_SET, TTL_DEC, TTL_INC, DSCP }

    private final Kind kind;
    private final int value;

    private HeaderTarget(Kind kind, int value) {
        this.kind = kind;
        this.value = value;
    }

    @Override
    public String name() {
        return kind == Kind.DSCP ? "DSCP" : "TTL";
    }

    @Override
    int fire(XtPacket p) {
        Ipv4Packet ip = Ipv4Packet.wrap(p.pkt, p.ipOff);
        // the checksum covers TTL with the protocol as one 16-bit word, TOS with the version byte
        if (kind == Kind.DSCP) {
            int tos = (p.tos & 0x03) | value << 2;
            if (tos != p.tos) {
                int word = p.pkt.u16(p.ipOff);
                ip.setTos(tos);
                ip.setChecksum(Checksum.replace16(ip.checksum(), word, p.pkt.u16(p.ipOff)));
                p.tos = tos;
            }
            return CONTINUE;
        }
        int ttl = switch (kind) {
            case TTL_SET -> value;
            case TTL_DEC -> Math.max(0, p.ttl - value);
            default -> Math.min(255, p.ttl + value);
        };
        if (ttl != p.ttl) {
            int word = p.pkt.u16(p.ipOff + 8);
            ip.setTtl(ttl);
            ip.setChecksum(Checksum.replace16(ip.checksum(), word, p.pkt.u16(p.ipOff + 8)));
            p.ttl = ttl;
        }
        return CONTINUE;
    }

    @Override
    String check(Rule rule, Table table, int hooks) {
        return restrict(name(), table, hooks, Table.MANGLE, Match.ALL_HOOKS);
    }

    @Override
    void save(StringBuilder sb) {
        sb.append(switch (kind) {
            case TTL_SET -> " --ttl-set " + value;
            case TTL_DEC -> " --ttl-dec " + value;
            case TTL_INC -> " --ttl-inc " + value;
            case DSCP -> " --set-dscp " + Xt.hex2(value);
        });
    }

    @Override
    void list(StringBuilder sb, boolean numeric) {
        sb.append(switch (kind) {
            case TTL_SET -> " TTL set to " + value;
            case TTL_DEC -> " TTL decrement by " + value;
            case TTL_INC -> " TTL increment by " + value;
            case DSCP -> " DSCP set " + Xt.hex2(value);
        });
    }

    static final class Parser implements TargetParser {
        private final boolean dscp;
        private Kind kind;
        private int value;

        Parser(boolean dscp) {
            this.dscp = dscp;
        }

        @Override
        public boolean option(String option, boolean invert, Words w) {
            Kind k;
            if (dscp && (option.equals("--set-dscp") || option.equals("--set-dscp-class"))) {
                k = Kind.DSCP;
                value = HeaderMatch.dscpOrClass(option, w.value(option));
            } else if (!dscp && (option.equals("--ttl-set") || option.equals("--ttl-dec") || option.equals("--ttl-inc"))) {
                k = option.equals("--ttl-set") ? Kind.TTL_SET : option.equals("--ttl-dec") ? Kind.TTL_DEC : Kind.TTL_INC;
                value = Xt.number(option, w.value(option), 255);
                if (k != Kind.TTL_SET && value == 0) {
                    throw IptablesException.usage("TTL: increasing or decreasing by 0?");
                }
            } else {
                return false;
            }
            if (kind != null) {
                throw IptablesException.usage(dscp ? "DSCP target: Only use --set-dscp ONCE!"
                        : "TTL: You can only specify one of --ttl-set, --ttl-dec and --ttl-inc");
            }
            kind = k;
            return true;
        }

        @Override
        public Target build(RuleParser.Builder rule) {
            if (kind == null) {
                throw IptablesException.usage(dscp ? "DSCP target: Parameter --set-dscp is required"
                        : "TTL: You must specify an action");
            }
            return new HeaderTarget(kind, value);
        }
    }
}
