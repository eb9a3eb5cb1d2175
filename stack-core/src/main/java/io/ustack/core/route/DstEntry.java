package io.ustack.core.route;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.buffer.PacketHandler;
import io.ustack.core.link.NetDevice;
import io.ustack.core.stats.DropReason;
import io.ustack.core.wire.Ipv6Address;

/**
 * A routing decision: struct rtable / dst_entry. It carries the next step as code, so after the lookup
 * nobody branches on local-versus-forward again: {@link #input} is ip_local_deliver for a local
 * destination (ip_forward for a forwarded one), and {@link #output} is ip_output for anything sent.
 *
 * <p>Entries are made once per route and shared by every packet that takes it; they are immutable. A
 * destination with a path MTU of its own gets an entry of its own ({@link #withPmtu}, from {@link PmtuCache}).
 */
public final class DstEntry {
    /** rt_type. */
    /**
     * rtm_type: where packets of the route go. BLACKHOLE, UNREACHABLE and PROHIBIT are error routes (and
     * the error actions of policy rules): such packets are dropped, silently or with ICMP host unreachable
     * or communication administratively prohibited (ip_error).
     */
    public enum Type { LOCAL, UNICAST, BROADCAST, MULTICAST, UNREACHABLE, BLACKHOLE, PROHIBIT;

        /** An error route: nothing leaves by it. */
        public boolean isError() {
            return this == UNREACHABLE || this == BLACKHOLE || this == PROHIBIT;
        }

        /** Why an error route's packets are dropped. */
        public DropReason errorDropReason() {
            return switch (this) {
                case BLACKHOLE -> DropReason.IP_ROUTE_BLACKHOLE;
                case PROHIBIT -> DropReason.IP_ROUTE_PROHIBIT;
                case UNREACHABLE -> DropReason.IP_ROUTE_UNREACHABLE;
                default -> throw new IllegalStateException(this + " is not an error route");
            };
        }
    }

    private final Type type;
    private final NetDevice dev;
    private final int gateway;
    /** rt6i_gateway: an IPv6 route's next hop, null when its destinations are on the link (and for IPv4). */
    private final Ipv6Address gateway6;
    private final int prefsrc;
    private final PacketHandler input;
    private final PacketHandler output;
    /** rt_pmtu: a path MTU learnt for one destination (a route exception's entry), 0 for the device's. */
    private final int pmtu;
    /** RTAX_MTU locked: the path MTU was clamped to min_pmtu, so DF is no longer set (ip_dont_fragment). */
    private final boolean mtuLocked;

    public DstEntry(Type type, NetDevice dev, int gateway, int prefsrc, PacketHandler input, PacketHandler output) {
        this(type, dev, gateway, null, prefsrc, input, output, 0, false);
    }

    /** An IPv6 decision (rt6_info): via {@code gateway} (null: the destination is on the link) out {@code dev}. */
    public DstEntry(Type type, NetDevice dev, Ipv6Address gateway, PacketHandler input, PacketHandler output) {
        this(type, dev, 0, gateway, 0, input, output, 0, false);
    }

    private DstEntry(Type type, NetDevice dev, int gateway, Ipv6Address gateway6, int prefsrc, PacketHandler input,
                     PacketHandler output, int pmtu, boolean mtuLocked) {
        this.type = type;
        this.dev = dev;
        this.gateway = gateway;
        this.gateway6 = gateway6;
        this.prefsrc = prefsrc;
        this.input = input;
        this.output = output;
        this.pmtu = pmtu;
        this.mtuLocked = mtuLocked;
    }

    /** This route's decision for one destination whose path MTU is {@code pmtu} (rt_set_nexthop from a fnhe). */
    public DstEntry withPmtu(int pmtu, boolean locked) {
        return new DstEntry(type, dev, gateway, gateway6, prefsrc, input, output, pmtu, locked);
    }

    /** Whether the path MTU is locked (learnt below min_pmtu): packets on it go without DF. */
    public boolean mtuLocked() {
        return mtuLocked;
    }

    public Type type() {
        return type;
    }

    /** dst.dev: the device a packet on this route leaves by (the loopback for local ones). */
    public NetDevice dev() {
        return dev;
    }

    /** rt_gw4: the next hop, or 0 when the destination is on the link. */
    public int gateway() {
        return gateway;
    }

    /** rt_nexthop: where the neighbour lookup goes for destination {@code daddr}. */
    public int nexthop(int daddr) {
        return gateway != 0 ? gateway : daddr;
    }

    /** rt6i_gateway: the IPv6 next hop, or null when the destination is on the link. */
    public Ipv6Address gateway6() {
        return gateway6;
    }

    /** rt6_nexthop: where the ND lookup goes for IPv6 destination {@code daddr}. */
    public Ipv6Address nexthop6(Ipv6Address daddr) {
        return gateway6 != null ? gateway6 : daddr;
    }

    /** The source address to use for packets sent on this route (fib_result_prefsrc). */
    public int prefsrc() {
        return prefsrc;
    }

    /** dst_mtu: the device's, or a smaller path MTU learnt for this destination. */
    public int mtu() {
        int m = dev.mtu();
        return pmtu != 0 && pmtu < m ? pmtu : m;
    }

    /** dst_input: takes ownership. */
    public void input(PacketBuffer pkt) {
        input.handle(pkt);
    }

    /** dst_output: takes ownership. */
    public void output(PacketBuffer pkt) {
        output.handle(pkt);
    }
}
