package io.ustack.cli.control.handlers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.cli.control.ControlException;
import io.ustack.cli.control.Json;
import io.ustack.core.stack.NetStack;
import io.ustack.core.stack.StackConfig;
import io.ustack.core.tcp.TcpListener;
import io.ustack.core.tcp.TcpSocket;
import io.ustack.core.testing.Await;
import io.ustack.core.udp.UdpSocket;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.Ipv6Address;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ss lists listeners, both ends of a live connection, and UDP sockets, with ss's names for them. */
class SsHandlerTest {
    @Test
    void listsEverySocket() throws Exception {
        NetStack stack = new NetStack(StackConfig.defaults().withBacklogThreads(1));
        stack.start();
        try (TcpListener l = stack.tcp().listen(0, 80, 16); TcpListener l6 = stack.tcp().listen6(Ipv6Address.UNSPECIFIED, 80, 16, true);
             UdpSocket u = stack.udp().open();
             UdpSocket u6 = stack.udp().open6()) {
            u.bind(0, 7);
            u6.setV6Only(true);
            u6.bind6(Ipv6Address.UNSPECIFIED, 7);
            TcpSocket c = stack.tcp().connect(Ipv4Address.parse("127.0.0.1"), 80);
            c.awaitConnected(5000);
            c.write(new byte[] {1, 2, 3}, 0, 3);
            SsHandler.Entry listening = new SsHandler.Entry("tcp", "LISTEN", 1, 16, "0.0.0.0:80", "0.0.0.0:*");
            // the backlog thread finishes the handshake and takes the bytes in its own time; ss reads the
            // listener before the connections, so one answer can show the bytes but not yet the accept queue
            List<SsHandler.Entry> entries = Await.until("one connection in the accept queue, its server end with three bytes unread",
                    Duration.ofSeconds(10), () -> ss(stack), list -> list.contains(listening) && list.stream().anyMatch(
                            e -> e.state().equals("ESTAB") && e.local().equals("127.0.0.1:80") && e.recvQ() == 3));
            SsHandler.Entry client = entries.stream().filter(e -> e.state().equals("ESTAB") && e.peer().equals("127.0.0.1:80"))
                    .findFirst().orElseThrow();
            assertEquals("cubic", client.info().congestion(), "ss -ti's details come with every connection");
            assertTrue(client.info().mss() > 0 && client.info().cwnd() == 10, client.info().toString());
            assertTrue(client.info().rtoMs() >= 200, "RFC 6298's floor as Linux sets it: " + client.info());
            assertNull(client.info().ssthresh(), "no loss yet: ssthresh is infinite");
            assertTrue(entries.contains(new SsHandler.Entry("udp", "UNCONN", 0, 0, "0.0.0.0:7", "0.0.0.0:*")), entries.toString());
            assertTrue(entries.contains(new SsHandler.Entry("udp", "UNCONN", 0, 0, "[::]:7", "[::]:*")), entries.toString());
            assertTrue(entries.contains(new SsHandler.Entry("tcp", "LISTEN", 0, 16, "[::]:80", "[::]:*")), entries.toString());
            assertEquals("tcp", entries.get(0).netid());
            assertEquals("LISTEN", entries.get(0).state(), "listeners first, as ss sorts them");
            c.close();
        } finally {
            stack.close();
        }
    }

    @Test
    void anIpv6SocketThatTakesIpv4IsStarAndItsIpv4ConnectionsV4Mapped() throws Exception {
        NetStack stack = new NetStack(StackConfig.defaults().withBacklogThreads(1));
        stack.start();
        try (TcpListener l = stack.tcp().listen6(Ipv6Address.UNSPECIFIED, 8080, 16); UdpSocket u = stack.udp().open6()) {
            u.bind6(Ipv6Address.UNSPECIFIED, 9);
            TcpSocket c = stack.tcp().connect(Ipv4Address.parse("127.0.0.1"), 8080);
            c.awaitConnected(5000);
            String mapped = "[::ffff:127.0.0.1]:";
            List<SsHandler.Entry> entries = Await.until("the server end of the connection, v4-mapped", Duration.ofSeconds(10),
                    () -> ss(stack), list -> list.stream().anyMatch(e -> e.local().equals(mapped + "8080")));
            SsHandler.Entry server = entries.stream().filter(e -> e.local().equals(mapped + "8080")).findFirst().orElseThrow();
            assertEquals(mapped + c.localPort(), server.peer());
            assertTrue(entries.contains(new SsHandler.Entry("tcp", "LISTEN", 1, 16, "*:8080", "*:*"))
                    || entries.contains(new SsHandler.Entry("tcp", "LISTEN", 0, 16, "*:8080", "*:*")), entries.toString());
            assertTrue(entries.contains(new SsHandler.Entry("udp", "UNCONN", 0, 0, "*:9", "*:*")), entries.toString());
            assertTrue(entries.stream().anyMatch(e -> e.peer().equals("127.0.0.1:8080")), "the client end is IPv4's");
            c.close();
        } finally {
            stack.close();
        }
    }

    @SuppressWarnings("unchecked")
    private static List<SsHandler.Entry> ss(NetStack stack) {
        try {
            return (List<SsHandler.Entry>) new SsHandler(stack).execute(Json.MAPPER.createObjectNode());
        } catch (ControlException e) {
            throw new AssertionError(e);
        }
    }
}
