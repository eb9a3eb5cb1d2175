package io.ustack.core.softnet;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.buffer.PacketHandler;
import io.ustack.core.link.TcpHandshake;
import io.ustack.core.stats.DropReason;
import io.ustack.core.stats.PacketDrops;
import io.ustack.core.time.Clock;
import io.ustack.core.time.Timer;
import io.ustack.core.time.TimerWheel;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.atomic.LongAdder;

/**
 * One CPU's softnet_data: an input queue and the thread that runs process_backlog over it. Packets of one
 * flow arrive on one thread and leave its queue in order.
 *
 * <p>Under overload the queue sheds what costs most and matters least first: past half of
 * netdev_max_backlog (where the kernel's skb_flow_limit starts) connection requests (bare SYNs) are refused,
 * so a SYN flood leaves room for the segments of established connections, ICMP and the rest; at
 * netdev_max_backlog every packet is. Work handed over by other threads ({@link #execute}) is never refused
 * and never waits for room: a thread that must hand work to a flooded CPU does not stall behind the flood.
 *
 * <p>The CPU is a lock, {@link #owner}: whoever holds it runs this CPU's protocol work, its timers included.
 * Usually that is this thread, but a driver's poll thread with little to do that finds the CPU idle,
 * nothing queued and nobody running, takes it and runs the packet to completion itself
 * ({@link #runToCompletion}), as a kernel CPU runs its own backlog right after its NAPI poll: a lone packet
 * (a ping, a request) is answered without waking this thread, which costs more than the answer. A busy
 * poll queues its packets but super-packets for this host, so a flood is still shed here; a socket's own thread runs
 * its pushes and window updates the same way ({@link #runOrExecute}). A flow's order holds: work runs
 * inline only when nothing for this CPU waits ahead of it, and what arrives meanwhile queues behind it.
 */
public final class BacklogThread implements Runnable, Cpu {
    /** How often a thread with armed timers looks at its wheel when no packet wakes it (one wheel tick). */
    private static final long TIMER_POLL_NANOS = TimerWheel.DEFAULT_TICK_NANOS;

    private static final System.Logger LOG = System.getLogger(BacklogThread.class.getName());

    private final int cpu;
    /** Packets and handed-over work, in arrival order; packets are bounded by the checks in {@link #enqueue}. */
    private final BlockingQueue<Object> input = new LinkedBlockingQueue<>();
    private final int maxBacklog;
    private final int synThreshold;
    private final PacketHandler receive;
    private final PacketDrops drops;
    private final LongAdder processed = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final Thread thread;
    private volatile boolean running = true;
    /** This CPU's timers: touched only by the owner of the CPU (other threads arm them through {@link #execute}). */
    private final TimerWheel timers;
    /** The CPU: held while its protocol work runs, by this thread or by a poll thread running a packet inline. */
    private final ReentrantLock owner = new ReentrantLock();
    /** Packets and work queued and not yet run: a packet may run inline only when this is 0. */
    private final AtomicInteger pending = new AtomicInteger();
    /** This thread waits for work with no deadline (no timer armed when it looked); guarded by {@link #owner}. */
    private boolean sleepingUntilWork = true;
    private static final Runnable WAKE = () -> { };

    BacklogThread(int cpu, int maxBacklog, PacketHandler receive, PacketDrops drops, Clock clock) {
        this.cpu = cpu;
        this.timers = new TimerWheel(clock);
        this.maxBacklog = maxBacklog;
        this.synThreshold = maxBacklog / 2;
        this.receive = receive;
        this.drops = drops;
        this.thread = new Thread(this, "ustack-backlog-" + cpu);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /**
     * enqueue_to_backlog: queues a packet for this thread, or drops it: CPU_BACKLOG when the queue holds
     * netdev_max_backlog, CPU_BACKLOG_SYN for a connection request once it holds half as many. The length is
     * read without a lock, so concurrent producers may overshoot by one each. Takes ownership.
     */
    boolean enqueue(PacketBuffer pkt) {
        int qlen = input.size();
        DropReason refused = !running || qlen >= maxBacklog ? DropReason.CPU_BACKLOG
                : qlen >= synThreshold && TcpHandshake.isRequest(pkt) ? DropReason.CPU_BACKLOG_SYN
                : null;
        if (refused != null) {
            dropped.increment();
            drops.drop(pkt, refused);
            return false;
        }
        pending.incrementAndGet();
        input.add(pkt);
        if (!running) {
            drain(); // stopped between the check and the add: its last drain may have missed this packet
        }
        return true;
    }

    /**
     * Runs {@code work} on this thread, after the packets already queued: how other threads hand a flow's
     * protocol work to the thread that owns it. Work is never dropped and the caller never waits, even with
     * the queue over netdev_max_backlog: two flooded threads handing work to each other must not deadlock.
     * On this thread itself it runs at once.
     */
    @Override
    public void execute(Runnable work) {
        if (isCurrentThread()) {
            work.run();
            return;
        }
        pending.incrementAndGet();
        input.add(work);
    }

    /**
     * Runs {@code pkt} on the calling (driver) thread if this CPU is idle: nothing queued, nobody running.
     * Returns false, having done nothing, otherwise; the caller then enqueues it. Takes ownership only when
     * it returns true.
     */
    boolean runToCompletion(PacketBuffer pkt) {
        if (!takeIdle()) {
            return false;
        }
        try {
            processed.increment();
            receive.handle(pkt);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "backlog " + cpu + ": packet path failed (run inline)", e);
        } finally {
            releaseInline();
        }
        return true;
    }

    /**
     * Runs {@code work} at once on the calling thread if this CPU is idle, else as {@link #execute} does: a
     * socket's own thread pushing what it queued, or opening the window after a read, does the work itself, as
     * a process in tcp_sendmsg or tcp_recvmsg transmits under lock_sock where the kernel can, instead of
     * waking this thread for it. The caller must hold no lock the work takes.
     */
    @Override
    public void runOrExecute(Runnable work) {
        if (isCurrentThread()) {
            work.run();
            return;
        }
        if (!takeIdle()) {
            execute(work);
            return;
        }
        try {
            work.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "backlog " + cpu + ": work failed (run inline)", e);
        } finally {
            releaseInline();
        }
    }

    /** Takes the CPU for work run on the calling thread if it is idle: nothing queued, nobody running. */
    private boolean takeIdle() {
        if (!running || pending.get() != 0 || owner.isHeldByCurrentThread() || !owner.tryLock()) {
            return false;
        }
        if (pending.get() != 0) {
            owner.unlock(); // queued between the look and the lock: it goes first
            return false;
        }
        return true;
    }

    /** Gives back the CPU taken by {@link #takeIdle}, waking this thread if the work armed its first timer. */
    private void releaseInline() {
        try {
            if (sleepingUntilWork && timers.size() != 0) {
                // the work armed a timer this thread does not know to wait for
                sleepingUntilWork = false;
                pending.incrementAndGet();
                input.add(WAKE);
            }
        } finally {
            owner.unlock();
        }
    }

    @Override
    public void schedule(Timer timer, long deadlineNanos) {
        if (isCurrentThread()) {
            timers.reschedule(timer, deadlineNanos);
        } else {
            execute(() -> timers.reschedule(timer, deadlineNanos));
        }
    }

    @Override
    public void cancel(Timer timer) {
        if (isCurrentThread()) {
            timers.cancel(timer);
        } else {
            execute(() -> timers.cancel(timer));
        }
    }

    /** process_backlog: takes packets (and handed-over work) off the queue until stopped. */
    @Override
    public void run() {
        boolean armed = false;
        while (running) {
            Object item;
            try {
                // with timers armed, wake at least once a wheel tick to run them (run_timer_softirq)
                item = armed ? input.poll(TIMER_POLL_NANOS, TimeUnit.NANOSECONDS) : input.take();
            } catch (InterruptedException e) {
                break;
            }
            owner.lock();
            try {
                sleepingUntilWork = false;
                if (item != null) {
                    pending.decrementAndGet();
                }
                if (item instanceof PacketBuffer pkt) {
                    processed.increment();
                    receive.handle(pkt);
                } else if (item != null) {
                    ((Runnable) item).run();
                }
                if (timers.size() != 0) {
                    timers.advance();
                }
            } catch (RuntimeException e) {
                // A bug in one packet's path must not stop the thread that serves every flow hashed here.
                LOG.log(System.Logger.Level.ERROR, "backlog " + cpu + ": packet path failed", e);
            } finally {
                // how to wait next, decided while still holding the CPU: one lock a packet
                armed = timers.size() != 0;
                sleepingUntilWork = !armed;
                owner.unlock();
            }
        }
        drain();
    }

    void stop() {
        running = false;
        thread.interrupt();
    }

    void join() throws InterruptedException {
        thread.join(5000);
    }

    private void drain() {
        Object item;
        while ((item = input.poll()) != null) {
            if (item instanceof PacketBuffer pkt) {
                drops.drop(pkt, DropReason.STACK_STOPPED);
            }
        }
    }

    public int cpu() {
        return cpu;
    }

    /** softnet_stat column 1: packets processed. */
    public long processed() {
        return processed.sum();
    }

    /** softnet_stat column 2: packets this thread's queue refused (CPU_BACKLOG and CPU_BACKLOG_SYN). */
    public long dropped() {
        return dropped.sum();
    }

    public int queueLength() {
        return input.size();
    }

    /** True on the thread that holds this CPU now: its own, or a poll thread running a packet inline. */
    public boolean isCurrentThread() {
        return owner.isHeldByCurrentThread();
    }


}
