package io.twsbridge.protocol.message;

/**
 * One condition of a conditional order, as IB reports it in openOrder and completedOrder: the order is submitted
 * (or cancelled, see {@link OrderConditions#cancelOrder()}) once its conditions hold.
 *
 * <p>Each condition carries the conjunction that joins it to the <em>next</em> one; the last condition's
 * conjunction joins nothing, but IB sends one anyway. The operator conditions carry {@code isMore}: true means
 * "at or above" ({@code >=}; for time, "at or after"), false "at or below" ({@code <=}).
 */
public sealed interface OrderCondition {

    /** How a condition joins the one after it. */
    enum Conjunction { AND, OR }

    Conjunction conjunction();

    /** The price of contract {@code conId} on {@code exchange}, as read by {@code triggerMethod}. */
    record Price(Conjunction conjunction, boolean isMore, double price, int conId, String exchange,
                 int triggerMethod) implements OrderCondition {
        public Price {
            exchange = Strings.orEmpty(exchange);
        }
    }

    /** The time of day, as IB writes it ({@code yyyyMMdd HH:mm:ss}, optionally with a zone). */
    record Time(Conjunction conjunction, boolean isMore, String time) implements OrderCondition {
        public Time {
            time = Strings.orEmpty(time);
        }
    }

    /** The account's margin cushion, in whole percent. */
    record Margin(Conjunction conjunction, boolean isMore, int percent) implements OrderCondition {
    }

    /** A trade of {@code symbol} ({@code secType}) on {@code exchange} by the account; no operator. */
    record Execution(Conjunction conjunction, String secType, String exchange, String symbol)
            implements OrderCondition {
        public Execution {
            secType = Strings.orEmpty(secType);
            exchange = Strings.orEmpty(exchange);
            symbol = Strings.orEmpty(symbol);
        }
    }

    /** The day's traded volume of contract {@code conId} on {@code exchange}. */
    record Volume(Conjunction conjunction, boolean isMore, int volume, int conId, String exchange)
            implements OrderCondition {
        public Volume {
            exchange = Strings.orEmpty(exchange);
        }
    }

    /** The change of contract {@code conId}'s price since the last close, in percent. */
    record PercentChange(Conjunction conjunction, boolean isMore, double changePercent, int conId, String exchange)
            implements OrderCondition {
        public PercentChange {
            exchange = Strings.orEmpty(exchange);
        }
    }
}
