package io.twsbridge.bridge.orders;

import io.twsbridge.bridge.gateway.session.MarketDataSubscriptions;
import io.twsbridge.bridge.gateway.session.SessionListener;
import io.twsbridge.protocol.message.Contract;
import io.twsbridge.protocol.message.ServerMessage;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;

/**
 * The last trade price (or, before the first trade, the bid/ask midpoint) per symbol, from the quotes the
 * bridge subscribes to: the price a market order's notional is checked against.
 */
public final class LastPrices implements SessionListener {

    private static final int BID = 1;
    private static final int ASK = 2;
    private static final int LAST = 4;

    private final IntFunction<Optional<Contract>> contractForReqId;
    private final Map<String, double[]> bidAskLast = new ConcurrentHashMap<>();

    public LastPrices(MarketDataSubscriptions subscriptions) {
        this.contractForReqId = subscriptions::contractForReqId;
    }

    public Optional<Double> price(String symbol) {
        double[] p = bidAskLast.get(symbol);
        if (p == null) {
            return Optional.empty();
        }
        if (p[2] > 0) {
            return Optional.of(p[2]);
        }
        return p[0] > 0 && p[1] > 0 ? Optional.of((p[0] + p[1]) / 2) : Optional.empty();
    }

    @Override
    public void onMessage(ServerMessage message) {
        if (message instanceof ServerMessage.TickPrice t && (t.tickType() == BID || t.tickType() == ASK
                || t.tickType() == LAST) && t.price() > 0) {
            contractForReqId.apply(t.reqId()).ifPresent(c -> {
                double[] p = bidAskLast.computeIfAbsent(c.symbol(), s -> new double[3]);
                p[t.tickType() == BID ? 0 : t.tickType() == ASK ? 1 : 2] = t.price();
            });
        }
    }
}
