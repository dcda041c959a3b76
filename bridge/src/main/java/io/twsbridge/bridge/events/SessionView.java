package io.twsbridge.bridge.events;

import io.twsbridge.bridge.gateway.session.BarSubscription;
import io.twsbridge.bridge.gateway.session.GatewaySession;
import io.twsbridge.protocol.message.Contract;

import java.util.Optional;

/**
 * The little the mapper reads from the Gateway session, so it can be tested without one. Called on the session's
 * event loop only, where the session's subscription table may be read.
 */
public interface SessionView {

    /** The instrument a market-data request id belongs to, empty when no subscription has it now. */
    Optional<Contract> contractForReqId(int reqId);

    /** The real-time bar subscription a request id belongs to, empty when no subscription has it now. */
    Optional<BarSubscription> barSubscriptionForReqId(int reqId);

    /** The API clientId of the synced link, -1 when there is none; errors about orders only name this client's ids. */
    int clientId();

    /** The view of the bridge's one session. */
    static SessionView of(GatewaySession session) {
        return new SessionView() {
            @Override
            public Optional<Contract> contractForReqId(int reqId) {
                return session.subscriptions().contractForReqId(reqId);
            }

            @Override
            public Optional<BarSubscription> barSubscriptionForReqId(int reqId) {
                return session.realTimeBars().forReqId(reqId);
            }

            @Override
            public int clientId() {
                return session.snapshot().clientId();
            }
        };
    }
}
