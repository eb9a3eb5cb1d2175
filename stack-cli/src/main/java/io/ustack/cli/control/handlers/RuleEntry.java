package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.ustack.core.route.Fib;
import io.ustack.core.route.FibRule;
import io.ustack.core.wire.Ipv4Address;
import java.util.Locale;

/**
 * One policy rule as {@code ip -j rule} names its fields; what {@code rule list} answers with.
 *
 * @param src    the source prefix's address, or {@code all}
 * @param srclen its length, absent for all
 * @param fwmark {@code 0x...}, absent without one; {@code fwmask} absent when it is all ones
 * @param table  a lookup rule's table (local, main, default or its number)
 * @param action absent for a lookup rule; blackhole, unreachable or prohibit
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RuleEntry(int priority, String src, Integer srclen, String dst, Integer dstlen, String fwmark,
                        String fwmask, String iif, String oif, String table, String action) {

    static RuleEntry of(FibRule r) {
        boolean lookup = r.action() == FibRule.Action.LOOKUP;
        return new RuleEntry(r.priority(),
                r.from() == null ? "all" : Ipv4Address.format(r.from().network()),
                r.from() == null || r.from().prefixLen() == 32 ? null : r.from().prefixLen(),
                r.to() == null ? null : Ipv4Address.format(r.to().network()),
                r.to() == null || r.to().prefixLen() == 32 ? null : r.to().prefixLen(),
                r.fwmask() == 0 ? null : "0x" + Integer.toHexString(r.fwmark()),
                r.fwmask() == 0 || r.fwmask() == -1 ? null : "0x" + Integer.toHexString(r.fwmask()),
                r.iif(), r.oif(), lookup ? Fib.tableName(r.table()) : null,
                lookup ? null : r.action().name().toLowerCase(Locale.ROOT));
    }
}
