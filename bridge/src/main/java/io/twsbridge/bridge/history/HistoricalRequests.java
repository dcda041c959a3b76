package io.twsbridge.bridge.history;

import io.twsbridge.bridge.gateway.OpenRequests;
import io.twsbridge.bridge.gateway.session.GatewaySession;
import io.twsbridge.bridge.gateway.session.SessionListener;
import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.ServerMessage;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;

/**
 * reqHistoricalData as a future of its one historicalData answer. A refusal under the request's id fails it with
 * IB's error; so do a lost link and the timeout. A request that ends without its answer (the timeout) is cancelled
 * at the Gateway, so that it no longer counts among IB's 50 open requests.
 *
 * <p>Register it as a listener of the session; callbacks run on the session's event loop, requests may start on
 * any thread.
 */
public final class HistoricalRequests implements SessionListener {

    private final GatewaySession session;
    private final OpenRequests<ServerMessage.HistoricalData, Void> open;

    public HistoricalRequests(GatewaySession session, Duration timeout) {
        this.session = session;
        this.open = new OpenRequests<>(timeout);
    }

    /**
     * Sends {@code request}, built for the request id given; completes with its bars.
     *
     * @param request the request for a fresh request id
     */
    public CompletableFuture<ServerMessage.HistoricalData> send(IntFunction<ClientMessage.ReqHistoricalData> request) {
        int reqId = session.nextRequestId();
        CompletableFuture<ServerMessage.HistoricalData> answer = open.open(reqId, null,
                () -> session.send(request.apply(reqId)));
        answer.whenComplete((v, e) -> {
            if (e instanceof TimeoutException) {
                // Still open at the Gateway as far as the bridge knows: end it there (366 if it had just ended).
                session.send(new ClientMessage.CancelHistoricalData(reqId));
            }
        });
        return answer;
    }

    /** Requests sent and not yet answered. */
    public int open() {
        return open.size();
    }

    @Override
    public void onMessage(ServerMessage message) {
        if (message instanceof ServerMessage.HistoricalData m) {
            open.complete(m.reqId(), m);
        } else if (message instanceof ServerMessage.ErrorMessage e) {
            open.refuse(e);
        }
    }

    @Override
    public void onLinkLost(String reason) {
        open.linkLost(reason);
    }
}
