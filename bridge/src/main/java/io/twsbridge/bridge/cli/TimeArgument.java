package io.twsbridge.bridge.cli;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A point in time as operators type it on a command line. Times without an offset are UTC, as everything the bridge
 * writes is; a bare time is today's (UTC). Accepted, with examples:
 * <ul>
 *   <li>an instant or a time with an offset: {@code 2026-12-06T10:31:00Z}, {@code 2026-12-06T10:31+01:00};</li>
 *   <li>a date and time: {@code 2026-12-06T10:31}, {@code 2026-12-06 10:31:05}, {@code 2026-12-06 10:31:05.250};</li>
 *   <li>a date: {@code 2026-12-06} (its midnight);</li>
 *   <li>a time of today: {@code 10:31}, {@code 10:31:05};</li>
 *   <li>a while ago: {@code 15m}, {@code 2h}, {@code 1d}, {@code 90s}, or ISO-8601 {@code PT15M} (that long ago);</li>
 *   <li>epoch milliseconds: {@code 1796552460000}.</li>
 * </ul>
 */
final class TimeArgument {

    private static final Pattern AGO = Pattern.compile("(\\d+)\\s*(ms|s|m|min|h|d)", Pattern.CASE_INSENSITIVE);
    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern(
            "yyyy-MM-dd['T'][' ']HH:mm[:ss][.SSS][.SS][.S]", Locale.ROOT);
    static final String FORMS = "an ISO instant (2026-12-06T10:31:00Z, 2026-12-06T10:31+01:00), a UTC date and time "
            + "(2026-12-06T10:31, 2026-12-06 10:31:05), a date (2026-12-06), a time of today in UTC (10:31), a while "
            + "ago (15m, 2h, 1d, PT15M) or epoch milliseconds";

    private TimeArgument() {
    }

    /**
     * A time to come as a command's {@code expiresAt} is set: {@code +15m}, {@code +2h}, {@code +PT15M} (that long
     * from now), or any form of {@link #parse}.
     *
     * @throws IllegalArgumentException naming the value and every accepted form
     */
    static Instant parseFuture(String text, Clock clock) {
        String t = text == null ? "" : text.trim();
        if (t.startsWith("+")) {
            Duration ahead = null;
            try {
                ahead = duration(t.substring(1).trim());
            } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
                // said below
            }
            if (ahead == null) {
                throw new IllegalArgumentException("'" + text + "' is not a time from now; give +15m, +2h, +1d or"
                        + " +PT15M");
            }
            return clock.instant().plus(ahead);
        }
        return parse(text, clock);
    }

    /** {@code 15m}, {@code 2h}, {@code 1d}, {@code 90s}, {@code 250ms} or ISO-8601 {@code PT15M}; else null. */
    private static Duration duration(String t) {
        Matcher ago = AGO.matcher(t);
        if (ago.matches()) {
            long n = Long.parseLong(ago.group(1));
            return switch (ago.group(2).toLowerCase(Locale.ROOT)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m", "min" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        if (t.toUpperCase(Locale.ROOT).startsWith("P")) {
            return Duration.parse(t.toUpperCase(Locale.ROOT));
        }
        return null;
    }

    /** @throws IllegalArgumentException naming the value and every accepted form */
    static Instant parse(String text, Clock clock) {
        String t = text == null ? "" : text.trim();
        try {
            if (t.matches("\\d{10,}")) {
                return Instant.ofEpochMilli(Long.parseLong(t));
            }
            Duration ago = duration(t);
            if (ago != null) {
                return clock.instant().minus(ago);
            }
            if (t.matches("\\d{4}-\\d{2}-\\d{2}")) {
                return LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            if (t.matches("\\d{1,2}:\\d{2}(:\\d{2})?")) {
                return LocalDate.now(clock.withZone(ZoneOffset.UTC)).atTime(LocalTime.parse(t.indexOf(':') == 1 ? "0" + t : t))
                        .toInstant(ZoneOffset.UTC);
            }
            if (t.endsWith("Z") || t.endsWith("z") || t.matches(".*[+-]\\d{2}:?\\d{2}$")) {
                return OffsetDateTime.parse(t.replace(' ', 'T')).toInstant();
            }
            return LocalDateTime.parse(t, DATE_TIME).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a time; give " + FORMS);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("'" + text + "' is not a time (" + e.getMessage() + "); give " + FORMS);
        }
    }
}
