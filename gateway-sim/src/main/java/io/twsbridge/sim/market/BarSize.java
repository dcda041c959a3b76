package io.twsbridge.sim.market;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The bar sizes of reqHistoricalData, spelled as on the wire ("1 secs" plural, "1 min" singular), and IB's step
 * table: which bar sizes each duration allows, so that one request returns a few thousand bars at most.
 */
public enum BarSize {
    SECS_1("1 secs", 1), SECS_5("5 secs", 5), SECS_10("10 secs", 10), SECS_15("15 secs", 15),
    SECS_30("30 secs", 30), MIN_1("1 min", 60), MINS_2("2 mins", 120), MINS_3("3 mins", 180),
    MINS_5("5 mins", 300), MINS_10("10 mins", 600), MINS_15("15 mins", 900), MINS_20("20 mins", 1200),
    MINS_30("30 mins", 1800), HOUR_1("1 hour", 3600), HOURS_2("2 hours", 7200), HOURS_3("3 hours", 10_800),
    HOURS_4("4 hours", 14_400), HOURS_8("8 hours", 28_800), DAY_1("1 day", 86_400), WEEK_1("1 week", 604_800),
    MONTH_1("1 month", 2_592_000);

    /** The legal spellings, as IB's refusal of an unknown one lists them. */
    public static final String LEGAL = Arrays.stream(values()).map(b -> b.text).collect(Collectors.joining(", "));

    private final String text;
    private final long seconds;

    BarSize(String text, long seconds) {
        this.text = text;
        this.seconds = seconds;
    }

    public static Optional<BarSize> parse(String text) {
        return Arrays.stream(values()).filter(b -> b.text.equals(text == null ? "" : text.trim())).findFirst();
    }

    public String text() {
        return text;
    }

    /** Nominal length: a month counts 30 days; only used for intraday bars and for comparing sizes. */
    public long seconds() {
        return seconds;
    }

    /** Daily, weekly and monthly bars carry a date, whatever formatDate asked for. */
    public boolean isDaily() {
        return seconds >= DAY_1.seconds;
    }

    /** Bars of 30 seconds or less are the ones IB's pacing rules apply to. */
    public boolean isSmall() {
        return seconds <= 30;
    }

    /**
     * IB's step table, read as: a duration falls in the first row whose duration is at least as long (durations
     * beyond a year in the last row), and that row's range of bar sizes is what it allows. Between two rows this
     * takes the stricter one, so what passes here passes at IB.
     */
    public boolean allows(HistoricalDuration duration) {
        long d = duration.nominalSeconds();
        for (Step step : STEPS) {
            if (d <= step.durationSeconds) {
                return step.allows(this);
            }
        }
        return STEPS[STEPS.length - 1].allows(this);
    }

    private record Step(long durationSeconds, BarSize smallest, BarSize largest) {
        boolean allows(BarSize b) {
            return b.compareTo(smallest) >= 0 && b.compareTo(largest) <= 0;
        }
    }

    private static final Step[] STEPS = {
            new Step(60, SECS_1, MIN_1),
            new Step(120, SECS_1, MINS_2),
            new Step(1800, SECS_1, MINS_30),
            new Step(3600, SECS_5, HOUR_1),
            new Step(14_400, SECS_10, HOURS_3),
            new Step(28_800, SECS_30, HOURS_8),
            new Step(86_400, MIN_1, DAY_1),
            new Step(2 * 86_400, MINS_2, DAY_1),
            new Step(7 * 86_400, MINS_3, WEEK_1),
            new Step(30 * 86_400, MINS_30, MONTH_1),
            new Step(365 * 86_400, DAY_1, MONTH_1),
    };
}
