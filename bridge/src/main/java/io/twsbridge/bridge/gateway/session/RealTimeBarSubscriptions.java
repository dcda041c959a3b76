package io.twsbridge.bridge.gateway.session;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The real-time bar subscriptions the bridge should have (desired) and the request ids they have on the current
 * link (active), kept as {@link MarketDataSubscriptions} keeps quotes: desired ones survive every reconnect and are
 * requested again after each READY and after IB reports data lost (1101). Used on the session's event loop only.
 */
public final class RealTimeBarSubscriptions {

    private final Map<String, BarSubscription> desired = new LinkedHashMap<>();
    private final Map<String, Integer> activeReqIdByKey = new HashMap<>();
    private final Map<Integer, String> keyByActiveReqId = new HashMap<>();

    /** Adds a desired subscription; false when it was already desired. */
    boolean addDesired(BarSubscription subscription) {
        return desired.putIfAbsent(subscription.key(), subscription) == null;
    }

    /** Removes a desired subscription and returns its active request id, if any. */
    Optional<Integer> removeDesired(String key) {
        desired.remove(key);
        Integer reqId = activeReqIdByKey.remove(key);
        if (reqId != null) {
            keyByActiveReqId.remove(reqId);
        }
        return Optional.ofNullable(reqId);
    }

    void activate(String key, int reqId) {
        activeReqIdByKey.put(key, reqId);
        keyByActiveReqId.put(reqId, key);
    }

    /** Forgets one active request id (IB ended that request); its subscription stays desired. */
    void deactivate(int reqId) {
        String key = keyByActiveReqId.remove(reqId);
        if (key != null) {
            activeReqIdByKey.remove(key, reqId);
        }
    }

    /** Forgets every active request id (the link is gone, or IB dropped the subscriptions). */
    void deactivateAll() {
        activeReqIdByKey.clear();
        keyByActiveReqId.clear();
    }

    /** The subscription a realtimeBar message (or an error) belongs to. */
    public Optional<BarSubscription> forReqId(int reqId) {
        String key = keyByActiveReqId.get(reqId);
        return key == null ? Optional.empty() : Optional.ofNullable(desired.get(key));
    }

    /** The desired subscriptions by {@link BarSubscription#key()}, in the order they were added. */
    public Map<String, BarSubscription> desired() {
        return Collections.unmodifiableMap(desired);
    }

    public List<Integer> activeReqIds() {
        return List.copyOf(keyByActiveReqId.keySet());
    }
}
