package io.twsbridge.bridge.history;

import io.twsbridge.bridge.history.pacing.PacingSettings;
import io.twsbridge.bridge.validation.InvalidSettingsException;
import io.twsbridge.bridge.validation.SettingProblems;

import java.time.Duration;

/**
 * How the bridge serves historical bars. Validated at build; every problem reported.
 *
 * @param maxWait the longest a request waits for its turn under IB's pacing when its command sets no earlier
 *                expiresAt ({@code history.max-wait}); then it is refused PACING_WAIT_EXPIRED
 * @param pacing  the pacing queue and its breaker ({@code history.pacing.*})
 */
public record HistorySettings(Duration maxWait, PacingSettings pacing) {

    public static HistorySettings defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder with the documented defaults. */
    public static final class Builder {
        private Duration maxWait = Duration.ofMinutes(10);
        private final PacingSettings.Builder pacing = PacingSettings.defaults().toBuilder();

        public Builder maxWait(Duration v) { maxWait = v; return this; }
        /** The pacing settings' builder, to set them one at a time. */
        public PacingSettings.Builder pacing() { return pacing; }

        public HistorySettings build() {
            SettingProblems problems = new SettingProblems("historical data");
            problems.positive("history.max-wait", maxWait);
            PacingSettings built = null;
            try {
                built = pacing.build();
            } catch (InvalidSettingsException e) {
                e.problems().forEach(p -> problems.add(p.key(), p.message()));
            }
            problems.throwIfAny();
            return new HistorySettings(maxWait, built);
        }
    }
}
