package io.twsbridge.bench.support;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Closes what a benchmark started without waiting for ever: the close runs on a daemon thread of its own, and the
 * benchmark goes on after {@code bound} whether it has ended or not (saying so on stderr).
 *
 * <p>Why: after a benchmark failed because its records stopped flowing, closing what stopped can hang too (a
 * bridge flushes its publisher, which waits for acknowledgements that never come). The benchmark must still end,
 * so that the suite reports the failure, runs the rest and exits; what is left behind is a daemon thread, which
 * does not keep the JVM alive. A close that ends in time is simply a close.
 */
public final class Closing {

    /** A close that may throw. */
    @FunctionalInterface
    public interface Action {
        void run() throws Exception;
    }

    private Closing() {
    }

    /**
     * Runs {@code close} and waits up to {@code bound} for it; {@code what} names it on stderr if it has not ended.
     *
     * @throws IllegalStateException wrapping what the close threw, if it ended in time by throwing
     */
    public static void within(Duration bound, String what, Action close) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread closer = new Thread(() -> {
            try {
                close.run();
            } catch (Exception | Error e) {
                failure.set(e);
            }
        }, "bench-close");
        closer.setDaemon(true);
        closer.start();
        if (!join(closer, bound, "closing " + what)) {
            return;
        }
        if (failure.get() != null) {
            throw new IllegalStateException("closing " + what + " failed", failure.get());
        }
    }

    /**
     * Waits up to {@code bound} for {@code thread} to end; false (said on stderr, naming {@code what}) if it has
     * not. An interrupt ends the wait and is kept for the caller.
     */
    public static boolean join(Thread thread, Duration bound, String what) {
        try {
            thread.join(bound.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            System.err.println(what + " did not end within " + bound.toSeconds() + " s; going on without it (thread "
                    + thread.getName() + " left behind)");
            return false;
        }
        return true;
    }
}
