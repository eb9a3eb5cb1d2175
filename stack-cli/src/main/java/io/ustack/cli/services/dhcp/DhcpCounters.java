package io.ustack.cli.services.dhcp;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** The DHCP server's counters, under the names `ustack stats` prints. */
public final class DhcpCounters {
    public enum Counter {
        DhcpInDiscovers, DhcpInRequests, DhcpInReleases, DhcpInDeclines, DhcpInInforms, DhcpOutOffers, DhcpOutAcks,
        DhcpOutNaks, DhcpPoolExhausted, DhcpInErrors,
        /** Why DhcpInErrors went up, one counter per reason. */
        DhcpInErrorTruncated, DhcpInErrorBadOp, DhcpInErrorBadHtype, DhcpInErrorBadCookie, DhcpInErrorBadOptions,
        DhcpInErrorNoMessageType,
        /** Messages that need no answer from us (a REQUEST for another server, an unknown client rebinding). */
        DhcpInIgnored
    }

    private final LongAdder[] c = new LongAdder[Counter.values().length];

    public DhcpCounters() {
        for (int i = 0; i < c.length; i++) {
            c[i] = new LongAdder();
        }
    }

    public void inc(Counter k) {
        c[k.ordinal()].increment();
    }

    public long get(Counter k) {
        return c[k.ordinal()].sum();
    }

    /** A refused message: DhcpInErrors and the counter of its reason. */
    public void error(DhcpMessage.Error e) {
        inc(Counter.DhcpInErrors);
        inc(switch (e) {
            case TRUNCATED -> Counter.DhcpInErrorTruncated;
            case BAD_OP -> Counter.DhcpInErrorBadOp;
            case BAD_HTYPE -> Counter.DhcpInErrorBadHtype;
            case BAD_COOKIE -> Counter.DhcpInErrorBadCookie;
            case BAD_OPTIONS -> Counter.DhcpInErrorBadOptions;
            case NO_MESSAGE_TYPE -> Counter.DhcpInErrorNoMessageType;
        });
    }

    public Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (Counter k : Counter.values()) {
            m.put(k.name(), get(k));
        }
        return m;
    }
}
