package io.ustack.core.netfilter.rules;

import io.ustack.core.netfilter.NfProto;
import io.ustack.core.wire.Ipv4Packet;

/** REJECT (reject_tg): answers the packet as {@code --reject-with} says, then drops it. Filter table only. */
final class RejectTarget extends Target {
    private static final int HOOKS = Chain.INPUT.bit() | Chain.FORWARD.bit() | Chain.OUTPUT.bit();

    private final RejectWith with;

    RejectTarget(RejectWith with) {
        this.with = with;
    }

    @Override
    public String name() {
        return "REJECT";
    }

    @Override
    int fire(XtPacket p) {
        if (with == RejectWith.TCP_RESET) {
            p.env.reject().sendReset(p.pkt);
        } else {
            p.env.reject().sendUnreach(p.pkt, with.icmpCode());
        }
        return DROP;
    }

    @Override
    void save(StringBuilder sb) {
        sb.append(" --reject-with ").append(with.text());
    }

    @Override
    void list(StringBuilder sb, boolean numeric) {
        sb.append(" reject-with ").append(with.text());
    }

    @Override
    String check(Rule rule, Table table, int hooks) {
        String r = restrict("REJECT", table, hooks, Table.FILTER, HOOKS);
        if (r == null && with == RejectWith.TCP_RESET && (rule.protocol != Ipv4Packet.IPPROTO_TCP || rule.protocolInvert)) {
            return "REJECT target: TCP_RESET invalid for non-tcp";
        }
        return r;
    }

    static final class Parser implements TargetParser {
        private final NfProto family;
        private RejectWith with;

        Parser(NfProto family) {
            this.family = family;
            this.with = RejectWith.defaultFor(family);
        }

        @Override
        public boolean option(String option, boolean invert, Words w) {
            if (!option.equals("--reject-with")) {
                return false;
            }
            String v = w.value(option);
            with = RejectWith.parse(family, v);
            if (with == null) {
                throw IptablesException.usage("unknown reject type \"" + v + "\"");
            }
            return true;
        }

        @Override
        public Target build(RuleParser.Builder rule) {
            return new RejectTarget(with);
        }
    }
}
