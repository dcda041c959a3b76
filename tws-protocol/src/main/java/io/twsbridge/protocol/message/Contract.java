package io.twsbridge.protocol.message;

/**
 * An instrument as the TWS protocol describes it. Unset text is "", an unset strike is {@code null}.
 *
 * @param conId IB's contract id, 0 when the caller does not know it
 */
public record Contract(
        int conId,
        String symbol,
        String secType,
        String lastTradeDateOrContractMonth,
        Double strike,
        String right,
        String multiplier,
        String exchange,
        String primaryExchange,
        String currency,
        String localSymbol,
        String tradingClass) {

    public Contract {
        symbol = Strings.orEmpty(symbol);
        secType = Strings.orEmpty(secType);
        lastTradeDateOrContractMonth = Strings.orEmpty(lastTradeDateOrContractMonth);
        right = Strings.orEmpty(right);
        multiplier = Strings.orEmpty(multiplier);
        exchange = Strings.orEmpty(exchange);
        primaryExchange = Strings.orEmpty(primaryExchange);
        currency = Strings.orEmpty(currency);
        localSymbol = Strings.orEmpty(localSymbol);
        tradingClass = Strings.orEmpty(tradingClass);
    }

    /** A stock routed through {@code exchange}, priced in {@code currency}. */
    public static Contract stock(String symbol, String exchange, String currency) {
        return new Contract(0, symbol, "STK", "", null, "", "", exchange, "", currency, "", "");
    }

    public Contract withConId(int newConId) {
        return new Contract(newConId, symbol, secType, lastTradeDateOrContractMonth, strike, right, multiplier,
                exchange, primaryExchange, currency, localSymbol, tradingClass);
    }

    public Contract withExchange(String newExchange) {
        return new Contract(conId, symbol, secType, lastTradeDateOrContractMonth, strike, right, multiplier,
                newExchange, primaryExchange, currency, localSymbol, tradingClass);
    }
}
