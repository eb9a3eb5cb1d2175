package io.ustack.it.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.testing.Await;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The daemon image run as a user runs it: `docker run --cap-add NET_ADMIN --device /dev/net/tun IMAGE`
 * with the default interface (tap0, the stack at 10.77.0.2, the container's side 10.77.0.1), answering the
 * container's own ping, arping, netcat (UDP echo) and TCP (curl of the status page, 100 MB from /bytes/N
 * and 10 MB of random bytes through the TCP echo, each compared by SHA-256); its counters read with
 * `docker exec ... ustack stats`. Dual-stack, as #12 asks of one Docker scenario: the container runs with
 * IPv6 on in its namespace ({@link UstackContainer#withIpv6}), so the same tools reach the stack over IPv6
 * too (fd00:77::2 and its link-local address, the container's side fd00:77::1): ping -6 (plain and 8000
 * bytes), nc -6 -u, curl -6 and the TCP echo.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith({DockerImages.class, DiagnoseOnFailure.class})
class DockerDaemonIT implements ContainerScenario {
    private static final String STACK = "10.77.0.2";
    private static final String STACK6 = "fd00:77::2";
    private UstackContainer daemon;

    @BeforeAll
    void up(DaemonImage image) {
        String names = UstackContainer.uniquePrefix("daemon");
        daemon = UstackContainer.daemon(image, names + "-ustack").withIpv6();
        daemon.up();
    }

    @AfterAll
    void down() {
        if (daemon != null) {
            daemon.stop();
        }
    }

    @Override
    public List<UstackContainer> containers() {
        return List.of(daemon);
    }

    @Test
    @Order(1)
    void pingFromTheContainerIsAnsweredByTheStack() {
        Exec ping = daemon.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", STACK);
        assertEquals(3, Ping.received(ping.output()), ping.output());
    }

    @Test
    @Order(2)
    void ping8000BytesIsFragmentedBothWays() {
        ping8000("-4", STACK);
    }

    /** Two pings of 8000 bytes of data from the container ({@code family} -4 or -6), both answered whole. */
    private void ping8000(String family, String target) {
        Exec ping = daemon.exec("ping", family, "-c", "2", "-i", "0.2", "-W", "2", "-s", "8000", target);
        assertEquals(2, Ping.received(ping.output()), ping.output());
        assertTrue(ping.output().contains("8008 bytes from " + target), ping.output());
    }

    @Test
    @Order(3)
    void arpingIsAnswered() {
        Exec arping = daemon.exec("arping", "-c", "3", "-w", "5", "-I", "tap0", STACK);
        assertEquals(0, arping.exit(), arping.output());
        // iputils' arping says "Received 3 response(s)", Debian's arping "3 packets received"
        assertTrue(arping.output().matches("(?s).*(Received 3 response|3 packets received).*"), arping.output());
    }

    @Test
    @Order(4)
    void udpEchoAnswers() {
        udpEcho("-4", STACK);
    }

    /** A line through the built-in echo service on UDP port 7 with the container's nc ({@code family} -4 or -6). */
    private void udpEcho(String family, String target) {
        Exec echo = daemon.exec("sh", "-c", "echo hello-from-the-container | nc " + family + " -u -w 1 " + target + " 7");
        assertEquals("hello-from-the-container", echo.output().trim(), "the built-in echo service on UDP port 7");
    }

    @Test
    @Order(5)
    void curlGetsTheStatusPage() {
        TcpChecks.statusPage(daemon, STACK);
    }

    @Test
    @Order(6)
    void aLargeTransferArrivesWhole() {
        TcpChecks.bytesArrive(daemon, STACK, 100_000_000L);
        TcpChecks.echoKeepsTheBytes(daemon, STACK, 10_000_000);
    }

    @Test
    @Order(7)
    void countersShowTheTraffic() {
        Map<String, Long> s = daemon.stats();
        assertTrue(s.get("IcmpInEchos") >= 5 && s.get("IcmpOutEchoReps") >= 5, "echo requests and replies: " + s);
        // 8008 bytes of ICMP at MTU 1500 make 6 fragments each way
        assertTrue(s.get("IpReasmOKs") >= 2 && s.get("IpFragCreates") >= 2 * 6, "reassembled and fragmented: " + s);
        assertTrue(s.get("ArpInRequests") >= 3 && s.get("ArpOutReplies") >= 3, "arping's requests answered: " + s);
        assertTrue(s.get("UdpInDatagrams") >= 1 && s.get("UdpOutDatagrams") >= 1, "the echoed datagram: " + s);
        assertTrue(s.get("TcpPassiveOpens") >= 3, "curl's two connections and the echo's: " + s);
        // TcpOutSegs counts segments on the wire, as Linux counts tcp_skb_pcount: at MSS 1460 (MTU 1500) the
        // 100 MB from /bytes alone needs this many, which the 10 MB echo cannot make up
        assertTrue(s.get("TcpOutSegs") >= 100_000_000L / 1460, "the transfer's segments: " + s);
        assertTrue(s.get("tap0:rx_packets") > 0 && s.get("tap0:tx_packets") > 0, "link counters: " + s);
    }

    /**
     * Both sides' IPv6 addresses past Duplicate Address Detection: the container's kernel runs it on
     * fd00:77::1 and the stack on its own, each tentative for a second or two after the start.
     */
    private void awaitIpv6Up() {
        Await.until("fd00:77::1 on tap0 and the stack's addresses past DAD", Duration.ofSeconds(30),
                () -> daemon.exec("sh", "-c", "ip -6 addr show dev tap0; ustack addr").output(),
                o -> o.contains("inet6 fd00:77::1/64 scope global") && o.contains("inet6 " + STACK6 + "/64")
                        && !o.contains("tentative"));
    }

    /** The stack's link-local address on tap0, as `ustack addr` lists it. */
    private String stackLinkLocal() {
        String addr = daemon.exec("ustack", "addr").ok().output();
        Matcher m = Pattern.compile("inet6 (fe80::[0-9a-f:]+)/64 scope link").matcher(addr);
        assertTrue(m.find(), "a link-local address: " + addr);
        return m.group(1);
    }

    @Test
    @Order(8)
    void pingSixIsAnsweredOnTheGlobalAndTheLinkLocalAddress() {
        awaitIpv6Up();
        Exec global = daemon.exec("ping", "-6", "-c", "3", "-i", "0.2", "-W", "2", STACK6);
        assertEquals(3, Ping.received(global.output()), global.output());
        assertTrue(global.output().contains("bytes from " + STACK6 + ": icmp_seq=1 ttl=64"), global.output());
        String ll = stackLinkLocal() + "%tap0";
        Exec link = daemon.exec("ping", "-6", "-c", "3", "-i", "0.2", "-W", "2", ll);
        assertEquals(3, Ping.received(link.output()), link.output());
    }

    @Test
    @Order(9)
    void pingSix8000BytesIsFragmentedBothWays() {
        ping8000("-6", STACK6);
    }

    @Test
    @Order(10)
    void udpEchoAnswersOverIpv6() {
        udpEcho("-6", STACK6);
    }

    @Test
    @Order(11)
    void curlSixGetsTheStatusPageAndTheBytes() {
        TcpChecks.statusPageAndTransfers(daemon, STACK6, 20_000_000L, 5_000_000);
    }

    @Test
    @Order(12)
    void ipv6CountersShowTheTraffic() {
        Map<String, Long> s = daemon.stats();
        Map<String, Long> atLeast = Map.of(
                // the container's kernel resolved our address
                "Icmp6InNeighborSolicits", 1L, "Icmp6OutNeighborAdvertisements", 1L,
                "Icmp6InEchos", 8L, "Icmp6OutEchoReplies", 8L,
                // 8008 bytes of ICMPv6 in 1448-byte pieces make 6 fragments each way
                "Ip6ReasmOKs", 2L, "Ip6FragCreates", 2L * 6,
                "Udp6InDatagrams", 1L, "Udp6OutDatagrams", 1L,
                // MSS 1440 over IPv6 at MTU 1500: the 20 MB from /bytes adds this many segments to IPv4's
                "TcpOutSegs", 100_000_000L / 1460 + 20_000_000L / 1440);
        atLeast.forEach((name, min) -> assertTrue(s.getOrDefault(name, 0L) >= min, name + " >= " + min + ": " + s));
        assertEquals(0, s.getOrDefault("Icmp6InCsumErrors", 0L) + s.getOrDefault("Udp6InCsumErrors", 0L)
                + s.getOrDefault("TcpInCsumErrors", 0L), "no checksum error: " + s);
    }
}
