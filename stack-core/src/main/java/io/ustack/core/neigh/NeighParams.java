package io.ustack.core.neigh;

/**
 * struct neigh_parms: the neighbour timers and limits, defaulting to the kernel's values for ARP
 * (net.ipv4.neigh.default.*).
 */
public record NeighParams(long baseReachableMs, long delayFirstProbeMs, long retransMs, int ucastProbes,
                          int mcastProbes, long gcStaleMs, long locktimeMs, int unresQlenBytes, int gcThresh3) {

    public static NeighParams defaults() {
        return new NeighParams(30_000, 5_000, 1_000, 3, 3, 60_000, 1_000, 212_992, 1024);
    }
}
