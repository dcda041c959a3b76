package io.twsbridge.bridge.events;

import io.twsbridge.bridge.gateway.session.BarSubscription;
import io.twsbridge.protocol.message.Contract;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The session as the mapper sees it: active market-data and real-time bar request ids and the link's clientId, set
 * by the test.
 */
final class FakeSession implements SessionView {

    final Map<Integer, Contract> subscriptions = new HashMap<>();
    final Map<Integer, BarSubscription> barSubscriptions = new HashMap<>();
    int clientId = Ib.CLIENT_ID;

    @Override
    public Optional<Contract> contractForReqId(int reqId) {
        return Optional.ofNullable(subscriptions.get(reqId));
    }

    @Override
    public Optional<BarSubscription> barSubscriptionForReqId(int reqId) {
        return Optional.ofNullable(barSubscriptions.get(reqId));
    }

    @Override
    public int clientId() {
        return clientId;
    }
}
