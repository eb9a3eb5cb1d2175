package io.ustack.cli.daemon;

import io.ustack.cli.services.dhcp.DhcpPool;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.Ipv4Prefix;
import io.ustack.core.wire.Ipv6Prefix;
import io.ustack.core.wire.MacAddress;
import io.ustack.driver.tap.TapConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One {@code --iface NAME[,addr=A.B.C.D/P][,host=A.B.C.D/P][,mac=XX:..][,mtu=N][,queues=N][,offload=on|off][,ra=on|off]}: the
 * TAP to open and the stack's addresses on it. {@code addr=} may be repeated, for IPv4 (the first is the primary,
 * later ones on its network secondaries, as {@code ip addr add} makes them) and IPv6 ({@code addr=fd00:77::2/64});
 * {@code host=} may be repeated to add IPv6 prefixes beside the one IPv4 address the host side may have.
 *
 * @param tap    what the driver opens: name, MAC, MTU, queues and the host side's addresses (host=)
 * @param macGiven whether mac= was given; without it {@code tap}'s MAC is a random one drawn for this SPEC
 * @param addrs  the stack's own IPv4 addresses on the link (addr=), in the order given; empty for none
 * @param addrs6 the stack's own IPv6 addresses on the link (addr=), beside the link-local one it always has
 * @param dhcp   the DHCP server's pool on the link ({@code dhcp=FIRST-LAST}, {@code dhcp-lease=SECONDS},
 *               {@code dhcp-dns=A.B.C.D} and {@code dhcp-static=MAC=IP}, the last two repeatable), or null
 * @param ra     {@code ra=on}: a router's Router Advertisements on the link, so that hosts there configure
 *               addresses in its IPv6 /64s and a default route through it (sent while the daemon forwards)
 */
public record IfaceSpec(TapConfig tap, boolean macGiven, List<Ipv4Prefix> addrs, List<Ipv6Prefix> addrs6, DhcpPool dhcp,
                        boolean ra) {
    /** IFNAMSIZ less the terminating NUL. */
    static final int MAX_NAME_BYTES = 15;
    static final String KEYS = "addr, host, mac, mtu, queues, offload, ra, dhcp, dhcp-lease, dhcp-dns, dhcp-static";
    /** The longest lease dhcp-lease= takes: a year (option 51 could say more, but no pool wants it). */
    static final int MAX_LEASE_SECONDS = 365 * 24 * 3600;

    /** The primary IPv4 address (the first addr=), or null for none: the one a DHCP pool serves the network of. */
    public Ipv4Prefix addr() {
        return addrs.isEmpty() ? null : addrs.get(0);
    }

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
        List<Ipv4Prefix> addrs = new ArrayList<>();
        Ipv4Prefix host = null;
        List<Ipv6Prefix> addrs6 = new ArrayList<>();
        List<Ipv6Prefix> hosts6 = new ArrayList<>();
        long mac = 0;
        int mtu = 0;
        int queues = 0;
        boolean offload = true;
        boolean ra = false;
        String dhcpRange = null;
        long lease = DhcpPool.DEFAULT_LEASE_SECONDS;
        List<Integer> dns = new ArrayList<>();
        Map<Long, Integer> statics = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        for (int i = 1; i < items.length; i++) {
            int eq = items[i].indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("'" + items[i] + "' is not KEY=VALUE (keys: " + KEYS + ")");
            }
            String key = items[i].substring(0, eq);
            String value = items[i].substring(eq + 1);
            boolean ipv6 = (key.equals("addr") || key.equals("host")) && value.contains(":");
            if (ipv6) {
                Ipv6Prefix p = address6(key, value, key.equals("addr") ? "fd00:77::2/64" : "fd00:77::1/64");
                List<Ipv6Prefix> into = key.equals("addr") ? addrs6 : hosts6;
                if (addrs6.contains(p) || hosts6.contains(p)) {
                    throw new IllegalArgumentException(p.address() + " is given twice");
                }
                into.add(p);
                continue;
            }
            if (key.equals("addr")) {
                Ipv4Prefix p = address(key, withPrefix(key, value), "10.77.0.2/24");
                if (addrs.stream().anyMatch(a -> a.address() == p.address())) {
                    throw new IllegalArgumentException(Ipv4Address.format(p.address()) + " is given twice");
                }
                addrs.add(p);
                continue;
            }
            if (key.equals("dhcp-dns")) {
                int a = dhcpAddress(key, value);
                if (dns.contains(a)) {
                    throw new IllegalArgumentException("dhcp-dns " + value + " is given twice");
                }
                dns.add(a);
                continue;
            }
            if (key.equals("dhcp-static")) {
                int eq2 = value.lastIndexOf('=');
                if (eq2 < 0) {
                    throw new IllegalArgumentException("dhcp-static needs MAC=IP, like dhcp-static=02:00:00:00:00:01=10.1.0.50");
                }
                long m = mac(value.substring(0, eq2));
                int a = dhcpAddress(key, value.substring(eq2 + 1));
                if (statics.containsKey(m) || statics.containsValue(a)) {
                    throw new IllegalArgumentException("dhcp-static gives " + value.substring(0, eq2) + " or "
                            + value.substring(eq2 + 1) + " twice");
                }
                statics.put(m, a);
                continue;
            }
            if (!seen.add(key)) {
                throw new IllegalArgumentException(key + " is given twice");
            }
            switch (key) {
                case "host" -> host = address(key, withPrefix(key, value), "10.77.0.1/24");
                case "mac" -> mac = mac(value);
                case "mtu" -> mtu = number(key, value, TapConfig.MIN_MTU, TapConfig.MAX_MTU);
                case "queues" -> queues = number(key, value, 1, TapConfig.MAX_QUEUES);
                case "offload" -> offload = onOff(key, value);
                case "ra" -> ra = onOff(key, value);
                case "dhcp" -> dhcpRange = value;
                case "dhcp-lease" -> lease = number(key, value, 60, MAX_LEASE_SECONDS);
                default -> throw new IllegalArgumentException("unknown key '" + key + "' (keys: " + KEYS + ")");
            }
        }
        for (Ipv4Prefix a : addrs) {
            if (host != null && a.address() == host.address()) {
                throw new IllegalArgumentException("addr and host are both " + Ipv4Address.format(a.address())
                        + "; the stack and the host side each need their own address");
            }
        }
        // TapConfig checks the rest (characters in the name, a unicast MAC) with sentences of its own.
        for (Ipv6Prefix a : addrs6) {
            for (Ipv6Prefix h : hosts6) {
                if (a.address().equals(h.address())) {
                    throw new IllegalArgumentException("addr and host are both " + a.address()
                            + "; the stack and the host side each need their own address");
                }
            }
        }
        DhcpPool dhcp = null;
        if (dhcpRange != null) {
            dhcp = pool(addrs.isEmpty() ? null : addrs.get(0), dhcpRange, lease, dns, statics);
        } else if (seen.contains("dhcp-lease") || !dns.isEmpty() || !statics.isEmpty()) {
            throw new IllegalArgumentException("dhcp-lease, dhcp-dns and dhcp-static need a pool, like dhcp=10.1.0.100-10.1.0.199");
        }
        return new IfaceSpec(new TapConfig(name, mac, mtu, queues, host, offload, hosts6), mac != 0, List.copyOf(addrs),
                List.copyOf(addrs6), dhcp, ra);
    }

    /** dhcp=FIRST-LAST on the network of {@code addr}, checked by {@link DhcpPool#check}. */
    private static DhcpPool pool(Ipv4Prefix addr, String range, long lease, List<Integer> dns, Map<Long, Integer> statics) {
        if (addr == null) {
            throw new IllegalArgumentException("dhcp needs the interface's own IPv4 address (addr=) to serve a pool");
        }
        int dash = range.indexOf('-');
        if (dash < 0) {
            throw new IllegalArgumentException("dhcp needs a range FIRST-LAST, like dhcp=10.1.0.100-10.1.0.199");
        }
        int first = dhcpAddress("dhcp", range.substring(0, dash));
        int last = dhcpAddress("dhcp", range.substring(dash + 1));
        DhcpPool.check(addr, first, last, statics);
        return new DhcpPool(addr, first, last, lease, dns, statics);
    }

    private static int dhcpAddress(String key, String value) {
        try {
            return Ipv4Address.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": '" + value + "' is not an IPv4 address");
        }
    }

    /**
     * An IPv6 interface address: unicast, with a prefix length (1 to 128), as {@code ip -6 addr add} takes
     * it; {@code key} names it in a refusal.
     */
    static Ipv6Prefix address6(String key, String value, String example) {
        if (value.indexOf('/') < 0) {
            throw new IllegalArgumentException(key + " needs a prefix length, like " + example);
        }
        Ipv6Prefix p;
        try {
            p = Ipv6Prefix.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage());
        }
        if (p.address().isUnspecified() || p.address().isMulticast() || p.address().isLoopback() || p.prefixLen() == 0) {
            throw new IllegalArgumentException(key + " needs a unicast address and a non-zero prefix length, like " + example);
        }
        return p;
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

    /**
     * Whether a TAP opened for {@code running} is the TAP this SPEC asks for, so that a reload keeps it: the same
     * name, MTU, queues, offloads and host side, and the same MAC where this SPEC gives one.
     */
    public boolean sameLink(IfaceSpec running) {
        TapConfig a = tap;
        TapConfig b = running.tap;
        return a.name().equals(b.name()) && (!macGiven || a.mac() == b.mac()) && a.mtu() == b.mtu()
                && a.queues() == b.queues() && a.offload() == b.offload() && java.util.Objects.equals(a.host(), b.host())
                && a.host6().equals(b.host6());
    }

    /**
     * How the "up" line shows it: {@code tap0 10.77.0.2/24 fd00:77::2/64 (host 10.77.0.1/24 fd00:77::1/64)}, and
     * {@code ra} when it advertises.
     */
    public String describe() {
        StringBuilder sb = new StringBuilder(name());
        addrs.forEach(p -> sb.append(' ').append(p));
        addrs6.forEach(p -> sb.append(' ').append(p));
        List<String> hosts = new ArrayList<>();
        if (tap.host() != null) {
            hosts.add(tap.host().toString());
        }
        tap.host6().forEach(p -> hosts.add(p.toString()));
        if (!hosts.isEmpty()) {
            sb.append(" (host ").append(String.join(" ", hosts)).append(')');
        }
        if (dhcp != null) {
            sb.append(" dhcp ").append(Ipv4Address.format(dhcp.first())).append('-').append(Ipv4Address.format(dhcp.last()));
        }
        if (ra) {
            sb.append(" ra");
        }
        return sb.toString();
    }
}
