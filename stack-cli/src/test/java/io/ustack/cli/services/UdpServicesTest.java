package io.ustack.cli.services;

import static io.ustack.core.testing.Frames.ipv4;
import static io.ustack.core.testing.Frames.udp;
import static io.ustack.core.testing.Frames.u16;
import static io.ustack.core.testing.Frames.udpChecksum;
import static io.ustack.core.testing.StackHarness.HOST_IP;
import static io.ustack.core.testing.StackHarness.HOST_IP6;
import static io.ustack.core.testing.StackHarness.STACK_IP6;
import static io.ustack.core.testing.StackHarness.STACK_IP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.testing.Frames;
import io.ustack.core.testing.StackHarness;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The UDP halves of echo, discard and chargen, driven by datagrams from the host. */
class UdpServicesTest {
    private final StackHarness h = new StackHarness();
    private final ServiceList services = ServiceList.parse("all");

    @BeforeEach
    void up() throws Exception {
        services.start(h.stack);
        h.hostArps();
    }

    @AfterEach
    void down() {
        services.close();
        h.close();
    }

    /** Sends a datagram from the host to {@code port}; returns the UDP payloads of whatever came back. */
    private List<byte[]> ask(int port, byte[] payload) {
        h.injectIp(ipv4(HOST_IP, STACK_IP, 17, 64, 1, 0, udp(HOST_IP, STACK_IP, 45000, port, payload)));
        return h.sent().stream().map(f -> {
            byte[] dgram = Arrays.copyOfRange(f, 34, f.length);
            assertEquals(0, udpChecksum(STACK_IP, HOST_IP, dgram));
            assertEquals(port, u16(dgram, 0));
            assertEquals(45000, u16(dgram, 2));
            return Arrays.copyOfRange(dgram, 8, dgram.length);
        }).toList();
    }

    @Test
    void echoReturnsTheDatagram() {
        List<byte[]> replies = ask(7, "hello\n".getBytes());
        assertEquals(1, replies.size());
        assertArrayEquals("hello\n".getBytes(), replies.get(0));
    }

    @Test
    void echoAnswersOverIpv6Too() {
        h.addIpv6();
        h.hostSolicits();
        byte[] payload = "hello over IPv6\n".getBytes();
        h.injectIp6(Frames.ipv6(HOST_IP6, STACK_IP6, 17, 64, Frames.udp6(HOST_IP6, STACK_IP6, 45000, 7, payload)));
        List<byte[]> out = h.sent();
        assertEquals(1, out.size());
        byte[] f = out.get(0);
        assertArrayEquals(Frames.udp6(STACK_IP6, HOST_IP6, 7, 45000, payload), Arrays.copyOfRange(f, 14 + 40, f.length));
        assertEquals(1, h.counter("Udp6InDatagrams"));
    }

    @Test
    void discardAnswersNothing() {
        assertTrue(ask(9, new byte[100]).isEmpty());
        assertEquals(1, h.counter("UdpInDatagrams"));
    }

    @Test
    void chargenAnswersWithThePattern() {
        for (int i = 0; i < 20; i++) {
            List<byte[]> replies = ask(19, new byte[0]);
            assertEquals(1, replies.size());
            byte[] r = replies.get(0);
            assertTrue(r.length <= 512);
            assertArrayEquals(Arrays.copyOf(Chargen.lines(512), r.length), r);
        }
    }

    @Test
    void thePatternRotatesThroughThePrintableCharacters() {
        StringBuilder expected = new StringBuilder();
        for (int line = 0; line < 2; line++) {
            for (int c = 0; c < 72; c++) {
                expected.append((char) (' ' + line + c)); // the ring starts at space, as inetd's does
            }
            expected.append("\r\n");
        }
        assertEquals(expected.toString(), new String(Chargen.lines(148)));
        assertTrue(new String(Chargen.lines(148)).startsWith(" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFG"));
    }

    @Test
    void listParsing() {
        assertEquals(List.of("echo", "discard", "chargen", "http", "iperf3"), ServiceList.parse("all").names());
        assertEquals(List.of(), ServiceList.parse("none").names());
        assertEquals(List.of("chargen", "echo"), ServiceList.parse("chargen,echo,echo").names());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServiceList.parse("echo,ftp"));
        assertEquals("--serve 'echo,ftp': there is no service 'ftp'; the services are echo, discard, chargen, http, iperf3, or all, or none",
                e.getMessage());
    }
}
