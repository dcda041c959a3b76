package io.twsbridge.bridge.events;

import io.twsbridge.protocol.message.Contract;
import io.twsbridge.schema.Instrument;

/** Instrument (the Avro contract producers write) to Contract (what the TWS protocol carries), and back. */
public final class Instruments {

    private Instruments() {
    }

    public static Contract toContract(Instrument i) {
        return new Contract(i.getConId() == null ? 0 : i.getConId().intValue(), i.getSymbol(), i.getSecType(),
                i.getLastTradeDateOrContractMonth(), i.getStrike(), i.getRight(), i.getMultiplier(), i.getExchange(),
                i.getPrimaryExchange(), i.getCurrency(), i.getLocalSymbol(), i.getTradingClass());
    }

    /** The contracts' instrument of a protocol contract, as the event records carry it; conId 0 becomes null. */
    public static Instrument toInstrument(Contract c) {
        return Values.instrument(c);
    }
}
