package io.twsbridge.protocol.message;

import java.math.BigDecimal;

/**
 * One execution (fill) as execDetails carries it.
 *
 * @param side                 BOT or SLD
 * @param pendingPriceRevision only carried from server version 178
 */
public record Execution(
        String execId,
        String time,
        String account,
        String exchange,
        String side,
        BigDecimal shares,
        double price,
        long permId,
        int clientId,
        int liquidation,
        BigDecimal cumQty,
        double avgPrice,
        String orderRef,
        String evRule,
        Double evMultiplier,
        String modelCode,
        int lastLiquidity,
        boolean pendingPriceRevision) {

    public Execution {
        execId = Strings.orEmpty(execId);
        time = Strings.orEmpty(time);
        account = Strings.orEmpty(account);
        exchange = Strings.orEmpty(exchange);
        side = Strings.orEmpty(side);
        orderRef = Strings.orEmpty(orderRef);
        evRule = Strings.orEmpty(evRule);
        modelCode = Strings.orEmpty(modelCode);
    }
}
