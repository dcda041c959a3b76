package io.twsbridge.protocol.message;

/**
 * The filter of reqExecutions; empty text and a {@code null} clientId match everything. A clientId of 0 is
 * what IB's clients send for "any client", so it is normalised to {@code null}.
 *
 * @param time executions after this time, {@code yyyyMMdd-HH:mm:ss} or "" for all
 */
public record ExecutionFilter(
        Integer clientId,
        String accountCode,
        String time,
        String symbol,
        String secType,
        String exchange,
        String side) {

    public ExecutionFilter {
        clientId = clientId != null && clientId == 0 ? null : clientId;
        accountCode = Strings.orEmpty(accountCode);
        time = Strings.orEmpty(time);
        symbol = Strings.orEmpty(symbol);
        secType = Strings.orEmpty(secType);
        exchange = Strings.orEmpty(exchange);
        side = Strings.orEmpty(side);
    }

    /** Matches every execution. */
    public static ExecutionFilter all() {
        return new ExecutionFilter(null, "", "", "", "", "", "");
    }
}
