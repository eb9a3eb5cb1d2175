package io.ustack.core.stack;

import io.ustack.core.tcp.TcpConfig;
import io.ustack.core.tcp.TcpProtocol;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The stack's tunables under the kernel's sysctl names, read and written as text as /proc/sys has them
 * ({@code net.ipv4.tcp_sack = 1}). Writing checks the value first and refuses it with a sentence that
 * names the key; TCP settings apply to connections made afterwards, as in Linux. Read-only keys report
 * what is fixed here.
 */
public final class Sysctl {
    /**
     * The highest nf_conntrack_max accepted: the table keeps a bucket per four connections, so this bounds
     * its array (4M references) well inside a default heap, far above what one daemon's traffic needs.
     */
    public static final int MAX_CONNTRACK_MAX = 1 << 24;

    private record Key(String name, Function<NetStack, String> get, UnaryOperator<String> check,
                       BiConsumer<NetStack, String> set) {
    }

    private static final List<Key> KEYS = List.of(
            new Key("net.ipv4.ip_forward", s -> bit(s.forwarding()), v -> checkBit("net.ipv4.ip_forward", v),
                    (s, v) -> s.setForwarding(v.equals("1"))),
            new Key("net.ipv4.ip_local_port_range",
                    s -> TcpProtocol.EPHEMERAL_LOW + "\t" + TcpProtocol.EPHEMERAL_HIGH, null, null),
            new Key("net.ipv4.tcp_available_congestion_control", s -> "reno cubic", null, null),
            new Key("net.ipv4.tcp_congestion_control", s -> s.tcp().config().congestion(),
                    v -> checkCongestion(v), (s, v) -> tcp(s, c -> c.withCongestion(v))),
            new Key("net.ipv4.tcp_ecn", s -> Integer.toString(s.tcp().config().ecn()),
                    v -> checkInt("net.ipv4.tcp_ecn", v, 0, 2),
                    (s, v) -> tcp(s, c -> c.withEcn(Integer.parseInt(v), c.ecnFallback()))),
            new Key("net.ipv4.tcp_ecn_fallback", s -> bit(s.tcp().config().ecnFallback()),
                    v -> checkBit("net.ipv4.tcp_ecn_fallback", v),
                    (s, v) -> tcp(s, c -> c.withEcn(c.ecn(), v.equals("1")))),
            new Key("net.ipv4.tcp_min_tso_segs", s -> Integer.toString(s.tcp().config().minTsoSegs()),
                    v -> checkInt("net.ipv4.tcp_min_tso_segs", v, 1, 255),
                    (s, v) -> tcp(s, c -> c.withMinTsoSegs(Integer.parseInt(v)))),
            new Key("net.ipv4.tcp_pacing_ca_ratio", s -> Integer.toString(s.tcp().config().pacingCaRatio()),
                    v -> checkInt("net.ipv4.tcp_pacing_ca_ratio", v, 0, 1000),
                    (s, v) -> tcp(s, c -> c.withPacingRatios(c.pacingSsRatio(), Integer.parseInt(v)))),
            new Key("net.ipv4.tcp_pacing_ss_ratio", s -> Integer.toString(s.tcp().config().pacingSsRatio()),
                    v -> checkInt("net.ipv4.tcp_pacing_ss_ratio", v, 0, 1000),
                    (s, v) -> tcp(s, c -> c.withPacingRatios(Integer.parseInt(v), c.pacingCaRatio()))),
            new Key("net.ipv4.tcp_retries2", s -> Integer.toString(s.tcp().config().retries2()),
                    v -> checkInt("net.ipv4.tcp_retries2", v, 0, 255),
                    (s, v) -> tcp(s, c -> c.withRetries(c.synRetries(), c.synAckRetries(), Integer.parseInt(v)))),
            new Key("net.ipv4.tcp_rmem", s -> triple(s.tcp().config().rmemMin(), s.tcp().config().rcvBuf(),
                    s.tcp().config().rcvBufMax()), v -> checkTriple("net.ipv4.tcp_rmem", v),
                    (s, v) -> tcp(s, c -> {
                        int[] t = parseTriple(v);
                        return c.withRmem(t[0], t[1], t[2]);
                    })),
            new Key("net.ipv4.tcp_sack", s -> bit(s.tcp().config().sack()), v -> checkBit("net.ipv4.tcp_sack", v),
                    (s, v) -> tcp(s, c -> c.withOptions(c.windowScale(), c.timestamps(), v.equals("1")))),
            new Key("net.ipv4.tcp_slow_start_after_idle", s -> bit(s.tcp().config().slowStartAfterIdle()),
                    v -> checkBit("net.ipv4.tcp_slow_start_after_idle", v),
                    (s, v) -> tcp(s, c -> c.withSlowStartAfterIdle(v.equals("1")))),
            new Key("net.ipv4.tcp_syn_retries", s -> Integer.toString(s.tcp().config().synRetries()),
                    v -> checkInt("net.ipv4.tcp_syn_retries", v, 1, 127),
                    (s, v) -> tcp(s, c -> c.withRetries(Integer.parseInt(v), c.synAckRetries(), c.retries2()))),
            new Key("net.ipv4.tcp_synack_retries", s -> Integer.toString(s.tcp().config().synAckRetries()),
                    v -> checkInt("net.ipv4.tcp_synack_retries", v, 0, 255),
                    (s, v) -> tcp(s, c -> c.withRetries(c.synRetries(), Integer.parseInt(v), c.retries2()))),
            new Key("net.ipv4.tcp_timestamps", s -> bit(s.tcp().config().timestamps()),
                    v -> checkBit("net.ipv4.tcp_timestamps", v),
                    (s, v) -> tcp(s, c -> c.withOptions(c.windowScale(), v.equals("1"), c.sack()))),
            new Key("net.ipv4.tcp_window_scaling", s -> bit(s.tcp().config().windowScale()),
                    v -> checkBit("net.ipv4.tcp_window_scaling", v),
                    (s, v) -> tcp(s, c -> c.withOptions(v.equals("1"), c.timestamps(), c.sack()))),
            new Key("net.ipv4.tcp_wmem", s -> triple(s.tcp().config().wmemMin(), s.tcp().config().sndBuf(),
                    s.tcp().config().wmemMax()), v -> checkTriple("net.ipv4.tcp_wmem", v),
                    (s, v) -> tcp(s, c -> {
                        int[] t = parseTriple(v);
                        return c.withWmem(t[0], t[1], t[2]);
                    })),
            new Key("net.ipv6.bindv6only", s -> bit(s.bindV6Only()), v -> checkBit("net.ipv6.bindv6only", v),
                    (s, v) -> s.setBindV6Only(v.equals("1"))),
            new Key("net.ipv6.conf.all.forwarding", s -> bit(s.forwarding6()),
                    v -> checkBit("net.ipv6.conf.all.forwarding", v), (s, v) -> s.setForwarding6(v.equals("1"))),
            new Key("net.netfilter.nf_conntrack_count", s -> Long.toString(s.conntrack().stats().get("entries")), null, null),
            new Key("net.netfilter.nf_conntrack_max", s -> Integer.toString(s.conntrack().max()),
                    v -> checkInt("net.netfilter.nf_conntrack_max", v, 1, MAX_CONNTRACK_MAX),
                    (s, v) -> s.conntrack().setMax(Integer.parseInt(v))));

    private final NetStack stack;

    public Sysctl(NetStack stack) {
        this.stack = stack;
    }

    /** Every key with its value, by name (sysctl -a). */
    public Map<String, String> all() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Key k : KEYS) {
            out.put(k.name(), k.get().apply(stack));
        }
        return out;
    }

    /** The keys that can be set, with their values, by name: what a saved configuration must set again. */
    public Map<String, String> writable() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Key k : KEYS) {
            if (k.set() != null) {
                out.put(k.name(), k.get().apply(stack));
            }
        }
        return out;
    }

    /** The value of {@code name}; IllegalArgumentException if there is no such key. */
    public String get(String name) {
        return key(name).get().apply(stack);
    }

    /**
     * Sets {@code name} to {@code value} (surrounding blanks ignored, as /proc/sys ignores them).
     *
     * @throws IllegalArgumentException with one sentence if the key is unknown or read-only, or the value bad
     */
    public void set(String name, String value) {
        Key k = writable(name);
        k.set().accept(stack, k.check().apply(value.strip()));
    }

    /**
     * Checks that {@code name} can be set to {@code value} without setting it: for a command line that is
     * refused before anything starts.
     *
     * @throws IllegalArgumentException as {@link #set} would
     */
    public static void check(String name, String value) {
        writable(name).check().apply(value.strip());
    }

    private static Key writable(String name) {
        Key k = key(name);
        if (k.set() == null) {
            throw new IllegalArgumentException(name + " is read-only");
        }
        return k;
    }

    private static Key key(String name) {
        for (Key k : KEYS) {
            if (k.name().equals(name)) {
                return k;
            }
        }
        throw new IllegalArgumentException("there is no sysctl key " + name + " (ustack sysctl -a lists them)");
    }

    private static void tcp(NetStack s, UnaryOperator<TcpConfig> change) {
        s.tcp().setConfig(change.apply(s.tcp().config()));
    }

    private static String bit(boolean b) {
        return b ? "1" : "0";
    }

    private static String checkBit(String name, String v) {
        if (!v.equals("0") && !v.equals("1")) {
            throw new IllegalArgumentException(name + " must be 0 or 1, not '" + v + "'");
        }
        return v;
    }

    private static String checkInt(String name, String v, int min, int max) {
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // the sentence below says what is wanted
        }
        throw new IllegalArgumentException(name + " must be a whole number from " + min + " to " + max + ", not '" + v + "'");
    }

    /** tcp_rmem and tcp_wmem as /proc/sys prints them: min, default and max, tab-separated. */
    private static String triple(int min, int def, int max) {
        return min + "\t" + def + "\t" + max;
    }

    private static int[] parseTriple(String v) {
        String[] parts = v.strip().split("\\s+");
        if (parts.length != 3) {
            return null;
        }
        int[] t = new int[3];
        try {
            for (int i = 0; i < 3; i++) {
                t[i] = Integer.parseInt(parts[i]);
                if (t[i] < 1) {
                    return null;
                }
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return t;
    }

    /** Three whole numbers of at least 1 (proc_dointvec_minmax with extra1 = 1), normalised as the kernel prints them. */
    private static String checkTriple(String name, String v) {
        int[] t = parseTriple(v);
        if (t == null) {
            throw new IllegalArgumentException(name + " must be three whole numbers of at least 1 (min, default, max), not '"
                    + v + "'");
        }
        return triple(t[0], t[1], t[2]);
    }

    private static String checkCongestion(String v) {
        if (!v.equals("cubic") && !v.equals("reno")) {
            throw new IllegalArgumentException("net.ipv4.tcp_congestion_control must be one of reno cubic, not '" + v + "'");
        }
        return v;
    }
}
