package io.ustack.core.neigh;

/** Neighbour Unreachability Detection states (NUD_*), as `ip neigh` names them. */
public enum NudState {
    /** NUD_NONE: just created, nothing sent yet. */
    NONE,
    /** NUD_INCOMPLETE: a request is out, packets wait in the neighbour's queue. */
    INCOMPLETE,
    /** NUD_REACHABLE: confirmed within reachable_time. */
    REACHABLE,
    /** NUD_STALE: the address is known but not recently confirmed; the next use starts DELAY. */
    STALE,
    /** NUD_DELAY: used while stale; waiting delay_first_probe_time for a confirmation before probing. */
    DELAY,
    /** NUD_PROBE: unicast probes are out. */
    PROBE,
    /** NUD_FAILED: resolution gave up; waiting packets were dropped. */
    FAILED,
    /** NUD_PERMANENT: configured by hand, never expires. */
    PERMANENT;

    /** NUD_CONNECTED or NUD_DELAY/NUD_PROBE: a MAC address is known and may be used to send now. */
    public boolean hasAddress() {
        return this == REACHABLE || this == STALE || this == DELAY || this == PROBE || this == PERMANENT;
    }
}
