package io.twsbridge.bridge.events;

import io.twsbridge.protocol.message.OrderCondition;
import io.twsbridge.protocol.message.OrderConditions;

import java.math.BigDecimal;
import java.util.List;

/**
 * An order's conditions as the one line {@code OrderUpdate.conditionsSummary} carries, for people to read:
 *
 * <pre>
 * submit when price conId=265598 on SMART >= 150.0 (last) and time >= 20261207 09:30:00 US/Eastern, outside RTH too
 * </pre>
 *
 * "submit" or "cancel" (what the conditions do), then each condition with the conjunction IB joins it to the next
 * by, then ", outside RTH too" when the conditions may act outside regular trading hours. The forms of each
 * condition are listed in the schemas README; a consumer that needs the values should not parse this text.
 */
final class ConditionSummaries {

    /** IB's trigger methods of a price condition, by code; the gaps are codes IB does not assign. */
    private static final List<String> TRIGGER_METHODS = List.of("default", "double bid/ask", "last", "double last",
            "bid/ask", "", "", "last of bid/ask", "mid-point");

    private ConditionSummaries() {
    }

    /** The summary, or null for an order without conditions. */
    static String summary(OrderConditions conditions) {
        if (conditions.isEmpty()) {
            return null;
        }
        StringBuilder s = new StringBuilder(conditions.cancelOrder() ? "cancel when " : "submit when ");
        List<OrderCondition> list = conditions.conditions();
        for (int i = 0; i < list.size(); i++) {
            if (i > 0) {
                // A condition's conjunction joins it to the next one.
                s.append(list.get(i - 1).conjunction() == OrderCondition.Conjunction.AND ? " and " : " or ");
            }
            s.append(describe(list.get(i)));
        }
        if (conditions.ignoreRth()) {
            s.append(", outside RTH too");
        }
        return s.toString();
    }

    static String describe(OrderCondition condition) {
        if (condition instanceof OrderCondition.Price c) {
            return "price " + contract(c.conId(), c.exchange()) + " " + op(c.isMore()) + " " + number(c.price())
                    + " (" + triggerMethod(c.triggerMethod()) + ")";
        } else if (condition instanceof OrderCondition.Time c) {
            return "time " + op(c.isMore()) + " " + c.time();
        } else if (condition instanceof OrderCondition.Margin c) {
            return "margin cushion " + op(c.isMore()) + " " + c.percent() + "%";
        } else if (condition instanceof OrderCondition.Execution c) {
            return "execution of " + c.secType() + " " + c.symbol() + " on " + c.exchange();
        } else if (condition instanceof OrderCondition.Volume c) {
            return "volume " + contract(c.conId(), c.exchange()) + " " + op(c.isMore()) + " " + c.volume();
        } else if (condition instanceof OrderCondition.PercentChange c) {
            return "percent change " + contract(c.conId(), c.exchange()) + " " + op(c.isMore()) + " "
                    + number(c.changePercent()) + "%";
        }
        throw new IllegalArgumentException("unknown condition " + condition);
    }

    private static String contract(int conId, String exchange) {
        return "conId=" + conId + " on " + exchange;
    }

    private static String op(boolean isMore) {
        return isMore ? ">=" : "<=";
    }

    /** As Java writes a double (150.0, -2.5), but never with an exponent: 2.5E7 is 25000000, 1.0E-4 is 0.0001. */
    private static String number(double value) {
        String text = Double.toString(value);
        return text.indexOf('E') < 0 ? text : BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    private static String triggerMethod(int code) {
        String name = code >= 0 && code < TRIGGER_METHODS.size() ? TRIGGER_METHODS.get(code) : "";
        return name.isEmpty() ? "trigger method " + code : name;
    }
}
