package io.ustack.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class DaemonConfigTest {
    @Test
    void withoutIfaceTheDefaultTap0() {
        DaemonConfig c = DaemonConfig.parse(List.of(), List.of(), 2);
        assertEquals(1, c.ifaces().size());
        assertEquals("tap0 10.77.0.2/24 fd00:77::2/64 (host 10.77.0.1/24 fd00:77::1/64)", c.ifaces().get(0).describe());
        assertEquals(2, c.backlogThreads());
    }

    @Test
    void forwardingIsOffUnlessAsked() {
        DaemonConfig c = DaemonConfig.parse(List.of(), List.of(), 1);
        assertEquals(false, c.forward(), "net.ipv4.ip_forward defaults to 0");
        assertEquals(true, c.withForward(true).forward());
        assertEquals(c.ifaces(), c.withForward(true).ifaces());
    }

    @Test
    void routesThroughTheIfaces() {
        DaemonConfig c = DaemonConfig.parse(List.of("tap0,addr=10.77.0.2/24", "tap1,addr=10.78.0.2/24"),
                List.of("default via 10.77.0.1", "10.9.0.0/16 via 10.78.0.1 dev tap1", "10.10.0.0/16 dev tap0"), 0);
        assertEquals(List.of("default via 10.77.0.1", "10.9.0.0/16 via 10.78.0.1 dev tap1", "10.10.0.0/16 dev tap0"),
                c.routes().stream().map(RouteSpec::describe).toList());
    }

    @Test
    void ipv6RoutesComeTheSameWay() {
        DaemonConfig c = DaemonConfig.parse(List.of("tapL,addr=fd01::1/64", "tapR,addr=fd02::1/64"),
                List.of("fd03::/64 via fd02::9", "default via fe80::1 dev tapR", "blackhole fd09::/64"), 0);
        assertEquals(List.of("fd03::/64 via fd02::9", "default via fe80::1 dev tapR", "blackhole fd09::/64"),
                c.routes().stream().map(RouteSpec::describe).toList());
        assertEquals("--route 'fd03::/64 dev tap9': there is no interface named tap9",
                bad(List.of(), List.of("fd03::/64 dev tap9")));
    }

    @Test
    void theBadOptionIsQuotedBeforeItsSentence() {
        assertEquals("--iface 'tap0,mtu=abc': mtu must be a number between 68 and 65535", bad(List.of("tap0,mtu=abc"), List.of()));
        assertEquals("--route '10.0.0.0/8': a route needs 'via GATEWAY' or 'dev NAME'; it reads PREFIX via GATEWAY, "
                + "PREFIX dev NAME or default via GATEWAY", bad(List.of(), List.of("10.0.0.0/8")));
    }

    @Test
    void crossChecks() {
        assertEquals("--iface 'tap0,mtu=9000': tap0 is given twice", bad(List.of("tap0", "tap0,mtu=9000"), List.of()));
        assertEquals("--iface 'tap1,addr=10.77.0.2/16': 10.77.0.2 is already the addr of tap0",
                bad(List.of("tap0,addr=10.77.0.2/24", "tap1,addr=10.77.0.2/16"), List.of()));
        assertEquals("--route '10.0.0.0/8 dev tap9': there is no interface named tap9",
                bad(List.of(), List.of("10.0.0.0/8 dev tap9")));
    }

    @Test
    void backlogThreadsAreBounded() {
        assertEquals("--backlog-threads must be between 0 (no RPS: packets are processed on the poll threads) and 1024, not -1",
                assertThrows(IllegalArgumentException.class, () -> DaemonConfig.parse(List.of(), List.of(), -1)).getMessage());
    }

    @Test
    void conntrackMaxIsTheKernelsDefaultUnlessSetAndIsBounded() {
        DaemonConfig c = DaemonConfig.parse(List.of(), List.of(), 1);
        assertEquals(65536, c.conntrackMax(), "nf_conntrack_max's default");
        DaemonConfig set = c.withForward(true).withConntrackMax(1000);
        assertEquals(1000, set.conntrackMax());
        assertEquals(true, set.forward(), "the other options stay");
        assertEquals(1000, set.withForward(false).conntrackMax());
        assertEquals("--conntrack-max must be between 1 and 16777216, not 0",
                assertThrows(IllegalArgumentException.class, () -> c.withConntrackMax(0)).getMessage());
        assertEquals("--conntrack-max must be between 1 and 16777216, not 16777217",
                assertThrows(IllegalArgumentException.class, () -> c.withConntrackMax((1 << 24) + 1)).getMessage());
    }

    @Test
    void sysctlsAreCheckedAtOnceAndTheLastOfAKeyWins() {
        DaemonConfig c = DaemonConfig.parse(List.of(), List.of(), 1)
                .withSysctls(List.of("net.ipv4.tcp_sack=0", "net.ipv4.tcp_congestion_control = reno", "net.ipv4.tcp_sack=1"));
        assertEquals(java.util.Map.of("net.ipv4.tcp_congestion_control", "reno", "net.ipv4.tcp_sack", "1"), c.sysctls());
        assertEquals(List.of("net.ipv4.tcp_congestion_control", "net.ipv4.tcp_sack"), List.copyOf(c.sysctls().keySet()));
        assertEquals("--sysctl 'net.ipv4.tcp_sack': expected NAME=VALUE, as net.ipv4.tcp_sack=0",
                assertThrows(IllegalArgumentException.class, () -> c.withSysctls(List.of("net.ipv4.tcp_sack"))).getMessage());
        assertEquals("--sysctl 'net.ipv4.tcp_sack=on': net.ipv4.tcp_sack must be 0 or 1, not 'on'",
                assertThrows(IllegalArgumentException.class, () -> c.withSysctls(List.of("net.ipv4.tcp_sack=on"))).getMessage());
    }

    private static String bad(List<String> ifaces, List<String> routes) {
        return assertThrows(IllegalArgumentException.class, () -> DaemonConfig.parse(ifaces, routes, 1)).getMessage();
    }

    @Test
    void dhcpLeaseFileDefaultsToTheStateDirectory() {
        assertEquals(java.nio.file.Path.of("/var/lib/ustack/dhcp.leases"), DaemonConfig.defaultDhcpLeases(java.util.Map.of(), 0));
        assertEquals(java.nio.file.Path.of("/home/u/.state/ustack/dhcp.leases"),
                DaemonConfig.defaultDhcpLeases(java.util.Map.of("XDG_STATE_HOME", "/home/u/.state"), 1000));
        DaemonConfig c = DaemonConfig.parse(List.of(), List.of(), 1);
        assertEquals(null, c.dhcpLeases());
        assertEquals(java.nio.file.Path.of("/tmp/x.leases"), c.withDhcpLeases(java.nio.file.Path.of("/tmp/x.leases")).dhcpLeases());
        assertEquals(java.nio.file.Path.of("/tmp/x.leases"),
                c.withDhcpLeases(java.nio.file.Path.of("/tmp/x.leases")).withForward(true).withSysctls(List.of()).dhcpLeases());
    }
}
