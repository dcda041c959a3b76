package io.twsbridge.sim.market;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;

/**
 * The simulated exchange's sessions, in its zone (US/Eastern): regular hours 09:30-16:00 and, with the
 * pre- and post-market, 04:00-20:00, Monday to Friday. There are no holidays.
 */
public final class TradingHours {

    public static final ZoneId ZONE = ZoneId.of("US/Eastern");
    private static final LocalTime RTH_OPEN = LocalTime.of(9, 30);
    private static final LocalTime RTH_CLOSE = LocalTime.of(16, 0);
    private static final LocalTime EXTENDED_OPEN = LocalTime.of(4, 0);
    private static final LocalTime EXTENDED_CLOSE = LocalTime.of(20, 0);

    private TradingHours() {
    }

    public static boolean isTradingDay(LocalDate day) {
        return day.getDayOfWeek() != DayOfWeek.SATURDAY && day.getDayOfWeek() != DayOfWeek.SUNDAY;
    }

    public static Instant open(LocalDate day, boolean regularHoursOnly) {
        return day.atTime(regularHoursOnly ? RTH_OPEN : EXTENDED_OPEN).atZone(ZONE).toInstant();
    }

    public static Instant close(LocalDate day, boolean regularHoursOnly) {
        return day.atTime(regularHoursOnly ? RTH_CLOSE : EXTENDED_CLOSE).atZone(ZONE).toInstant();
    }

    public static LocalDate day(Instant t) {
        return t.atZone(ZONE).toLocalDate();
    }

    /** Whether {@code t} is inside a session of the given kind. */
    public static boolean isOpen(Instant t, boolean regularHoursOnly) {
        LocalDate day = day(t);
        return isTradingDay(day) && !t.isBefore(open(day, regularHoursOnly)) && t.isBefore(close(day, regularHoursOnly));
    }

    /**
     * The last moment at or before {@code t} that had trading in the extended session: {@code t} itself while
     * open, else the close of the session before it.
     */
    public static Instant lastTradingMoment(Instant t) {
        if (isOpen(t, false)) {
            return t;
        }
        LocalDate day = day(t);
        for (int i = 0; i < 10; i++, day = day.minusDays(1)) {
            if (isTradingDay(day) && !close(day, false).isAfter(t)) {
                return close(day, false);
            }
        }
        return t;
    }
}
