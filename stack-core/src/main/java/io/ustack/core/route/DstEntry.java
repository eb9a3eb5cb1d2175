package io.ustack.core.route;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.buffer.PacketHandler;
import io.ustack.core.link.NetDevice;

/**
 * A routing decision: struct rtable / dst_entry. It carries the next step as code, so after the lookup
 * nobody branches on local-versus-forward again: {@link #input} is ip_local_deliver for a local
 * destination (ip_forward for a forwarded one), and {@link #output} is ip_output for anything sent.
 *
 * <p>Entries are made once per route and shared by every packet that takes it; they are immutable.
 */
public final class DstEntry {
    /** rt_type. */
    public enum Type { LOCAL, UNICAST, BROADCAST, MULTICAST, UNREACHABLE }

    private final Type type;
    private final NetDevice dev;
    private final int gateway;
    private final int prefsrc;
    private final PacketHandler input;
    private final PacketHandler output;

    public DstEntry(Type type, NetDevice dev, int gateway, int prefsrc, PacketHandler input, PacketHandler output) {
        this.type = type;
        this.dev = dev;
        this.gateway = gateway;
        this.prefsrc = prefsrc;
        this.input = input;
        this.output = output;
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

    /** The source address to use for packets sent on this route (fib_result_prefsrc). */
    public int prefsrc() {
        return prefsrc;
    }

    /** dst_mtu. */
    public int mtu() {
        return dev.mtu();
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
