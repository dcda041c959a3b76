package io.twsbridge.bridge.orders;

import io.twsbridge.bridge.validation.SettingProblems;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Set;

/**
 * Order-safety settings. Placement is off unless {@code enabled}. Validated at build; every problem reported.
 *
 * @param enabled          order commands reach the Gateway only when true (default false)
 * @param accountAllowlist accounts orders may be placed for; empty means every account the login manages
 * @param maxQuantity      largest quantity of one order
 * @param maxNotional      largest quantity × price of one order (limit, stop or last known price), in the
 *                         instrument's currency
 * @param symbolAllowlist  symbols orders may be placed for; empty means any
 * @param killSwitch       when engaged at start, every new order is refused
 * @param ackTimeout       how long a placed order waits for IB's acknowledgement before the command is answered
 * @param journalTopic     the compacted topic of the order journal
 */
public record OrderSettings(boolean enabled, Set<String> accountAllowlist, BigDecimal maxQuantity,
                            BigDecimal maxNotional, Set<String> symbolAllowlist, boolean killSwitch,
                            Duration ackTimeout, String journalTopic) {

    public OrderSettings {
        accountAllowlist = Set.copyOf(accountAllowlist);
        symbolAllowlist = Set.copyOf(symbolAllowlist);
    }

    /** Placement off, conservative limits. */
    public static OrderSettings defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder with the documented defaults. */
    public static final class Builder {
        private boolean enabled;
        private Set<String> accountAllowlist = Set.of();
        private BigDecimal maxQuantity = new BigDecimal("1000");
        private BigDecimal maxNotional = new BigDecimal("100000");
        private Set<String> symbolAllowlist = Set.of();
        private boolean killSwitch;
        private Duration ackTimeout = Duration.ofSeconds(10);
        private String journalTopic = "ib.order-journal";

        public Builder enabled(boolean v) { enabled = v; return this; }
        public Builder accountAllowlist(Set<String> v) { accountAllowlist = v; return this; }
        public Builder maxQuantity(BigDecimal v) { maxQuantity = v; return this; }
        public Builder maxNotional(BigDecimal v) { maxNotional = v; return this; }
        public Builder symbolAllowlist(Set<String> v) { symbolAllowlist = v; return this; }
        public Builder killSwitch(boolean v) { killSwitch = v; return this; }
        public Builder ackTimeout(Duration v) { ackTimeout = v; return this; }
        public Builder journalTopic(String v) { journalTopic = v; return this; }

        public OrderSettings build() {
            SettingProblems problems = new SettingProblems("order");
            if (maxQuantity == null || maxQuantity.signum() <= 0) {
                problems.add("orders.max-quantity", "must be positive but was " + maxQuantity);
            }
            if (maxNotional == null || maxNotional.signum() <= 0) {
                problems.add("orders.max-notional", "must be positive but was " + maxNotional);
            }
            if (ackTimeout == null || ackTimeout.isNegative() || ackTimeout.isZero()) {
                problems.add("orders.ack-timeout", "must be positive but was " + ackTimeout);
            }
            problems.topicName("topics.order-journal", journalTopic);
            if (accountAllowlist == null || symbolAllowlist == null) {
                problems.add("orders.account-allowlist", "and orders.symbol-allowlist must not be null");
            }
            problems.throwIfAny();
            return new OrderSettings(enabled, accountAllowlist, maxQuantity, maxNotional, symbolAllowlist, killSwitch,
                    ackTimeout, journalTopic);
        }
    }
}
