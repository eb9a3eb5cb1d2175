package io.ustack.core.udp;

import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.Ipv6Address;
import java.net.BindException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;

/**
 * udp_table: the bound sockets by local port, with ephemeral port allocation from
 * net.ipv4.ip_local_port_range (32768-60999). Lookups (the receive path) take no lock. Both families' sockets
 * are here, as in Linux's one udp_table. A socket answers for IPv4 by its int address (an IPv6 one without
 * IPV6_V6ONLY keeps its v4-mapped address's there) and for IPv6 by its {@link Ipv6Address}, so that an IPv4 lookup
 * allocates nothing.
 */
final class UdpTable {
    static final int EPHEMERAL_LOW = 32768;
    static final int EPHEMERAL_HIGH = 60999;

    /**
     * The sockets on each port, as an array replaced whole under this table's lock: a lookup walks it by index,
     * with no iterator to make (which the JIT did not always remove for a socket taking both families).
     */
    private final Map<Integer, UdpSocket[]> byPort = new ConcurrentHashMap<>();
    private static final UdpSocket[] NONE = {};
    private final RandomGenerator random;

    UdpTable(RandomGenerator random) {
        this.random = random;
    }

    /**
     * udp_v4_get_port and udp_v6_get_port: binds {@code s} to {@code addr} (IPv4) or {@code addr6} (IPv6) and
     * {@code port}, or to a free ephemeral port if port is 0. Two sockets may share a port only where the
     * families they take differ or their specific addresses do (inet_rcv_saddr_equal): an IPv6 socket with
     * IPV6_V6ONLY never conflicts with an IPv4 one, one without it on :: conflicts with every IPv4 socket.
     */
    synchronized int bind(UdpSocket s, int addr, Ipv6Address addr6, int port) throws BindException {
        if (port == 0) {
            int span = EPHEMERAL_HIGH - EPHEMERAL_LOW + 1;
            int start = random.nextInt(span);
            for (int i = 0; i < span; i++) {
                int candidate = EPHEMERAL_LOW + (start + i) % span;
                if (free(s, addr, addr6, candidate)) {
                    add(s, candidate);
                    return candidate;
                }
            }
            throw new BindException("no free local port in " + EPHEMERAL_LOW + "-" + EPHEMERAL_HIGH);
        }
        if (!free(s, addr, addr6, port)) {
            throw new BindException((s.isIpv6() ? "[" + addr6 + "]" : Ipv4Address.format(addr)) + ":" + port
                    + " is already in use");
        }
        add(s, port);
        return port;
    }

    private boolean free(UdpSocket s, int addr, Ipv6Address addr6, int port) {
        boolean v4 = UdpSocket.bindsIpv4(s.isIpv6(), s.v6only(), addr6);
        boolean v6 = UdpSocket.bindsIpv6(s.isIpv6(), addr6);
        for (UdpSocket o : byPort.getOrDefault(port, NONE)) {
            if (v4 && o.bindsIpv4() && (addr == 0 || o.boundToAny(false) || o.boundTo(addr, null))) {
                return false;
            }
            if (v6 && o.bindsIpv6() && (addr6.isUnspecified() || o.boundToAny(true) || o.boundTo(0, addr6))) {
                return false;
            }
        }
        return true;
    }

    private void add(UdpSocket s, int port) {
        UdpSocket[] l = byPort.getOrDefault(port, NONE);
        UdpSocket[] more = Arrays.copyOf(l, l.length + 1);
        more[l.length] = s;
        byPort.put(port, more);
    }

    synchronized void unbind(UdpSocket s, int port) {
        UdpSocket[] l = byPort.get(port);
        if (l == null) {
            return;
        }
        UdpSocket[] rest = Arrays.stream(l).filter(o -> o != s).toArray(UdpSocket[]::new);
        if (rest.length == 0) {
            byPort.remove(port);
        } else {
            byPort.put(port, rest);
        }
    }

    /**
     * __udp4_lib_lookup: the IPv4 socket that best matches a datagram from {@code saddr}:{@code sport} to
     * {@code daddr}:{@code dport}; a socket bound to the address or connected to the sender beats a wildcard.
     */
    UdpSocket lookup(int saddr, int sport, int daddr, int dport) {
        return lookup(saddr, null, sport, daddr, null, dport);
    }

    /** __udp6_lib_lookup: {@link #lookup}'s choice among the sockets that take IPv6. */
    UdpSocket lookup6(Ipv6Address saddr, int sport, Ipv6Address daddr, int dport) {
        return lookup(0, saddr, sport, 0, daddr, dport);
    }

    /**
     * Both lookups' scoring (compute_score) over the sockets that take the datagram's family ({@code daddr6}
     * null: IPv4, whose addresses are the ints), a socket of that family scoring above an IPv6 one taking IPv4.
     */
    private UdpSocket lookup(int saddr, Ipv6Address saddr6, int sport, int daddr, Ipv6Address daddr6, int dport) {
        UdpSocket[] l = byPort.get(dport);
        if (l == null) {
            return null;
        }
        boolean v6 = daddr6 != null;
        UdpSocket best = null;
        int bestScore = -1;
        for (int i = 0; i < l.length; i++) {
            UdpSocket s = l[i];
            if (v6 ? !s.takesIpv6() : !s.takesIpv4()) {
                continue;
            }
            int score = s.isIpv6() == v6 ? 1 : 0;
            if (!s.boundToAny(v6)) {
                if (!s.boundTo(daddr, daddr6)) {
                    continue;
                }
                score += 2;
            }
            if (s.remotePort() != 0) {
                if (!s.connectedTo(saddr, saddr6, sport)) {
                    continue;
                }
                score += 4;
            }
            if (score > bestScore) {
                best = s;
                bestScore = score;
            }
        }
        return best;
    }

    List<UdpSocket> sockets() {
        List<UdpSocket> out = new ArrayList<>();
        byPort.values().forEach(l -> out.addAll(Arrays.asList(l)));
        return out;
    }
}
