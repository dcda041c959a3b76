package io.twsbridge.client;

import io.twsbridge.schema.Instrument;
import io.twsbridge.schema.OrderAction;
import io.twsbridge.schema.OrderType;
import io.twsbridge.schema.TimeInForce;
import java.math.BigDecimal;
import java.util.Objects;

/**
 * The commands of the bridge, one factory per kind, each with a fresh random commandId and no account, deadline or
 * sender name; set those with the {@code with*} methods of {@link BridgeCommand}:
 *
 * <pre>{@code
 * PlaceOrderCommand buy = Commands.limitOrder(OrderAction.BUY, new BigDecimal("10"), Instruments.stock("AAPL"), 150.25)
 *         .withAccount("DU1234567")
 *         .withTimeInForce(TimeInForce.GTC);
 * CancelOrderCommand cancel = Commands.cancelOrder(buy.commandId()).withAccount("DU1234567");
 * }</pre>
 *
 * Give the cancel or modify of an order the order's account too: commands are keyed by account, and only commands
 * under one key are read in the order they were sent.
 */
public final class Commands {

    private Commands() {}

    public static SubscribeQuotesCommand subscribeQuotes(Instrument instrument) {
        return new SubscribeQuotesCommand(Envelope.fresh(), instrument);
    }

    public static UnsubscribeQuotesCommand unsubscribeQuotes(Instrument instrument) {
        return new UnsubscribeQuotesCommand(Envelope.fresh(), instrument);
    }

    public static RequestPositionsCommand requestPositions() {
        return new RequestPositionsCommand(Envelope.fresh());
    }

    public static RequestAccountSnapshotCommand requestAccountSnapshot() {
        return new RequestAccountSnapshotCommand(Envelope.fresh());
    }

    /** Every execution IB still reports (by default the current day's); narrow it with the {@code with*} filters. */
    public static RequestExecutionsCommand requestExecutions() {
        return new RequestExecutionsCommand(Envelope.fresh(), null, null, null, null, null, null);
    }

    public static PlaceOrderCommand marketOrder(OrderAction action, BigDecimal quantity, Instrument instrument) {
        return order(action, quantity, instrument, OrderType.MKT, null, null);
    }

    public static PlaceOrderCommand limitOrder(OrderAction action, BigDecimal quantity, Instrument instrument,
                                               double limitPrice) {
        return order(action, quantity, instrument, OrderType.LMT, limitPrice, null);
    }

    public static PlaceOrderCommand stopOrder(OrderAction action, BigDecimal quantity, Instrument instrument,
                                              double stopPrice) {
        return order(action, quantity, instrument, OrderType.STP, null, stopPrice);
    }

    public static PlaceOrderCommand stopLimitOrder(OrderAction action, BigDecimal quantity, Instrument instrument,
                                                   double stopPrice, double limitPrice) {
        return order(action, quantity, instrument, OrderType.STP_LMT, limitPrice, stopPrice);
    }

    /** Cancels the order placed by the PlaceOrder command {@code targetCommandId}. */
    public static CancelOrderCommand cancelOrder(String targetCommandId) {
        return new CancelOrderCommand(Envelope.fresh(), Objects.requireNonNull(targetCommandId, "targetCommandId"),
                null);
    }

    /** Cancels the order with IB orderId {@code orderId} (one of the bridge's own clientId). */
    public static CancelOrderCommand cancelOrderById(long orderId) {
        return new CancelOrderCommand(Envelope.fresh(), null, orderId);
    }

    /** Changes the order placed by the PlaceOrder command {@code targetCommandId}; set at least one change. */
    public static ModifyOrderCommand modifyOrder(String targetCommandId) {
        return new ModifyOrderCommand(Envelope.fresh(), Objects.requireNonNull(targetCommandId, "targetCommandId"),
                null, null, null, null, null, null);
    }

    /** Changes the order with IB orderId {@code orderId}; set at least one change. */
    public static ModifyOrderCommand modifyOrderById(long orderId) {
        return new ModifyOrderCommand(Envelope.fresh(), null, orderId, null, null, null, null, null);
    }

    private static PlaceOrderCommand order(OrderAction action, BigDecimal quantity, Instrument instrument,
                                           OrderType type, Double limit, Double stop) {
        return new PlaceOrderCommand(Envelope.fresh(), instrument, action, quantity, type, limit, stop,
                TimeInForce.DAY, false);
    }

    /** A private copy of {@code instrument}, whose required fields are checked here rather than at send. */
    static Instrument copy(Instrument instrument) {
        Objects.requireNonNull(instrument, "instrument");
        Objects.requireNonNull(instrument.getSymbol(), "instrument.symbol");
        Objects.requireNonNull(instrument.getSecType(), "instrument.secType");
        Objects.requireNonNull(instrument.getExchange(), "instrument.exchange");
        Objects.requireNonNull(instrument.getCurrency(), "instrument.currency");
        return Instrument.newBuilder(instrument).build();
    }

    static void requireOneTarget(String type, String targetCommandId, Long orderId) {
        if ((targetCommandId == null) == (orderId == null)) {
            throw new IllegalArgumentException(type + " names its order by exactly one of targetCommandId and orderId"
                    + " but was given " + (targetCommandId == null ? "neither" : "both"));
        }
        if (targetCommandId != null && targetCommandId.isBlank()) {
            throw new IllegalArgumentException(type + " targetCommandId must not be blank");
        }
    }
}
