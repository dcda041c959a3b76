package io.twsbridge.client;

import io.twsbridge.schema.Instrument;
import io.twsbridge.schema.OrderAction;
import io.twsbridge.schema.OrderType;
import io.twsbridge.schema.PlaceOrder;
import io.twsbridge.schema.TimeInForce;
import io.twsbridge.schema.support.Decimals;
import java.math.BigDecimal;
import java.util.Objects;

/**
 * Place a new order. Its commandId becomes the order's IB orderRef: {@code ib.orders} and {@code ib.fills} name it,
 * and {@link Commands#cancelOrder(String)} and {@link Commands#modifyOrder(String)} target it by it.
 *
 * <p>The constructor holds the rules the bridge would otherwise answer {@code VALIDATION_FAILED} for: a quantity
 * above zero that fits {@code decimal(38,10)} (kept at scale 10), a limit price exactly for LMT and STP_LMT, a stop
 * price exactly for STP and STP_LMT.
 */
public record PlaceOrderCommand(Envelope envelope, Instrument instrument, OrderAction action, BigDecimal quantity,
                                OrderType orderType, Double limitPrice, Double stopPrice, TimeInForce timeInForce,
                                boolean outsideRth)
        implements BridgeCommand<PlaceOrderCommand> {

    public PlaceOrderCommand {
        Objects.requireNonNull(envelope, "envelope");
        instrument = Commands.copy(instrument);
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(quantity, "quantity");
        Objects.requireNonNull(orderType, "orderType");
        Objects.requireNonNull(timeInForce, "timeInForce");
        if (action == OrderAction.UNKNOWN || orderType == OrderType.UNKNOWN || timeInForce == TimeInForce.UNKNOWN) {
            throw new IllegalArgumentException("UNKNOWN is what a reader sees, never what a sender writes: action "
                    + action + ", orderType " + orderType + ", timeInForce " + timeInForce);
        }
        if (quantity.signum() <= 0) {
            throw new IllegalArgumentException("quantity must be above zero but was " + quantity.toPlainString());
        }
        quantity = Decimals.exact(quantity);
        boolean wantsLimit = orderType == OrderType.LMT || orderType == OrderType.STP_LMT;
        boolean wantsStop = orderType == OrderType.STP || orderType == OrderType.STP_LMT;
        if (wantsLimit != (limitPrice != null)) {
            throw new IllegalArgumentException(orderType + " order " + (wantsLimit ? "needs a limit price"
                    : "takes no limit price but was given " + limitPrice));
        }
        if (wantsStop != (stopPrice != null)) {
            throw new IllegalArgumentException(orderType + " order " + (wantsStop ? "needs a stop price"
                    : "takes no stop price but was given " + stopPrice));
        }
    }

    /** A copy: Avro records are mutable. */
    @Override
    public Instrument instrument() {
        return Commands.copy(instrument);
    }

    @Override
    public PlaceOrderCommand withEnvelope(Envelope e) {
        return new PlaceOrderCommand(e, instrument, action, quantity, orderType, limitPrice, stopPrice, timeInForce,
                outsideRth);
    }

    /** DAY unless set: DAY, GTC, IOC or OPG. */
    public PlaceOrderCommand withTimeInForce(TimeInForce tif) {
        return new PlaceOrderCommand(envelope, instrument, action, quantity, orderType, limitPrice, stopPrice, tif,
                outsideRth);
    }

    /** Whether the order may trigger or fill outside regular trading hours (false unless set). */
    public PlaceOrderCommand withOutsideRth(boolean outside) {
        return new PlaceOrderCommand(envelope, instrument, action, quantity, orderType, limitPrice, stopPrice,
                timeInForce, outside);
    }

    @Override
    public PlaceOrder payload() {
        return PlaceOrder.newBuilder().setInstrument(instrument()).setAction(action).setQuantity(quantity)
                .setOrderType(orderType).setLimitPrice(limitPrice).setStopPrice(stopPrice)
                .setTimeInForce(timeInForce).setOutsideRth(outsideRth).build();
    }
}
