package io.ustack.core.route;

import io.ustack.core.link.NetDevice;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.Ipv4Prefix;

/**
 * One policy routing rule (struct fib_rule with fib4_rule's selectors), as {@code ip rule} shows it: a
 * packet that matches every selector given goes to {@code action}, which for {@link Action#LOOKUP} is a
 * lookup in {@code table}; a lookup that finds no route there goes on to the next rule (fib_rules_lookup).
 *
 * @param priority the order rules are tried in, lowest first ({@code pref})
 * @param from     the source prefix, null for any
 * @param to       the destination prefix, null for any
 * @param fwmark   the packet mark wanted under {@code fwmask} (skb->mark, set by MARK); ignored with mask 0
 * @param iif      the interface the packet came in on, null for any; {@code lo} matches what this host sends
 * @param oif      the interface an output lookup is bound to, null for any
 * @param table    the table a {@link Action#LOOKUP} rule consults
 */
public record FibRule(int priority, Ipv4Prefix from, Ipv4Prefix to, int fwmark, int fwmask, String iif, String oif,
                      Action action, int table) {

    /** FR_ACT_TO_TBL and the actions that end the lookup with an error route. */
    public enum Action {
        LOOKUP, BLACKHOLE, UNREACHABLE, PROHIBIT;

        /** The route type an error action stands for (RTN_BLACKHOLE, RTN_UNREACHABLE, RTN_PROHIBIT). */
        DstEntry.Type routeType() {
            return switch (this) {
                case BLACKHOLE -> DstEntry.Type.BLACKHOLE;
                case UNREACHABLE -> DstEntry.Type.UNREACHABLE;
                case PROHIBIT -> DstEntry.Type.PROHIBIT;
                case LOOKUP -> throw new IllegalStateException("a lookup has no route type of its own");
            };
        }
    }

    /** fib4_rule_match and fib_rule_match: every selector given matches the flow. */
    boolean matches(int saddr, int daddr, int mark, NetDevice in, NetDevice out) {
        return (from == null || from.contains(saddr))
                && (to == null || to.contains(daddr))
                && ((mark ^ fwmark) & fwmask) == 0
                && (iif == null || (in != null && in.name().equals(iif)))
                && (oif == null || (out != null && out.name().equals(oif)));
    }

    /** The rule as {@code ip rule} prints it: {@code 100:\tfrom 10.1.0.0/24 fwmark 0x1 lookup 100}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder().append(priority).append(":\tfrom ")
                .append(from == null ? "all" : prefix(from));
        if (to != null) {
            sb.append(" to ").append(prefix(to));
        }
        if (fwmask != 0) {
            sb.append(" fwmark 0x").append(Integer.toHexString(fwmark));
            if (fwmask != -1) {
                sb.append("/0x").append(Integer.toHexString(fwmask));
            }
        }
        if (iif != null) {
            sb.append(" iif ").append(iif);
        }
        if (oif != null) {
            sb.append(" oif ").append(oif);
        }
        sb.append(action == Action.LOOKUP ? " lookup " + Fib.tableName(table) : " " + action.name().toLowerCase());
        return sb.toString();
    }

    private static String prefix(Ipv4Prefix p) {
        return p.prefixLen() == 32 ? Ipv4Address.format(p.network()) : p.toString();
    }
}
