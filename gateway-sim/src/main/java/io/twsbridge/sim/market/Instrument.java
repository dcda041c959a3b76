package io.twsbridge.sim.market;

import io.twsbridge.protocol.message.Contract;

/** A stock the simulated market knows. */
public record Instrument(int conId, String symbol, String primaryExchange) {

    /** The contract as openOrder, position and execDetails describe it. */
    public Contract contract(String exchange) {
        return new Contract(conId, symbol, "STK", "", null, "", "", exchange, "", "USD", symbol, "NMS");
    }
}
