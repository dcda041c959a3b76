package io.twsbridge.bridge.contracts;

import io.twsbridge.bridge.gateway.IbErrorCodes;
import io.twsbridge.bridge.gateway.OpenRequests;
import io.twsbridge.bridge.gateway.session.GatewaySession;
import io.twsbridge.bridge.gateway.session.SessionListener;
import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.Contract;
import io.twsbridge.protocol.message.ServerMessage;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

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

    private final GatewaySession session;
    /** Each lookup with the matches IB has sent for it so far. */
    private final OpenRequests<List<ServerMessage.ContractDetails>, List<ServerMessage.ContractDetails>> open;

    public ContractLookup(GatewaySession session, Duration timeout) {
        this.session = session;
        this.open = new OpenRequests<>(timeout);
    }

    /** Every contract IB matches with {@code description}; an empty list when none. */
    public CompletableFuture<List<ServerMessage.ContractDetails>> lookUp(Contract description) {
        int reqId = session.nextRequestId();
        return open.open(reqId, new CopyOnWriteArrayList<>(),
                () -> session.send(new ClientMessage.ReqContractDetails(reqId, description)));
    }

    @Override
    public void onMessage(ServerMessage message) {
        if (message instanceof ServerMessage.ContractDetails m) {
            open.get(m.reqId()).ifPresent(o -> o.gathered().add(m));
        } else if (message instanceof ServerMessage.ContractDetailsEnd m) {
            open.get(m.reqId()).ifPresent(o -> open.complete(m.reqId(), List.copyOf(o.gathered())));
        } else if (message instanceof ServerMessage.ErrorMessage e) {
            // No match: IB's 200 under the request id, and no End after it.
            if (e.code() != IbErrorCodes.NO_SECURITY_DEFINITION || !open.complete(e.id(), List.of())) {
                open.refuse(e);
            }
        }
    }

    @Override
    public void onLinkLost(String reason) {
        open.linkLost(reason);
    }
}
