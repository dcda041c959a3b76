package io.twsbridge.bridge.time;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.PriorityQueue;

/**
 * An {@link EventLoop} for tests: nothing runs until the test says so, and time moves only when the test
 * advances it. Single-threaded: call it from the test thread only.
 */
public final class ManualEventLoop implements EventLoop {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T14:30:00Z"));
    private final Deque<Runnable> ready = new ArrayDeque<>();
    private final PriorityQueue<Scheduled> timers =
            new PriorityQueue<>(Comparator.comparing(Scheduled::due).thenComparingLong(Scheduled::seq));
    private long seq;

    private record Scheduled(Instant due, long seq, Runnable task, boolean[] cancelled) {
    }

    @Override
    public void execute(Runnable task) {
        ready.add(task);
    }

    @Override
    public Timer schedule(Duration delay, Runnable task) {
        boolean[] cancelled = {false};
        timers.add(new Scheduled(clock.instant().plus(delay), seq++, task, cancelled));
        return () -> cancelled[0] = true;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public boolean inLoop() {
        return true;
    }

    /** Runs every task that is ready now, including those they queue. */
    public void runReady() {
        Runnable r;
        while ((r = ready.poll()) != null) {
            r.run();
        }
    }

    /** Moves time forward by {@code d}, running every task and timer due on the way, in time order. */
    public void advance(Duration d) {
        Instant end = clock.instant().plus(d);
        runReady();
        while (!timers.isEmpty() && !timers.peek().due().isAfter(end)) {
            Scheduled s = timers.poll();
            if (s.due().isAfter(clock.instant())) {
                clock.set(s.due());
            }
            if (!s.cancelled()[0]) {
                s.task().run();
            }
            runReady();
        }
        clock.set(end);
    }

    /** Timers not yet run or cancelled. */
    public long pendingTimers() {
        return timers.stream().filter(t -> !t.cancelled()[0]).count();
    }

    /** A clock the test sets. */
    public static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
