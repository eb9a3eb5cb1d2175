package io.ustack.cli.daemon;

import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.Ipv4Prefix;
import io.ustack.core.wire.MacAddress;
import io.ustack.driver.tap.TapConfig;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * One {@code --iface NAME[,addr=A.B.C.D/P][,host=A.B.C.D/P][,mac=XX:..][,mtu=N][,queues=N][,offload=on|off]}: the
 * TAP to open and the stack's address on it.
 *
 * @param tap  what the driver opens: name, MAC, MTU, queues and the host side's address (host=)
 * @param addr the stack's own address on the link (addr=), or null for none
 */
public record IfaceSpec(TapConfig tap, Ipv4Prefix addr) {
    /** IFNAMSIZ less the terminating NUL. */
    static final int MAX_NAME_BYTES = 15;
    static final String KEYS = "addr, host, mac, mtu, queues, offload";

    public String name() {
        return tap.name();
    }

    /**
     * Parses a SPEC.
     *
     * @throws IllegalArgumentException whose message is one sentence naming the bad part, without the
     *                                  SPEC itself (the caller adds it)
     */
    public static IfaceSpec parse(String spec) {
        String[] items = spec.split(",", -1);
        String name = items[0];
        if (name.isEmpty() || name.contains("=")) {
            throw new IllegalArgumentException("it must start with an interface name, like tap0");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("interface name '" + name + "' is longer than " + MAX_NAME_BYTES
                    + " characters, the kernel's limit");
        }
        Ipv4Prefix addr = null;
        Ipv4Prefix host = null;
        long mac = 0;
        int mtu = 0;
        int queues = 0;
        boolean offload = true;
        Set<String> seen = new HashSet<>();
        for (int i = 1; i < items.length; i++) {
            int eq = items[i].indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("'" + items[i] + "' is not KEY=VALUE (keys: " + KEYS + ")");
            }
            String key = items[i].substring(0, eq);
            String value = items[i].substring(eq + 1);
            if (!seen.add(key)) {
                throw new IllegalArgumentException(key + " is given twice");
            }
            switch (key) {
                case "addr" -> addr = address(key, withPrefix(key, value), "10.77.0.2/24");
                case "host" -> host = address(key, withPrefix(key, value), "10.77.0.1/24");
                case "mac" -> mac = mac(value);
                case "mtu" -> mtu = number(key, value, TapConfig.MIN_MTU, TapConfig.MAX_MTU);
                case "queues" -> queues = number(key, value, 1, TapConfig.MAX_QUEUES);
                case "offload" -> offload = onOff(key, value);
                default -> throw new IllegalArgumentException("unknown key '" + key + "' (keys: " + KEYS + ")");
            }
        }
        if (addr != null && host != null && addr.address() == host.address()) {
            throw new IllegalArgumentException("addr and host are both " + Ipv4Address.format(addr.address())
                    + "; the stack and the host side each need their own address");
        }
        // TapConfig checks the rest (characters in the name, a unicast MAC) with sentences of its own.
        return new IfaceSpec(new TapConfig(name, mac, mtu, queues, host, offload), addr);
    }

    /**
     * {@code value} if it has its /P: SPEC's grammar asks for one, and a bare address taken as a /32 would give
     * the interface no network, so no connected route and no neighbours.
     */
    private static String withPrefix(String key, String value) {
        if (!value.contains("/") && !value.isEmpty()) {
            throw new IllegalArgumentException(key + " needs its prefix length, like " + key + "=" + value + "/24");
        }
        return value;
    }

    /** An interface address: a non-zero address with a non-zero prefix length; {@code key} names it in a refusal. */
    static Ipv4Prefix address(String key, String value, String example) {
        Ipv4Prefix p;
        try {
            p = Ipv4Prefix.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage());
        }
        if (p.address() == Ipv4Address.ANY || p.prefixLen() == 0) {
            throw new IllegalArgumentException(key + " needs a non-zero address and prefix length, like " + example);
        }
        return p;
    }

    private static long mac(String value) {
        try {
            return MacAddress.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("mac: " + e.getMessage());
        }
    }

    private static int number(String key, String value, int min, int max) {
        int n;
        try {
            n = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            n = min - 1;
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(key + " must be a number between " + min + " and " + max);
        }
        return n;
    }

    private static boolean onOff(String key, String value) {
        return switch (value) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new IllegalArgumentException(key + " must be on or off, not '" + value + "'");
        };
    }

    /** How the "up" line shows it: {@code tap0 10.77.0.2/24 (host 10.77.0.1/24)}. */
    public String describe() {
        return name() + (addr == null ? "" : " " + addr) + (tap.host() == null ? "" : " (host " + tap.host() + ")");
    }
}
