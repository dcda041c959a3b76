package io.twsbridge.bridge.gateway.session;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Streaming subscriptions the bridge should have (desired, by key, in the order added) and the request ids they have
 * on the current link (active). Desired ones survive every reconnect and are requested again after each READY and
 * after IB reports data lost (1101); active ids are forgotten whenever the link or IB drops them. Quotes and
 * real-time bars keep their subscriptions this way ({@link MarketDataSubscriptions}, {@link RealTimeBarSubscriptions}).
 * Used on the session's event loop only.
 *
 * @param <V> what a subscription is requested with
 */
abstract class DesiredSubscriptions<V> {

    private final Map<String, V> desired = new LinkedHashMap<>();
    private final Map<String, Integer> activeReqIdByKey = new HashMap<>();
    private final Map<Integer, String> keyByActiveReqId = new HashMap<>();

    /** Adds a desired subscription; false when it was already desired. */
    boolean addDesired(String key, V subscription) {
        return desired.putIfAbsent(key, subscription) == null;
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

    /** Forgets every active request id (the link is gone, or IB dropped the subscriptions); returns them by key. */
    Map<Integer, String> deactivateAll() {
        Map<Integer, String> previous = new HashMap<>(keyByActiveReqId);
        activeReqIdByKey.clear();
        keyByActiveReqId.clear();
        return previous;
    }

    /** The subscription a streamed message (or an error) under {@code reqId} belongs to. */
    public Optional<V> forReqId(int reqId) {
        String key = keyByActiveReqId.get(reqId);
        return key == null ? Optional.empty() : Optional.ofNullable(desired.get(key));
    }

    public Optional<String> keyForReqId(int reqId) {
        return Optional.ofNullable(keyByActiveReqId.get(reqId));
    }

    /** The desired subscriptions by key, in the order they were added. */
    public Map<String, V> desired() {
        return Collections.unmodifiableMap(desired);
    }

    public List<Integer> activeReqIds() {
        return List.copyOf(keyByActiveReqId.keySet());
    }

    public int desiredCount() {
        return desired.size();
    }
}
