package io.ustack.core.softnet;

import static io.ustack.core.testing.Frames.eth;
import static io.ustack.core.testing.Frames.icmpEcho;
import static io.ustack.core.testing.Frames.ipv4;
import static io.ustack.core.testing.Frames.pattern;
import static io.ustack.core.testing.Frames.u16;
import static io.ustack.core.testing.StackHarness.HOST_IP;
import static io.ustack.core.testing.StackHarness.HOST_IP6;
import static io.ustack.core.testing.StackHarness.HOST_MAC;
import static io.ustack.core.testing.StackHarness.STACK_IP;
import static io.ustack.core.testing.StackHarness.STACK_IP6;
import static io.ustack.core.testing.StackHarness.STACK_MAC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.stack.NetStack;
import io.ustack.core.stack.StackConfig;
import io.ustack.core.stats.DropReason;
import io.ustack.core.stats.PacketDrops;
import io.ustack.core.testing.Await;
import io.ustack.core.testing.FakeDevice;
import io.ustack.core.testing.Frames;
import io.ustack.core.wire.EthernetFrame;
import io.ustack.core.wire.Ipv4Packet;
import io.ustack.core.wire.Ipv4Prefix;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * RPS: per-flow order across backlog threads, the bounded backlog, and what stays reachable when a flood
 * fills it: ARP (handled on the receiving thread), and everything but connection requests up to the limit.
 */
class SoftnetTest {

    @Test
    void oneFlowKeepsItsOrderAcrossBacklogThreads() throws Exception {
        BufferPool pool = new BufferPool();
        FakeDevice dev = new FakeDevice("eth0", STACK_MAC);
        NetStack stack = stackOn(dev, pool, 2);
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

    /** A stack of {@code threads} backlog threads with {@code dev} at STACK_IP/24, not yet started. */
    private static NetStack stackOn(FakeDevice dev, BufferPool pool, int threads) throws java.io.IOException {
        NetStack stack = new NetStack(StackConfig.defaults().withBacklogThreads(threads).withHousekeepingMs(0), pool);
        stack.addDevice(dev);
        stack.addAddress(dev, new Ipv4Prefix(STACK_IP, 24));
        return stack;
    }

    /** A Softnet of one thread whose handler blocks on the first packet until released; what it handled, by thread. */
    private static final class Stalled implements AutoCloseable {
        final BufferPool pool = new BufferPool();
        final PacketDrops drops = new PacketDrops();
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch entered = new CountDownLatch(1);
        final List<String> handled = java.util.Collections.synchronizedList(new ArrayList<>());
        final Softnet softnet;

        Stalled(int maxBacklog) throws InterruptedException {
            softnet = new Softnet(1, maxBacklog, pkt -> {
                handled.add(Thread.currentThread().getName() + " " + Integer.toHexString(pkt.protocol()));
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                pkt.release();
            }, drops, io.ustack.core.time.Clock.SYSTEM);
            softnet.start();
            softnet.receive(frame(pool, EthernetFrame.ETH_P_IP, echo()), false);
            assertTrue(entered.await(5, TimeUnit.SECONDS));
        }

        BacklogThread thread() {
            return softnet.threads().get(0);
        }

        @Override
        public void close() {
            release.countDown();
            softnet.stop();
            assertEquals(0, pool.outstanding());
        }
    }

    @Test
    void fullBacklogDropsAndCounts() throws Exception {
        try (Stalled s = new Stalled(10)) {
            for (int i = 0; i < 15; i++) {
                s.softnet.receive(frame(s.pool, EthernetFrame.ETH_P_IP, echo()), false);
            }
            assertEquals(5, s.thread().dropped(), "netdev_max_backlog of 10 holds 10 while one is in process");
            assertEquals(5, s.drops.count(DropReason.CPU_BACKLOG));
        }
    }

    @Test
    void pastHalfTheBacklogConnectionRequestsAreShedAndTheRestGetsIn() throws Exception {
        try (Stalled s = new Stalled(10)) {
            for (int i = 0; i < 8; i++) {
                s.softnet.receive(frame(s.pool, EthernetFrame.ETH_P_IP, segment(SYN)), false);
            }
            assertEquals(5, s.thread().queueLength(), "SYNs fill only half of netdev_max_backlog");
            assertEquals(3, s.drops.count(DropReason.CPU_BACKLOG_SYN));
            s.softnet.receive(frame(s.pool, EthernetFrame.ETH_P_IP, segment(ACK)), false);
            s.softnet.receive(frame(s.pool, EthernetFrame.ETH_P_IP, segment(SYN | ACK)), false);
            s.softnet.receive(frame(s.pool, EthernetFrame.ETH_P_IP, echo()), false);
            assertEquals(8, s.thread().queueLength(), "an established flow's segment, a SYN-ACK and a ping get in");
            for (int i = 0; i < 3; i++) {
                s.softnet.receive(frame(s.pool, EthernetFrame.ETH_P_IP, echo()), false);
            }
            assertEquals(10, s.thread().queueLength());
            assertEquals(1, s.drops.count(DropReason.CPU_BACKLOG), "and at netdev_max_backlog nothing does");
            assertEquals(4, s.thread().dropped(), "softnet_stat's dropped counts both");
        }
    }

    @Test
    void arpIsHandledOnTheReceivingThreadWhateverTheBacklogHolds() throws Exception {
        try (Stalled s = new Stalled(4)) {
            for (int i = 0; i < 6; i++) {
                s.softnet.receive(frame(s.pool, EthernetFrame.ETH_P_IP, echo()), false);
            }
            assertEquals(2, s.drops.count(DropReason.CPU_BACKLOG), "the backlog is full");
            Thread receiver = new Thread(() -> s.softnet.receive(frame(s.pool, EthernetFrame.ETH_P_ARP,
                    Frames.arp(1, HOST_MAC, HOST_IP, 0, STACK_IP)), false), "napi-test");
            receiver.start();
            // the handler then blocks the receiver too, until released: what it handled is the sign it ran
            Await.until("ARP handled on the receiving thread past the full backlog", Duration.ofSeconds(10),
                    () -> s.handled.contains("napi-test 806"));
            s.release.countDown();
            receiver.join(5000);
        }
    }

    /**
     * Neighbour Discovery is IPv6's ARP: a neighbour solicitation runs on the receiving thread past a full
     * backlog too, while an ICMPv6 echo request, which is no ND, waits its turn (and finds no room).
     */
    @Test
    void neighbourDiscoveryIsHandledOnTheReceivingThreadAsArpIs() throws Exception {
        try (Stalled s = new Stalled(4)) {
            for (int i = 0; i < 6; i++) {
                s.softnet.receive(frame(s.pool, EthernetFrame.ETH_P_IP, echo()), false);
            }
            byte[] echo6 = Frames.ipv6(HOST_IP6, STACK_IP6, 58, 64, Frames.icmpv6(HOST_IP6, STACK_IP6, 128, 0,
                    Frames.echoBody(1, 1, new byte[8])));
            s.softnet.receive(frame(s.pool, EthernetFrame.ETH_P_IPV6, echo6), false);
            assertEquals(3, s.drops.count(DropReason.CPU_BACKLOG), "an echo request waits in the backlog like any packet");
            byte[] ns = Frames.ipv6(HOST_IP6, STACK_IP6, 58, 255, Frames.icmpv6(HOST_IP6, STACK_IP6, 135, 0,
                    Frames.nsBody(STACK_IP6, HOST_MAC)));
            Thread receiver = new Thread(() -> s.softnet.receive(frame(s.pool, EthernetFrame.ETH_P_IPV6, ns), false),
                    "napi-test");
            receiver.start();
            Await.until("the NS handled on the receiving thread past the full backlog", Duration.ofSeconds(10),
                    () -> s.handled.contains("napi-test 86dd"));
            s.release.countDown();
            receiver.join(5000);
        }
    }

    /**
     * Run to completion: from a lightly loaded poll, a packet that finds its CPU idle runs on the receiving
     * (driver) thread at once, with no hop to the backlog thread.
     */
    @Test
    void aPacketForAnIdleCpuRunsOnTheReceivingThread() throws Exception {
        BufferPool pool = new BufferPool();
        List<String> handled = java.util.Collections.synchronizedList(new ArrayList<>());
        Softnet softnet = new Softnet(1, 10, pkt -> {
            handled.add(Thread.currentThread().getName());
            pkt.release();
        }, new PacketDrops(), io.ustack.core.time.Clock.SYSTEM);
        softnet.start();
        try {
            Thread poll = new Thread(() -> softnet.receive(frame(pool, EthernetFrame.ETH_P_IP, echo()), true), "napi-test");
            poll.start();
            poll.join(5000);
            assertEquals(List.of("napi-test"), handled);
            assertEquals(1, softnet.threads().get(0).processed(), "counted as the CPU's work");
        } finally {
            softnet.stop();
        }
        assertEquals(0, pool.outstanding());
    }

    /** A packet that finds its CPU busy queues behind what runs there, even from a lightly loaded poll. */
    @Test
    void aPacketForABusyCpuQueuesEvenFromALightPoll() throws Exception {
        try (Stalled s = new Stalled(10)) {
            s.softnet.receive(frame(s.pool, EthernetFrame.ETH_P_IP, echo()), true);
            assertEquals(1, s.thread().queueLength());
            assertEquals(1, s.handled.size(), "only the stalled packet ran");
        }
    }

    /**
     * From a busy poll, a super-packet (the host's GSO or GRO's) for this host runs on the receiving thread when
     * its CPU is idle: bulk data for a local socket costs less than the backlog thread's wake-up. One to be
     * forwarded, and a lone segment, are queued. Seen from a PRE_ROUTING hook, which runs on whichever thread
     * runs the packet.
     */
    @Test
    void aSuperPacketForThisHostRunsOnTheReceivingThreadEvenFromABusyPoll() throws Exception {
        BufferPool pool = new BufferPool();
        FakeDevice dev = new FakeDevice("eth0", STACK_MAC);
        NetStack stack = stackOn(dev, pool, 1);
        List<String> ran = java.util.Collections.synchronizedList(new ArrayList<>());
        stack.netfilter().register(io.ustack.core.netfilter.Hook.PRE_ROUTING, 0, "thread", (pkt, state) -> {
            Ipv4Packet ip = Ipv4Packet.wrap(pkt, pkt.data());
            ran.add((ip.daddr() == STACK_IP ? "ours " : "other ") + (pkt.isGso() ? "gso " : "mss ")
                    + Thread.currentThread().getName());
            return io.ustack.core.netfilter.Verdict.DROP;
        });
        stack.start();
        try {
            Thread poll = new Thread(() -> {
                stack.netifReceiveSkb(superSegment(pool, dev, STACK_IP, true), false);
                stack.netifReceiveSkb(superSegment(pool, dev, STACK_IP + 5, true), false);
                stack.netifReceiveSkb(superSegment(pool, dev, STACK_IP, false), false);
            }, "napi-test");
            poll.start();
            poll.join(5000);
            Await.until("all three ran", Duration.ofSeconds(10), () -> ran.size() == 3);
            assertEquals(List.of("ours gso napi-test", "other gso ustack-backlog-0", "ours mss ustack-backlog-0"), ran);
        } finally {
            stack.close();
        }
        assertEquals(0, pool.outstanding());
    }

    /** A TCP segment from the host to {@code daddr} as a driver hands it on, a two-segment super-packet if {@code gso}. */
    private static PacketBuffer superSegment(BufferPool pool, FakeDevice dev, int daddr, boolean gso) {
        byte[] frame = eth(STACK_MAC, HOST_MAC, 0x0800,
                ipv4(HOST_IP, daddr, 6, 64, 1, 0, Frames.tcp(HOST_IP, daddr, 40000, 80, 1, 1, ACK, pattern(2896))));
        PacketBuffer p = pool.allocate(frame.length);
        p.copyIn(p.put(frame.length), frame, 0, frame.length);
        if (gso) {
            p.setGso(1448, 2, PacketBuffer.SKB_GSO_TCPV4);
        }
        p.setDev(dev);
        return p;
    }

    /** A socket's thread runs its work (a push, a window update) itself when the CPU is idle, and queues it when not. */
    @Test
    void socketWorkRunsOnTheCallingThreadOnlyWhenTheCpuIsIdle() throws Exception {
        BufferPool pool = new BufferPool();
        Softnet softnet = new Softnet(1, 10, PacketBuffer::release, new PacketDrops(), io.ustack.core.time.Clock.SYSTEM);
        softnet.start();
        try {
            List<String> ran = java.util.Collections.synchronizedList(new ArrayList<>());
            softnet.threads().get(0).runOrExecute(() -> ran.add(Thread.currentThread().getName()));
            assertEquals(List.of(Thread.currentThread().getName()), ran);
        } finally {
            softnet.stop();
        }
        try (Stalled s = new Stalled(10)) {
            List<String> ran = java.util.Collections.synchronizedList(new ArrayList<>());
            s.thread().runOrExecute(() -> ran.add(Thread.currentThread().getName()));
            assertEquals(List.of(), ran, "the CPU is busy: the work waits its turn");
            s.release.countDown();
            Await.until("the queued work ran", Duration.ofSeconds(10), () -> ran.size() == 1);
            assertEquals(List.of("ustack-backlog-0"), ran);
        }
        assertEquals(0, pool.outstanding());
    }

    @Test
    void workHandedOverIsNeverRefusedNorMadeToWait() throws Exception {
        try (Stalled s = new Stalled(4)) {
            for (int i = 0; i < 4; i++) {
                s.softnet.receive(frame(s.pool, EthernetFrame.ETH_P_IP, echo()), false);
            }
            CountDownLatch ran = new CountDownLatch(1);
            long start = System.nanoTime();
            s.thread().execute(ran::countDown);
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1), "execute returned with the queue full");
            assertEquals(1, ran.getCount());
            s.release.countDown();
            assertTrue(ran.await(5, TimeUnit.SECONDS), "and the work ran after the packets before it");
        }
    }

    private static final int SYN = 0x02;
    private static final int ACK = 0x10;

    private static byte[] echo() {
        return ipv4(HOST_IP, STACK_IP, 1, 64, 1, 0, icmpEcho(8, 1, 1, pattern(8)));
    }

    private static byte[] segment(int flags) {
        return ipv4(HOST_IP, STACK_IP, 6, 64, 1, 0, Frames.tcp(HOST_IP, STACK_IP, 40000, 80, 1, 0, flags, new byte[0]));
    }

    /** A received packet as Softnet gets it: data at the network header, protocol set by eth_type_trans. */
    private static PacketBuffer frame(BufferPool pool, int protocol, byte[] packet) {
        PacketBuffer p = pool.allocate(packet.length + 64);
        p.copyIn(p.put(packet.length), packet, 0, packet.length);
        p.setProtocol(protocol);
        return p;
    }
}
