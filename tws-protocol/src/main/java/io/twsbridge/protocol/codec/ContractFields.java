package io.twsbridge.protocol.codec;

import io.twsbridge.protocol.message.Contract;
import io.twsbridge.protocol.wire.FieldReader;
import io.twsbridge.protocol.wire.FieldWriter;

/**
 * The contract blocks that recur across messages. Each layout is written once, with its reader beside its
 * writer, because the protocol repeats the same fields in slightly different orders per message.
 */
final class ContractFields {

    private ContractFields() {
    }

    /** conId … tradingClass as position, openOrder and completedOrder carry it (exchange, no primaryExch). */
    static void writeWithExchange(FieldWriter w, Contract c) {
        w.int32(c.conId()).string(c.symbol()).string(c.secType()).string(c.lastTradeDateOrContractMonth())
                .doubleOrEmpty(c.strike()).string(c.right()).string(c.multiplier()).string(c.exchange())
                .string(c.currency()).string(c.localSymbol()).string(c.tradingClass());
    }

    static Contract readWithExchange(FieldReader r) {
        int conId = r.int32();
        String symbol = r.string();
        String secType = r.string();
        String lastTrade = r.string();
        Double strike = r.doubleOrNull();
        String right = r.string();
        String multiplier = r.string();
        String exchange = r.string();
        String currency = r.string();
        String localSymbol = r.string();
        String tradingClass = r.string();
        return new Contract(conId, symbol, secType, lastTrade, strike, right, multiplier, exchange, "", currency,
                localSymbol, tradingClass);
    }

    /** updatePortfolio's block: primaryExchange where the others have exchange. */
    static void writeWithPrimaryExchange(FieldWriter w, Contract c) {
        w.int32(c.conId()).string(c.symbol()).string(c.secType()).string(c.lastTradeDateOrContractMonth())
                .doubleOrEmpty(c.strike()).string(c.right()).string(c.multiplier()).string(c.primaryExchange())
                .string(c.currency()).string(c.localSymbol()).string(c.tradingClass());
    }

    static Contract readWithPrimaryExchange(FieldReader r) {
        int conId = r.int32();
        String symbol = r.string();
        String secType = r.string();
        String lastTrade = r.string();
        Double strike = r.doubleOrNull();
        String right = r.string();
        String multiplier = r.string();
        String primaryExchange = r.string();
        String currency = r.string();
        String localSymbol = r.string();
        String tradingClass = r.string();
        return new Contract(conId, symbol, secType, lastTrade, strike, right, multiplier, "", primaryExchange,
                currency, localSymbol, tradingClass);
    }

    /**
     * The request block of reqMktData and placeOrder: both exchanges. {@code strike} goes out as "0.0" when unset,
     * as IB's own client sends it, and conId as "0".
     */
    static void writeRequest(FieldWriter w, Contract c) {
        w.int32(c.conId()).string(c.symbol()).string(c.secType()).string(c.lastTradeDateOrContractMonth())
                .float64(c.strike() == null ? 0.0 : c.strike()).string(c.right()).string(c.multiplier())
                .string(c.exchange()).string(c.primaryExchange()).string(c.currency()).string(c.localSymbol())
                .string(c.tradingClass());
    }

    /** Reads the request block; an unset or zero strike is {@code null}, as no listed contract strikes at 0. */
    static Contract readRequest(FieldReader r) {
        int conId = r.int32();
        String symbol = r.string();
        String secType = r.string();
        String lastTrade = r.string();
        Double strike = r.doubleOrNull();
        if (strike != null && strike == 0.0) {
            strike = null;
        }
        String right = r.string();
        String multiplier = r.string();
        String exchange = r.string();
        String primaryExchange = r.string();
        String currency = r.string();
        String localSymbol = r.string();
        String tradingClass = r.string();
        return new Contract(conId, symbol, secType, lastTrade, strike, right, multiplier, exchange, primaryExchange,
                currency, localSymbol, tradingClass);
    }
}
