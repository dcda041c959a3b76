package io.twsbridge.bridge.commands;

import io.twsbridge.bridge.gateway.OpenRequests;
import io.twsbridge.bridge.gateway.session.GatewaySession;
import io.twsbridge.bridge.gateway.session.SessionListener;
import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.ExecutionFilter;
import io.twsbridge.protocol.message.ServerMessage;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Requests that end with an End message, as futures: the answers themselves reach Kafka through the event
 * mapper; the future says when they all have. Failed requests complete exceptionally with IB's error.
 *
 * <p>Callbacks run on the session's event loop; requests may be made from any thread.
 */
public final class GatewayRequests implements SessionListener {

    private final GatewaySession session;
    private final Duration timeout;
    private final OpenRequests<Void, Void> open;
    private volatile CompletableFuture<Void> positions;

    public GatewayRequests(GatewaySession session, Duration timeout) {
        this.session = session;
        this.timeout = timeout;
        this.open = new OpenRequests<>(timeout);
        session.addListener(this);
    }

    /** Account summary of every account, for {@code tags}; completes at its End. */
    public CompletableFuture<Void> accountSummary(String tags) {
        int reqId = session.nextRequestId();
        CompletableFuture<Void> done = open.open(reqId, null,
                () -> session.send(new ClientMessage.ReqAccountSummary(reqId, "All", tags)));
        if (done.isCompletedExceptionally()) {
            return done;
        }
        // One snapshot, not a subscription: the session keeps its own summary subscription for updates.
        return done.whenComplete((v, e) -> session.send(new ClientMessage.CancelAccountSummary(reqId)));
    }

    /** Every position; completes at positionEnd. One such request at a time (IB's answer carries no id). */
    public synchronized CompletableFuture<Void> positions() {
        CompletableFuture<Void> current = positions;
        if (current != null && !current.isDone()) {
            return current;
        }
        CompletableFuture<Void> done = new CompletableFuture<Void>().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        positions = done;
        if (!session.send(new ClientMessage.ReqPositions())) {
            done.completeExceptionally(new IllegalStateException("not connected to the Gateway"));
        }
        return done;
    }

    /** Executions matching {@code filter}; completes at execDetailsEnd. */
    public CompletableFuture<Void> executions(ExecutionFilter filter) {
        int reqId = session.nextRequestId();
        return open.open(reqId, null, () -> session.send(new ClientMessage.ReqExecutions(reqId, filter)));
    }

    @Override
    public void onMessage(ServerMessage message) {
        if (message instanceof ServerMessage.AccountSummaryEnd m) {
            open.complete(m.reqId(), null);
        } else if (message instanceof ServerMessage.ExecDetailsEnd m) {
            open.complete(m.reqId(), null);
        } else if (message instanceof ServerMessage.PositionEnd) {
            CompletableFuture<Void> p = positions;
            if (p != null) {
                p.complete(null);
            }
        } else if (message instanceof ServerMessage.ErrorMessage e) {
            open.refuse(e);
        }
    }

    @Override
    public void onLinkLost(String reason) {
        open.linkLost(reason);
        CompletableFuture<Void> p = positions;
        if (p != null) {
            p.completeExceptionally(new IllegalStateException("the Gateway link was lost: " + reason));
        }
    }
}
