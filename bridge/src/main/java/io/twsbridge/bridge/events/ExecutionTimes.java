package io.twsbridge.bridge.events;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * Reads the time of an execution as IB writes it. The spellings seen from Gateways:
 *
 * <ul>
 *   <li>{@code 20261128 09:30:00 US/Eastern}: date, time and the zone's id (old links such as US/Eastern too);
 *   <li>{@code 20261128  09:30:00}: no zone (one or two spaces), which IB means in the TWS login's zone; the
 *       bridge cannot see that zone, so the caller supplies it (configured, UTC by default);
 *   <li>{@code 20261128-14:30:00}: the dashed form IB uses for UTC.
 * </ul>
 *
 * Anything else is unreadable, and the caller decides what to do (the mapper uses the time of receipt).
 */
final class ExecutionTimes {

    private static final DateTimeFormatter DATE = DateTimeFormatter.BASIC_ISO_DATE;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private ExecutionTimes() {
    }

    static Optional<Instant> parse(String text, ZoneId zoneWhenAbsent) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        String[] parts = text.trim().split("\\s+");
        try {
            if (parts.length == 1) {
                int dash = parts[0].indexOf('-');
                if (dash < 0) {
                    return Optional.empty();
                }
                return Optional.of(at(parts[0].substring(0, dash), parts[0].substring(dash + 1), ZoneOffset.UTC));
            }
            if (parts.length == 2) {
                return Optional.of(at(parts[0], parts[1], zoneWhenAbsent));
            }
            if (parts.length == 3) {
                // SHORT_IDS lets the few abbreviations Java knows (EST, MST, HST) through as well.
                return Optional.of(at(parts[0], parts[1], ZoneId.of(parts[2], ZoneId.SHORT_IDS)));
            }
            return Optional.empty();
        } catch (DateTimeException e) {
            return Optional.empty();
        }
    }

    private static Instant at(String date, String time, ZoneId zone) {
        return LocalDateTime.of(LocalDate.parse(date, DATE), LocalTime.parse(time, TIME)).atZone(zone).toInstant();
    }
}
