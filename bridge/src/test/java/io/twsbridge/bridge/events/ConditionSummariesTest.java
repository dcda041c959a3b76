package io.twsbridge.bridge.events;

import io.twsbridge.protocol.message.OrderCondition;
import io.twsbridge.protocol.message.OrderCondition.Conjunction;
import io.twsbridge.protocol.message.OrderConditions;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The forms of {@code OrderUpdate.conditionsSummary}, as the schemas README lists them. */
class ConditionSummariesTest {

    @Test
    void eachConditionTypeHasItsDocumentedForm() {
        assertThat(ConditionSummaries.describe(new OrderCondition.Price(Conjunction.AND, false, 99.5, 265598, "SMART", 8)))
                .isEqualTo("price conId=265598 on SMART <= 99.5 (mid-point)");
        assertThat(ConditionSummaries.describe(new OrderCondition.Time(Conjunction.AND, false, "20261207 16:00:00")))
                .isEqualTo("time <= 20261207 16:00:00");
        assertThat(ConditionSummaries.describe(new OrderCondition.Margin(Conjunction.AND, true, 30)))
                .isEqualTo("margin cushion >= 30%");
        assertThat(ConditionSummaries.describe(new OrderCondition.Execution(Conjunction.AND, "STK", "SMART", "MSFT")))
                .isEqualTo("execution of STK MSFT on SMART");
        assertThat(ConditionSummaries.describe(new OrderCondition.Volume(Conjunction.AND, true, 2_500_000, 272093, "ISLAND")))
                .isEqualTo("volume conId=272093 on ISLAND >= 2500000");
        assertThat(ConditionSummaries.describe(new OrderCondition.PercentChange(Conjunction.AND, false, -2.5, 756733, "ARCA")))
                .isEqualTo("percent change conId=756733 on ARCA <= -2.5%");
    }

    @Test
    void eachConditionsConjunctionJoinsItToTheNextAndTheLastOneJoinsNothing() {
        OrderConditions conditions = OrderConditions.of(false, true,
                new OrderCondition.Margin(Conjunction.OR, false, 10),
                new OrderCondition.Time(Conjunction.AND, true, "20261207 15:45:00"),
                new OrderCondition.Margin(Conjunction.OR, false, 5));

        assertThat(ConditionSummaries.summary(conditions))
                .isEqualTo("cancel when margin cushion <= 10% or time >= 20261207 15:45:00 and margin cushion <= 5%");
    }

    @Test
    void pricesNeverTakeAnExponentAndUnknownTriggerMethodsShowTheirCode() {
        assertThat(ConditionSummaries.describe(new OrderCondition.Price(Conjunction.AND, true, 2.5e7, 1, "CME", 5)))
                .isEqualTo("price conId=1 on CME >= 25000000 (trigger method 5)");
        assertThat(ConditionSummaries.describe(new OrderCondition.PercentChange(Conjunction.AND, true, 1.0e-4, 1, "CME")))
                .isEqualTo("percent change conId=1 on CME >= 0.0001%");
    }

    @Test
    void noConditionsIsNoSummary() {
        assertThat(ConditionSummaries.summary(OrderConditions.NONE)).isNull();
    }
}
