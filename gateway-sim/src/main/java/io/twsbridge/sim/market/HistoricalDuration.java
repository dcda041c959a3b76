package io.twsbridge.sim.market;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A reqHistoricalData durationStr: an integer, one space and a unit, S(econds), D(ays: trading days),
 * W(eeks), M(onths) or Y(ears).
 */
public record HistoricalDuration(long amount, char unit) {

    private static final Pattern FORM = Pattern.compile("([1-9][0-9]{0,8}) ([SDWMY])");

    public static Optional<HistoricalDuration> parse(String text) {
        Matcher m = FORM.matcher(text == null ? "" : text.trim());
        return m.matches() ? Optional.of(new HistoricalDuration(Long.parseLong(m.group(1)), m.group(2).charAt(0)))
                : Optional.empty();
    }

    /** Length for the step table: a day is 24 h, a week 7 days, a month 30 days, a year 365 days. */
    public long nominalSeconds() {
        return switch (unit) {
            case 'S' -> amount;
            case 'D' -> amount * 86_400;
            case 'W' -> amount * 7 * 86_400;
            case 'M' -> amount * 30 * 86_400;
            default -> amount * 365 * 86_400;
        };
    }

    @Override
    public String toString() {
        return amount + " " + unit;
    }
}
