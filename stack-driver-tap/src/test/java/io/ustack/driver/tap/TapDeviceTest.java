package io.ustack.driver.tap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.stats.DropReason;
import io.ustack.core.testing.Await;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The driver's receive and transmit paths over a socket pair instead of a TAP (no privileges needed): NAPI
 * polling past one budget, oversized frames, transmit, and the stop/EPOLLOUT/wake cycle of a full fd.
 */
@Timeout(60)
class TapDeviceTest extends SocketPairTest {
    /** A device reading and writing bare frames (offload off); TapVnetTest has the virtio header's tests. */
    @Override
    TapDevice device(TapConfig config) {
        return super.device(config.withOffload(false));
    }

    @Test
    void receivesEveryFrameInOrderAcrossManyPolls() throws Exception {
        device(TapConfig.of("fake0"));
        int total = 1000;
        int sent = 0;
        // frames already waiting when polling starts must raise the first edge by themselves
        while (sent < 150 && wire.send(Frames.numbered(sent, 60))) {
            sent++;
        }
        dev.open(host);
        while (sent < total) {
            if (wire.send(Frames.numbered(sent, 60))) {
                sent++;
            } else {
                Thread.sleep(1);
            }
        }
        for (int i = 0; i < total; i++) {
            PacketBuffer pkt = host.await(p -> true, WAIT);
            assertNotNull(pkt, "frame " + i + " never arrived");
            assertEquals(i, Frames.sequence(pkt));
            assertEquals(60, pkt.len());
            assertEquals(0, pkt.data());
            assertSame(dev, pkt.dev());
            pkt.release();
        }
        assertEquals(total, dev.stats().rxPackets.sum());
        assertEquals(60L * total, dev.stats().rxBytes.sum());
        assertEquals("ustack-napi-fake0-0", host.receiveThread());
    }

    @Test
    void aFrameLongerThanMtuPlusEthernetHeaderIsAnErrorAndTheNextOneStillArrives() throws Exception {
        device(TapConfig.of("fake0").withMtu(100));
        dev.open(host);
        assertTrue(wire.send(Frames.numbered(1, 115)));
        assertTrue(wire.send(Frames.numbered(2, 114)));
        PacketBuffer pkt = host.await(p -> true, WAIT);
        assertNotNull(pkt);
        assertEquals(2, Frames.sequence(pkt));
        assertEquals(114, pkt.len());
        pkt.release();
        assertEquals(1, dev.stats().rxErrors.sum());
        assertEquals(1, host.dropped(DropReason.DEV_HDR));
        assertEquals(1, dev.stats().rxPackets.sum());
    }

    @Test
    void transmitsTheFrameBetweenDataAndTail() throws Exception {
        device(TapConfig.of("fake0"));
        dev.open(host);
        byte[] frame = Frames.numbered(7, 60);
        dev.devQueueXmit(Frames.buffer(host.pool(), frame));
        assertArrayEquals(frame, wire.receive());
        assertEquals(1, dev.stats().txPackets.sum());
        assertEquals(60, dev.stats().txBytes.sum());
    }

    @Test
    void aFullFdStopsTheQueueAndEpolloutWakesItToSendTheRestInOrder() throws Exception {
        device(TapConfig.of("fake0"));
        dev.open(host);
        int sent = 0;
        while (!dev.isQueueStopped(0)) {
            dev.devQueueXmit(Frames.buffer(host.pool(), Frames.numbered(sent++, 200)));
            assertTrue(sent < 100_000, "the socket never filled up");
        }
        for (int i = 0; i < 50; i++) {
            dev.devQueueXmit(Frames.buffer(host.pool(), Frames.numbered(sent++, 200)));
        }
        assertTrue(dev.qdiscBacklog(0) >= 51, "the busy frame and the later ones wait in the qdisc");
        assertEquals(1, dev.qdiscRequeues());

        long deadline = System.nanoTime() + WAIT.toNanos();
        for (int next = 0; next < sent; ) {
            byte[] f = wire.receive();
            if (f == null) {
                assertTrue(System.nanoTime() < deadline, "only " + next + " of " + sent + " frames arrived");
                Thread.sleep(1);
                continue;
            }
            assertEquals(next++, Frames.sequence(f));
        }
        assertFalse(dev.isQueueStopped(0));
        assertEquals(0, dev.qdiscBacklog(0));
        // the event loop counts a frame after its write returns: the last one can be read here first
        int all = sent;
        Await.until("tx_packets counting all " + sent + " frames", WAIT, () -> dev.stats().txPackets.sum() == all);
        assertEquals(0, dev.stats().txErrors.sum());
    }

    @Test
    void aFrameShorterThanAnEthernetHeaderIsATransmitError() throws Exception {
        device(TapConfig.of("fake0"));
        dev.open(host);
        dev.devQueueXmit(Frames.buffer(host.pool(), new byte[10]));
        assertEquals(1, dev.stats().txErrors.sum());
        assertEquals(null, wire.receive());
    }

    @Test
    void aWriteErrorCountsATransmitErrorAndDropsTheFrame() throws Exception {
        device(TapConfig.of("fake0"));
        dev.open(host);
        wire.wireEnd.close();
        dev.devQueueXmit(Frames.buffer(host.pool(), Frames.numbered(1, 60)));
        assertEquals(1, dev.stats().txErrors.sum());
        assertFalse(dev.isQueueStopped(0));
    }

    @Test
    void aClosedDeviceCannotBeReopenedAndDropsWhatIsSent() throws Exception {
        device(TapConfig.of("fake0"));
        dev.open(host);
        dev.close();
        assertFalse(wire.driverEnd.isOpen(), "ndo_stop closes the fd");
        IOException e = assertThrows(IOException.class, () -> dev.open(host));
        assertEquals("fake0 was closed; open the TAP again with TapDevice.open", e.getMessage());
        dev.devQueueXmit(Frames.buffer(host.pool(), Frames.numbered(1, 60)));
        assertEquals(1, host.dropped(DropReason.DEV_READY));
    }

    @Test
    void unregisterReleasesADeviceThatNeverCameUp() {
        device(TapConfig.of("fake0"));
        dev.unregister();
        assertFalse(wire.driverEnd.isOpen());
        dev.unregister();
    }
}
