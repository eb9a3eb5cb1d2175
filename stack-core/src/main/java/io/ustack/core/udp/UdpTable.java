package io.ustack.core.udp;

import io.ustack.core.wire.Ipv4Address;
import java.net.BindException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.random.RandomGenerator;

/**
 * udp_table: the bound sockets by local port, with ephemeral port allocation from
 * net.ipv4.ip_local_port_range (32768-60999). Lookups (the receive path) take no lock.
 */
final class UdpTable {
    static final int EPHEMERAL_LOW = 32768;
    static final int EPHEMERAL_HIGH = 60999;

    private final Map<Integer, List<UdpSocket>> byPort = new ConcurrentHashMap<>();
    private final RandomGenerator random;

    UdpTable(RandomGenerator random) {
        this.random = random;
    }

    /**
     * udp_v4_get_port: binds {@code s} to {@code addr}:{@code port}, or to a free ephemeral port if port is 0.
     * Two sockets may share a port only on different specific addresses.
     */
    synchronized int bind(UdpSocket s, int addr, int port) throws BindException {
        if (port == 0) {
            int span = EPHEMERAL_HIGH - EPHEMERAL_LOW + 1;
            int start = random.nextInt(span);
            for (int i = 0; i < span; i++) {
                int candidate = EPHEMERAL_LOW + (start + i) % span;
                if (free(addr, candidate)) {
                    add(s, candidate);
                    return candidate;
                }
            }
            throw new BindException("no free local port in " + EPHEMERAL_LOW + "-" + EPHEMERAL_HIGH);
        }
        if (!free(addr, port)) {
            throw new BindException(Ipv4Address.format(addr) + ":" + port + " is already in use");
        }
        add(s, port);
        return port;
    }

    private boolean free(int addr, int port) {
        for (UdpSocket o : byPort.getOrDefault(port, List.of())) {
            if (o.localAddress() == 0 || addr == 0 || o.localAddress() == addr) {
                return false;
            }
        }
        return true;
    }

    private void add(UdpSocket s, int port) {
        byPort.computeIfAbsent(port, p -> new CopyOnWriteArrayList<>()).add(s);
    }

    synchronized void unbind(UdpSocket s, int port) {
        List<UdpSocket> l = byPort.get(port);
        if (l != null) {
            l.remove(s);
            if (l.isEmpty()) {
                byPort.remove(port);
            }
        }
    }

    /**
     * __udp4_lib_lookup: the socket that best matches a datagram from {@code saddr}:{@code sport} to
     * {@code daddr}:{@code dport}; a socket bound to the address or connected to the sender beats a wildcard.
     */
    UdpSocket lookup(int saddr, int sport, int daddr, int dport) {
        List<UdpSocket> l = byPort.get(dport);
        if (l == null) {
            return null;
        }
        UdpSocket best = null;
        int bestScore = -1;
        for (UdpSocket s : l) {
            int score = 0;
            if (s.localAddress() != 0) {
                if (s.localAddress() != daddr) {
                    continue;
                }
                score += 2;
            }
            if (s.remotePort() != 0) {
                if (s.remoteAddress() != saddr || s.remotePort() != sport) {
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
        byPort.values().forEach(out::addAll);
        return out;
    }
}
