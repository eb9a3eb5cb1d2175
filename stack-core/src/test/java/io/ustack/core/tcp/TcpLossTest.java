package io.ustack.core.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.stack.NetStack;
import io.ustack.core.stack.StackConfig;
import io.ustack.core.testing.FaultyWire;
import io.ustack.core.testing.FaultyWire.Faults;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.Ipv4Prefix;
import java.io.ByteArrayOutputStream;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two stacks over a wire that loses, duplicates and reorders frames: the data still arrives whole, both
 * ways at once, repaired by SACK recovery, with D-SACKs reporting the duplicates.
 */
class TcpLossTest {
    private final NetStack left = new NetStack(StackConfig.defaults().withBacklogThreads(1), new BufferPool());
    private final NetStack right = new NetStack(StackConfig.defaults().withBacklogThreads(1), new BufferPool());

    @AfterEach
    void stop() {
        left.close();
        right.close();
    }

    @Test
    void echoThroughThreePercentLossEachWay() throws Exception {
        FaultyWire wire = echo(Faults.loss(0.03));
        assertTrue(wire.dropped() > 0, "the wire really lost frames");
        assertTrue(counter("TcpExtTCPSackRecovery") > 0, "repaired by SACK recovery");
    }

    @Test
    void echoThroughReorderingDuplicationAndLoss() throws Exception {
        FaultyWire wire = echo(new Faults(0.01, 0.03, 0.05));
        assertTrue(wire.reordered() > 0 && wire.duplicated() > 0, "the wire really reordered and duplicated");
        assertTrue(counter("TcpExtTCPDSACKRecv") > 0, "duplicates were reported as D-SACKs and heard");
    }

    /** A counter summed over both stacks. */
    private long counter(String name) {
        return left.stats().snmp().get(name) + right.stats().snmp().get(name);
    }

    /** 3 MB through echo on the right stack, from the left, over a wire with {@code faults}; checks it whole. */
    private FaultyWire echo(Faults faults) throws Exception {
        FaultyWire wire = new FaultyWire(0x02_00_00_00_00_0aL, 0x02_00_00_00_00_0bL, faults);
        left.addDevice(wire.a());
        right.addDevice(wire.b());
        left.addAddress(wire.a(), Ipv4Prefix.parse("10.9.0.1/24"));
        right.addAddress(wire.b(), Ipv4Prefix.parse("10.9.0.2/24"));
        left.start();
        right.start();
        byte[] data = new byte[3_000_000];
        new Random(4).nextBytes(data);
        java.util.concurrent.atomic.AtomicReference<TcpSocket> server = new java.util.concurrent.atomic.AtomicReference<>();
        try (TcpListener l = right.tcp().listen(0, 7, 16)) {
            CompletableFuture<Void> echo = CompletableFuture.runAsync(() -> {
                try (TcpSocket s = l.accept(20_000)) {
                    server.set(s);
                    s.setReadTimeout(60_000);
                    byte[] buf = new byte[65536];
                    for (int n; (n = s.read(buf, 0, buf.length)) > 0; ) {
                        s.write(buf, 0, n);
                    }
                    s.shutdownOutput();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            TcpSocket c = left.tcp().connect(Ipv4Address.parse("10.9.0.2"), 7);
            c.awaitConnected(20_000);
            c.setReadTimeout(20_000);
            CompletableFuture<byte[]> back = CompletableFuture.supplyAsync(() -> {
                try {
                    ByteArrayOutputStream bos = new ByteArrayOutputStream();
                    byte[] buf = new byte[65536];
                    for (int n; (n = c.read(buf, 0, buf.length)) > 0; ) {
                        bos.write(buf, 0, n);
                    }
                    return bos.toByteArray();
                } catch (Exception e) {
                    throw new IllegalStateException("stalled: client " + c.debugState() + " | server "
                            + (server.get() == null ? "-" : server.get().debugState()) + " | dropped " + wire.dropped()
                            + " | left drops " + left.drops().snapshot() + " " + left.stats().snmp().get("TcpInSegs")
                            + " | right drops " + right.drops().snapshot() + " " + right.stats().snmp().get("TcpInSegs"), e);
                }
            });
            CompletableFuture.runAsync(() -> {
                try {
                    c.write(data, 0, data.length);
                    c.shutdownOutput();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            byte[] got;
            try {
                got = back.get(90, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("stalled: client " + c.info() + " " + c.debugState() + ", server "
                        + server.get().info() + " " + server.get().debugState() + ", dropped " + wire.dropped());
            }
            assertArrayEquals(data, got);
            echo.get(10, TimeUnit.SECONDS);
            c.close();
        }
        return wire;
    }
}
