package io.twsbridge.bridge.time;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The production {@link EventLoop}: one daemon thread and the system clock.
 *
 * <p>Once {@link #close()} has begun, new tasks and timers are dropped (logged at DEBUG): at shutdown the Gateway
 * reader, the supervisor's status listeners and the status heartbeat still hand work over, and nothing that work
 * could do matters any more. Refusing it with an exception would surface in the thread that handed it over (the
 * Gateway reader, or a task of this very loop) as a failure that is not one.
 */
public final class ThreadEventLoop implements EventLoop, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ThreadEventLoop.class);

    private final ScheduledThreadPoolExecutor executor;
    private final Clock clock;
    private volatile Thread thread;

    public ThreadEventLoop(String name, Clock clock) {
        this.clock = clock;
        this.executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(() -> {
                thread = Thread.currentThread();
                r.run();
            }, name);
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    @Override
    public void execute(Runnable task) {
        try {
            executor.execute(guarded(task));
        } catch (RejectedExecutionException e) {
            log.debug("event loop closed; a task was dropped");
        }
    }

    @Override
    public Timer schedule(Duration delay, Runnable task) {
        try {
            ScheduledFuture<?> f = executor.schedule(guarded(task), Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
            return () -> f.cancel(false);
        } catch (RejectedExecutionException e) {
            log.debug("event loop closed; a timer was dropped");
            return () -> { };
        }
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Stops the thread after the queued tasks (not the timers) have run. */
    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                // One failing task must not kill the loop that owns the Gateway session.
                log.error("event-loop task failed", e);
            }
        };
    }
}
