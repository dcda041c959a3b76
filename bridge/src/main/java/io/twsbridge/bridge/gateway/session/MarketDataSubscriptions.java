package io.twsbridge.bridge.gateway.session;

import io.twsbridge.protocol.message.Contract;

import java.util.Optional;

/**
 * The market-data (quote) subscriptions the bridge should have and the reqMktData ids they have on the current link,
 * kept as every streaming subscription is ({@link DesiredSubscriptions}). Used on the session's event loop only.
 */
public final class MarketDataSubscriptions extends DesiredSubscriptions<Contract> {

    /** The key that identifies an instrument's subscription: the conId when known, else its description. */
    public static String keyOf(Contract c) {
        if (c.conId() != 0) {
            return String.valueOf(c.conId());
        }
        return String.join("|", c.symbol(), c.secType(), c.exchange(), c.currency(), c.lastTradeDateOrContractMonth(),
                c.strike() == null ? "" : c.strike().toString(), c.right(), c.multiplier());
    }

    /** The instrument a market-data message belongs to. */
    public Optional<Contract> contractForReqId(int reqId) {
        return forReqId(reqId);
    }
}
