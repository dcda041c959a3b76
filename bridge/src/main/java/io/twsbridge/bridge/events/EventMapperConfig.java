package io.twsbridge.bridge.events;

import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Settings of the {@link EventMapper}, validated when built; every problem is reported at once, naming the
 * setting and the bad value.
 *
 * @param bridgeId                 written into every Quote (it scopes the quote sequence); null or blank when not
 *                                 configured
 * @param quoteConflationWindow    ZERO publishes one Quote per tick message; a positive window publishes at most
 *                                 one Quote per instrument per window, with the latest merged values, at the end
 *                                 of the window (so a quote waits at most one window in the bridge)
 * @param commissionGracePeriod    how long an execution waits for its commission report while the link is up;
 *                                 after it the Fill is published with a null commission
 * @param executionTimeZone        zone of execution times that carry none (IB then uses the TWS login's zone,
 *                                 which the bridge cannot see)
 * @param rememberedFills          execIds remembered to suppress duplicates (replays by reqExecutions); beyond it
 *                                 the least recently seen is forgotten
 * @param trackedOrders            orders whose state is kept to join orderStatus with openOrder; beyond it the
 *                                 least recently updated is forgotten
 */
public record EventMapperConfig(String bridgeId, Duration quoteConflationWindow, Duration commissionGracePeriod,
                                ZoneId executionTimeZone, int rememberedFills, int trackedOrders) {

    /** A day of heavy trading is a few thousand executions; 100k covers any replay window with room to spare. */
    public static final int DEFAULT_REMEMBERED_FILLS = 100_000;

    /** Far above the working orders of any account; an order forgotten here only loses its contract in updates. */
    public static final int DEFAULT_TRACKED_ORDERS = 20_000;

    /** IB sends the commission report right after execDetails; ten seconds is a generous wait. */
    public static final Duration DEFAULT_COMMISSION_GRACE_PERIOD = Duration.ofSeconds(10);

    public EventMapperConfig {
        bridgeId = bridgeId == null || bridgeId.isBlank() ? null : bridgeId;
        List<String> problems = new ArrayList<>();
        if (quoteConflationWindow == null || quoteConflationWindow.isNegative()) {
            problems.add("quoteConflationWindow must be zero (off) or positive but was " + quoteConflationWindow);
        }
        if (commissionGracePeriod == null || commissionGracePeriod.isNegative() || commissionGracePeriod.isZero()) {
            problems.add("commissionGracePeriod must be positive but was " + commissionGracePeriod);
        }
        if (executionTimeZone == null) {
            problems.add("executionTimeZone must be set but was null");
        }
        if (rememberedFills < 1) {
            problems.add("rememberedFills must be at least 1 but was " + rememberedFills);
        }
        if (trackedOrders < 1) {
            problems.add("trackedOrders must be at least 1 but was " + trackedOrders);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid event mapper settings: " + String.join("; ", problems));
        }
    }

    /** No conflation, the default grace period and bounds, execution times without a zone read as UTC. */
    public static EventMapperConfig defaults(String bridgeId) {
        return new EventMapperConfig(bridgeId, Duration.ZERO, DEFAULT_COMMISSION_GRACE_PERIOD, ZoneOffset.UTC,
                DEFAULT_REMEMBERED_FILLS, DEFAULT_TRACKED_ORDERS);
    }

    public EventMapperConfig withQuoteConflationWindow(Duration window) {
        return new EventMapperConfig(bridgeId, window, commissionGracePeriod, executionTimeZone, rememberedFills,
                trackedOrders);
    }

    public EventMapperConfig withCommissionGracePeriod(Duration grace) {
        return new EventMapperConfig(bridgeId, quoteConflationWindow, grace, executionTimeZone, rememberedFills,
                trackedOrders);
    }

    public EventMapperConfig withExecutionTimeZone(ZoneId zone) {
        return new EventMapperConfig(bridgeId, quoteConflationWindow, commissionGracePeriod,
                Objects.requireNonNull(zone, "zone"), rememberedFills, trackedOrders);
    }

    public EventMapperConfig withRememberedFills(int n) {
        return new EventMapperConfig(bridgeId, quoteConflationWindow, commissionGracePeriod, executionTimeZone, n,
                trackedOrders);
    }

    public EventMapperConfig withTrackedOrders(int n) {
        return new EventMapperConfig(bridgeId, quoteConflationWindow, commissionGracePeriod, executionTimeZone,
                rememberedFills, n);
    }
}
