package io.twsbridge.client;

import io.twsbridge.schema.Instrument;

/**
 * Instruments for the common cases; anything else is built with {@link Instrument#newBuilder()} (set symbol,
 * secType, exchange and currency, plus expiry, strike, right and multiplier for derivatives, or the conId).
 */
public final class Instruments {

    private Instruments() {}

    /** A stock in US dollars, routed SMART. */
    public static Instrument stock(String symbol) {
        return stock(symbol, "USD");
    }

    /** A stock in {@code currency}, routed SMART. */
    public static Instrument stock(String symbol, String currency) {
        return Instrument.newBuilder().setSymbol(symbol).setSecType("STK").setExchange("SMART").setCurrency(currency)
                .build();
    }

    /** {@code instrument} with IB's contract id set, which then identifies it on its own. */
    public static Instrument withConId(Instrument instrument, long conId) {
        return Instrument.newBuilder(instrument).setConId(conId).build();
    }
}
