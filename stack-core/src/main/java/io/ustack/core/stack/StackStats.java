package io.ustack.core.stack;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A snapshot of every counter: the SNMP MIBs (nstat names), drops by reason, each backlog thread's
 * softnet_stat, each device's link statistics, and the buffer pool.
 */
public record StackStats(Map<String, Long> snmp, Map<String, Long> drops, List<Softnet> softnet,
                         Map<String, Map<String, Long>> devices, Map<String, Long> buffers) {

    /** One backlog thread's /proc/net/softnet_stat line. */
    public record Softnet(int cpu, long processed, long dropped, int queued) {
    }

    /**
     * Every counter as one flat "Name value" map in nstat's style: the MIB names as they are, then
     * {@code DropReason<REASON>}, {@code Softnet<N>Processed}/{@code Dropped}, {@code <dev>:<field>} and
     * {@code Buffer<Name>}.
     */
    public Map<String, Long> flat() {
        Map<String, Long> m = new LinkedHashMap<>(snmp);
        drops.forEach((k, v) -> m.put("DropReason" + k, v));
        for (Softnet s : softnet) {
            m.put("Softnet" + s.cpu() + "Processed", s.processed());
            m.put("Softnet" + s.cpu() + "Dropped", s.dropped());
        }
        devices.forEach((dev, fields) -> fields.forEach((k, v) -> m.put(dev + ":" + k, v)));
        buffers.forEach((k, v) -> m.put("Buffer" + k, v));
        return m;
    }
}
