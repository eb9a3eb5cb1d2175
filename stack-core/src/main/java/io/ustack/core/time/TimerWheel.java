package io.ustack.core.time;

/**
 * A hashed timing wheel (Varghese and Lauck): the stack's timer base, as kernel/time/timer.c is Linux's.
 * Time is cut into ticks; a timer hangs in the doubly linked list of the slot its deadline's tick hashes to,
 * so {@link #schedule}, {@link #reschedule} and {@link #cancel} are O(1) and allocate nothing. Deadlines
 * further away than one revolution share slots with nearer ones and simply stay put when their slot is
 * swept early; a sweep costs the slots passed plus the timers hanging in them.
 *
 * <p>{@link #expire} runs every timer whose deadline has come, in deadline order (equal deadlines in the
 * order they were armed), to the nanosecond whatever the tick: the tick only spreads timers over slots.
 * Deadlines are compared as {@link System#nanoTime} values are, by the sign of their difference, so they
 * must lie within 2^62 ns (146 years) of now.
 *
 * <p>Not thread-safe, by design: each backlog thread owns one wheel, and every timer on it belongs to the
 * connections that thread runs (ARCHITECTURE.md, "each thread owns its state"). A timer action runs on that
 * thread and may arm, re-arm or cancel any timer of the wheel, itself included.
 */
public final class TimerWheel {
    /** One millisecond: the jiffy of a HZ=1000 kernel. */
    public static final long DEFAULT_TICK_NANOS = 1_000_000L;
    /** 4096 one-millisecond slots: a revolution of about four seconds covers RTO and delayed-ACK timers. */
    public static final int DEFAULT_SLOTS = 4096;

    private final Clock clock;
    private final long tick;
    private final int mask;
    private final Timer[] slots;
    /** Ticks count from here, so deadlines anywhere in the nanoTime range map to slots alike. */
    private final long origin;
    /** The first tick whose slot a sweep has not finished with: timers hang at this tick or later. */
    private long nextTick;
    /** Timers found due by the sweep in progress, in the order they are to run. */
    private Timer due;
    private int pending;
    private long arms;
    private boolean expiring;

    /** A wheel of {@link #DEFAULT_SLOTS} one-millisecond slots. */
    public TimerWheel(Clock clock) {
        this(clock, DEFAULT_TICK_NANOS, DEFAULT_SLOTS);
    }

    /**
     * @param tickNanos the width of a slot
     * @param slotCount a power of two
     */
    public TimerWheel(Clock clock, long tickNanos, int slotCount) {
        if (tickNanos <= 0 || slotCount <= 0 || Integer.bitCount(slotCount) != 1) {
            throw new IllegalArgumentException("tick " + tickNanos + " ns, " + slotCount + " slots");
        }
        this.clock = clock;
        this.tick = tickNanos;
        this.mask = slotCount - 1;
        this.slots = new Timer[slotCount];
        this.origin = clock.nanos();
    }

    /**
     * add_timer: arms an idle timer for {@code deadlineNanos} (the clock's time). A deadline already past
     * runs at the next {@link #expire}; one armed from inside an action never runs in the same expire, so a
     * timer that re-arms itself for "now" cannot spin.
     *
     * @throws IllegalStateException if the timer is already armed (use {@link #reschedule})
     */
    public void schedule(Timer t, long deadlineNanos) {
        if (t.wheel != null) {
            throw new IllegalStateException("timer already pending");
        }
        t.wheel = this;
        pending++;
        arm(t, deadlineNanos);
    }

    /** mod_timer: arms the timer for {@code deadlineNanos} whether it was armed (on this wheel) or idle. */
    public void reschedule(Timer t, long deadlineNanos) {
        if (t.wheel == null) {
            schedule(t, deadlineNanos);
            return;
        }
        checkOwner(t);
        unlink(t);
        arm(t, deadlineNanos);
    }

    /** del_timer: disarms the timer; returns whether it was armed. A timer already run is not pending. */
    public boolean cancel(Timer t) {
        if (t.wheel == null) {
            return false;
        }
        checkOwner(t);
        unlink(t);
        t.wheel = null;
        t.slot = Timer.IDLE;
        pending--;
        return true;
    }

    /** Expires up to the clock's present time: {@code expire(clock.nanos())}. */
    public int advance() {
        return expire(clock.nanos());
    }

    /**
     * run_timers: runs every timer whose deadline is at or before {@code nowNanos}, earliest first, and
     * returns how many ran. Each is disarmed before its action runs, so the action may re-arm it. If an
     * action throws, the timers still due stay armed and run at the next call.
     */
    public int expire(long nowNanos) {
        if (expiring) {
            throw new IllegalStateException("expire called from a timer action");
        }
        expiring = true;
        int ran = 0;
        try {
            long nowTick = Math.max(tickOf(nowNanos), nextTick);
            // After a whole revolution every slot has been seen; more ticks would only see them again.
            long sweeps = Math.min(nowTick - nextTick + 1, slots.length);
            for (long k = 0; k < sweeps; k++) {
                collectDue((int) ((nextTick + k) & mask), nowNanos);
            }
            // The slot of nowTick may still hold timers later in that same tick: sweep it again next time.
            nextTick = nowTick;
            due = sort(due);
            for (Timer p = null, t = due; t != null; p = t, t = t.next) {
                t.prev = p;
            }
            while (due != null) {
                Timer t = due;
                unlink(t);
                t.wheel = null;
                t.slot = Timer.IDLE;
                pending--;
                ran++;
                t.action.run(nowNanos);
            }
        } finally {
            // only after a throwing action: put the rest back where the next sweep finds them
            while (due != null) {
                Timer t = due;
                unlink(t);
                hang(t, nextTick);
            }
            expiring = false;
        }
        return ran;
    }

    /** Timers armed and not yet run or cancelled. */
    public int size() {
        return pending;
    }

    /**
     * The earliest deadline of the timers hanging in the wheel, {@code Long.MAX_VALUE} with none: how far a
     * caller that drives a virtual clock may move it before a timer is due. Walks every slot: for that
     * caller, not for the packet path.
     */
    public long earliestDeadline() {
        long best = Long.MAX_VALUE;
        boolean any = false;
        for (Timer head : slots) {
            for (Timer t = head; t != null; t = t.next) {
                if (!any || t.deadline - best < 0) {
                    best = t.deadline;
                    any = true;
                }
            }
        }
        return best;
    }

    private void arm(Timer t, long deadlineNanos) {
        t.deadline = deadlineNanos;
        t.armed = arms++;
        hang(t, Math.max(tickOf(deadlineNanos), nextTick));
    }

    private void hang(Timer t, long atTick) {
        int s = (int) (atTick & mask);
        t.slot = s;
        t.prev = null;
        t.next = slots[s];
        if (t.next != null) {
            t.next.prev = t;
        }
        slots[s] = t;
    }

    /** Takes the timers due by {@code now} out of slot {@code s} and pushes them on the run list, unsorted. */
    private void collectDue(int s, long now) {
        Timer t = slots[s];
        while (t != null) {
            Timer next = t.next;
            if (t.deadline - now <= 0) {
                unlink(t);
                t.slot = Timer.DUE;
                t.next = due; // singly linked until sorted
                due = t;
            }
            t = next;
        }
    }

    /** Removes an armed timer from its slot's list or from the run list. */
    private void unlink(Timer t) {
        if (t.prev != null) {
            t.prev.next = t.next;
        } else if (t.slot == Timer.DUE) {
            due = t.next;
        } else {
            slots[t.slot] = t.next;
        }
        if (t.next != null) {
            t.next.prev = t.prev;
        }
        t.next = null;
        t.prev = null;
    }

    private void checkOwner(Timer t) {
        if (t.wheel != this) {
            throw new IllegalArgumentException("timer pending on another wheel");
        }
    }

    private long tickOf(long nanos) {
        return Math.floorDiv(nanos - origin, tick);
    }

    private static boolean runsBefore(Timer a, Timer b) {
        long d = a.deadline - b.deadline;
        return d < 0 || (d == 0 && a.armed < b.armed);
    }

    /**
     * Bottom-up merge sort of a singly linked list by deadline, then arming order: O(n log n) and no
     * allocation, however many timers fall due at once.
     */
    private static Timer sort(Timer list) {
        if (list == null) {
            return null;
        }
        for (int width = 1; ; width *= 2) {
            Timer head = null;
            Timer tail = null;
            Timer p = list;
            int merges = 0;
            while (p != null) {
                merges++;
                Timer q = p;
                int pSize = 0;
                for (int i = 0; i < width && q != null; i++) {
                    pSize++;
                    q = q.next;
                }
                int qSize = width;
                while (pSize > 0 || (qSize > 0 && q != null)) {
                    Timer e;
                    if (pSize == 0) {
                        e = q;
                        q = q.next;
                        qSize--;
                    } else if (qSize == 0 || q == null || !runsBefore(q, p)) {
                        e = p;
                        p = p.next;
                        pSize--;
                    } else {
                        e = q;
                        q = q.next;
                        qSize--;
                    }
                    if (tail == null) {
                        head = e;
                    } else {
                        tail.next = e;
                    }
                    tail = e;
                }
                p = q;
            }
            tail.next = null;
            list = head;
            if (merges <= 1) {
                return list;
            }
        }
    }
}
