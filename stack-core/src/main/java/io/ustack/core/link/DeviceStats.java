package io.ustack.core.link;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * struct rtnl_link_stats64, the part `ip -s link` shows, and what software GRO did on this device.
 *
 * <p>Linux keeps no counter of software GRO (there is no GRO MIB); the nearest are the netdev queue
 * statistics a driver with hardware GRO reports ({@code rx-hw-gro-packets}, {@code rx-hw-gro-wire-packets}).
 * ustack's GRO is software, but the two questions a user asks are the same, so its counters take those
 * names without the {@code hw}, in rtnl_link_stats64's spelling: {@code rx_gro_packets}, super-packets
 * built from two or more received frames, and {@code rx_gro_wire_packets}, the frames that went into them.
 * Their ratio is the average merge; rx_packets still counts every frame the driver read.
 */
public final class DeviceStats {
    public final LongAdder rxPackets = new LongAdder();
    public final LongAdder rxBytes = new LongAdder();
    public final LongAdder rxDropped = new LongAdder();
    public final LongAdder rxErrors = new LongAdder();
    public final LongAdder txPackets = new LongAdder();
    public final LongAdder txBytes = new LongAdder();
    public final LongAdder txDropped = new LongAdder();
    public final LongAdder txErrors = new LongAdder();
    public final LongAdder rxGroPackets = new LongAdder();
    public final LongAdder rxGroWirePackets = new LongAdder();

    /** The counters under the field names of rtnl_link_stats64, then the GRO ones. */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("rx_packets", rxPackets.sum());
        m.put("rx_bytes", rxBytes.sum());
        m.put("rx_dropped", rxDropped.sum());
        m.put("rx_errors", rxErrors.sum());
        m.put("tx_packets", txPackets.sum());
        m.put("tx_bytes", txBytes.sum());
        m.put("tx_dropped", txDropped.sum());
        m.put("tx_errors", txErrors.sum());
        m.put("rx_gro_packets", rxGroPackets.sum());
        m.put("rx_gro_wire_packets", rxGroWirePackets.sum());
        return m;
    }
}
