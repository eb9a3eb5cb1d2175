package io.ustack.cli.services;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ustack.cli.control.Json;
import io.ustack.core.buffer.BufferPool;
import io.ustack.core.stack.NetStack;
import io.ustack.core.stack.StackConfig;
import io.ustack.core.tcp.TcpSocket;
import io.ustack.core.testing.Await;
import io.ustack.core.wire.Ipv4Address;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The iperf3 service against a scripted client that speaks iperf3's protocol step by step, over loopback with
 * two backlog threads, so a test's control and data connections run on different threads as they do in the
 * daemon. The watchdog's test alone runs with short step and grace limits, to see it without waiting seconds.
 */
class Iperf3ServerTest {
    private static final int LO = Ipv4Address.parse("127.0.0.1");
    /** The watchdog test's step and grace limits, short so that the cut-off is seen without waiting seconds. */
    private static final long LIMIT_MS = 300;
    /** Every other test's: a scripted client slowed down by a loaded machine must never be cut off. */
    private static final long PATIENT_MS = 30_000;
    private final BufferPool pool = new BufferPool();
    private final NetStack stack = new NetStack(StackConfig.defaults().withBacklogThreads(2), pool);
    private Iperf3Server server = new Iperf3Server(TimeUnit.MILLISECONDS.toNanos(PATIENT_MS),
            TimeUnit.MILLISECONDS.toNanos(PATIENT_MS));
    private final List<TcpSocket> opened = new ArrayList<>();

    @BeforeEach
    void up() throws Exception {
        stack.start();
        server.start(stack);
    }

    @AfterEach
    void down() throws Exception {
        opened.forEach(TcpSocket::close);
        server.close();
        stack.close();
        // a packet still on its way when the test ends comes back to the pool soon after, later on a loaded
        // machine; a leak never does
        Await.until("every packet buffer back in the pool", Duration.ofSeconds(30), pool::outstanding, n -> n == 0);
    }

    /** The client's side of one test, written as iperf3's client acts; every read waits at most 10 s. */
    private final class Client {
        final byte[] cookie;
        final TcpSocket control;
        final DataInputStream in;
        final List<TcpSocket> streams = new ArrayList<>();

        Client(String cookieText) throws Exception {
            cookie = (cookieText + "\0").getBytes(StandardCharsets.US_ASCII);
            control = connect();
            in = new DataInputStream(control.inputStream());
            control.write(cookie, 0, cookie.length);
        }

        Client() throws Exception {
            this("abcdefghijklmnopqrstuvwxyz234567abcd");
        }

        void expect(byte state) throws IOException {
            assertEquals(state, in.readByte());
        }

        void send(byte state) throws IOException {
            control.write(new byte[] {state}, 0, 1);
        }

        void sendJson(String json) throws IOException {
            byte[] body = json.getBytes(StandardCharsets.UTF_8);
            byte[] msg = ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
            control.write(msg, 0, msg.length);
        }

        JsonNode readJson() throws IOException {
            byte[] body = new byte[in.readInt()];
            in.readFully(body);
            return Json.MAPPER.readTree(body);
        }

        /** Up to TEST_RUNNING with {@code params}, opening {@code n} data connections. */
        void startTest(String params, int n) throws Exception {
            expect(Iperf3.PARAM_EXCHANGE);
            sendJson(params);
            expect(Iperf3.CREATE_STREAMS);
            for (int i = 0; i < n; i++) {
                TcpSocket s = connect();
                s.write(cookie, 0, cookie.length);
                streams.add(s);
                // iperf3's client writes the cookie before it connects the next stream, and the server numbers
                // streams in the order their cookies come; this client's writes leave from another thread
                awaitDelivered(List.of(s));
            }
            expect(Iperf3.TEST_START);
            expect(Iperf3.TEST_RUNNING);
        }

        /** TEST_END and the results exchange; the server's results. */
        JsonNode endTest() throws Exception {
            send(Iperf3.TEST_END);
            expect(Iperf3.EXCHANGE_RESULTS);
            sendJson("{\"cpu_util_total\":1,\"cpu_util_user\":1,\"cpu_util_system\":0,\"sender_has_retransmits\":0,"
                    + "\"streams\":[]}");
            JsonNode results = readJson();
            expect(Iperf3.DISPLAY_RESULTS);
            send(Iperf3.IPERF_DONE);
            assertEquals(-1, control.inputStream().read(), "the server closes the control connection");
            return results;
        }
    }

    private TcpSocket connect() throws Exception {
        TcpSocket s = stack.tcp().connect(LO, Iperf3.PORT);
        opened.add(s);
        s.awaitConnected(5000);
        s.setReadTimeout(10_000);
        return s;
    }

    /** Until the service is free for the next client (the end of a test is seen on another thread). */
    private void awaitFree() throws InterruptedException {
        for (int i = 0; i < 500 && server.current() != null; i++) {
            Thread.sleep(10);
        }
        assertNull(server.current(), "the server is free again");
    }

    /** Until nothing the client wrote is unread: acknowledged by the server's TCP and read by the service. */
    private void awaitDelivered(List<TcpSocket> sent) throws InterruptedException {
        for (int i = 0; i < 500; i++) {
            boolean idle = sent.stream().allMatch(s -> s.info().sendQ() == 0) && stack.tcp().connections().stream()
                    .filter(s -> s.localPort() == Iperf3.PORT).allMatch(s -> s.info().recvQ() == 0);
            if (idle) {
                Thread.sleep(50); // the service adds a read to its count just after taking it
                return;
            }
            Thread.sleep(10);
        }
    }

    @Test
    void theClientSendsOnTwoStreamsAndHearsWhatTheServerCounted() throws Exception {
        Client c = new Client();
        c.startTest("{\"tcp\":true,\"omit\":0,\"time\":10,\"parallel\":2,\"len\":131072,\"get_server_output\":1,"
                + "\"client_version\":\"3.12\"}", 2);
        c.streams.get(0).write(new byte[300_000], 0, 300_000);
        c.streams.get(1).write(new byte[200_000], 0, 200_000);
        awaitDelivered(c.streams);
        JsonNode r = c.endTest();
        assertEquals(-1, r.get("sender_has_retransmits").asInt(), "the server only received");
        assertEquals(1, r.at("/streams/0/id").asInt());
        assertEquals(300_000, r.at("/streams/0/bytes").asLong());
        assertEquals(-1, r.at("/streams/0/retransmits").asInt());
        assertEquals(3, r.at("/streams/1/id").asInt(), "iperf3 numbers streams 1, 3, 4...");
        assertEquals(200_000, r.at("/streams/1/bytes").asLong());
        for (String f : List.of("cpu_util_total", "cpu_util_user", "cpu_util_system")) {
            assertTrue(r.get(f).isNumber(), f);
        }
        for (String f : List.of("jitter", "errors", "packets", "start_time", "end_time")) {
            assertTrue(r.at("/streams/0/" + f).isNumber(), f);
        }
        String text = r.get("server_output_text").asText();
        assertTrue(text.startsWith("Accepted connection from 127.0.0.1, port "), text);
        assertTrue(text.contains("292.97 KBytes") && text.contains("receiver") && text.contains("[SUM]"), text);
        for (TcpSocket s : c.streams) {
            assertEquals(-1, s.inputStream().read(), "the data connections are closed at the test's end");
        }
        awaitFree();
        new Client().expect(Iperf3.PARAM_EXCHANGE); // and the next test may begin
    }

    @Test
    void reverseSendsExactlyTheBytesAskedForAndReportsRetransmissions() throws Exception {
        Client c = new Client();
        c.startTest("{\"tcp\":true,\"time\":0,\"num\":1000000,\"reverse\":true,\"parallel\":1,\"len\":65536}", 1);
        byte[] got = c.streams.get(0).inputStream().readNBytes(1_000_000);
        assertEquals(1_000_000, got.length);
        Thread.sleep(100);
        assertEquals(0, c.streams.get(0).info().recvQ(), "nothing past the limit");
        JsonNode r = c.endTest();
        assertEquals(1, r.get("sender_has_retransmits").asInt());
        assertEquals(1_000_000, r.at("/streams/0/bytes").asLong());
        assertTrue(r.at("/streams/0/retransmits").asLong() >= 0, "the sender's count, as tcp_info has it");
        assertEquals("cubic", r.get("congestion_used").asText());
        assertNull(r.get("server_output_text"), "only when the client asks for it");
    }

    @Test
    void bidirectionalReceivesOnTheFirstHalfAndSendsOnTheSecond() throws Exception {
        Client c = new Client();
        c.startTest("{\"tcp\":true,\"time\":10,\"parallel\":2,\"bidirectional\":true,\"num\":400000}", 4);
        c.streams.get(0).write(new byte[1000], 0, 1000);
        assertTrue(c.streams.get(2).inputStream().read() >= 0, "the third stream carries data from the server");
        awaitDelivered(c.streams.subList(0, 2));
        JsonNode r = c.endTest();
        assertEquals(1000, r.at("/streams/0/bytes").asLong());
        assertEquals(-1, r.at("/streams/1/retransmits").asLong(), "a receiving stream");
        assertTrue(r.at("/streams/2/retransmits").asLong() >= 0, "a sending stream");
        assertEquals(List.of(1, 3, 4, 5), ids(r));
    }

    private static List<Integer> ids(JsonNode results) {
        List<Integer> ids = new ArrayList<>();
        results.get("streams").forEach(s -> ids.add(s.get("id").asInt()));
        return ids;
    }

    @Test
    void oneTestAtATime() throws Exception {
        Client first = new Client();
        first.expect(Iperf3.PARAM_EXCHANGE);
        Client second = new Client("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz");
        second.expect(Iperf3.ACCESS_DENIED);
        assertEquals(-1, second.control.inputStream().read(), "and closed with a FIN");

        first.sendJson("{\"tcp\":true,\"time\":10,\"parallel\":1}");
        first.expect(Iperf3.CREATE_STREAMS);
        TcpSocket intruder = connect();
        byte[] wrong = "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz\0".getBytes(StandardCharsets.US_ASCII);
        intruder.write(wrong, 0, wrong.length);
        assertEquals(Iperf3.ACCESS_DENIED, (byte) intruder.inputStream().read(), "a stream without the test's cookie");
        first.control.close();
        awaitFree();
    }

    @Test
    void udpIsRefusedWithIperf3sErrorForAMissingProtocol() throws Exception {
        Client c = new Client();
        c.expect(Iperf3.PARAM_EXCHANGE);
        c.sendJson("{\"udp\":true,\"time\":10,\"parallel\":1,\"len\":1460,\"bandwidth\":1048576}");
        c.expect(Iperf3.SERVER_ERROR);
        assertEquals(Iperf3.IEPROTOCOL, c.in.readInt());
        assertEquals(0, c.in.readInt(), "errno");
        assertEquals(-1, c.control.inputStream().read());
        awaitFree();
    }

    @Test
    void aClientThatLiesIsClosedAndTheServerServesTheNext() throws Exception {
        List<byte[]> lies = List.of(
                "not a cookie at all, but 37 bytes...".getBytes(StandardCharsets.US_ASCII), // no NUL, a space
                ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE).array(), // a 2 GB JSON message
                ByteBuffer.allocate(4).putInt(-5).array(),
                ByteBuffer.allocate(8).putInt(4).put("{no}".getBytes(StandardCharsets.US_ASCII)).array(),
                ByteBuffer.allocate(6).putInt(2).put("[]".getBytes(StandardCharsets.US_ASCII)).array());
        for (byte[] lie : lies) {
            TcpSocket s = connect();
            byte[] cookie = "abcdefghijklmnopqrstuvwxyz234567abcd\0".getBytes(StandardCharsets.US_ASCII);
            if (lie.length == cookie.length) {
                s.write(lie, 0, lie.length);
            } else {
                s.write(cookie, 0, cookie.length);
                assertEquals(Iperf3.PARAM_EXCHANGE, (byte) s.inputStream().read());
                s.write(lie, 0, lie.length);
            }
            assertClosed(s);
            awaitFree();
        }
        Client garbage = new Client();
        garbage.startTest("{\"tcp\":true,\"time\":10,\"parallel\":1}", 1);
        garbage.send((byte) 77);
        assertClosed(garbage.control);
        assertClosed(garbage.streams.get(0));
        awaitFree();
        Client honest = new Client();
        honest.startTest("{\"tcp\":true,\"time\":10,\"parallel\":1}", 1);
        assertEquals(0, honest.endTest().at("/streams/0/bytes").asLong());
    }

    private static void assertClosed(TcpSocket s) {
        try {
            assertEquals(-1, s.inputStream().read());
        } catch (IOException reset) {
            assertNotNull(reset.getMessage()); // closed with a RST: as good
        }
    }

    @Test
    void aClientThatStopsTakingStepsIsCutOff() throws Exception {
        server.close();
        server = new Iperf3Server(TimeUnit.MILLISECONDS.toNanos(LIMIT_MS), TimeUnit.MILLISECONDS.toNanos(LIMIT_MS));
        server.start(stack);
        Client silent = new Client();
        silent.expect(Iperf3.PARAM_EXCHANGE);
        long t0 = System.nanoTime();
        assertClosed(silent.control);
        assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(LIMIT_MS / 2), "after the step limit");
        awaitFree();

        Client endless = new Client();
        endless.startTest("{\"tcp\":true,\"time\":1,\"parallel\":1}", 1);
        t0 = System.nanoTime();
        assertClosed(endless.control); // never sends TEST_END: ended after time, omit and grace
        assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(1000), "not before the test's time");
        awaitFree();
    }

    @Test
    void theCookieIsWhatIperf3sMakeCookieWrites() {
        assertTrue(Iperf3.wellFormedCookie("abcdefghijklmnopqrstuvwxyz234567abcd\0".getBytes(StandardCharsets.US_ASCII)));
        assertTrue(!Iperf3.wellFormedCookie("abcdefghijklmnopqrstuvwxyz234567abcde".getBytes(StandardCharsets.US_ASCII)));
        assertArrayEquals(new String[] {" 1.50 KBytes", "  2.50 Gbits/sec"},
                new String[] {Iperf3Report.bytesText(1536).substring(1), Iperf3Report.bitsText(2.5e9)});
    }
}
