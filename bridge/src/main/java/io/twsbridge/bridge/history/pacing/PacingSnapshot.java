package io.twsbridge.bridge.history.pacing;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The pacer's state at one moment, for status and metrics. Immutable; {@link HistoricalPacer#snapshot()} hands out
 * the latest one from any thread.
 *
 * @param queueDepth          requests waiting for a permit
 * @param waitingByProducer   of those, how many each producer has (producers with none are absent), sorted by name
 * @param openPermits         permits admitted and not yet ended
 * @param admittedTotal       permits admitted since start
 * @param refusedExpired      requests refused because their expiry came while they waited
 * @param refusedQueueFull    requests refused because the queue was full
 * @param longestWait         the longest any request has waited, until admitted or refused
 * @param breaker             the state of the breaker for historical requests
 * @param breakerOpenUntil    when an open breaker lets its trial request go; null unless {@code breaker} is OPEN
 * @param pacingViolations    errors 162 "pacing violation" the Gateway sent (the pacer's aim is 0)
 */
public record PacingSnapshot(int queueDepth, Map<String, Integer> waitingByProducer, int openPermits,
                             long admittedTotal, long refusedExpired, long refusedQueueFull, Duration longestWait,
                             BreakerState breaker, Instant breakerOpenUntil, long pacingViolations) {

    /** The breaker's states, as the connection breaker names them. */
    public enum BreakerState {
        /** Requests are admitted by the pacing rules alone. */
        CLOSED,
        /** Nothing is admitted until {@code breakerOpenUntil}. */
        OPEN,
        /** One trial request is admitted; its answer closes the breaker. */
        HALF_OPEN
    }

    public PacingSnapshot {
        waitingByProducer = Collections.unmodifiableSortedMap(new TreeMap<>(waitingByProducer));
        Objects.requireNonNull(longestWait, "longestWait");
        Objects.requireNonNull(breaker, "breaker");
    }
}
