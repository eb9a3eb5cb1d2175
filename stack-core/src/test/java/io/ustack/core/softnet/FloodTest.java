package io.ustack.core.softnet;

import static io.ustack.core.testing.Frames.arp;
import static io.ustack.core.testing.Frames.eth;
import static io.ustack.core.testing.Frames.icmpEcho;
import static io.ustack.core.testing.Frames.ipv4;
import static io.ustack.core.testing.Frames.pattern;
import static io.ustack.core.testing.Frames.tcp;
import static io.ustack.core.testing.Frames.u16;
import static io.ustack.core.testing.Frames.u8;
import static io.ustack.core.testing.StackHarness.HOST_IP;
import static io.ustack.core.testing.StackHarness.HOST_MAC;
import static io.ustack.core.testing.StackHarness.STACK_IP;
import static io.ustack.core.testing.StackHarness.STACK_MAC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.stack.NetStack;
import io.ustack.core.stack.StackConfig;
import io.ustack.core.testing.FakeDevice;
import io.ustack.core.wire.Ipv4Prefix;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A whole stack whose backlog thread a SYN flood has filled (the thread held up, so the queue cannot drain):
 * ARP is still answered at once, a ping still gets in and is answered once the thread goes on, and the
 * SYNs beyond half of netdev_max_backlog are counted as CPU_BACKLOG_SYN.
 */
class FloodTest {
    @Test
    void aSynFloodLeavesArpAndPingReachable() throws Exception {
        BufferPool pool = new BufferPool();
        NetStack stack = new NetStack(StackConfig.defaults().withBacklogThreads(1).withHousekeepingMs(0), pool);
        FakeDevice dev = new FakeDevice("eth0", STACK_MAC);
        stack.addDevice(dev);
        stack.addAddress(dev, new Ipv4Prefix(STACK_IP, 24));
        stack.neighbours().update(dev, HOST_IP, HOST_MAC, true, true);
        stack.start();
        dev.drain();
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch go = new CountDownLatch(1);
        stack.backlogThreads().get(0).execute(() -> {
            held.countDown();
            try {
                go.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            assertTrue(held.await(5, TimeUnit.SECONDS));
            int flood = Softnet.DEFAULT_MAX_BACKLOG * 3 / 4;
            for (int i = 0; i < flood; i++) {
                dev.inject(eth(STACK_MAC, HOST_MAC, 0x0800, ipv4(HOST_IP, STACK_IP, 6, 64, i, 0,
                        tcp(HOST_IP, STACK_IP, 1024 + i, 80, i, 0, 0x02, new byte[0]))));
            }
            dev.inject(eth(-1L >>> 16, HOST_MAC, 0x0806, arp(1, HOST_MAC, HOST_IP, 0, STACK_IP)));
            List<byte[]> atOnce = dev.drain();
            assertEquals(1, atOnce.size(), "the ARP reply, while the backlog thread is held up");
            assertEquals(0x0806, u16(atOnce.get(0), 12));
            dev.inject(eth(STACK_MAC, HOST_MAC, 0x0800, ipv4(HOST_IP, STACK_IP, 1, 64, 9, 0, icmpEcho(8, 7, 1, pattern(16)))));
        } finally {
            go.countDown();
        }
        boolean replied = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!replied && System.nanoTime() < deadline) {
            for (byte[] f : dev.drain()) {
                replied |= u16(f, 12) == 0x0800 && u8(f, 23) == 1 && u8(f, 34) == 0;
            }
            Thread.sleep(5);
        }
        assertTrue(replied, "the ping queued behind the SYNs was answered");
        Map<String, Long> c = stack.stats().flat();
        int shed = Softnet.DEFAULT_MAX_BACKLOG * 3 / 4 - Softnet.DEFAULT_MAX_BACKLOG / 2;
        assertEquals(shed, c.get("DropReasonCPU_BACKLOG_SYN"), "SYNs past half the backlog: " + c);
        assertEquals(shed, c.get("Softnet0Dropped"));
        assertEquals(null, c.get("DropReasonCPU_BACKLOG"), "nothing else was refused");
        stack.close();
        assertEquals(0, pool.outstanding());
    }
}
