package io.ustack.core.softnet;

import static io.ustack.core.testing.Frames.eth;
import static io.ustack.core.testing.Frames.icmpEcho;
import static io.ustack.core.testing.Frames.ipv4;
import static io.ustack.core.testing.Frames.pattern;
import static io.ustack.core.testing.Frames.u16;
import static io.ustack.core.testing.StackHarness.HOST_IP;
import static io.ustack.core.testing.StackHarness.HOST_MAC;
import static io.ustack.core.testing.StackHarness.STACK_IP;
import static io.ustack.core.testing.StackHarness.STACK_MAC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.stack.NetStack;
import io.ustack.core.stack.StackConfig;
import io.ustack.core.stats.DropReason;
import io.ustack.core.stats.PacketDrops;
import io.ustack.core.testing.FakeDevice;
import io.ustack.core.testing.Frames;
import io.ustack.core.wire.EthernetFrame;
import io.ustack.core.wire.Ipv4Prefix;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** RPS: per-flow order across backlog threads, and the bounded backlog. */
class SoftnetTest {

    @Test
    void oneFlowKeepsItsOrderAcrossBacklogThreads() throws Exception {
        BufferPool pool = new BufferPool();
        NetStack stack = new NetStack(StackConfig.defaults().withBacklogThreads(2).withHousekeepingMs(0), pool);
        FakeDevice dev = new FakeDevice("eth0", STACK_MAC);
        stack.addDevice(dev);
        stack.addAddress(dev, new Ipv4Prefix(STACK_IP, 24));
        stack.neighbours().update(dev, HOST_IP, HOST_MAC, true, true);
        stack.start();
        int n = 900;
        for (int seq = 0; seq < n; seq++) {
            dev.inject(eth(STACK_MAC, HOST_MAC, 0x0800, ipv4(HOST_IP, STACK_IP, 1, 64, seq, 0, icmpEcho(8, 1, seq, pattern(16)))));
        }
        List<byte[]> replies = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (replies.size() < n && System.nanoTime() < deadline) {
            for (byte[] f : dev.drain()) {
                if (u16(f, 12) == 0x0800) {
                    replies.add(f);
                }
            }
            Thread.sleep(5);
        }
        assertEquals(n, replies.size());
        for (int i = 0; i < n; i++) {
            assertEquals(i, u16(replies.get(i), 40), "echo replies leave in request order");
        }
        long processed = stack.backlogThreads().stream().mapToLong(BacklogThread::processed).sum();
        assertTrue(processed >= n);
        stack.close();
        assertEquals(0, pool.outstanding());
    }

    @Test
    void fullBacklogDropsAndCounts() throws Exception {
        BufferPool pool = new BufferPool();
        PacketDrops drops = new PacketDrops();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        Softnet softnet = new Softnet(1, 10, pkt -> {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            pkt.release();
        }, drops, io.ustack.core.time.Clock.SYSTEM);
        softnet.start();
        softnet.receive(arpFrame(pool));
        assertTrue(entered.await(5, TimeUnit.SECONDS));
        for (int i = 0; i < 15; i++) {
            softnet.receive(arpFrame(pool));
        }
        BacklogThread t = softnet.threads().get(0);
        assertEquals(5, t.dropped(), "netdev_max_backlog of 10 holds 10 while one is in process");
        assertEquals(5, drops.count(DropReason.CPU_BACKLOG));
        release.countDown();
        softnet.stop();
        assertEquals(0, pool.outstanding());
    }

    private static PacketBuffer arpFrame(BufferPool pool) {
        byte[] arp = Frames.arp(1, HOST_MAC, HOST_IP, 0, STACK_IP);
        PacketBuffer p = pool.allocate(64);
        p.copyIn(p.put(arp.length), arp, 0, arp.length);
        p.setProtocol(EthernetFrame.ETH_P_ARP);
        return p;
    }
}
