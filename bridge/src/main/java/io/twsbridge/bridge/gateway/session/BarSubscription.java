package io.twsbridge.bridge.gateway.session;

import io.twsbridge.protocol.message.Contract;

/**
 * One desired real-time bar subscription: 5-second bars (IB's reqRealTimeBars) of an instrument, of one kind.
 *
 * @param contract                the instrument
 * @param whatToShow              IB's spelling of what the prices are: TRADES, MIDPOINT, BID or ASK
 * @param regularTradingHoursOnly IB's useRTH
 */
public record BarSubscription(Contract contract, String whatToShow, boolean regularTradingHoursOnly) {

    /** IB gives real-time bars of one size only, in seconds. */
    public static final int BAR_SECONDS = 5;

    /**
     * What names the subscription, unique per instrument, kind and hours: the instrument's market-data key
     * ({@link MarketDataSubscriptions#keyOf}), then the kind, then {@code RTH} or {@code ALL}. Subscribing again
     * with the same three is the same subscription.
     */
    public String key() {
        return MarketDataSubscriptions.keyOf(contract) + "|" + whatToShow + "|" + (regularTradingHoursOnly ? "RTH" : "ALL");
    }
}
