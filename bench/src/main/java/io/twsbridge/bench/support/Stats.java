package io.twsbridge.bench.support;

import java.util.Arrays;

/** Exact percentiles of recorded samples (nanoseconds or anything else), nearest-rank. */
public final class Stats {

    private long[] samples;
    private int size;

    public Stats(int expected) {
        this.samples = new long[Math.max(16, expected)];
    }

    public synchronized void add(long sample) {
        if (size == samples.length) {
            samples = Arrays.copyOf(samples, size * 2);
        }
        samples[size++] = sample;
    }

    public synchronized int count() {
        return size;
    }

    /** The p-th percentile (0 < p <= 100), nearest rank; NaN without samples. */
    public synchronized double percentile(double p) {
        if (size == 0) {
            return Double.NaN;
        }
        long[] sorted = Arrays.copyOf(samples, size);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * size);
        return sorted[Math.max(0, Math.min(size - 1, rank - 1))];
    }

    public synchronized double max() {
        return size == 0 ? Double.NaN : Arrays.stream(samples, 0, size).max().orElseThrow();
    }
}
