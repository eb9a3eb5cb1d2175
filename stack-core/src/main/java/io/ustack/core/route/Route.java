package io.ustack.core.route;

import io.ustack.core.link.NetDevice;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.Ipv4Prefix;

/**
 * One route (struct fib_alias and its nexthop): packets for {@code prefix} go out {@code dev}, through
 * {@code gateway} if it is non-zero. {@code dst} is the decision shared by every packet that takes it.
 */
public record Route(Ipv4Prefix prefix, int gateway, NetDevice dev, int prefsrc, DstEntry.Type type,
                    Origin origin, DstEntry dst) {
    /** rtm_protocol: who made the route. */
    public enum Origin { KERNEL, STATIC }

    /** The route in `ip route` style. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (type != DstEntry.Type.UNICAST) {
            sb.append(type.name().toLowerCase()).append(' ');
        }
        sb.append(prefix.prefixLen() == 0 ? "default" : Ipv4Address.format(prefix.network()) + "/" + prefix.prefixLen());
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
