package io.twsbridge.bridge.history;

import io.twsbridge.protocol.message.ServerMessage;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The answers of the last {@link #WINDOW}, by request identity. IB counts an identical request for small bars
 * within 15 s as a pacing violation; the bridge answers such a request from the bars it just fetched instead, for
 * bars of every size (the same request a few seconds later gets the same bars, and IB is spared the work).
 *
 * <p>A request whose end is "now" asked again within the window gets bars up to the first answer's now: at most
 * {@link #WINDOW} older, which is what IB's rule would have made it wait anyway. Thread-safe.
 */
final class RecentAnswers {

    static final Duration WINDOW = Duration.ofSeconds(15);

    record Answer(ServerMessage.HistoricalData data, String commandId, Instant at) {
    }

    private final Clock clock;
    private final Map<String, Answer> byIdentity = new LinkedHashMap<>();

    RecentAnswers(Clock clock) {
        this.clock = clock;
    }

    synchronized void put(String identity, ServerMessage.HistoricalData data, String commandId) {
        forgetOld();
        byIdentity.remove(identity);
        byIdentity.put(identity, new Answer(data, commandId, clock.instant()));
    }

    synchronized Optional<Answer> get(String identity) {
        forgetOld();
        return Optional.ofNullable(byIdentity.get(identity));
    }

    synchronized int size() {
        forgetOld();
        return byIdentity.size();
    }

    /** Entries are in the order they were put, so the old ones are first. */
    private void forgetOld() {
        Instant oldest = clock.instant().minus(WINDOW);
        Iterator<Answer> it = byIdentity.values().iterator();
        while (it.hasNext() && !it.next().at().isAfter(oldest)) {
            it.remove();
        }
    }
}
