package io.twsbridge.bridge.history;

import io.twsbridge.schema.BarSize;
import io.twsbridge.schema.WhatToShow;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What IB accepts in a historical bar request, checked before anything is sent: the duration's form ("an integer,
 * a space and S, D, W, M or Y"), the bar size's wire spelling, and IB's step table, which bounds how many bars one
 * request may return by allowing each duration only a range of bar sizes.
 *
 * <p>The step table, read as IB's farm applies it: a duration falls in the first row at least as long (a duration
 * beyond a year in the last row), and that row's range of bar sizes is what it allows. Between two rows this takes
 * the stricter one, so what passes here passes at IB. Pure and stateless.
 */
public final class BarRequestRules {

    /** A duration as IB writes it: {@code 3600 S}, {@code 1 D}, {@code 2 W}, {@code 6 M}, {@code 1 Y}. */
    public record HistoricalDuration(long amount, char unit) {

        private static final Pattern FORM = Pattern.compile("([1-9][0-9]{0,8}) ([SDWMY])");

        public static Optional<HistoricalDuration> parse(String text) {
            Matcher m = FORM.matcher(text == null ? "" : text);
            return m.matches() ? Optional.of(new HistoricalDuration(Long.parseLong(m.group(1)), m.group(2).charAt(0)))
                    : Optional.empty();
        }

        /** Nominal length, a month counted as 30 days and a year as 365, for the step table. */
        public long nominalSeconds() {
            return amount * switch (unit) {
                case 'S' -> 1L;
                case 'D' -> 86_400L;
                case 'W' -> 7 * 86_400L;
                case 'M' -> 30 * 86_400L;
                default -> 365 * 86_400L;
            };
        }

        /** As on the wire. */
        public String text() {
            return amount + " " + unit;
        }
    }

    private record Step(long durationSeconds, BarSize smallest, BarSize largest) {
        boolean allows(BarSize b) {
            return b.ordinal() >= smallest.ordinal() && b.ordinal() <= largest.ordinal();
        }
    }

    /** IB's step table (historical data limitations): the bar sizes each duration allows. */
    private static final List<Step> STEPS = List.of(
            new Step(60, BarSize.SEC_1, BarSize.MIN_1),
            new Step(120, BarSize.SEC_1, BarSize.MIN_2),
            new Step(1800, BarSize.SEC_1, BarSize.MIN_30),
            new Step(3600, BarSize.SEC_5, BarSize.HOUR_1),
            new Step(14_400, BarSize.SEC_10, BarSize.HOUR_3),
            new Step(28_800, BarSize.SEC_30, BarSize.HOUR_8),
            new Step(86_400, BarSize.MIN_1, BarSize.DAY_1),
            new Step(2 * 86_400, BarSize.MIN_2, BarSize.DAY_1),
            new Step(7 * 86_400, BarSize.MIN_3, BarSize.WEEK_1),
            new Step(30 * 86_400, BarSize.MIN_30, BarSize.MONTH_1),
            new Step(365 * 86_400, BarSize.DAY_1, BarSize.MONTH_1));

    private static final Map<BarSize, String> WIRE = new EnumMap<>(BarSize.class);
    private static final Map<BarSize, Duration> LENGTH = new EnumMap<>(BarSize.class);

    static {
        wire(BarSize.SEC_1, "1 secs", Duration.ofSeconds(1));
        wire(BarSize.SEC_5, "5 secs", Duration.ofSeconds(5));
        wire(BarSize.SEC_10, "10 secs", Duration.ofSeconds(10));
        wire(BarSize.SEC_15, "15 secs", Duration.ofSeconds(15));
        wire(BarSize.SEC_30, "30 secs", Duration.ofSeconds(30));
        wire(BarSize.MIN_1, "1 min", Duration.ofMinutes(1));
        wire(BarSize.MIN_2, "2 mins", Duration.ofMinutes(2));
        wire(BarSize.MIN_3, "3 mins", Duration.ofMinutes(3));
        wire(BarSize.MIN_5, "5 mins", Duration.ofMinutes(5));
        wire(BarSize.MIN_10, "10 mins", Duration.ofMinutes(10));
        wire(BarSize.MIN_15, "15 mins", Duration.ofMinutes(15));
        wire(BarSize.MIN_20, "20 mins", Duration.ofMinutes(20));
        wire(BarSize.MIN_30, "30 mins", Duration.ofMinutes(30));
        wire(BarSize.HOUR_1, "1 hour", Duration.ofHours(1));
        wire(BarSize.HOUR_2, "2 hours", Duration.ofHours(2));
        wire(BarSize.HOUR_3, "3 hours", Duration.ofHours(3));
        wire(BarSize.HOUR_4, "4 hours", Duration.ofHours(4));
        wire(BarSize.HOUR_8, "8 hours", Duration.ofHours(8));
        wire(BarSize.DAY_1, "1 day", Duration.ofDays(1));
        wire(BarSize.WEEK_1, "1 week", Duration.ofDays(7));
        wire(BarSize.MONTH_1, "1 month", Duration.ofDays(30));
    }

    private BarRequestRules() {
    }

    private static void wire(BarSize size, String text, Duration length) {
        WIRE.put(size, text);
        LENGTH.put(size, length);
    }

    /** The bar size as reqHistoricalData spells it ("1 secs" plural, "1 min" singular). */
    public static String wireText(BarSize size) {
        String text = WIRE.get(size);
        if (text == null) {
            throw new IllegalArgumentException("no wire spelling for bar size " + size);
        }
        return text;
    }

    /** Bars of 30 seconds or less: the ones IB's pacing rules apply to. */
    public static boolean isSmall(BarSize size) {
        Duration length = LENGTH.get(size);
        return length != null && length.getSeconds() <= 30;
    }

    /**
     * What is wrong with a request of {@code duration} in bars of {@code barSize} for {@code whatToShow}; empty
     * when IB would take it.
     */
    public static Optional<String> problem(String duration, BarSize barSize, WhatToShow whatToShow) {
        if (barSize == null || barSize == BarSize.UNKNOWN) {
            return Optional.of("barSize must be one of SEC_1 .. MONTH_1 but was " + barSize);
        }
        if (whatToShow == null || whatToShow == WhatToShow.UNKNOWN) {
            return Optional.of("whatToShow must be one of TRADES, MIDPOINT, BID, ASK, BID_ASK, ADJUSTED_LAST,"
                    + " HISTORICAL_VOLATILITY, OPTION_IMPLIED_VOLATILITY but was " + whatToShow);
        }
        Optional<HistoricalDuration> d = HistoricalDuration.parse(duration);
        if (d.isEmpty()) {
            return Optional.of("duration must be an integer, a space and S, D, W, M or Y (e.g. \"1 D\", \"3600 S\")"
                    + " but was '" + (duration == null ? "null" : duration) + "'");
        }
        Step step = stepOf(d.get());
        if (!step.allows(barSize)) {
            return Optional.of("IB's step table allows a duration of " + d.get().text() + " only bars of "
                    + wireText(step.smallest()) + " to " + wireText(step.largest()) + ", not " + wireText(barSize)
                    + "; ask a shorter duration or larger bars");
        }
        return Optional.empty();
    }

    private static Step stepOf(HistoricalDuration d) {
        long seconds = d.nominalSeconds();
        for (Step s : STEPS) {
            if (seconds <= s.durationSeconds()) {
                return s;
            }
        }
        return STEPS.get(STEPS.size() - 1);
    }
}
