package io.ustack.core.route;

import io.ustack.core.link.NetDevice;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.Ipv4Prefix;
import java.util.List;

/**
 * One route (struct fib_alias and its nexthop): packets for {@code prefix} go out {@code dev}, through
 * {@code gateway} if it is non-zero. {@code dst} is the decision shared by every packet that takes it. A
 * multipath route (ECMP, {@code ip route add P nexthop via A nexthop via B}) has its paths in
 * {@code nexthops}, each a route of its own with its {@code weight}; its own fields are the first path's.
 * An error route (blackhole, unreachable, prohibit) has the loopback device and no gateway.
 */
public record Route(Ipv4Prefix prefix, int gateway, NetDevice dev, int prefsrc, DstEntry.Type type,
                    Origin origin, DstEntry dst, int weight, List<Route> nexthops) {
    /** rtm_protocol: who made the route. */
    public enum Origin { KERNEL, STATIC }

    /** A route with one path. */
    public Route(Ipv4Prefix prefix, int gateway, NetDevice dev, int prefsrc, DstEntry.Type type, Origin origin,
                 DstEntry dst) {
        this(prefix, gateway, dev, prefsrc, type, origin, dst, 1, List.of());
    }

    public boolean multipath() {
        return !nexthops.isEmpty();
    }

    /**
     * fib_select_multipath with fib_multipath_hash_policy 0: one path for the flow from {@code saddr} to
     * {@code daddr}, by a hash of the two addresses spread over the paths in proportion to their weights,
     * so that every packet of a flow takes the same path. A single-path route is its own path.
     */
    public Route select(int saddr, int daddr) {
        if (nexthops.isEmpty()) {
            return this;
        }
        int total = 0;
        for (Route nh : nexthops) {
            total += nh.weight;
        }
        int h = mix(saddr * 0x9e3779b1 ^ daddr);
        int pick = Integer.remainderUnsigned(h, total);
        for (Route nh : nexthops) {
            pick -= nh.weight;
            if (pick < 0) {
                return nh;
            }
        }
        return nexthops.get(nexthops.size() - 1);
    }

    /** A 32-bit finaliser (murmur3's), so that neighbouring addresses spread over the paths. */
    private static int mix(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        return h ^ (h >>> 16);
    }

    /** The route in `ip route` style. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (type != DstEntry.Type.UNICAST) {
            sb.append(type.name().toLowerCase()).append(' ');
        }
        sb.append(prefix.prefixLen() == 0 ? "default" : Ipv4Address.format(prefix.network()) + "/" + prefix.prefixLen());
        if (multipath()) {
            for (Route nh : nexthops) {
                sb.append(" nexthop via ").append(Ipv4Address.format(nh.gateway)).append(" dev ").append(nh.dev.name())
                        .append(" weight ").append(nh.weight);
            }
            return sb.toString();
        }
        if (type.isError()) {
            return sb.toString();
        }
        if (gateway != 0) {
            sb.append(" via ").append(Ipv4Address.format(gateway));
        }
        sb.append(" dev ").append(dev.name());
        if (origin == Origin.KERNEL) {
            sb.append(" proto kernel");
        }
        if (prefsrc != 0) {
            sb.append(" src ").append(Ipv4Address.format(prefsrc));
        }
        return sb.toString();
    }
}
