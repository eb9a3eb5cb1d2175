package io.ustack.driver.tap;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.link.NetDevice;
import io.ustack.core.link.NetDeviceHost;
import io.ustack.core.stats.DropReason;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Java side of the TAP driver benchmark: tapbench.c's measurements, through {@link TapDevice}.
 *
 * <pre>
 *   TapBench write NAME COUNT SIZE      dev_queue_xmit COUNT frames of SIZE bytes (qdisc, then ndo_start_xmit)
 *   TapBench xmit  NAME COUNT SIZE      ndo_start_xmit COUNT frames directly: the driver without the qdisc
 *   TapBench read  NAME WARMUP SECONDS  count the frames the driver delivers, and the CPU used for them
 * </pre>
 *
 * Both transmit modes do per frame what the stack does: take a pooled buffer, put the frame in it, send
 * it. {@code xmit} calls the protected ndoStartXmit, which is why this class lives in the driver's package.
 * The read path is the NAPI poll thread delivering to a host that releases each frame at once. Prints
 * "fps=N" (and "cpu=C", CPUs busy, for read).
 */
public class TapBench {
    public static void main(String[] args) throws Exception {
        if (args.length == 4 && (args[0].equals("write") || args[0].equals("xmit"))) {
            write(args[1], Long.parseLong(args[2]), Integer.parseInt(args[3]), args[0].equals("xmit"));
        } else if (args.length == 4 && args[0].equals("read")) {
            read(args[1], Double.parseDouble(args[2]), Double.parseDouble(args[3]));
        } else {
            System.err.println("usage: TapBench write|xmit NAME COUNT SIZE | read NAME WARMUP SECONDS");
            System.exit(2);
        }
    }

    /** A stack that counts what it is given and releases it immediately. */
    static final class CountingHost implements NetDeviceHost {
        final BufferPool pool = new BufferPool();
        final AtomicLong received = new AtomicLong();

        @Override
        public BufferPool pool() {
            return pool;
        }

        /** Takes ownership and releases at once. */
        @Override
        public void netifReceiveSkb(PacketBuffer pkt) {
            received.lazySet(received.get() + 1); // only the one poll thread writes it
            pkt.release();
        }

        /** Takes ownership and releases. */
        @Override
        public void drop(PacketBuffer pkt, DropReason reason) {
            pkt.release();
        }
    }

    static void write(String name, long count, int size, boolean direct) throws Exception {
        CountingHost host = new CountingHost();
        TapDevice dev = TapDevice.open(TapConfig.of(name));
        dev.open(host);
        byte[] frame = new byte[size];
        byte[] header = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, (byte) 0x88, (byte) 0xb5};
        System.arraycopy(header, 0, frame, 0, header.length);
        send(dev, host.pool, frame, count / 5, direct); // JIT warm-up
        long t0 = System.nanoTime();
        send(dev, host.pool, frame, count, direct);
        double seconds = (System.nanoTime() - t0) / 1e9;
        long lost = dev.stats().txErrors.sum() + dev.stats().txDropped.sum();
        dev.close();
        if (lost != 0) {
            System.err.println(lost + " frames were not sent (tx_errors + tx_dropped)");
        }
        System.out.printf("fps=%.0f%n", count / seconds);
    }

    private static void send(TapDevice dev, BufferPool pool, byte[] frame, long count, boolean direct) {
        for (long i = 0; i < count; i++) {
            PacketBuffer pkt = pool.allocateWithHeadroom(frame.length);
            pkt.copyIn(pkt.put(frame.length), frame, 0, frame.length);
            if (!direct) {
                dev.devQueueXmit(pkt);
            } else if (dev.ndoStartXmit(pkt, 0) != NetDevice.NETDEV_TX_OK) {
                throw new IllegalStateException("the TAP would block");
            }
        }
    }

    static void read(String name, double warmup, double seconds) throws Exception {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        CountingHost host = new CountingHost();
        TapDevice dev = TapDevice.open(TapConfig.of(name));
        dev.open(host);
        while (host.received.get() == 0) {
            Thread.sleep(1);
        }
        Thread.sleep((long) (warmup * 1000));
        long n0 = host.received.get();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        Thread.sleep((long) (seconds * 1000));
        long n1 = host.received.get();
        long cpu1 = os.getProcessCpuTime();
        double elapsed = (System.nanoTime() - t0) / 1e9;
        System.out.printf("fps=%.0f%ncpu=%.3f%n", (n1 - n0) / elapsed, (cpu1 - cpu0) / 1e9 / elapsed);
        System.out.flush();
        // keep reading until the flood stops, so the TAP drops nothing for want of a reader
        for (long last = -1; last != host.received.get(); ) {
            last = host.received.get();
            Thread.sleep(300);
        }
        dev.close();
    }
}
