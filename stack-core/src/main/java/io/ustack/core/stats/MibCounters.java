package io.ustack.core.stats;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The stack's SNMP counters. Each is a {@link LongAdder}, which stripes per thread as the kernel's per-CPU
 * SNMP counters do, so backlog threads count without sharing a cache line. IcmpMsg keeps one counter per
 * ICMP type each way, as /proc/net/snmp's "IcmpMsg:" line does. Gauges (TcpCurrEstab) are read from
 * whoever keeps them.
 */
public final class MibCounters {
    private final LongAdder[] mib = new LongAdder[Mib.values().length];
    private final LongAdder[] icmpMsgIn = new LongAdder[256];
    private final LongAdder[] icmpMsgOut = new LongAdder[256];
    private final LongAdder[] icmp6MsgIn = new LongAdder[256];
    private final LongAdder[] icmp6MsgOut = new LongAdder[256];
    private final Map<String, LongSupplier> gauges = new ConcurrentHashMap<>();

    public MibCounters() {
        for (int i = 0; i < mib.length; i++) {
            mib[i] = new LongAdder();
        }
        for (int i = 0; i < 256; i++) {
            icmpMsgIn[i] = new LongAdder();
            icmpMsgOut[i] = new LongAdder();
            icmp6MsgIn[i] = new LongAdder();
            icmp6MsgOut[i] = new LongAdder();
        }
    }

    public void inc(Mib m) {
        mib[m.ordinal()].increment();
    }

    public void add(Mib m, long n) {
        mib[m.ordinal()].add(n);
    }

    public long get(Mib m) {
        return mib[m.ordinal()].sum();
    }

    /** Registers a gauge: a value that goes up and down, read when the counters are. */
    public void gauge(String name, LongSupplier value) {
        gauges.put(name, value);
    }

    public void icmpMsgIn(int type) {
        icmpMsgIn[type & 0xff].increment();
    }

    public void icmpMsgOut(int type) {
        icmpMsgOut[type & 0xff].increment();
    }

    /** ICMP6MSGIN_INC_STATS: one more ICMPv6 message of {@code type} received (Icmp6InType{@code type}). */
    public void icmp6MsgIn(int type) {
        icmp6MsgIn[type & 0xff].increment();
    }

    /** ICMP6MSGOUT_INC_STATS: one more ICMPv6 message of {@code type} sent (Icmp6OutType{@code type}). */
    public void icmp6MsgOut(int type) {
        icmp6MsgOut[type & 0xff].increment();
    }

    public long icmpMsgInCount(int type) {
        return icmpMsgIn[type & 0xff].sum();
    }

    public long icmpMsgOutCount(int type) {
        return icmpMsgOut[type & 0xff].sum();
    }

    /**
     * Every counter, then the gauges, then the IcmpMsg counters that are non-zero (as nstat -a shows
     * them: {@code IcmpMsgInType8}), then the per-type ICMPv6 ones as /proc/net/snmp6 names them
     * ({@code Icmp6InType135}).
     */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Mib m : Mib.values()) {
            out.put(m.name(), get(m));
        }
        gauges.forEach((name, value) -> out.put(name, value.getAsLong()));
        for (int t = 0; t < 256; t++) {
            long n = icmpMsgIn[t].sum();
            if (n != 0) {
                out.put("IcmpMsgInType" + t, n);
            }
        }
        for (int t = 0; t < 256; t++) {
            long n = icmpMsgOut[t].sum();
            if (n != 0) {
                out.put("IcmpMsgOutType" + t, n);
            }
        }
        for (int t = 0; t < 256; t++) {
            long n = icmp6MsgIn[t].sum();
            if (n != 0) {
                out.put("Icmp6InType" + t, n);
            }
        }
        for (int t = 0; t < 256; t++) {
            long n = icmp6MsgOut[t].sum();
            if (n != 0) {
                out.put("Icmp6OutType" + t, n);
            }
        }
        return out;
    }
}
