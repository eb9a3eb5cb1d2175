package io.ustack.core.netfilter.rules;

import io.ustack.core.wire.Ipv4Packet;
import java.util.ArrayList;
import java.util.List;

/**
 * The multiport match (multiport_mt, revision 1): up to 15 ports or ranges on the source side, the
 * destination side or either ({@code --sports}, {@code --dports}, {@code --ports}).
 */
final class MultiportMatch implements Match {
    private static final int MAX_PORTS = 15;

    private enum Side { SOURCE("sports", "--sports"), DESTINATION("dports", "--dports"), EITHER("ports", "--ports");
        final String listName;
        final String option;

        Side(String listName, String option) {
            this.listName = listName;
            this.option = option;
        }
    }

    private final Side side;
    /** lo, hi pairs. */
    private final int[] ranges;
    private final boolean invert;
    /** The rule's protocol's name, for port names in listings. */
    private final String proto;

    private MultiportMatch(Side side, int[] ranges, boolean invert, String proto) {
        this.side = side;
        this.ranges = ranges;
        this.invert = invert;
        this.proto = proto;
    }

    @Override
    public String name() {
        return "multiport";
    }

    @Override
    public boolean matches(XtPacket p) {
        if (p.sport == XtPacket.NONE) {
            return false;
        }
        for (int i = 0; i < ranges.length; i += 2) {
            int lo = ranges[i];
            int hi = ranges[i + 1];
            boolean src = side != Side.DESTINATION && p.sport >= lo && p.sport <= hi;
            boolean dst = side != Side.SOURCE && p.dport >= lo && p.dport <= hi;
            if (src || dst) {
                return !invert;
            }
        }
        return invert;
    }

    @Override
    public void save(StringBuilder sb) {
        sb.append(" -m multiport");
        Xt.saveOption(sb, invert, side.option + " " + ports(null));
    }

    @Override
    public void list(StringBuilder sb, boolean numeric) {
        sb.append(" multiport ").append(side.listName).append(' ').append(invert ? " !" : "")
                .append(ports(numeric ? null : proto));
    }

    /** The ports and ranges, comma-separated, with names for {@code names}' protocol (null: numbers). */
    private String ports(String names) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ranges.length; i += 2) {
            sb.append(i == 0 ? "" : ",").append(Xt.portRange(ranges[i], ranges[i + 1], names));
        }
        return sb.toString();
    }

    static final class Parser implements MatchParser {
        private Side side;
        /** The ports as written: names need the rule's protocol, known once the rule is read. */
        private String ports;
        private boolean invert;

        @Override
        public boolean option(String option, boolean invert, Words w) {
            Side s = switch (option) {
                case "--sports", "--source-ports" -> Side.SOURCE;
                case "--dports", "--destination-ports" -> Side.DESTINATION;
                case "--ports" -> Side.EITHER;
                default -> null;
            };
            if (s == null) {
                return false;
            }
            if (side != null) {
                throw IptablesException.usage("multiport can only have one option");
            }
            side = s;
            this.invert = invert;
            ports = w.value(option);
            return true;
        }

        @Override
        public Match build(RuleParser.Builder rule) {
            if (side == null) {
                throw IptablesException.usage("multiport needs one of --sports, --dports or --ports");
            }
            if (rule.protocolInvert || (rule.protocol != Ipv4Packet.IPPROTO_TCP && rule.protocol != Ipv4Packet.IPPROTO_UDP)) {
                throw IptablesException.usage("multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or `-p dccp'");
            }
            String proto = Protocols.name(rule.protocol);
            List<Integer> r = new ArrayList<>();
            for (String p : ports.split(",", -1)) {
                int[] range = Xt.portRange(p, proto);
                r.add(range[0]);
                r.add(range[1]);
            }
            if (r.size() / 2 > MAX_PORTS) {
                throw IptablesException.usage("too many ports specified");
            }
            return new MultiportMatch(side, r.stream().mapToInt(Integer::intValue).toArray(), invert, proto);
        }
    }
}
