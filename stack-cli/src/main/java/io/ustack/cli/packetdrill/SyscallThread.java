package io.ustack.cli.packetdrill;

import io.ustack.core.socket.Errno;
import io.ustack.core.socket.Sockets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The thread a script's system calls run on, as packetdrill's syscall thread: the runner goes on once a call
 * has returned or is asleep in the stack with nothing new to see ({@link Sockets#settledSleepers}), so the
 * virtual clock never moves under a call that is still working. A call written with {@code ...END} may stay
 * asleep while later events run; it is checked when it returns, for its time too (end_syscall).
 */
final class SyscallThread implements AutoCloseable {
    /** Real time a call may take to return or fall asleep before the run gives up on it. */
    private static final long SETTLE_SECONDS = 30;

    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "packetdrill-syscall");
        t.setDaemon(true);
        return t;
    });
    private final Sockets sockets;
    private final ScriptStack live;
    private final Syscalls syscalls;
    private final String path;
    private Call current;
    private Call blocked;

    /** A call on the thread: what the script expects of it, and when it returned (-1 until then). */
    private record Call(Event event, Action.Syscall call, Future<Syscalls.Outcome> outcome, long endUsecs,
                        long[] returnedAtUsecs) {
    }

    SyscallThread(ScriptStack live, Syscalls syscalls, String path) {
        this.live = live;
        this.sockets = live.sockets;
        this.syscalls = syscalls;
        this.path = path;
    }

    /**
     * Makes {@code call}. A call expected to block ({@code endUsecs} its expected return) is left asleep; any
     * other must return at once and is checked here.
     */
    void run(Event ev, Action.Syscall call, long endUsecs, long tolerance) throws ScriptStop {
        if (call.blocking() && blocked != null) {
            throw ScriptStop.failed(at(ev) + "blocking system call while another blocking system call is already in progress");
        }
        long[] returnedAt = {-1};
        Future<Syscalls.Outcome> f = thread.submit(() -> {
            try {
                return syscalls.run(call);
            } finally {
                returnedAt[0] = live.nowUsecs();
            }
        });
        current = new Call(ev, call, f, endUsecs, returnedAt);
        settle();
        if (call.blocking()) {
            blocked = current;
            checkReturned(tolerance);
            return;
        }
        if (!f.isDone()) {
            throw ScriptStop.failed(at(ev) + "runtime error in " + call.name()
                    + " call: it blocked; a call expected to block is written with ...END");
        }
        check(current, outcome(current));
    }

    /** A blocking call that has returned since: its result and the time it returned are checked. */
    void checkReturned(long tolerance) throws ScriptStop {
        if (blocked == null || !blocked.outcome().isDone()) {
            return;
        }
        Call b = blocked;
        blocked = null;
        Syscalls.Outcome o = outcome(b);
        long returned = b.returnedAtUsecs()[0];
        if (Math.abs(returned - b.endUsecs()) > tolerance) {
            throw ScriptStop.failed(at(b.event()) + EventTimes.timing("system call return", b.endUsecs(), returned, tolerance));
        }
        check(b, o);
    }

    /** At the script's end: a call still asleep is an error, one that returned is checked. */
    void finish(long tolerance) throws ScriptStop {
        if (blocked == null) {
            return;
        }
        settle();
        if (!blocked.outcome().isDone()) {
            throw ScriptStop.failed(at(blocked.event()) + "runtime error: exiting while a blocking system call is in progress");
        }
        checkReturned(tolerance);
    }

    /** Waits (in real time) until the current call has returned or sleeps with nothing new to see. */
    void settle() throws ScriptStop {
        if (current == null) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SETTLE_SECONDS);
        while (!current.outcome().isDone() && sockets.settledSleepers() == 0) {
            if (System.nanoTime() - deadline > 0) {
                throw ScriptStop.failed(at(current.event()) + "the " + current.call().name()
                        + " call neither returned nor slept within " + SETTLE_SECONDS + " s");
            }
            Thread.onSpinWait();
        }
    }

    private Syscalls.Outcome outcome(Call c) throws ScriptStop {
        try {
            return c.outcome().get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Syscalls.Unsupported u) {
                throw ScriptStop.unsupported(at(c.event()) + u.getMessage());
            }
            if (e.getCause() instanceof Syscalls.BadCall bad) {
                throw ScriptStop.failed(at(c.event()) + "runtime error in " + c.call().name() + " call: " + bad.getMessage());
            }
            throw ScriptStop.failed(at(c.event()) + "runtime error: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ScriptStop.failed(at(c.event()) + "interrupted");
        }
    }

    /** end_syscall: the result, the errno, then what the call checked itself. */
    private void check(Call c, Syscalls.Outcome o) throws ScriptStop {
        Action.Syscall call = c.call();
        String prefix = at(c.event()) + "runtime error in " + call.name() + " call: ";
        long want;
        try {
            want = Syscalls.integer(call.result());
        } catch (Syscalls.Unsupported e) {
            throw ScriptStop.unsupported(at(c.event()) + e.getMessage());
        } catch (Syscalls.BadCall e) {
            throw ScriptStop.failed(prefix + e.getMessage());
        }
        boolean makesFd = switch (call.name()) {
            case "socket", "accept", "accept4", "epoll_create", "epoll_create1" -> true;
            default -> false;
        };
        if (makesFd && want >= 0) {
            if (o.result() < 0) {
                throw ScriptStop.failed(prefix + "Expected non-negative result but got " + o.result() + errnoText(o.errno()));
            }
            syscalls.mapFd(want, (int) o.result());
        } else if (o.result() != want) {
            throw ScriptStop.failed(prefix + "Expected result " + want + " but got " + o.result() + errnoText(o.errno()));
        }
        if (call.errno() != null) {
            Errno expected = Errno.named(call.errno());
            if (expected == null) {
                throw ScriptStop.unsupported(at(c.event()) + "unknown errno " + call.errno());
            }
            if (expected != o.errno()) {
                int got = o.errno() == null ? 0 : o.errno().number();
                String gotText = o.errno() == null ? "Success" : o.errno().message();
                throw ScriptStop.failed(prefix + "Expected errno " + expected.number() + " (" + expected.message()
                        + ") but got " + got + " (" + gotText + ")");
            }
        }
        if (o.afterCheck() != null) {
            throw ScriptStop.failed(prefix + o.afterCheck());
        }
    }

    private static String errnoText(Errno e) {
        return e == null ? " with errno 0 (Success)" : " with errno " + e.number() + " (" + e.message() + ")";
    }

    private String at(Event ev) {
        return path + ":" + ev.line() + ": ";
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
