package io.twsbridge.protocol.message;

import java.util.List;

/**
 * The conditions of an order and the two flags that go with them.
 *
 * @param conditions  in IB's order; each one's conjunction joins it to the next
 * @param ignoreRth   the conditions may hold, and act, outside regular trading hours
 * @param cancelOrder the conditions cancel the order rather than submit it
 */
public record OrderConditions(List<OrderCondition> conditions, boolean ignoreRth, boolean cancelOrder) {

    /** An order without conditions. */
    public static final OrderConditions NONE = new OrderConditions(List.of(), false, false);

    /**
     * @throws IllegalArgumentException for flags without conditions: the wire carries the flags only after at least
     *                                  one condition, so such a value could not be sent or read back
     */
    public OrderConditions {
        conditions = conditions == null ? List.of() : List.copyOf(conditions);
        if (conditions.isEmpty() && (ignoreRth || cancelOrder)) {
            throw new IllegalArgumentException("ignoreRth and cancelOrder need at least one condition");
        }
    }

    public static OrderConditions of(boolean ignoreRth, boolean cancelOrder, OrderCondition... conditions) {
        return new OrderConditions(List.of(conditions), ignoreRth, cancelOrder);
    }

    public boolean isEmpty() {
        return conditions.isEmpty();
    }
}
