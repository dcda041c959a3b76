package io.twsbridge.bridge.gateway.session;

/**
 * The real-time bar subscriptions the bridge should have and the reqRealTimeBars ids they have on the current link,
 * kept as quotes are ({@link DesiredSubscriptions}): desired ones survive every reconnect and are requested again
 * after each READY, after IB reports data lost (1101) and after a bust event (10225) ends one. Used on the session's
 * event loop only.
 */
public final class RealTimeBarSubscriptions extends DesiredSubscriptions<BarSubscription> {

    /** Adds a desired subscription, under {@link BarSubscription#key()}; false when it was already desired. */
    boolean addDesired(BarSubscription subscription) {
        return addDesired(subscription.key(), subscription);
    }
}
