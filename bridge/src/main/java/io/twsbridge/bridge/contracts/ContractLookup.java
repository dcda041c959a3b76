package io.twsbridge.bridge.contracts;

import io.twsbridge.bridge.gateway.GatewayRequestException;
import io.twsbridge.bridge.gateway.IbErrorCategory;
import io.twsbridge.bridge.gateway.IbErrorCodes;
import io.twsbridge.bridge.gateway.session.GatewaySession;
import io.twsbridge.bridge.gateway.session.SessionListener;
import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.Contract;
import io.twsbridge.protocol.message.ServerMessage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * reqContractDetails as a future of every match. IB answers one contractDetails per matching contract and then
 * contractDetailsEnd; a description that matches nothing gets error 200 under the request id and no End, so that
 * error completes the future with no matches rather than failing it. Any other refusal fails it with IB's error;
 * a lost link or the timeout fails it too.
 *
 * <p>Register it as a listener of the session; callbacks run on the session's event loop, lookups may start on
 * any thread.
 */
public final class ContractLookup implements SessionListener {

    private record Pending(List<ServerMessage.ContractDetails> matches,
                           CompletableFuture<List<ServerMessage.ContractDetails>> done) {
    }

    private final GatewaySession session;
    private final Duration timeout;
    private final Map<Integer, Pending> byReqId = new ConcurrentHashMap<>();

    public ContractLookup(GatewaySession session, Duration timeout) {
        this.session = session;
        this.timeout = timeout;
    }

    /** Every contract IB matches with {@code description}; an empty list when none. */
    public CompletableFuture<List<ServerMessage.ContractDetails>> lookUp(Contract description) {
        int reqId = session.nextRequestId();
        CompletableFuture<List<ServerMessage.ContractDetails>> done = new CompletableFuture<List<ServerMessage.ContractDetails>>()
                .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        byReqId.put(reqId, new Pending(new ArrayList<>(), done));
        done.whenComplete((v, e) -> byReqId.remove(reqId));
        if (!session.send(new ClientMessage.ReqContractDetails(reqId, description))) {
            done.completeExceptionally(new IllegalStateException("not connected to the Gateway"));
        }
        return done;
    }

    @Override
    public void onMessage(ServerMessage message) {
        if (message instanceof ServerMessage.ContractDetails m) {
            Pending p = byReqId.get(m.reqId());
            if (p != null) {
                p.matches().add(m);
            }
        } else if (message instanceof ServerMessage.ContractDetailsEnd m) {
            Pending p = byReqId.remove(m.reqId());
            if (p != null) {
                p.done().complete(List.copyOf(p.matches()));
            }
        } else if (message instanceof ServerMessage.ErrorMessage e && e.id() >= 0
                && IbErrorCodes.lookup(e.code()).category() == IbErrorCategory.REQUEST_FAILED) {
            Pending p = byReqId.remove(e.id());
            if (p == null) {
                return;
            }
            if (e.code() == IbErrorCodes.NO_SECURITY_DEFINITION) {
                p.done().complete(List.of());
            } else {
                p.done().completeExceptionally(new GatewayRequestException(e.code(), e.message()));
            }
        }
    }

    @Override
    public void onLinkLost(String reason) {
        IllegalStateException lost = new IllegalStateException("the Gateway link was lost: " + reason);
        List.copyOf(byReqId.values()).forEach(p -> p.done().completeExceptionally(lost));
        byReqId.clear();
    }
}
