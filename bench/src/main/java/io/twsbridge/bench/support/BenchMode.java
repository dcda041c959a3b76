package io.twsbridge.bench.support;

import java.nio.file.Path;

/**
 * How a benchmark runs: {@code smoke} is the short form CI runs to prove the benchmark works (its numbers are not
 * judged); {@code results} is where its report goes.
 */
public record BenchMode(boolean smoke, Path results) {

    /**
     * From the system properties {@code bench.smoke} (default false) and {@code bench.results} (default
     * {@code results}, or {@code target/smoke-results} in smoke mode so a smoke run never replaces real figures).
     */
    public static BenchMode fromSystemProperties() {
        boolean smoke = Boolean.getBoolean("bench.smoke");
        return new BenchMode(smoke, Path.of(System.getProperty("bench.results", smoke ? "target/smoke-results" : "results")));
    }

    /** {@code full} in a full run, {@code smoke} in smoke mode. */
    public int pick(int full, int smoke) {
        return this.smoke ? smoke : full;
    }

    public long pick(long full, long smoke) {
        return this.smoke ? smoke : full;
    }
}
