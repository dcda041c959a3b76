package io.twsbridge.bridge.time;

import java.time.Clock;
import java.time.Duration;

/**
 * One thread that runs the session's and the supervisor's work in order, plus timers, plus the clock they read.
 *
 * <p>Everything that changes session or supervisor state runs here, so that state needs no locks, and tests can
 * drive time with a manual loop instead of sleeping.
 */
public interface EventLoop {

    /** A scheduled task that may be cancelled. */
    interface Timer {
        void cancel();
    }

    /** Runs {@code task} on the loop, after the tasks already queued. */
    void execute(Runnable task);

    /** Runs {@code task} on the loop after {@code delay}. */
    Timer schedule(Duration delay, Runnable task);

    /** The clock every timestamp and timeout of this loop is read from. */
    Clock clock();

    /** True when called from the loop's own thread. */
    boolean inLoop();
}
