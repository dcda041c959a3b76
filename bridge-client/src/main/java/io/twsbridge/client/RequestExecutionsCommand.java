package io.twsbridge.client;

import io.twsbridge.schema.OrderAction;
import io.twsbridge.schema.RequestExecutions;
import java.time.Instant;
import java.util.Objects;

/**
 * Publish the executions IB still reports that pass every filter set here to the fills topic; COMPLETED once they
 * are published. Every filter is null (no filter) until set; the account filter is the envelope's account.
 */
public record RequestExecutionsCommand(Envelope envelope, Instant since, String symbol, String secType,
                                       String exchange, OrderAction side, Integer clientId)
        implements BridgeCommand<RequestExecutionsCommand> {

    public RequestExecutionsCommand {
        Objects.requireNonNull(envelope, "envelope");
        if (side == OrderAction.UNKNOWN) {
            throw new IllegalArgumentException("side must be BUY, SELL or null (both) but was UNKNOWN");
        }
    }

    @Override
    public RequestExecutionsCommand withEnvelope(Envelope e) {
        return new RequestExecutionsCommand(e, since, symbol, secType, exchange, side, clientId);
    }

    /** Only executions at or after {@code at}. */
    public RequestExecutionsCommand withSince(Instant at) {
        return new RequestExecutionsCommand(envelope, at, symbol, secType, exchange, side, clientId);
    }

    public RequestExecutionsCommand withSymbol(String s) {
        return new RequestExecutionsCommand(envelope, since, s, secType, exchange, side, clientId);
    }

    public RequestExecutionsCommand withSecType(String t) {
        return new RequestExecutionsCommand(envelope, since, symbol, t, exchange, side, clientId);
    }

    public RequestExecutionsCommand withExchange(String x) {
        return new RequestExecutionsCommand(envelope, since, symbol, secType, x, side, clientId);
    }

    /** Only buys or only sells. */
    public RequestExecutionsCommand withSide(OrderAction s) {
        return new RequestExecutionsCommand(envelope, since, symbol, secType, exchange, s, clientId);
    }

    /** Only executions of orders placed by this API clientId. */
    public RequestExecutionsCommand withClientId(Integer id) {
        return new RequestExecutionsCommand(envelope, since, symbol, secType, exchange, side, id);
    }

    @Override
    public RequestExecutions payload() {
        return RequestExecutions.newBuilder().setSince(since).setSymbol(symbol).setSecType(secType)
                .setExchange(exchange).setSide(side).setClientId(clientId).build();
    }
}
