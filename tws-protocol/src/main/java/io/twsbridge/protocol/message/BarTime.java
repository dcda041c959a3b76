package io.twsbridge.protocol.message;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The start of a historical bar, read from the text the Gateway sends in a bar's date field.
 *
 * <p>Daily, weekly and monthly bars are dates, "YYYYMMDD", whatever formatDate the request asked for. Shorter
 * bars are instants, sent in one of these forms:
 * <ul>
 *   <li>formatDate 2: seconds since 1970-01-01 UTC, as digits (more than 8 of them, so a date never reads as
 *       an epoch);</li>
 *   <li>formatDate 1: "YYYYMMDD HH:MM:SS ZONE", the zone a tz-database name such as "US/Eastern" (or a short
 *       id such as "EST");</li>
 *   <li>formatDate 1, older Gateways: "YYYYMMDD  HH:MM:SS" (two spaces) or with one space and no zone: a local
 *       time in the Gateway's own zone, which the caller names;</li>
 *   <li>"YYYYMMDD-HH:MM:SS", the protocol's UTC spelling.</li>
 * </ul>
 * Pure and stateless.
 */
public sealed interface BarTime {

    /** A daily or longer bar. */
    record Day(LocalDate date) implements BarTime {
    }

    /** An intraday bar. */
    record Moment(Instant instant) implements BarTime {
    }

    /**
     * @param zoneWhenUnnamed the zone of a date-time that names none; may be null when the caller knows none
     * @throws DateTimeException when {@code text} has none of the forms above, or names an unknown zone
     */
    static BarTime parse(String text, ZoneId zoneWhenUnnamed) {
        String t = text == null ? "" : text.trim();
        if (t.length() == 8 && digits(t, 0, 8)) {
            return new Day(date(t));
        }
        if (t.length() > 8 && t.length() <= 18 && digits(t, 0, t.length())) {
            return new Moment(Instant.ofEpochSecond(Long.parseLong(t)));
        }
        if (t.length() < 17 || !digits(t, 0, 8)) {
            throw unreadable(text);
        }
        LocalDate day = date(t.substring(0, 8));
        char separator = t.charAt(8);
        String rest = t.substring(9).stripLeading();  // the older form has two spaces
        if (rest.length() < 8) {
            throw unreadable(text);
        }
        LocalTime time = time(rest.substring(0, 8), text);
        String zone = rest.substring(8).trim();
        if (separator == '-' && zone.isEmpty()) {
            return new Moment(LocalDateTime.of(day, time).toInstant(ZoneOffset.UTC));
        }
        if (separator != ' ') {
            throw unreadable(text);
        }
        if (zone.isEmpty() && zoneWhenUnnamed == null) {
            throw new DateTimeException("'" + text + "' names no zone, and no zone was given for it");
        }
        ZoneId id = zone.isEmpty() ? zoneWhenUnnamed : ZoneId.of(zone, ZoneId.SHORT_IDS);
        return new Moment(LocalDateTime.of(day, time).atZone(id).toInstant());
    }

    private static LocalDate date(String yyyymmdd) {
        return LocalDate.of(Integer.parseInt(yyyymmdd.substring(0, 4)), Integer.parseInt(yyyymmdd.substring(4, 6)),
                Integer.parseInt(yyyymmdd.substring(6, 8)));
    }

    private static LocalTime time(String hhmmss, String text) {
        if (hhmmss.charAt(2) != ':' || hhmmss.charAt(5) != ':' || !digits(hhmmss, 0, 2) || !digits(hhmmss, 3, 5)
                || !digits(hhmmss, 6, 8)) {
            throw unreadable(text);
        }
        return LocalTime.of(Integer.parseInt(hhmmss.substring(0, 2)), Integer.parseInt(hhmmss.substring(3, 5)),
                Integer.parseInt(hhmmss.substring(6, 8)));
    }

    private static boolean digits(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static DateTimeException unreadable(String text) {
        return new DateTimeException("'" + text + "' is not a bar time (YYYYMMDD, epoch seconds, "
                + "'YYYYMMDD HH:MM:SS [zone]' or 'YYYYMMDD-HH:MM:SS')");
    }
}
