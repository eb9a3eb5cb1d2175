package io.ustack.core.link;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** struct rtnl_link_stats64, the part `ip -s link` shows. */
public final class DeviceStats {
    public final LongAdder rxPackets = new LongAdder();
    public final LongAdder rxBytes = new LongAdder();
    public final LongAdder rxDropped = new LongAdder();
    public final LongAdder rxErrors = new LongAdder();
    public final LongAdder txPackets = new LongAdder();
    public final LongAdder txBytes = new LongAdder();
    public final LongAdder txDropped = new LongAdder();
    public final LongAdder txErrors = new LongAdder();

    /** The counters under the field names of rtnl_link_stats64. */
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
        return m;
    }
}
