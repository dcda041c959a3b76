package io.twsbridge.bridge.events;

import io.twsbridge.bridge.gateway.IbErrorCategory;
import io.twsbridge.bridge.gateway.IbErrorCodes;
import io.twsbridge.protocol.message.Contract;
import io.twsbridge.protocol.message.Order;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.schema.OrderStatus;
import io.twsbridge.schema.OrderUpdate;
import io.twsbridge.schema.catalogue.RecordKeys;
import io.twsbridge.schema.catalogue.Topic;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * openOrder, orderStatus and order errors to {@link OrderUpdate} records: one record per message, each the
 * complete latest state of its order, since the orders topic is a compacted table.
 *
 * <p>IB describes an order in two halves: openOrder has the contract, the order's terms and its orderRef (hence
 * the record key); orderStatus has the fill progress and nothing else. The state of each order is kept here so
 * that either message can be published merged with the last of the other. An order is found by permId (unique
 * across clients and sessions) and, until IB has assigned one, by clientId and orderId.
 *
 * <p>The state is bounded ({@link EventMapperConfig#trackedOrders()}, least recently updated forgotten). A status
 * for an order whose description is not known (forgotten, or IB sent the status first) is still published, with
 * a null instrument and empty action and type, as the schema allows; since it has no orderRef, its key is then
 * {@code perm:<permId>}, not the orderRef a later openOrder brings.
 *
 * <p>Event loop only.
 */
final class OrderEvents {

    private record OrderKey(int clientId, long orderId) {
    }

    /** The merged state of one order. Mutable, and never handed out: each update is built afresh from it. */
    private static final class Tracked {
        long orderId;
        int clientId;
        long permId;
        Contract contract;
        Order order;
        String ibStatus = "";
        BigDecimal filled;
        BigDecimal remaining;
        Double avgFillPrice;
        Double lastFillPrice;
        String whyHeld;
        Long parentId;
        Integer errorCode;
        String errorMessage;

        OrderKey orderKey() {
            return orderId == 0 ? null : new OrderKey(clientId, orderId);
        }
    }

    private final EventSink sink;
    private final Map<Long, Tracked> byPermId = new HashMap<>();
    private final Map<OrderKey, Tracked> byOrderId = new HashMap<>();
    private final LruMap<Tracked, Boolean> recency;

    OrderEvents(EventSink sink, int trackedOrders) {
        this.sink = sink;
        this.recency = new LruMap<>(trackedOrders);
    }

    void onOpenOrder(ServerMessage.OpenOrder m, Instant receivedAt) {
        Order order = m.order();
        Tracked t = track(m.orderId(), order.clientId(), order.permId());
        t.contract = m.contract();
        t.order = order;
        t.parentId = order.parentId() == 0 ? null : order.parentId();
        if (!m.orderState().status().isEmpty()) {
            t.ibStatus = m.orderState().status();
        }
        // IB sends openOrder(Filled) before the orderStatus with the final progress. Filled means filled in full,
        // so the record does not pair FILLED with the previous status' "0 filled"; the prices follow with it.
        if (status(t.ibStatus) == OrderStatus.FILLED && order.totalQuantity() != null) {
            t.filled = Values.quantity(order.totalQuantity());
            t.remaining = Values.quantity(BigDecimal.ZERO);
        }
        publish(t, receivedAt);
    }

    void onOrderStatus(ServerMessage.OrderStatus m, Instant receivedAt) {
        Tracked t = track(m.orderId(), m.clientId(), m.permId());
        if (!m.status().isEmpty()) {
            t.ibStatus = m.status();
        }
        if (m.filled() != null) {
            t.filled = Values.quantity(m.filled());
        }
        if (m.remaining() != null) {
            t.remaining = Values.quantity(m.remaining());
        }
        // IB reports 0 as the prices of an order without fills; the schema says null before the first fill.
        boolean anyFill = t.filled != null && t.filled.signum() != 0;
        t.avgFillPrice = anyFill ? Values.priceOrNull(m.avgFillPrice()) : null;
        t.lastFillPrice = anyFill ? Values.priceOrNull(m.lastFillPrice()) : null;
        t.whyHeld = Values.textOrNull(m.whyHeld());
        if (m.parentId() != 0) {
            t.parentId = m.parentId();
        }
        publish(t, receivedAt);
    }

    /**
     * Sets the error of an order of {@code ownClientId} whose orderId is the error's id, and publishes the order,
     * for errors of the request-failed category only (rejections, refused changes and cancels). IB sends an
     * order's errors only to the client that placed it, hence only that client's orders are looked at.
     *
     * @return true when the error was about a known order
     */
    boolean onError(ServerMessage.ErrorMessage m, int ownClientId, Instant receivedAt) {
        if (ownClientId < 0 || m.id() <= 0
                || IbErrorCodes.lookup(m.code()).category() != IbErrorCategory.REQUEST_FAILED) {
            return false;
        }
        Tracked t = byOrderId.get(new OrderKey(ownClientId, m.id()));
        if (t == null) {
            return false;
        }
        t.errorCode = m.code();
        t.errorMessage = m.message();
        recency.get(t);
        publish(t, receivedAt);
        return true;
    }

    /** The state of the order these ids name, created if none is known, indexed by every id it now has. */
    private Tracked track(long orderId, int clientId, long permId) {
        Tracked t = permId != 0 ? byPermId.get(permId) : null;
        if (t == null && orderId != 0) {
            Tracked candidate = byOrderId.get(new OrderKey(clientId, orderId));
            // The same ids with another permId is another order (IB's order id sequence was reset).
            if (candidate != null && (candidate.permId == 0 || permId == 0 || candidate.permId == permId)) {
                t = candidate;
            }
        }
        if (t == null) {
            t = new Tracked();
        }
        OrderKey previousKey = t.orderKey();
        t.orderId = orderId != 0 ? orderId : t.orderId;
        t.clientId = clientId;
        OrderKey key = t.orderKey();
        if (previousKey != null && !previousKey.equals(key) && byOrderId.get(previousKey) == t) {
            byOrderId.remove(previousKey);
        }
        if (key != null) {
            byOrderId.put(key, t);
        }
        if (permId != 0) {
            t.permId = permId;
            byPermId.put(permId, t);
        }
        Map.Entry<Tracked, Boolean> evicted = recency.put(t, Boolean.TRUE);
        if (evicted != null) {
            forget(evicted.getKey());
        }
        return t;
    }

    private void forget(Tracked t) {
        OrderKey key = t.orderKey();
        if (key != null && byOrderId.get(key) == t) {
            byOrderId.remove(key);
        }
        if (t.permId != 0 && byPermId.get(t.permId) == t) {
            byPermId.remove(t.permId);
        }
    }

    private void publish(Tracked t, Instant receivedAt) {
        Order o = t.order;
        BigDecimal filled = t.filled != null ? t.filled : Values.quantity(BigDecimal.ZERO);
        BigDecimal total = o != null && o.totalQuantity() != null
                ? Values.quantity(o.totalQuantity())
                : filled.add(t.remaining != null ? t.remaining : BigDecimal.ZERO);
        BigDecimal remaining = t.remaining != null ? t.remaining : total.subtract(filled).max(BigDecimal.ZERO);
        OrderUpdate update = OrderUpdate.newBuilder()
                .setOrderRef(o == null ? null : Values.textOrNull(o.orderRef()))
                .setOrderId(t.orderId)
                .setPermId(t.permId == 0 ? null : t.permId)
                .setClientId(t.clientId)
                .setAccount(o == null ? "" : o.account())
                .setInstrument(t.contract == null ? null : Values.instrument(t.contract))
                .setAction(o == null ? "" : o.action())
                .setOrderType(o == null ? "" : o.orderType())
                .setTotalQuantity(Values.quantity(total))
                .setLimitPrice(o == null ? null : Values.priceOrNull(o.lmtPrice()))
                .setStopPrice(o == null ? null : Values.priceOrNull(o.auxPrice()))
                .setTimeInForce(o == null ? null : Values.textOrNull(o.tif()))
                .setOutsideRth(o == null ? null : o.outsideRth())
                .setStatus(status(t.ibStatus))
                .setIbStatus(t.ibStatus)
                .setFilled(Values.quantity(filled))
                .setRemaining(Values.quantity(remaining))
                .setAvgFillPrice(t.avgFillPrice)
                .setLastFillPrice(t.lastFillPrice)
                .setWhyHeld(t.whyHeld)
                .setParentId(t.parentId)
                .setIbErrorCode(t.errorCode)
                .setIbErrorMessage(t.errorMessage)
                .setUpdatedAt(receivedAt)
                .setConditionsSummary(o == null ? null : ConditionSummaries.summary(o.conditions()))
                .build();
        sink.publish(Topic.ORDERS, RecordKeys.order(update), update);
    }

    /**
     * IB's status text as the enum. A status the schema does not name is UNKNOWN, with IB's text in ibStatus, as
     * the field's doc says. Matched without case and without IB's occasional US spelling (Canceled).
     */
    static OrderStatus status(String ibStatus) {
        return switch (ibStatus.toLowerCase(Locale.ROOT)) {
            case "apipending" -> OrderStatus.API_PENDING;
            case "pendingsubmit" -> OrderStatus.PENDING_SUBMIT;
            case "pendingcancel" -> OrderStatus.PENDING_CANCEL;
            case "presubmitted" -> OrderStatus.PRE_SUBMITTED;
            case "submitted" -> OrderStatus.SUBMITTED;
            case "apicancelled", "apicanceled" -> OrderStatus.API_CANCELLED;
            case "cancelled", "canceled" -> OrderStatus.CANCELLED;
            case "filled" -> OrderStatus.FILLED;
            case "inactive" -> OrderStatus.INACTIVE;
            default -> OrderStatus.UNKNOWN;
        };
    }
}
