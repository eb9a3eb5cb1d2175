package io.ustack.core.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.stack.NetStack;
import io.ustack.core.stack.StackConfig;
import io.ustack.core.testing.Await;
import io.ustack.core.testing.Streams;
import io.ustack.core.wire.Ipv4Address;
import java.net.ConnectException;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The whole TCP path inside one stack over the loopback device, with two backlog threads: sockets, the
 * protocol core, segments built and parsed, IPv4 and RPS.
 */
class TcpLoopbackTest {
    private static final int LO = Ipv4Address.parse("127.0.0.1");
    private final BufferPool pool = new BufferPool();
    private final NetStack stack = new NetStack(StackConfig.defaults().withBacklogThreads(2), pool);

    {
        stack.start();
    }

    @AfterEach
    void stop() throws Exception {
        stack.close();
        // a packet still on its way when the test ends comes back to the pool soon after, later on a loaded
        // machine; a leak never does
        Await.until("every packet buffer back in the pool", Duration.ofSeconds(30), pool::outstanding, n -> n == 0);
    }

    @Test
    void megabytesBothWaysArriveIntact() throws Exception {
        byte[] up = new byte[2_000_000];
        new Random(1).nextBytes(up);
        try (TcpListener l = stack.tcp().listen(0, 7000, 16)) {
            CompletableFuture<byte[]> server = CompletableFuture.supplyAsync(() -> {
                try (TcpSocket s = l.accept(5000)) {
                    byte[] got = Streams.readAll(s.inputStream());
                    s.write(got, 0, got.length); // echo back, then FIN
                    s.shutdownOutput();
                    return got;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            TcpSocket c = stack.tcp().connect(LO, 7000);
            c.awaitConnected(5000);
            CompletableFuture<byte[]> back = CompletableFuture.supplyAsync(() -> {
                try {
                    return Streams.readAll(c.inputStream());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            c.write(up, 0, up.length);
            c.shutdownOutput();
            assertArrayEquals(up, server.get(30, TimeUnit.SECONDS));
            assertArrayEquals(up, back.get(30, TimeUnit.SECONDS));
            c.close();
        }
        assertTrue(stack.mib().get(io.ustack.core.stats.Mib.TcpActiveOpens) == 1);
        assertTrue(stack.mib().get(io.ustack.core.stats.Mib.TcpPassiveOpens) == 1);
    }

    @Test
    void aClosedPortRefusesAtOnce() throws Exception {
        TcpSocket c = stack.tcp().connect(LO, 7001);
        ConnectException e = assertThrows(ConnectException.class, () -> c.awaitConnected(5000));
        assertEquals("connection refused", e.getMessage());
        assertEquals(1, stack.mib().get(io.ustack.core.stats.Mib.TcpOutRsts));
    }

}
