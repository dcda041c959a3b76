package io.twsbridge.bench.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Ends a benchmark's wait with a clear message when what it waits on stops moving, instead of letting it hang.
 *
 * <p>Why: a benchmark waits for records to flow (acknowledgements, consumed records, command results,
 * subscriptions), and a flow can stop for good: an idempotent producer whose first batch to a new partition was
 * refused while a later one was appended retries that batch for ever (KAFKA-15591), and a run once hung for
 * 15 minutes that way. A fixed timeout per phase would have to allow for the slowest machine and the longest
 * window; a bound on the time <em>without progress</em> does not, and it names what stopped.
 *
 * <p>Each watched count must move at least once every {@code bound}; the bound runs from the moment the count is
 * watched, so watch right before the waits it covers. The waits ({@link #sleep}, {@link #await}) look at the
 * counts every {@value #CHECK_EVERY_MILLIS} ms; {@link #check} looks once, for a loop of the caller's own.
 *
 * <p>Threading: one thread (the benchmark's) calls the waits and {@link #check}; the counts are written by other
 * threads and must be safe to read from this one (atomics, volatile fields, concurrent collections).
 */
public final class ProgressWatchdog {

    /** How often the waits look at the counts: often enough for a clear stall time, rare enough to cost nothing. */
    static final long CHECK_EVERY_MILLIS = 200;

    /** What a stalled wait throws; its message names where, what stopped, for how long, and the counts. */
    public static final class StalledException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        StalledException(String message) {
            super(message);
        }
    }

    /** How a wait passes the time between two looks: a sleep in a benchmark, a step of a driven clock in a test. */
    @FunctionalInterface
    public interface Pause {
        void pause(long nanos) throws InterruptedException;
    }

    private static final class Watched {
        final String what;
        final LongSupplier count;
        long last;
        long movedAt;

        Watched(String what, LongSupplier count, long now) {
            this.what = what;
            this.count = count;
            this.last = count.getAsLong();
            this.movedAt = now;
        }
    }

    private final String where;
    private final Duration bound;
    private final LongSupplier nanoTime;
    private final Pause pause;
    private final List<Watched> watched = new ArrayList<>();
    private Supplier<String> status;

    private ProgressWatchdog(String where, Duration bound, LongSupplier nanoTime, Pause pause) {
        if (bound.isNegative() || bound.isZero()) {
            throw new IllegalArgumentException("the bound must be positive, but was " + bound);
        }
        this.where = where;
        this.bound = bound;
        this.nanoTime = nanoTime;
        this.pause = pause;
        this.status = () -> watched.stream().map(w -> String.format(Locale.ROOT, "%s %,d", w.what, w.count.getAsLong()))
                .collect(Collectors.joining(", "));
    }

    /**
     * A watchdog on the system clock; {@code where} starts every message, e.g. {@code "quote-throughput baseline,
     * pair 1"}.
     */
    public static ProgressWatchdog start(String where, Duration bound) {
        return start(where, bound, System::nanoTime, TimeUnit.NANOSECONDS::sleep);
    }

    public static ProgressWatchdog start(String where, Duration bound, LongSupplier nanoTime, Pause pause) {
        return new ProgressWatchdog(where, bound, nanoTime, pause);
    }

    /**
     * Demands that {@code count}, which only grows, moves at least once every bound from now on; {@code what} names
     * one step of it, as in "no {@code what} for 30 s" (e.g. "acknowledgement").
     */
    public ProgressWatchdog watch(String what, LongSupplier count) {
        watched.add(new Watched(what, count, nanoTime.getAsLong()));
        return this;
    }

    /** What a message ends with, in brackets (default: every watched count); asked only when a wait stalls. */
    public ProgressWatchdog status(Supplier<String> status) {
        this.status = status;
        return this;
    }

    public Duration bound() {
        return bound;
    }

    /**
     * Looks at every count once.
     *
     * @throws StalledException when a count has not moved for the bound
     */
    public void check() {
        long now = nanoTime.getAsLong();
        for (Watched w : watched) {
            long count = w.count.getAsLong();
            if (count != w.last) {
                w.last = count;
                w.movedAt = now;
            } else if (now - w.movedAt >= bound.toNanos()) {
                throw new StalledException(String.format(Locale.ROOT, "%s: no %s for %d s (%s)", where, w.what,
                        TimeUnit.NANOSECONDS.toSeconds(now - w.movedAt), status.get()));
            }
        }
    }

    /**
     * Waits for {@code duration} (a warm-up, a measuring window) while every count keeps moving.
     *
     * @throws StalledException as soon as a count has not moved for the bound
     */
    public void sleep(Duration duration) throws InterruptedException {
        long end = nanoTime.getAsLong() + duration.toNanos();
        while (true) {
            check();
            long left = end - nanoTime.getAsLong();
            if (left <= 0) {
                return;
            }
            pause.pause(Math.min(left, TimeUnit.MILLISECONDS.toNanos(CHECK_EVERY_MILLIS)));
        }
    }

    /**
     * Waits until {@code done} (asked first, and after each pause), however long that takes while every count
     * keeps moving.
     *
     * @throws StalledException when a count has not moved for the bound before {@code done}
     */
    public void await(BooleanSupplier done) throws InterruptedException {
        while (!done.getAsBoolean()) {
            check();
            pause.pause(TimeUnit.MILLISECONDS.toNanos(CHECK_EVERY_MILLIS));
        }
    }
}
