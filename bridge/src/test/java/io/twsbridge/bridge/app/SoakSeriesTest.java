package io.twsbridge.bridge.app;

import org.junit.jupiter.api.Test;

import java.util.function.IntUnaryOperator;
import java.util.function.LongUnaryOperator;

import static io.twsbridge.bridge.app.SoakSeries.MIB;
import static org.assertj.core.api.Assertions.assertThat;

/** The soak's flatness judgement, on made-up series: 10 s of warm-up, then 60 s judged in thirds of 20 s. */
class SoakSeriesTest {

    private static final SoakSeries.Limits LIMITS = SoakSeries.LIMITS;

    /** Threads, descriptors and sockets per second of the run; the live heap at every fifth second. */
    private static SoakSeries series(IntUnaryOperator threads, IntUnaryOperator fds, IntUnaryOperator sockets,
                                     LongUnaryOperator liveHeap) {
        SoakSeries series = new SoakSeries(10);
        for (int t = 0; t <= 70; t++) {
            // The heap in use saw-tooths between collections; it never counts.
            long used = (20 + (t % 7) * 12) * MIB;
            series.add(new SoakSeries.Sample(t, threads.applyAsInt(t), fds.applyAsInt(t), sockets.applyAsInt(t), used,
                    t * 5_000L, t * 4_000L, t / 2, 100, true));
            if (t % 5 == 0) {
                series.add(new SoakSeries.Checkpoint(t, liveHeap.applyAsLong(t)));
            }
        }
        return series;
    }

    @Test
    void aNoisyButFlatRunPasses() {
        // A reconnect every 15 s holds one more thread and socket for a moment; the live heap wobbles by 1 MiB.
        SoakSeries flat = series(t -> t % 15 == 0 ? 41 : 40, t -> t % 15 == 0 ? 91 : 90, t -> t % 15 == 0 ? 13 : 12,
                t -> (18 + t % 2) * MIB);

        assertThat(flat.problems(LIMITS)).isEmpty();
        assertThat(flat.thirds(SoakSeries.Sample::threads, 1)).isEqualTo("40..41 (median 40) -> 40..41 (median 40)");
        assertThat(flat.peakLiveHeapBytes()).isEqualTo(19.0 * MIB);
        assertThat(flat.peakHeapUsedBytes()).isEqualTo(92.0 * MIB);
    }

    @Test
    void aThreadLostAtEachReconnectMovesTheLevelBeforeThePeak() {
        // One more thread after each drop (every 15 s): the peaks differ by 2 only, the medians by 3.
        SoakSeries leaking = series(t -> 40 + t / 15, t -> 90, t -> 12, t -> 18 * MIB);

        assertThat(leaking.problems(LIMITS)).containsExactly(
                "threads grew: median 41.0 in the first third, 44.0 in the last (slack 1)");
    }

    @Test
    void socketsAndDescriptorsAreJudgedEachOnItsOwn() {
        SoakSeries leaking = series(t -> 40, t -> 90 + t / 5, t -> 12 + t / 5, t -> 18 * MIB);

        assertThat(leaking.problems(LIMITS)).containsExactly(
                "file descriptors grew: at most 96 in the first third, up to 104 in the last (slack 2)",
                "file descriptors grew: median 94.0 in the first third, 102.0 in the last (slack 1)",
                "sockets grew: at most 18 in the first third, up to 26 in the last (slack 2)",
                "sockets grew: median 16.0 in the first third, 24.0 in the last (slack 1)");
    }

    @Test
    void warmUpGrowthDoesNotCount() {
        // Class loading and JIT in the first 10 s: more threads and heap, then flat.
        SoakSeries settling = series(t -> t < 10 ? 30 + t : 40, t -> 90, t -> 12, t -> (t < 10 ? 5 + t : 18) * MIB);

        assertThat(settling.problems(LIMITS)).isEmpty();
    }

    @Test
    void aGrowingLiveHeapFailsWithItsMedians() {
        // 0.5 MiB a second, while the heap in use saw-tooths as in every run.
        SoakSeries leaking = series(t -> 40, t -> 90, t -> 12, t -> 16 * MIB + t * MIB / 2);

        assertThat(leaking.problems(LIMITS)).containsExactly("live heap grew: median 26.0 MiB in the first third, "
                + "46.0 MiB in the last (allowed 36.5 MiB: x1.25 + 4 MiB)");
    }

    @Test
    void aLiveHeapAboveTheCapFailsEvenWhenFlat() {
        SoakSeries big = series(t -> 40, t -> 90, t -> 12, t -> 70 * MIB);

        assertThat(big.problems(LIMITS)).containsExactly("live heap reached 70.0 MiB (cap 64 MiB)");
    }

    @Test
    void aRunTooShortToJudgeSaysSo() {
        SoakSeries tooShort = new SoakSeries(10);
        tooShort.add(new SoakSeries.Sample(5, 40, 90, 12, MIB, 0, 0, 0, 100, true));

        assertThat(tooShort.problems(LIMITS)).singleElement().asString().startsWith("too little to judge");
    }
}
