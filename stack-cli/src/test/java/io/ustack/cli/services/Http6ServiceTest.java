package io.ustack.cli.services;

import static io.ustack.core.testing.Frames.i32;
import static io.ustack.core.testing.Frames.ipv6;
import static io.ustack.core.testing.Frames.tcp6;
import static io.ustack.core.testing.Frames.u8;
import static io.ustack.core.testing.StackHarness.HOST_IP6;
import static io.ustack.core.testing.StackHarness.STACK_IP6;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.testing.StackHarness;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The http service over TCP/IPv6, the issue's `curl -6 'http://[fd00:77::2]/'`, driven segment by segment. */
class Http6ServiceTest {
    private static final int FIN = 0x01;
    private static final int SYN = 0x02;
    private static final int PSH = 0x08;
    private static final int ACK = 0x10;
    /** The TCP header in a sent frame: after 14 bytes of Ethernet and the 40 of IPv6. */
    private static final int TCP = 14 + 40;
    private final StackHarness h = new StackHarness();
    private final ServiceList services = ServiceList.parse("http");

    @BeforeEach
    void up() throws Exception {
        h.addIpv6();
        h.hostSolicits();
        services.start(h.stack);
    }

    @AfterEach
    void down() {
        services.close();
        h.close();
    }

    private List<byte[]> in(int seq, int ack, int flags, byte[] data) {
        h.injectIp6(ipv6(HOST_IP6, STACK_IP6, 6, 64, tcp6(HOST_IP6, STACK_IP6, 41000, 80, seq, ack, flags, data)));
        return h.sent();
    }

    /**
     * The page itself lists both families: the IPv4 and IPv6 addresses, the neighbour learnt by ND and the
     * snmp6 counters beside the IPv4 ones.
     */
    @Test
    void theStatusPageComesBackOverIpv6() {
        int iss = i32(in(500, 0, SYN, new byte[0]).get(0), TCP + 4);
        in(501, iss + 1, ACK, new byte[0]);
        byte[] get = "GET / HTTP/1.0\r\nHost: [fd00:77::2]\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        int seq = 501 + get.length;
        List<byte[]> frames = in(501, iss + 1, ACK | PSH, get);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int next = iss + 1;
        boolean fin = false;
        for (int round = 0; round < 100 && !fin; round++) {
            for (byte[] f : frames) {
                int dataAt = TCP + (u8(f, TCP + 12) >> 4) * 4;
                if (i32(f, TCP + 4) == next) {
                    body.write(f, dataAt, f.length - dataAt);
                    next += f.length - dataAt;
                    if ((u8(f, TCP + 13) & FIN) != 0) {
                        fin = true;
                        next++;
                    }
                }
            }
            frames = in(seq, next, ACK, new byte[0]);
        }
        assertTrue(fin, "HTTP/1.0: the server closes when it has answered");
        String response = body.toString(StandardCharsets.ISO_8859_1);
        assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n"), response);
        assertEquals(0, h.counter("TcpInErrs"));
        // the page shows the stack as dual-stack: each family's addresses, neighbours and counters side by side
        assertTrue(response.contains("IPv4 and IPv6"), response);
        for (String shown : List.of("10.0.0.2", "fd00:77::2", "fe80::ff:fe00:2", "fd00:77::1", "Ip6InReceives",
                "Icmp6InNeighborSolicits", "TcpPassiveOpens")) {
            assertTrue(response.contains(shown), shown + " on the status page: " + response);
        }
    }
}
