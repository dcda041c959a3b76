package io.twsbridge.bridge.history;

import io.twsbridge.bridge.gateway.GatewayRequestException;
import io.twsbridge.bridge.gateway.IbErrorCategory;
import io.twsbridge.bridge.gateway.IbErrorCodes;
import io.twsbridge.bridge.gateway.session.GatewaySession;
import io.twsbridge.bridge.gateway.session.SessionListener;
import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.ServerMessage;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
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
    private final Duration timeout;
    private final Map<Integer, CompletableFuture<ServerMessage.HistoricalData>> byReqId = new ConcurrentHashMap<>();

    public HistoricalRequests(GatewaySession session, Duration timeout) {
        this.session = session;
        this.timeout = timeout;
    }

    /**
     * Sends {@code request}, built for the request id given; completes with its bars.
     *
     * @param request the request for a fresh request id
     */
    public CompletableFuture<ServerMessage.HistoricalData> send(IntFunction<ClientMessage.ReqHistoricalData> request) {
        int reqId = session.nextRequestId();
        CompletableFuture<ServerMessage.HistoricalData> answer = new CompletableFuture<ServerMessage.HistoricalData>()
                .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        byReqId.put(reqId, answer);
        answer.whenComplete((v, e) -> {
            byReqId.remove(reqId);
            if (e instanceof TimeoutException) {
                // Still open at the Gateway as far as the bridge knows: end it there (366 if it had just ended).
                session.send(new ClientMessage.CancelHistoricalData(reqId));
            }
        });
        if (!session.send(request.apply(reqId))) {
            answer.completeExceptionally(new IllegalStateException("not connected to the Gateway"));
        }
        return answer;
    }

    /** Requests sent and not yet answered. */
    public int open() {
        return byReqId.size();
    }

    @Override
    public void onMessage(ServerMessage message) {
        if (message instanceof ServerMessage.HistoricalData m) {
            CompletableFuture<ServerMessage.HistoricalData> f = byReqId.remove(m.reqId());
            if (f != null) {
                f.complete(m);
            }
        } else if (message instanceof ServerMessage.ErrorMessage e && e.id() >= 0
                && IbErrorCodes.lookup(e.code()).category() == IbErrorCategory.REQUEST_FAILED) {
            CompletableFuture<ServerMessage.HistoricalData> f = byReqId.remove(e.id());
            if (f != null) {
                f.completeExceptionally(new GatewayRequestException(e.code(), e.message()));
            }
        }
    }

    @Override
    public void onLinkLost(String reason) {
        IllegalStateException lost = new IllegalStateException("the Gateway link was lost: " + reason);
        List.copyOf(byReqId.values()).forEach(f -> f.completeExceptionally(lost));
        byReqId.clear();
    }

}
