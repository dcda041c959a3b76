package io.twsbridge.schema.catalogue;

/**
 * Reason codes of {@code CommandResult.reasonCode}. The field is a string, so new codes need no
 * schema change; consumers must treat a code they do not know as opaque. The schemas README
 * describes each code, and a test checks that it lists every code declared here.
 */
public final class ReasonCodes {

    /** The command was accepted or completed normally. */
    public static final String OK = "OK";

    /** The command is malformed or inconsistent, e.g. a LMT order without limitPrice. */
    public static final String VALIDATION_FAILED = "VALIDATION_FAILED";

    /** The command asks for something this bridge does not do, e.g. an enum value it reads as UNKNOWN. */
    public static final String UNSUPPORTED_COMMAND = "UNSUPPORTED_COMMAND";

    /** The commandId was seen before; the command was not executed again. */
    public static final String DUPLICATE_COMMAND = "DUPLICATE_COMMAND";

    /** The command was read after its expiresAt; it was not executed. */
    public static final String COMMAND_EXPIRED = "COMMAND_EXPIRED";

    /** The session with IB Gateway is not READY. */
    public static final String NOT_CONNECTED = "NOT_CONNECTED";

    /** The circuit breaker refused the call to IB Gateway. */
    public static final String CIRCUIT_OPEN = "CIRCUIT_OPEN";

    /** The command names an account the session does not manage. */
    public static final String ACCOUNT_NOT_MANAGED = "ACCOUNT_NOT_MANAGED";

    /** The instrument resolves to no contract (IB error 200, no security definition). */
    public static final String CONTRACT_NOT_FOUND = "CONTRACT_NOT_FOUND";

    /**
     * The instrument resolves to more than one contract where exactly one is needed; more fields (or the conId) are
     * needed. The result's {@code conIds} lists the candidates.
     */
    public static final String CONTRACT_AMBIGUOUS = "CONTRACT_AMBIGUOUS";

    /** A cancel or modify names an order the bridge does not know. */
    public static final String ORDER_NOT_FOUND = "ORDER_NOT_FOUND";

    /** A cancel or modify names an order that is no longer working (filled, cancelled or inactive). */
    public static final String ORDER_NOT_WORKING = "ORDER_NOT_WORKING";

    /** The final result of a PlaceOrder whose order filled completely. */
    public static final String ORDER_FILLED = "ORDER_FILLED";

    /** The final result of a PlaceOrder whose order ended cancelled, and of the CancelOrder that cancelled it. */
    public static final String ORDER_CANCELLED = "ORDER_CANCELLED";

    /** The final result of a PlaceOrder whose order IB made inactive after accepting it, without an error code. */
    public static final String ORDER_INACTIVE = "ORDER_INACTIVE";

    /** IB Gateway did not answer in time; the outcome is unknown until the orders topic says more. */
    public static final String TIMEOUT = "TIMEOUT";

    /** The bridge failed in a way it did not foresee; the message says how. */
    public static final String INTERNAL_ERROR = "INTERNAL_ERROR";

    /** A SubscribeQuotes beyond the configured number of market-data lines. */
    public static final String LINE_LIMIT_REACHED = "LINE_LIMIT_REACHED";

    /** An order command while order placement is switched off (the default). */
    public static final String ORDERS_DISABLED = "ORDERS_DISABLED";

    /** A new order while the kill switch is engaged. */
    public static final String KILL_SWITCH = "KILL_SWITCH";

    /** An order for an account outside the configured allowlist. */
    public static final String ACCOUNT_NOT_ALLOWED = "ACCOUNT_NOT_ALLOWED";

    /** An order for a symbol outside the configured allowlist. */
    public static final String SYMBOL_NOT_ALLOWED = "SYMBOL_NOT_ALLOWED";

    /** An order above the configured maximum quantity. */
    public static final String MAX_QUANTITY_EXCEEDED = "MAX_QUANTITY_EXCEEDED";

    /** An order above the configured maximum notional, or a market order with no price to check it by. */
    public static final String MAX_NOTIONAL_EXCEEDED = "MAX_NOTIONAL_EXCEEDED";

    /**
     * A request the bridge held back to keep IB's pacing rules (historical data) waited until its command expired, or
     * longer than the bridge waits; nothing was sent to IB.
     */
    public static final String PACING_WAIT_EXPIRED = "PACING_WAIT_EXPIRED";

    /** The bridge's queue of requests waiting for IB's pacing rules is full; nothing was sent to IB. */
    public static final String PACING_QUEUE_FULL = "PACING_QUEUE_FULL";

    /** IB reported a historical-data pacing violation (error 162 of that kind) for the request. */
    public static final String PACING_VIOLATION = "PACING_VIOLATION";

    /** IB has no historical data for the request: none in the period, none of that kind, or an expired contract. */
    public static final String NO_HISTORICAL_DATA = "NO_HISTORICAL_DATA";

    /** The IB account has no market-data subscription for the instrument (IB error 354, or 162 of that kind). */
    public static final String NO_MARKET_DATA_PERMISSION = "NO_MARKET_DATA_PERMISSION";

    /** Prefix of codes that pass on an IB error: {@code IB_ERROR_} followed by IB's code. */
    public static final String IB_ERROR_PREFIX = "IB_ERROR_";

    private ReasonCodes() {}

    /** The reason code for IB error {@code ibErrorCode}, e.g. {@code IB_ERROR_201}. */
    public static String ibError(int ibErrorCode) {
        return IB_ERROR_PREFIX + ibErrorCode;
    }
}
