package io.twsbridge.bench.support;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongUnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The watchdog on a driven clock: every pause moves the clock on, and the counts move with it or not. */
class ProgressWatchdogTest {

    private static final Duration BOUND = Duration.ofSeconds(30);
    private static final long CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(ProgressWatchdog.CHECK_EVERY_MILLIS);

    /** Nanoseconds on the driven clock. */
    private long now;
    /** What the watched count is at a given time. */
    private LongUnaryOperator countAt = t -> 0;
    private final AtomicLong count = new AtomicLong();

    private ProgressWatchdog watchdog(String where) {
        return ProgressWatchdog.start(where, BOUND, () -> now, nanos -> {
            now += nanos;
            count.set(countAt.applyAsLong(now));
        });
    }

    private static long seconds(double s) {
        return (long) (s * 1e9);
    }

    @Test
    void aCountThatNeverMovesFailsTheWaitAfterTheBoundNamingWhereWhatAndTheCounts() {
        count.set(1_203_000);
        countAt = t -> 1_203_000;
        ProgressWatchdog w = watchdog("quote-throughput baseline, pair 1").watch("acknowledgement", count::get)
                .status(() -> String.format(Locale.ROOT, "sent %,d, acked %,d", 1_203_440, count.get()));

        assertThatThrownBy(() -> w.sleep(Duration.ofMinutes(10)))
                .isInstanceOf(ProgressWatchdog.StalledException.class)
                .hasMessage("quote-throughput baseline, pair 1: no acknowledgement for 30 s (sent 1,203,440, "
                        + "acked 1,203,000)");
        assertThat(now).as("fired at the bound, not at the end of the sleep")
                .isBetween(BOUND.toNanos(), BOUND.toNanos() + CHECK_NANOS);
    }

    @Test
    void aCountThatKeepsMovingLetsTheWholeSleepRun() throws Exception {
        // One step every 25 s: slower than the checks, faster than the bound.
        countAt = t -> t / seconds(25);
        ProgressWatchdog w = watchdog("quote-latency bridge").watch("quote acknowledged", count::get);

        w.sleep(Duration.ofMinutes(10));

        assertThat(now).isEqualTo(Duration.ofMinutes(10).toNanos());
        assertThat(count.get()).isEqualTo(24);
    }

    @Test
    void theBoundRunsFromTheLastMoveNotFromTheStart() {
        countAt = t -> Math.min(t, seconds(100)) / seconds(1);
        ProgressWatchdog w = watchdog("memory, steady state").watch("quote published", count::get);

        assertThatThrownBy(() -> w.sleep(Duration.ofMinutes(10)))
                .isInstanceOf(ProgressWatchdog.StalledException.class)
                .hasMessage("memory, steady state: no quote published for 30 s (quote published 100)");
        assertThat(now).isBetween(seconds(130), seconds(130) + CHECK_NANOS);
    }

    @Test
    void everyWatchedCountMustMoveAndTheOneThatStoppedIsNamed() {
        AtomicLong consumed = new AtomicLong(7);
        countAt = t -> t / seconds(1);
        ProgressWatchdog w = watchdog("quote-latency baseline at 10,000 records/s")
                .watch("acknowledgement", count::get).watch("record consumed", consumed::get);

        assertThatThrownBy(() -> w.sleep(Duration.ofMinutes(1)))
                .isInstanceOf(ProgressWatchdog.StalledException.class)
                .hasMessageStartingWith("quote-latency baseline at 10,000 records/s: no record consumed for 30 s")
                .hasMessageEndingWith("record consumed 7)");
    }

    @Test
    void awaitReturnsWhenDoneEvenAfterTheCountsStoppedAndBeforeTheBoundFromTheirLastMove() throws Exception {
        // Everything acknowledged by 20 s; the wait's own condition comes true at 45 s, before a stall at 50 s.
        countAt = t -> Math.min(t, seconds(20)) / seconds(1);
        ProgressWatchdog w = watchdog("command-path").watch("command result", count::get);

        w.await(() -> now >= seconds(45));

        assertThat(now).isBetween(seconds(45), seconds(45) + CHECK_NANOS);
    }

    @Test
    void awaitFailsWhenTheCountsStopBeforeItIsDone() {
        countAt = t -> Math.min(t, seconds(5)) / seconds(1);
        ProgressWatchdog w = watchdog("quote-throughput bridge, pair 2, subscribing")
                .watch("subscription opened at the simulator", count::get)
                .status(() -> count.get() + " of 100 instruments subscribed");

        assertThatThrownBy(() -> w.await(() -> count.get() >= 100))
                .isInstanceOf(ProgressWatchdog.StalledException.class)
                .hasMessage("quote-throughput bridge, pair 2, subscribing: no subscription opened at the simulator "
                        + "for 30 s (5 of 100 instruments subscribed)");
    }

    @Test
    void checkFiresAtTheBoundAndNotOneNanosecondBefore() {
        ProgressWatchdog w = watchdog("connect").watch("step", count::get);

        now = BOUND.toNanos() - 1;
        w.check();
        now = BOUND.toNanos();
        assertThatThrownBy(w::check).isInstanceOf(ProgressWatchdog.StalledException.class);
    }

    @Test
    void aMoveSeenByCheckRestartsTheBound() {
        ProgressWatchdog w = watchdog("connect").watch("step", count::get);

        now = seconds(29);
        count.set(1);
        w.check();
        now = seconds(58);
        w.check();
        now = seconds(59);
        assertThatThrownBy(w::check).hasMessageContaining("no step for 30 s");
    }
}
