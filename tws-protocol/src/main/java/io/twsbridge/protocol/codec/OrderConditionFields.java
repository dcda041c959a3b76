package io.twsbridge.protocol.codec;

import io.twsbridge.protocol.ProtocolException;
import io.twsbridge.protocol.message.OrderCondition;
import io.twsbridge.protocol.message.OrderCondition.Conjunction;
import io.twsbridge.protocol.message.OrderConditions;
import io.twsbridge.protocol.wire.FieldReader;
import io.twsbridge.protocol.wire.FieldWriter;

import java.util.ArrayList;
import java.util.List;

/**
 * The conditions block that openOrder and completedOrder share field for field (and placeOrder has in the same
 * shape): a count, then per condition its type code, its conjunction and the fields of its type, then
 * conditionsIgnoreRth and conditionsCancelOrder, which are only on the wire when the count is above zero.
 *
 * <p>Present at every supported server version: the block arrived with server version 102
 * (PEGGED_TO_BENCHMARK), long before 157. The fields of each type, after type and conjunction:
 *
 * <pre>
 * 1 price           isMore, price, conId, exchange, triggerMethod
 * 3 time            isMore, time
 * 4 margin          isMore, percent (int)
 * 5 execution       secType, exchange, symbol
 * 6 volume          isMore, volume (int), conId, exchange
 * 7 percent change  isMore, changePercent, conId, exchange
 * </pre>
 *
 * Kept in one place so that the order-field walker meant to serve all three messages can take it over as it is.
 */
final class OrderConditionFields {

    static final int PRICE = 1;
    static final int TIME = 3;
    static final int MARGIN = 4;
    static final int EXECUTION = 5;
    static final int VOLUME = 6;
    static final int PERCENT_CHANGE = 7;

    /** The smallest condition on the wire (time or margin: type, conjunction, isMore, value). */
    private static final int MIN_FIELDS_PER_CONDITION = 4;
    private static final String AND = "a";
    private static final String OR = "o";

    private OrderConditionFields() {
    }

    static void write(FieldWriter w, OrderConditions conditions) {
        w.int32(conditions.conditions().size());
        if (conditions.isEmpty()) {
            return;
        }
        for (OrderCondition c : conditions.conditions()) {
            write(w, c);
        }
        w.bool(conditions.ignoreRth());
        w.bool(conditions.cancelOrder());
    }

    private static void write(FieldWriter w, OrderCondition condition) {
        String conjunction = condition.conjunction() == Conjunction.AND ? AND : OR;
        if (condition instanceof OrderCondition.Price c) {
            w.int32(PRICE).string(conjunction).bool(c.isMore()).float64(c.price()).int32(c.conId())
                    .string(c.exchange()).int32(c.triggerMethod());
        } else if (condition instanceof OrderCondition.Time c) {
            w.int32(TIME).string(conjunction).bool(c.isMore()).string(c.time());
        } else if (condition instanceof OrderCondition.Margin c) {
            w.int32(MARGIN).string(conjunction).bool(c.isMore()).int32(c.percent());
        } else if (condition instanceof OrderCondition.Execution c) {
            w.int32(EXECUTION).string(conjunction).string(c.secType()).string(c.exchange()).string(c.symbol());
        } else if (condition instanceof OrderCondition.Volume c) {
            w.int32(VOLUME).string(conjunction).bool(c.isMore()).int32(c.volume()).int32(c.conId())
                    .string(c.exchange());
        } else if (condition instanceof OrderCondition.PercentChange c) {
            w.int32(PERCENT_CHANGE).string(conjunction).bool(c.isMore()).float64(c.changePercent())
                    .int32(c.conId()).string(c.exchange());
        }
    }

    /**
     * Reads the block from its count on.
     *
     * @throws ProtocolException.MalformedField for a type code the protocol does not define: the fields of an
     *                                          unknown type cannot be counted, so nothing after it could be read
     *                                          right, and the message must not be taken as it is
     */
    static OrderConditions read(FieldReader r) {
        int count = OpenOrderCodec.checkedCount(r, r.int32(), MIN_FIELDS_PER_CONDITION);
        if (count == 0) {
            return OrderConditions.NONE;
        }
        List<OrderCondition> conditions = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            conditions.add(readOne(r, i));
        }
        boolean ignoreRth = r.bool();
        boolean cancelOrder = r.bool();
        return new OrderConditions(conditions, ignoreRth, cancelOrder);
    }

    private static OrderCondition readOne(FieldReader r, int index) {
        int type = r.int32();
        if (type != PRICE && type != TIME && type != MARGIN && type != EXECUTION && type != VOLUME
                && type != PERCENT_CHANGE) {
            throw new ProtocolException.MalformedField("order condition " + (index + 1) + " has type " + type
                    + " at field " + (r.fieldIndex() - 1) + ", which the protocol does not define (1 price, 3 time, "
                    + "4 margin, 5 execution, 6 volume, 7 percent change)");
        }
        Conjunction conjunction = conjunction(r.string());
        return switch (type) {
            case PRICE -> new OrderCondition.Price(conjunction, r.bool(), r.float64(), r.int32(), r.string(),
                    r.int32());
            case TIME -> new OrderCondition.Time(conjunction, r.bool(), r.string());
            case MARGIN -> new OrderCondition.Margin(conjunction, r.bool(), r.int32());
            case EXECUTION -> new OrderCondition.Execution(conjunction, r.string(), r.string(), r.string());
            case VOLUME -> new OrderCondition.Volume(conjunction, r.bool(), r.int32(), r.int32(), r.string());
            default -> new OrderCondition.PercentChange(conjunction, r.bool(), r.float64(), r.int32(), r.string());
        };
    }

    /** "a" (in any case) is AND and anything else OR, as IB's own client reads it. */
    private static Conjunction conjunction(String text) {
        return text.equalsIgnoreCase(AND) ? Conjunction.AND : Conjunction.OR;
    }
}
