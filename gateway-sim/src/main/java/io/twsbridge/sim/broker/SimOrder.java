package io.twsbridge.sim.broker;

import io.twsbridge.protocol.message.Contract;
import io.twsbridge.protocol.message.Order;
import io.twsbridge.protocol.message.OrderState;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.sim.market.Instrument;

import java.math.BigDecimal;

/** An order the simulated broker holds. Mutable; guarded by the {@link Broker}'s lock. */
final class SimOrder {

    static final String PRE_SUBMITTED = "PreSubmitted";
    static final String SUBMITTED = "Submitted";
    static final String FILLED = "Filled";
    static final String CANCELLED = "Cancelled";
    /** IB's status for an order it accepted and later rejected (at the exchange, a risk check): it is over. */
    static final String INACTIVE = "Inactive";

    final int clientId;
    final long orderId;
    final long permId;
    final Instrument instrument;
    final Contract contract;
    Order order;
    String status = PRE_SUBMITTED;
    BigDecimal filled = BigDecimal.ZERO;
    double avgFillPrice;
    double lastFillPrice;
    String completedTime = "";
    String completedStatus = "";

    SimOrder(int clientId, long orderId, long permId, Instrument instrument, Order order) {
        this.clientId = clientId;
        this.orderId = orderId;
        this.permId = permId;
        this.instrument = instrument;
        this.contract = instrument.contract("SMART");
        this.order = order.toBuilder().clientId(clientId).permId(permId).build();
    }

    boolean isOpen() {
        return status.equals(PRE_SUBMITTED) || status.equals(SUBMITTED);
    }

    boolean isBuy() {
        return order.action().equals("BUY");
    }

    BigDecimal remaining() {
        return order.totalQuantity().subtract(filled).max(BigDecimal.ZERO);
    }

    ServerMessage.OpenOrder openOrderMessage() {
        return new ServerMessage.OpenOrder(orderId, contract, order, OrderState.of(status));
    }

    ServerMessage.OrderStatus statusMessage() {
        return new ServerMessage.OrderStatus(orderId, status, filled, remaining(), avgFillPrice, permId,
                order.parentId(), lastFillPrice, clientId, "", 0.0);
    }

    ServerMessage.CompletedOrder completedMessage() {
        return new ServerMessage.CompletedOrder(contract, order,
                new OrderState(status, null, null, null, "", "", completedTime, completedStatus));
    }
}
