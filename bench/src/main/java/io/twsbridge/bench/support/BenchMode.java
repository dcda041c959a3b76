package io.twsbridge.bench.support;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How a benchmark runs: {@code smoke} is the short form CI runs to prove the benchmark works (its numbers are not
 * judged); {@code results} is where its report goes; {@code stallBound} is how long a wait for records to flow may
 * see no progress before the benchmark fails ({@link ProgressWatchdog}).
 */
public record BenchMode(boolean smoke, Path results, Duration stallBound) {

    /** Without progress for this long a full run's benchmark fails; a healthy flow moves many times a second. */
    static final Duration FULL_STALL_BOUND = Duration.ofSeconds(30);
    /** Smoke runs are seconds long, so a stall may end them sooner; still ample for a loaded CI machine. */
    static final Duration SMOKE_STALL_BOUND = Duration.ofSeconds(20);

    /** The stall bound of the mode ({@link #FULL_STALL_BOUND}, {@link #SMOKE_STALL_BOUND}). */
    public BenchMode(boolean smoke, Path results) {
        this(smoke, results, smoke ? SMOKE_STALL_BOUND : FULL_STALL_BOUND);
    }

    /**
     * From the system properties {@code bench.smoke} (default false), {@code bench.results} (default
     * {@code results}, or {@code target/smoke-results} in smoke mode so a smoke run never replaces real figures)
     * and {@code bench.stallSeconds} (default 30, or 20 in smoke mode).
     */
    public static BenchMode fromSystemProperties() {
        boolean smoke = Boolean.getBoolean("bench.smoke");
        Path results = Path.of(System.getProperty("bench.results", smoke ? "target/smoke-results" : "results"));
        String stall = System.getProperty("bench.stallSeconds");
        return stall == null || stall.isBlank() ? new BenchMode(smoke, results)
                : new BenchMode(smoke, results, Duration.ofSeconds(Long.parseLong(stall.trim())));
    }

    /** {@code full} in a full run, {@code smoke} in smoke mode. */
    public int pick(int full, int smoke) {
        return this.smoke ? smoke : full;
    }

    public long pick(long full, long smoke) {
        return this.smoke ? smoke : full;
    }

    /** A watchdog with this mode's stall bound; {@code where} starts its messages. */
    public ProgressWatchdog watchdog(String where) {
        return ProgressWatchdog.start(where, stallBound);
    }
}
