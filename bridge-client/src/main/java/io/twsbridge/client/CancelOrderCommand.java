package io.twsbridge.client;

import io.twsbridge.schema.CancelOrder;
import java.util.Objects;

/**
 * Cancel a working order, named by the commandId of the {@link PlaceOrderCommand} that placed it or, for an order
 * placed otherwise through the bridge's clientId, by its IB orderId: exactly one of the two.
 */
public record CancelOrderCommand(Envelope envelope, String targetCommandId, Long orderId)
        implements BridgeCommand<CancelOrderCommand> {

    public CancelOrderCommand {
        Objects.requireNonNull(envelope, "envelope");
        Commands.requireOneTarget("CancelOrder", targetCommandId, orderId);
    }

    @Override
    public CancelOrderCommand withEnvelope(Envelope e) {
        return new CancelOrderCommand(e, targetCommandId, orderId);
    }

    @Override
    public CancelOrder payload() {
        return CancelOrder.newBuilder().setTargetCommandId(targetCommandId).setOrderId(orderId).build();
    }
}
