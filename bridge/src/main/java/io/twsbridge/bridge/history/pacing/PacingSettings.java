package io.twsbridge.bridge.history.pacing;

import io.twsbridge.bridge.validation.SettingProblems;

import java.time.Duration;

/**
 * What an operator may tune in the historical pacing. IB's own limits (15 s, 6 in 2 s, 60 in 10 min, BID_ASK
 * twice) are not settings: they are IB's, and are constants of {@link HistoricalPacer}. Immutable; the compact
 * constructor validates every value and reports all problems at once, naming each setting and its bad value.
 *
 * @param maxOpen          most permits outstanding at once, every bar size; IB allows 50 open historical requests
 * @param queueCapacity    most requests waiting for a permit
 * @param safetyMargin     how much each of IB's windows is widened, because the Gateway times requests on receipt,
 *                         later than the pacer and with jitter (see {@link HistoricalPacer}); zero keeps IB's
 *                         windows exactly
 * @param breakerFirstWait how long the breaker stays open after a first pacing violation
 * @param breakerMultiplier by how much each further violation in a row multiplies the wait
 * @param breakerMaxWait   the longest wait
 */
public record PacingSettings(int maxOpen, int queueCapacity, Duration safetyMargin, Duration breakerFirstWait,
                             double breakerMultiplier, Duration breakerMaxWait) {

    /** IB's limit of open historical requests (error 322 beyond it). */
    public static final int IB_MAX_OPEN = 50;

    /** A margin longer than this would be a typo: it would slow the 2-second rule to a crawl. */
    static final Duration MAX_SAFETY_MARGIN = Duration.ofMinutes(1);

    public PacingSettings {
        SettingProblems problems = new SettingProblems("historical pacing");
        problems.inRange("history.pacing.max-open", maxOpen, 1, IB_MAX_OPEN);
        problems.inRange("history.pacing.queue-capacity", queueCapacity, 1, 100_000);
        if (safetyMargin == null || safetyMargin.isNegative() || safetyMargin.compareTo(MAX_SAFETY_MARGIN) > 0) {
            problems.add("history.pacing.safety-margin", "must be 0.." + MAX_SAFETY_MARGIN.toSeconds()
                    + " s but was " + safetyMargin);
        }
        problems.positive("history.pacing.breaker-first-wait", breakerFirstWait);
        if (!(breakerMultiplier >= 1.0 && breakerMultiplier <= 100.0)) {
            problems.add("history.pacing.breaker-multiplier", "must be 1..100 but was " + breakerMultiplier);
        }
        problems.positive("history.pacing.breaker-max-wait", breakerMaxWait);
        if (breakerFirstWait != null && breakerMaxWait != null && breakerMaxWait.compareTo(breakerFirstWait) < 0) {
            problems.add("history.pacing.breaker-max-wait", "(" + breakerMaxWait
                    + ") must be >= history.pacing.breaker-first-wait (" + breakerFirstWait + ")");
        }
        problems.throwIfAny();
    }

    /** maxOpen 50, queueCapacity 500, safetyMargin 1 s, breaker 30 s doubling up to 10 min. */
    public static PacingSettings defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().maxOpen(maxOpen).queueCapacity(queueCapacity).safetyMargin(safetyMargin)
                .breakerFirstWait(breakerFirstWait).breakerMultiplier(breakerMultiplier).breakerMaxWait(breakerMaxWait);
    }

    /** Builder with the production defaults. */
    public static final class Builder {
        private int maxOpen = IB_MAX_OPEN;
        private int queueCapacity = 500;
        /** Covers the send queue, the network and the Gateway's own timing, which add well under a second. */
        private Duration safetyMargin = Duration.ofSeconds(1);
        private Duration breakerFirstWait = Duration.ofSeconds(30);
        private double breakerMultiplier = 2.0;
        /** IB's longest window: after it, nothing the bridge sent before the violation still counts. */
        private Duration breakerMaxWait = Duration.ofMinutes(10);

        public Builder maxOpen(int v) { maxOpen = v; return this; }
        public Builder queueCapacity(int v) { queueCapacity = v; return this; }
        public Builder safetyMargin(Duration v) { safetyMargin = v; return this; }
        public Builder breakerFirstWait(Duration v) { breakerFirstWait = v; return this; }
        public Builder breakerMultiplier(double v) { breakerMultiplier = v; return this; }
        public Builder breakerMaxWait(Duration v) { breakerMaxWait = v; return this; }

        /** @throws io.twsbridge.bridge.validation.InvalidSettingsException listing every invalid setting */
        public PacingSettings build() {
            return new PacingSettings(maxOpen, queueCapacity, safetyMargin, breakerFirstWait, breakerMultiplier,
                    breakerMaxWait);
        }
    }
}
