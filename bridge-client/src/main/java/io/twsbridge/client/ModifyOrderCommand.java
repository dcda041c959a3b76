package io.twsbridge.client;

import io.twsbridge.schema.ModifyOrder;
import io.twsbridge.schema.TimeInForce;
import io.twsbridge.schema.support.Decimals;
import java.math.BigDecimal;
import java.util.Objects;

/**
 * Change a working order, named like {@link CancelOrderCommand}. Every change is null (kept as it is) until set;
 * at least one must be set before it is sent ({@link #payload()} refuses a command without one).
 *
 * @param quantity the new total quantity of the order (not the remaining one), kept at scale 10
 */
public record ModifyOrderCommand(Envelope envelope, String targetCommandId, Long orderId, BigDecimal quantity,
                                 Double limitPrice, Double stopPrice, TimeInForce timeInForce, Boolean outsideRth)
        implements BridgeCommand<ModifyOrderCommand> {

    public ModifyOrderCommand {
        Objects.requireNonNull(envelope, "envelope");
        Commands.requireOneTarget("ModifyOrder", targetCommandId, orderId);
        if (quantity != null) {
            if (quantity.signum() <= 0) {
                throw new IllegalArgumentException("quantity must be above zero but was " + quantity.toPlainString());
            }
            quantity = Decimals.exact(quantity);
        }
        if (timeInForce == TimeInForce.UNKNOWN) {
            throw new IllegalArgumentException("timeInForce must not be UNKNOWN");
        }
    }

    @Override
    public ModifyOrderCommand withEnvelope(Envelope e) {
        return new ModifyOrderCommand(e, targetCommandId, orderId, quantity, limitPrice, stopPrice, timeInForce,
                outsideRth);
    }

    public ModifyOrderCommand withQuantity(BigDecimal q) {
        return new ModifyOrderCommand(envelope, targetCommandId, orderId, q, limitPrice, stopPrice, timeInForce,
                outsideRth);
    }

    public ModifyOrderCommand withLimitPrice(Double price) {
        return new ModifyOrderCommand(envelope, targetCommandId, orderId, quantity, price, stopPrice, timeInForce,
                outsideRth);
    }

    public ModifyOrderCommand withStopPrice(Double price) {
        return new ModifyOrderCommand(envelope, targetCommandId, orderId, quantity, limitPrice, price, timeInForce,
                outsideRth);
    }

    public ModifyOrderCommand withTimeInForce(TimeInForce tif) {
        return new ModifyOrderCommand(envelope, targetCommandId, orderId, quantity, limitPrice, stopPrice, tif,
                outsideRth);
    }

    public ModifyOrderCommand withOutsideRth(Boolean outside) {
        return new ModifyOrderCommand(envelope, targetCommandId, orderId, quantity, limitPrice, stopPrice,
                timeInForce, outside);
    }

    /** @throws IllegalStateException when no change is set: the bridge would reject it */
    @Override
    public ModifyOrder payload() {
        if (quantity == null && limitPrice == null && stopPrice == null && timeInForce == null && outsideRth == null) {
            throw new IllegalStateException("ModifyOrder " + commandId() + " changes nothing: set at least one of"
                    + " quantity, limitPrice, stopPrice, timeInForce, outsideRth");
        }
        return ModifyOrder.newBuilder().setTargetCommandId(targetCommandId).setOrderId(orderId)
                .setQuantity(quantity).setLimitPrice(limitPrice).setStopPrice(stopPrice)
                .setTimeInForce(timeInForce).setOutsideRth(outsideRth).build();
    }
}
