package io.twsbridge.sim.net;

import io.twsbridge.sim.net.PacingMonitor.Verdict;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The pacing rule on a clock the test drives: no waiting, exact boundaries. */
class PacingMonitorTest {

    private static final long SECOND = 1_000_000_000L;
    private static final long MILLI = 1_000_000L;

    private final AtomicLong now = new AtomicLong(10 * SECOND);
    private final PacingMonitor monitor = new PacingMonitor(50, 3, now::get);

    @Test
    void fiftyMessagesInOneSecondAreAllowedAndTheFiftyFirstIsAViolation() {
        assertThat(send(50)).containsOnly(Verdict.OK);
        assertThat(monitor.violations()).isZero();

        assertThat(send(1)).containsExactly(Verdict.VIOLATION);
        assertThat(monitor.violations()).isEqualTo(1);
    }

    @Test
    void theWindowSlidesRatherThanFollowingCalendarSeconds() {
        now.set(10 * SECOND + 900 * MILLI);
        send(30);
        now.set(11 * SECOND + 100 * MILLI);
        assertThat(send(20)).containsOnly(Verdict.OK);

        assertThat(send(1)).as("51 messages within 200 ms across a second boundary")
                .containsExactly(Verdict.VIOLATION);
    }

    @Test
    void aMessageExactlyOneSecondAfterTheOldestIsAllowed() {
        send(50);
        now.addAndGet(SECOND - 1);
        assertThat(send(1)).containsExactly(Verdict.VIOLATION);

        PacingMonitor fresh = new PacingMonitor(50, 3, now::get);
        for (int i = 0; i < 50; i++) {
            fresh.onMessage();
        }
        now.addAndGet(SECOND);
        assertThat(fresh.onMessage()).isEqualTo(Verdict.OK);
    }

    @Test
    void violationsInThreeConsecutiveSecondsDisconnect() {
        assertThat(last(send(51))).isEqualTo(Verdict.VIOLATION);
        now.set(11 * SECOND);
        assertThat(send(50)).containsOnly(Verdict.OK);
        assertThat(send(1)).containsExactly(Verdict.VIOLATION);
        now.set(12 * SECOND);
        send(50);

        assertThat(send(1)).containsExactly(Verdict.DISCONNECT);
        assertThat(monitor.violations()).isEqualTo(3);
    }

    @Test
    void aQuietSecondResetsTheCount() {
        violateIn(10);
        // second 11: quiet. Without the reset, second 13 would be the third violating one.
        assertThat(violateIn(12)).isEqualTo(Verdict.VIOLATION);
        assertThat(violateIn(13)).isEqualTo(Verdict.VIOLATION);

        assertThat(violateIn(14)).isEqualTo(Verdict.DISCONNECT);
    }

    @Test
    void aSecondWithinTheLimitAlsoResetsTheCount() {
        violateIn(10);
        violateIn(11);
        now.set(12 * SECOND);
        assertThat(send(10)).containsOnly(Verdict.OK);

        assertThat(violateIn(13)).isEqualTo(Verdict.VIOLATION);
        assertThat(violateIn(14)).isEqualTo(Verdict.VIOLATION);
        assertThat(violateIn(15)).isEqualTo(Verdict.DISCONNECT);
    }

    @Test
    void consecutiveSecondsAreCountedAcrossANegativeNanoClock() {
        // System.nanoTime may be negative: -0.5 s lies in second -1, so -0.5 s, 0.5 s and 1.5 s are three
        // consecutive seconds (truncating division would put the first two in the same second 0).
        assertThat(violateAt(-500 * MILLI)).isEqualTo(Verdict.VIOLATION);
        assertThat(violateAt(500 * MILLI)).isEqualTo(Verdict.VIOLATION);
        assertThat(violateAt(1_500 * MILLI)).isEqualTo(Verdict.DISCONNECT);
    }

    @Test
    void oneViolatingSecondDisconnectsWhenTheLimitIsOne() {
        PacingMonitor strict = new PacingMonitor(2, 1, now::get);
        assertThat(strict.onMessage()).isEqualTo(Verdict.OK);
        assertThat(strict.onMessage()).isEqualTo(Verdict.OK);
        assertThat(strict.onMessage()).isEqualTo(Verdict.DISCONNECT);
    }

    /** 51 messages at the start of {@code second}; returns the verdict of the 51st. */
    private Verdict violateIn(long second) {
        return violateAt(second * SECOND);
    }

    /** 51 messages at {@code nanos}; returns the verdict of the 51st. */
    private Verdict violateAt(long nanos) {
        now.set(nanos);
        List<Verdict> verdicts = send(51);
        assertThat(verdicts.subList(0, 50)).containsOnly(Verdict.OK);
        return last(verdicts);
    }

    private List<Verdict> send(int n) {
        List<Verdict> verdicts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            verdicts.add(monitor.onMessage());
        }
        return verdicts;
    }

    private static Verdict last(List<Verdict> verdicts) {
        return verdicts.get(verdicts.size() - 1);
    }
}
