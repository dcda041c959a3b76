package io.twsbridge.bridge.gateway.session;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Keeps IB's repeated notices from flooding the log. Each code is logged the first time it arrives, then at most
 * once per interval, with the number of repeats that were not logged in between.
 *
 * <p>Why: the Gateway sends a farm notice (2104, 2106, 2158) on every farm connect and flap, and a broken or
 * hostile peer may repeat one without end; a log line per notice would bury everything else and cost disk.
 * Memory is bounded: at most {@link #MAX_CODES} codes are tracked, any further code shares one entry.
 *
 * <p>Not thread-safe: the session's event loop only.
 */
final class NoticeThrottle {

    /** Distinct codes tracked on their own; IB has a few dozen notice codes, a hostile peer unlimited ones. */
    static final int MAX_CODES = 64;
    /** What "not logged" returns. */
    static final long SUPPRESS = -1;
    private static final int OTHER_CODES = Integer.MIN_VALUE;

    private final Duration interval;
    private final Map<Integer, Entry> entries = new HashMap<>();

    private static final class Entry {
        Instant lastLogged;
        long notLogged;
    }

    NoticeThrottle(Duration interval) {
        this.interval = interval;
    }

    /**
     * Records one notice of {@code code} at {@code now}.
     *
     * @return {@link #SUPPRESS} when it is not to be logged, else how many repeats were not logged since the last
     *         line for this code (0 for the first)
     */
    long admit(int code, Instant now) {
        Entry entry = entries.get(code);
        if (entry == null) {
            if (entries.size() < MAX_CODES) {
                entry = new Entry();
                entries.put(code, entry);
            } else {
                entry = entries.computeIfAbsent(OTHER_CODES, c -> new Entry());
            }
        }
        if (entry.lastLogged != null && now.isBefore(entry.lastLogged.plus(interval))) {
            entry.notLogged++;
            return SUPPRESS;
        }
        long notLogged = entry.notLogged;
        entry.lastLogged = now;
        entry.notLogged = 0;
        return notLogged;
    }
}
