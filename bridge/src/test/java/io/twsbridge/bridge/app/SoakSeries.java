package io.twsbridge.bridge.app;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * What the soak samples from the bridge process, and how it judges that threads, file descriptors, sockets and the
 * live heap stayed flat.
 *
 * <p>The judgement is made for a shared, noisy machine: it never looks at timing, and compares the first third of
 * the run after the warm-up with the last third. A count's peak may rise by a small slack between the two (a
 * reconnect or a scrape under way at a sample holds one more socket for a moment), and its median, the level it
 * keeps between such moments, by less: a thread or socket lost at each reconnect moves the level, and shows in a
 * one-minute run long before it would lift the peaks past their slack. The live heap is the heap right after a full
 * collection, because the heap in use saw-tooths with every young collection and says nothing about growth; its
 * median may grow by a share plus a few MiB (JIT and class loading go on for a while).
 * Thread-safe: the soak's sampler and checkpoint threads add to it while the run goes on.
 */
final class SoakSeries {

    static final long MIB = 1L << 20;

    /** One reading of the bridge process, {@code seconds} after the load started. */
    record Sample(double seconds, int threads, int fileDescriptors, int sockets, long heapUsedBytes, long ticks,
                  long quotesPublished, long fillsPublished, int subscriptions, boolean ready) {
    }

    /** The live heap: what a full collection left, {@code seconds} after the load started. */
    record Checkpoint(double seconds, long liveHeapBytes) {
    }

    /**
     * How much the last third may exceed the first.
     *
     * @param peakSlack         threads, descriptors and sockets: last-third maximum minus first-third maximum
     * @param levelSlack        threads, descriptors and sockets: last-third median minus first-third median
     * @param heapGrowthFactor  live heap: last-third median over first-third median, before {@code heapSlackBytes}
     * @param heapSlackBytes    live heap: added to the allowed median
     * @param liveHeapCapBytes  live heap: never above this, anywhere in the run
     */
    record Limits(int peakSlack, int levelSlack, double heapGrowthFactor, long heapSlackBytes, long liveHeapCapBytes) {
    }

    /**
     * Peaks two threads, descriptors or sockets higher, levels one; 25 % plus 4 MiB of live heap; a live heap under
     * half of the 128 MiB heap the bridge runs with in production (docs/configuration.md, "JVM options").
     */
    static final Limits LIMITS = new Limits(2, 1, 1.25, 4 * MIB, 64 * MIB);

    /** The extremes and median of one measure in one third. */
    record Spread(double min, double median, double max) {
        static Spread of(List<Double> values) {
            if (values.isEmpty()) {
                return new Spread(Double.NaN, Double.NaN, Double.NaN);
            }
            List<Double> sorted = new ArrayList<>(values);
            Collections.sort(sorted);
            int n = sorted.size();
            double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
            return new Spread(sorted.get(0), median, sorted.get(n - 1));
        }
    }

    private final double warmupSeconds;
    private final List<Sample> samples = new ArrayList<>();
    private final List<Checkpoint> checkpoints = new ArrayList<>();

    /** Samples taken before {@code warmupSeconds} are kept for the record but never judged. */
    SoakSeries(double warmupSeconds) {
        this.warmupSeconds = warmupSeconds;
    }

    synchronized void add(Sample sample) {
        samples.add(sample);
    }

    synchronized void add(Checkpoint checkpoint) {
        checkpoints.add(checkpoint);
    }

    synchronized List<Sample> samples() {
        return List.copyOf(samples);
    }

    synchronized List<Checkpoint> checkpoints() {
        return List.copyOf(checkpoints);
    }

    /** The time of the last sample: the end of the judged window. */
    synchronized double endSeconds() {
        return samples.isEmpty() ? 0 : samples.get(samples.size() - 1).seconds();
    }

    /** Every problem found, each naming the measure and its figures; empty when the run stayed flat. */
    List<String> problems(Limits limits) {
        List<String> problems = new ArrayList<>();
        List<Sample> first = firstThird(samples(), Sample::seconds);
        List<Sample> last = lastThird(samples(), Sample::seconds);
        List<Checkpoint> firstLive = firstThird(checkpoints(), Checkpoint::seconds);
        List<Checkpoint> lastLive = lastThird(checkpoints(), Checkpoint::seconds);
        if (first.isEmpty() || last.isEmpty() || firstLive.isEmpty() || lastLive.isEmpty()) {
            problems.add(String.format(Locale.ROOT, "too little to judge: %d and %d samples, %d and %d live-heap "
                            + "checkpoints in the first and last third after a %.0f s warm-up (the run ended at %.0f s)",
                    first.size(), last.size(), firstLive.size(), lastLive.size(), warmupSeconds, endSeconds()));
            return problems;
        }
        countGrowth(problems, "threads", first, last, Sample::threads, limits);
        countGrowth(problems, "file descriptors", first, last, Sample::fileDescriptors, limits);
        countGrowth(problems, "sockets", first, last, Sample::sockets, limits);
        Spread liveFirst = spread(firstLive, Checkpoint::liveHeapBytes);
        Spread liveLast = spread(lastLive, Checkpoint::liveHeapBytes);
        double allowed = liveFirst.median() * limits.heapGrowthFactor() + limits.heapSlackBytes();
        if (liveLast.median() > allowed) {
            problems.add(String.format(Locale.ROOT, "live heap grew: median %.1f MiB in the first third, %.1f MiB in "
                            + "the last (allowed %.1f MiB: x%.2f + %d MiB)", liveFirst.median() / MIB,
                    liveLast.median() / MIB, allowed / MIB, limits.heapGrowthFactor(), limits.heapSlackBytes() / MIB));
        }
        double peakLive = peakLiveHeapBytes();
        if (peakLive > limits.liveHeapCapBytes()) {
            problems.add(String.format(Locale.ROOT, "live heap reached %.1f MiB (cap %d MiB)", peakLive / MIB,
                    limits.liveHeapCapBytes() / MIB));
        }
        return problems;
    }

    /** The largest live heap of the whole run, warm-up included. */
    double peakLiveHeapBytes() {
        return checkpoints().stream().mapToDouble(Checkpoint::liveHeapBytes).max().orElse(Double.NaN);
    }

    /** The largest heap in use at any sample (young garbage included). */
    double peakHeapUsedBytes() {
        return samples().stream().mapToDouble(Sample::heapUsedBytes).max().orElse(Double.NaN);
    }

    /** A measure in the first and the last third: "min..max (median m) -> min..max (median m)". */
    String thirds(ToDoubleFunction<Sample> measure, double unit) {
        return describe(spread(firstThird(samples(), Sample::seconds), measure), unit) + " -> "
                + describe(spread(lastThird(samples(), Sample::seconds), measure), unit);
    }

    /** The live heap in the first and the last third. */
    String liveHeapThirds() {
        return describe(spread(firstThird(checkpoints(), Checkpoint::seconds), Checkpoint::liveHeapBytes), MIB)
                + " -> " + describe(spread(lastThird(checkpoints(), Checkpoint::seconds), Checkpoint::liveHeapBytes),
                MIB);
    }

    /** Every sample as CSV, the live heap beside the sample nearest its checkpoint. */
    String csv() {
        StringBuilder out = new StringBuilder("seconds,threads,fds,sockets,heap_used_mib,live_heap_mib,ticks,"
                + "quotes_published,fills_published,subscriptions,ready\n");
        List<Checkpoint> live = checkpoints();
        for (Sample s : samples()) {
            String liveHeap = live.stream().filter(c -> Math.abs(c.seconds() - s.seconds()) < 0.5).findFirst()
                    .map(c -> String.format(Locale.ROOT, "%.2f", (double) c.liveHeapBytes() / MIB)).orElse("");
            out.append(String.format(Locale.ROOT, "%.1f,%d,%d,%d,%.2f,%s,%d,%d,%d,%d,%s%n", s.seconds(), s.threads(),
                    s.fileDescriptors(), s.sockets(), (double) s.heapUsedBytes() / MIB, liveHeap, s.ticks(),
                    s.quotesPublished(), s.fillsPublished(), s.subscriptions(), s.ready()));
        }
        return out.toString();
    }

    /** The window judged: from the end of the warm-up to the last sample. */
    private double thirdLength() {
        return (endSeconds() - warmupSeconds) / 3;
    }

    private <T> List<T> firstThird(List<T> points, ToDoubleFunction<T> seconds) {
        double from = warmupSeconds;
        double to = warmupSeconds + thirdLength();
        return points.stream().filter(p -> seconds.applyAsDouble(p) >= from && seconds.applyAsDouble(p) <= to).toList();
    }

    private <T> List<T> lastThird(List<T> points, ToDoubleFunction<T> seconds) {
        double from = Math.max(warmupSeconds, endSeconds() - thirdLength());
        return points.stream().filter(p -> seconds.applyAsDouble(p) >= from).toList();
    }

    private static void countGrowth(List<String> problems, String what, List<Sample> first, List<Sample> last,
                                    ToDoubleFunction<Sample> measure, Limits limits) {
        Spread before = spread(first, measure);
        Spread after = spread(last, measure);
        if (after.max() > before.max() + limits.peakSlack()) {
            problems.add(String.format(Locale.ROOT, "%s grew: at most %.0f in the first third, up to %.0f in the last "
                    + "(slack %d)", what, before.max(), after.max(), limits.peakSlack()));
        }
        if (after.median() > before.median() + limits.levelSlack()) {
            problems.add(String.format(Locale.ROOT, "%s grew: median %.1f in the first third, %.1f in the last "
                    + "(slack %d)", what, before.median(), after.median(), limits.levelSlack()));
        }
    }

    private static <T> Spread spread(List<T> points, ToDoubleFunction<T> measure) {
        return Spread.of(points.stream().map(p -> measure.applyAsDouble(p)).toList());
    }

    private static String describe(Spread s, double unit) {
        return unit == 1
                ? String.format(Locale.ROOT, "%.0f..%.0f (median %.0f)", s.min(), s.max(), s.median())
                : String.format(Locale.ROOT, "%.1f..%.1f (median %.1f)", s.min() / unit, s.max() / unit,
                s.median() / unit);
    }
}
