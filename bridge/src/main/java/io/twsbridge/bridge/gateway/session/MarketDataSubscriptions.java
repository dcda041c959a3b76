package io.twsbridge.bridge.gateway.session;

import io.twsbridge.protocol.message.Contract;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The market-data subscriptions the bridge should have (desired) and the request ids they have on the current
 * link (active). Desired ones survive every reconnect and are requested again after each READY and after IB
 * reports data lost (1101). Used on the session's event loop only.
 */
public final class MarketDataSubscriptions {

    private final Map<String, Contract> desired = new LinkedHashMap<>();
    private final Map<String, Integer> activeReqIdByKey = new HashMap<>();
    private final Map<Integer, String> keyByActiveReqId = new HashMap<>();

    /** The key that identifies an instrument's subscription: the conId when known, else its description. */
    public static String keyOf(Contract c) {
        if (c.conId() != 0) {
            return String.valueOf(c.conId());
        }
        return String.join("|", c.symbol(), c.secType(), c.exchange(), c.currency(), c.lastTradeDateOrContractMonth(),
                c.strike() == null ? "" : c.strike().toString(), c.right(), c.multiplier());
    }

    /** Adds a desired subscription; false when it was already desired. */
    boolean addDesired(String key, Contract contract) {
        return desired.putIfAbsent(key, contract) == null;
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

    /** Forgets every active request id (the link is gone, or IB dropped the subscriptions). */
    Map<Integer, String> deactivateAll() {
        Map<Integer, String> previous = new HashMap<>(keyByActiveReqId);
        activeReqIdByKey.clear();
        keyByActiveReqId.clear();
        return previous;
    }

    /** The subscription a market-data message belongs to. */
    public Optional<Contract> contractForReqId(int reqId) {
        String key = keyByActiveReqId.get(reqId);
        return key == null ? Optional.empty() : Optional.ofNullable(desired.get(key));
    }

    public Optional<String> keyForReqId(int reqId) {
        return Optional.ofNullable(keyByActiveReqId.get(reqId));
    }

    public Map<String, Contract> desired() {
        return Collections.unmodifiableMap(desired);
    }

    public List<Integer> activeReqIds() {
        return List.copyOf(keyByActiveReqId.keySet());
    }

    public int desiredCount() {
        return desired.size();
    }
}
