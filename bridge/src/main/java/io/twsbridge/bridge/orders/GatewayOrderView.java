package io.twsbridge.bridge.orders;

import io.twsbridge.bridge.gateway.session.SessionListener;
import io.twsbridge.protocol.message.ServerMessage;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the Gateway has said about orders, by orderRef: every openOrder, completedOrder and execution the
 * session saw (the initial sync replays all of them at every READY). The order journal is reconciled against
 * it: an orderRef the Gateway reports was placed, whatever the journal says.
 *
 * <p>Fed on the session's event loop; read from any thread.
 */
public final class GatewayOrderView implements SessionListener {

    /** One order as the Gateway reported it. {@code orderId} is 0 when only a completedOrder named it. */
    public record SeenOrder(String orderRef, long orderId, long permId, int clientId, String status) {
    }

    private final Map<String, SeenOrder> byOrderRef = new ConcurrentHashMap<>();

    public Optional<SeenOrder> find(String orderRef) {
        return Optional.ofNullable(byOrderRef.get(orderRef));
    }

    @Override
    public void onMessage(ServerMessage message) {
        if (message instanceof ServerMessage.OpenOrder m) {
            see(m.order().orderRef(), m.orderId(), m.order().permId(), m.order().clientId(), m.orderState().status());
        } else if (message instanceof ServerMessage.CompletedOrder m) {
            see(m.order().orderRef(), 0, m.order().permId(), m.order().clientId(), m.orderState().status());
        } else if (message instanceof ServerMessage.ExecDetails m) {
            see(m.execution().orderRef(), m.orderId(), m.execution().permId(), m.execution().clientId(), "");
        }
    }

    private void see(String orderRef, long orderId, long permId, int clientId, String status) {
        if (orderRef == null || orderRef.isEmpty()) {
            return;
        }
        byOrderRef.merge(orderRef, new SeenOrder(orderRef, orderId, permId, clientId, status), (old, now) ->
                new SeenOrder(orderRef, now.orderId() != 0 ? now.orderId() : old.orderId(),
                        now.permId() != 0 ? now.permId() : old.permId(), now.clientId(),
                        now.status().isEmpty() ? old.status() : now.status()));
    }
}
