package io.ustack.core.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.stats.DropReason;
import io.ustack.core.stats.PacketDrops;
import io.ustack.core.testing.FakeDevice;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** dev_queue_xmit through the pfifo qdisc: stop and wake, order, the txqueuelen limit. */
class TxQueueTest {
    private final BufferPool pool = new BufferPool();
    private final PacketDrops drops = new PacketDrops();
    private final NetDeviceHost host = new NetDeviceHost() {
        @Override
        public BufferPool pool() {
            return pool;
        }

        @Override
        public void netifReceiveSkb(PacketBuffer pkt) {
            pkt.release();
        }

        @Override
        public void drop(PacketBuffer pkt, DropReason reason) {
            drops.drop(pkt, reason);
        }
    };

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
}
