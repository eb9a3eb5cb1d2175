package io.ustack.core.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Waits for something another thread or process makes true, by asking until it is or a deadline passes.
 * A fixed sleep guesses how long that takes and loses the guess on a loaded machine; a deadline here is
 * generous because it is only reached when the thing never happens, and then the failure says what.
 */
public final class Await {
    /** How often the condition is asked: often enough to add little to a test, rarely enough to cost nothing. */
    private static final long POLL_MILLIS = 10;

    private Await() {
    }

    /** Returns once {@code condition} holds; fails saying {@code what} never happened within {@code limit}. */
    public static void until(String what, Duration limit, BooleanSupplier condition) {
        if (!poll(limit, condition)) {
            fail(what + " did not happen within " + limit.toSeconds() + " s");
        }
    }

    /**
     * Asks {@code probe} until {@code done} accepts its answer, and returns that answer; fails with
     * {@code what} and the last answer when {@code limit} passes first.
     */
    public static <T> T until(String what, Duration limit, Supplier<T> probe, Predicate<? super T> done) {
        AtomicReference<T> last = new AtomicReference<>();
        BooleanSupplier accepted = () -> {
            last.set(probe.get());
            return done.test(last.get());
        };
        if (!poll(limit, accepted)) {
            fail(what + " did not happen within " + limit.toSeconds() + " s; last seen: " + last.get());
        }
        return last.get();
    }

    /** Whether {@code condition} held before {@code limit} passed. */
    private static boolean poll(Duration limit, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
