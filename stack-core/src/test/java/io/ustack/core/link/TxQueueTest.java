package io.ustack.core.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.stats.DropReason;
import io.ustack.core.stats.PacketDrops;
import io.ustack.core.testing.FakeDevice;
import io.ustack.core.testing.Frames;
import io.ustack.core.testing.PoolHost;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** dev_queue_xmit through the pfifo qdisc: stop and wake, order, the txqueuelen limit. */
class TxQueueTest {
    private final BufferPool pool = new BufferPool();
    private final PoolHost host = new PoolHost(pool);
    private final PacketDrops drops = host.drops();

    @AfterEach
    void leakCheck() {
        assertEquals(0, pool.outstanding(), "leaked buffers");
    }

    private PacketBuffer frame(int n) {
        PacketBuffer p = pool.allocate(64);
        int at = p.put(60);
        p.setU8(at, n);
        return p;
    }

    @Test
    void busyDriverStopsTheQueueAndWakeDrainsInOrder() throws Exception {
        FakeDevice dev = new FakeDevice("f0", 2L, 1500, 1000);
        dev.open(host);
        dev.setBusy(true);
        for (int i = 0; i < 5; i++) {
            dev.devQueueXmit(frame(i));
        }
        assertTrue(dev.isQueueStopped(0));
        assertEquals(5, dev.qdiscBacklog(0));
        assertEquals(1, dev.qdiscRequeues(), "the refused frame went back to the head once");
        assertTrue(dev.drain().isEmpty());
        dev.setBusy(false);
        assertFalse(dev.isQueueStopped(0));
        List<byte[]> out = dev.drain();
        assertEquals(5, out.size());
        for (int i = 0; i < 5; i++) {
            assertEquals(i, out.get(i)[0], "order kept across the stop");
        }
        assertEquals(5, dev.stats().txPackets.sum());
        assertEquals(300, dev.stats().txBytes.sum());
        dev.close();
    }

    @Test
    void aWakeSendsDevTxWeightFramesAPassAndSaysWhenMoreWait() throws Exception {
        boolean[] busy = {true};
        List<Integer> sent = new java.util.ArrayList<>();
        NetDevice dev = new NetDevice("w0", 2L, 1500, 1, 1000) {
            @Override
            protected void ndoOpen() {
            }

            @Override
            protected void ndoStop() {
            }

            @Override
            protected int ndoStartXmit(PacketBuffer pkt, int queue) {
                if (busy[0]) {
                    netifStopQueue(queue);
                    return NETDEV_TX_BUSY;
                }
                sent.add(pkt.u8(pkt.data()));
                pkt.release();
                return NETDEV_TX_OK;
            }
        };
        dev.open(host);
        for (int i = 0; i < 150; i++) {
            dev.devQueueXmit(frame(i));
        }
        busy[0] = false;
        assertTrue(dev.netifWakeQueue(0), "more than dev_tx_weight waited");
        assertEquals(64, sent.size(), "one net_tx_action pass");
        assertTrue(dev.netifTxAction(0));
        assertEquals(128, sent.size());
        assertFalse(dev.netifTxAction(0), "the last pass empties the qdisc");
        assertEquals(150, sent.size());
        for (int i = 0; i < 150; i++) {
            assertEquals(i, sent.get(i), "in order across passes");
        }
        dev.close();
    }

    /** A frame as the stack hands it to the device: from its Ethernet header, of the given EtherType. */
    private PacketBuffer frame(int type, byte[] payload) {
        byte[] f = Frames.eth(1L, 2L, type, payload);
        PacketBuffer p = pool.allocate(f.length);
        p.copyIn(p.put(f.length), f, 0, f.length);
        return p;
    }

    private static byte[] segment(int flags) {
        int a = Frames.ip("10.0.0.2");
        int b = Frames.ip("10.0.0.1");
        return Frames.ipv4(a, b, 6, 64, 1, 0, Frames.tcp(a, b, 80, 40000, 1, 1, flags, new byte[0]));
    }

    @Test
    void pastHalfOfTxqueuelenSynAcksAreShedAndArpGoesFirst() throws Exception {
        FakeDevice dev = new FakeDevice("f0", 2L, 1500, 10);
        dev.open(host);
        dev.setBusy(true);
        for (int i = 0; i < 8; i++) {
            dev.devQueueXmit(frame(0x0800, segment(0x12)));
        }
        assertEquals(5, dev.qdiscBacklog(0), "SYN-ACKs fill half of txqueuelen");
        assertEquals(3, drops.count(DropReason.QDISC_CONGESTED));
        dev.devQueueXmit(frame(0x0800, segment(0x10)));
        dev.devQueueXmit(frame(0x0806, Frames.arp(2, 2L, Frames.ip("10.0.0.2"), 1L, Frames.ip("10.0.0.1"))));
        assertEquals(7, dev.qdiscBacklog(0), "an established flow's segment and ARP get in");
        for (int i = 0; i < 5; i++) {
            dev.devQueueXmit(frame(0x0800, segment(0x10)));
        }
        assertEquals(2, drops.count(DropReason.QDISC_DROP), "at txqueuelen nothing does");
        assertEquals(5, dev.stats().txDropped.sum());
        dev.setBusy(false);
        List<byte[]> out = dev.drain();
        assertEquals(10, out.size());
        assertEquals(0x0800, Frames.u16(out.get(0), 12), "the frame the driver refused first goes out first");
        assertEquals(0x0806, Frames.u16(out.get(1), 12), "then ARP, ahead of the frames queued before it");
        dev.close();
    }

    /** ND is IPv6's ARP: a neighbour advertisement leaves in ARP's band, ahead of an echo reply queued before it. */
    @Test
    void neighbourDiscoveryGoesInArpsBand() throws Exception {
        FakeDevice dev = new FakeDevice("f0", 2L, 1500, 10);
        dev.open(host);
        dev.setBusy(true);
        byte[] a = Frames.ip6("fd00:77::2");
        byte[] b = Frames.ip6("fd00:77::1");
        dev.devQueueXmit(frame(0x0800, segment(0x10))); // the frame the busy driver refuses, first out after
        dev.devQueueXmit(frame(0x86dd, Frames.ipv6(a, b, 58, 64, Frames.icmpv6(a, b, 129, 0, Frames.echoBody(1, 1, new byte[8])))));
        dev.devQueueXmit(frame(0x86dd, Frames.ipv6(a, b, 58, 255, Frames.icmpv6(a, b, 136, 0, Frames.naBody(0x60, a, 2L)))));
        dev.setBusy(false);
        List<byte[]> out = dev.drain();
        assertEquals(3, out.size());
        assertEquals(136, Frames.u8(out.get(1), 14 + 40), "the NA, ahead of the echo reply queued before it");
        assertEquals(129, Frames.u8(out.get(2), 14 + 40));
        dev.close();
    }

    @Test
    void fullQdiscDropsAndCounts() throws Exception {
        FakeDevice dev = new FakeDevice("f0", 2L, 1500, 3);
        dev.open(host);
        dev.setBusy(true);
        for (int i = 0; i < 5; i++) {
            dev.devQueueXmit(frame(i));
        }
        assertEquals(3, dev.qdiscBacklog(0));
        assertEquals(2, drops.count(DropReason.QDISC_DROP));
        assertEquals(2, dev.stats().txDropped.sum());
        dev.close();
        assertEquals(3, drops.count(DropReason.DEV_READY), "closing purges the qdisc");
    }

    @Test
    void deviceThatIsDownDropsAtOnce() throws Exception {
        FakeDevice dev = new FakeDevice("f0", 2L, 1500, 3);
        dev.open(host);
        dev.close();
        dev.devQueueXmit(frame(1));
        assertEquals(1, drops.count(DropReason.DEV_READY));
    }

    @Test
    void aWakeAfterCloseSendsNothing() throws Exception {
        FakeDevice dev = new FakeDevice("f0", 2L, 1500, 10);
        dev.open(host);
        dev.setBusy(true);
        dev.devQueueXmit(frame(1));
        dev.close();
        dev.setBusy(false); // EPOLLOUT arriving late: netif_wake_queue on a deactivated queue
        assertTrue(dev.drain().isEmpty());
        assertEquals(1, drops.count(DropReason.DEV_READY));
    }

    @Test
    void closeWaitsOutATransmissionInProgressBeforeTheDriverStops() throws Exception {
        java.util.concurrent.CountDownLatch inXmit = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch letGo = new java.util.concurrent.CountDownLatch(1);
        java.util.List<String> events = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        NetDevice slow = new NetDevice("slow0", 2L, 1500, 1, 10) {
            @Override
            protected void ndoOpen() {
            }

            @Override
            protected void ndoStop() {
                events.add("ndo_stop");
            }

            @Override
            protected int ndoStartXmit(PacketBuffer pkt, int queue) {
                inXmit.countDown();
                try {
                    letGo.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                events.add("xmit done");
                pkt.release();
                return NETDEV_TX_OK;
            }
        };
        slow.open(host);
        Thread sender = new Thread(() -> slow.devQueueXmit(frame(1)));
        sender.start();
        assertTrue(inXmit.await(5, java.util.concurrent.TimeUnit.SECONDS));
        Thread closer = new Thread(slow::close);
        closer.start();
        closer.join(200);
        assertTrue(closer.isAlive(), "close waits while a frame is being written");
        letGo.countDown();
        closer.join(5000);
        sender.join(5000);
        assertEquals(java.util.List.of("xmit done", "ndo_stop"), events);
    }

    @Test
    void concurrentSendersAllGetThrough() throws Exception {
        FakeDevice dev = new FakeDevice("f0", 2L, 1500, 100_000);
        dev.open(host);
        Thread[] ts = new Thread[4];
        for (int t = 0; t < ts.length; t++) {
            ts[t] = new Thread(() -> {
                for (int i = 0; i < 10_000; i++) {
                    dev.devQueueXmit(frame(i));
                }
            });
            ts[t].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        assertEquals(40_000, dev.drain().size());
        assertEquals(0, dev.qdiscBacklog(0));
        dev.close();
    }
    /**
     * A sender that found the device up and reached the qdisc only after dev_close had purged it: its frame
     * is dropped as the purged ones were, not left in a queue nobody runs again (a leaked buffer).
     */
    @Test
    void aFrameThatReachesTheQdiscAfterCloseIsDroppedNotStranded() throws Exception {
        FakeDevice dev = new FakeDevice("f0", 2L, 1500, 1000);
        dev.open(host);
        TxQueue q = new TxQueue(dev, 0, 1000);
        q.deactivate();
        q.purge();
        q.enqueueAndRun(frame(1));
        assertEquals(0, q.backlog());
        assertEquals(1, drops.count(DropReason.DEV_READY));
        assertTrue(dev.drain().isEmpty());
        dev.close();
    }
}
