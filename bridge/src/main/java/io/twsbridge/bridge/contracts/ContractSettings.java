package io.twsbridge.bridge.contracts;

import io.twsbridge.bridge.validation.SettingProblems;

/**
 * How the bridge qualifies contracts. Validated at build; every problem reported.
 *
 * @param cacheSize        most descriptions the {@link ContractCache} keeps ({@code contracts.cache-size})
 * @param requireQualified resolve every instrument of SubscribeQuotes, PlaceOrder and RequestHistoricalBars first,
 *                         and refuse one that does not name exactly one contract
 *                         ({@code contracts.require-qualified}, default off: only instruments given by conId alone
 *                         are resolved, to fill in their fields)
 */
public record ContractSettings(int cacheSize, boolean requireQualified) {

    public static ContractSettings defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder with the documented defaults. */
    public static final class Builder {
        private int cacheSize = 10_000;
        private boolean requireQualified;

        public Builder cacheSize(int v) { cacheSize = v; return this; }
        public Builder requireQualified(boolean v) { requireQualified = v; return this; }

        public ContractSettings build() {
            SettingProblems problems = new SettingProblems("contract");
            problems.inRange("contracts.cache-size", cacheSize, 1, 1_000_000);
            problems.throwIfAny();
            return new ContractSettings(cacheSize, requireQualified);
        }
    }
}
