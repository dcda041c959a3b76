package io.twsbridge.sim.market;

import java.time.Instant;

/**
 * A deterministic price history of one instrument: a relative level and a traded volume for any second, from
 * the simulator's seed and the symbol alone, so every request (and every simulator with the same seed) sees the
 * same past.
 *
 * <p>The level is value noise at several scales, from seconds to months, each scale's amplitude growing with the
 * square root of its period as a random walk's would (about 1.5 % a day). Volume is per minute: a base rate in
 * regular hours, a tenth of it outside, each minute drawn between half and one and a half times that. Pure and
 * thread-safe.
 */
final class PricePath {

    private static final long[] PERIODS = {5, 30, 300, 3_600, 86_400, 604_800, 7_776_000};
    private static final double DAILY_VOLATILITY = 0.015;
    private static final double[] AMPLITUDES = new double[PERIODS.length];
    /** Shares a minute in regular hours, on average. */
    private static final double BASE_VOLUME_PER_MINUTE = 2_000;

    static {
        for (int k = 0; k < PERIODS.length; k++) {
            AMPLITUDES[k] = DAILY_VOLATILITY * Math.sqrt(PERIODS[k] / 86_400.0);
        }
    }

    private final long key;

    PricePath(long seed, String symbol) {
        this.key = mix(seed * 0x9E3779B97F4A7C15L + symbol.hashCode());
    }

    /** The level at {@code epochSecond}, around 1; prices are this times a scale. */
    double level(double epochSecond) {
        double log = 0;
        for (int k = 0; k < PERIODS.length; k++) {
            long p = PERIODS[k];
            long i = (long) Math.floor(epochSecond / p);
            double f = (epochSecond - (double) i * p) / p;
            double a = uniform(k, i);
            double b = uniform(k, i + 1);
            log += AMPLITUDES[k] * (a + (b - a) * f * f * (3 - 2 * f));
        }
        return Math.exp(log);
    }

    /** Shares traded in [{@code from}, {@code to}) seconds. */
    long volume(long from, long to) {
        double total = 0;
        // one offset per call: a bar never spans a change of daylight-saving time, which happens at night
        int offset = TradingHours.ZONE.getRules().getOffset(Instant.ofEpochSecond(from)).getTotalSeconds();
        for (long minute = Math.floorDiv(from, 60); minute * 60 < to; minute++) {
            long start = Math.max(from, minute * 60);
            long end = Math.min(to, minute * 60 + 60);
            double rate = BASE_VOLUME_PER_MINUTE * (0.5 + (uniform(99, minute) + 1) / 2)
                    * (regularHours(minute * 60, offset) ? 1 : 0.1);
            total += rate * (end - start) / 60.0;
        }
        return Math.max(1, Math.round(total));
    }

    /** Whether an epoch second is in regular hours on a weekday, from arithmetic alone (this runs per minute). */
    private static boolean regularHours(long epochSecond, int offset) {
        long local = epochSecond + offset;
        long day = Math.floorDiv(local, 86_400);
        int dayOfWeek = Math.floorMod(day + 3, 7); // 1970-01-01 was a Thursday: 0 = Monday
        long secondOfDay = local - day * 86_400;
        return dayOfWeek < 5 && secondOfDay >= 9 * 3600 + 1800 && secondOfDay < 16 * 3600;
    }

    /** A value in [-1, 1] for lattice point {@code i} of scale {@code k}. */
    private double uniform(int k, long i) {
        long h = mix(key ^ mix(i * 31 + k));
        return (h >>> 11) * 0x1.0p-53 * 2 - 1;
    }

    /** SplitMix64's finaliser: a good 64-bit mix. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
