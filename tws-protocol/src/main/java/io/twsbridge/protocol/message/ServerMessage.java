package io.twsbridge.protocol.message;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * Messages the Gateway sends to an API client, one immutable record per message.
 *
 * <p>The handshake's server-version reply is not here: it is not a framed message with an id
 * (see {@link io.twsbridge.protocol.wire.Handshake}).
 */
public sealed interface ServerMessage {

    /** The protocol's id of this message (field 0 on the wire). */
    int messageId();

    /** Message ids, named as the protocol names them. */
    final class Id {
        public static final int TICK_PRICE = 1;
        public static final int TICK_SIZE = 2;
        public static final int ORDER_STATUS = 3;
        public static final int ERROR = 4;
        public static final int OPEN_ORDER = 5;
        public static final int ACCOUNT_VALUE = 6;
        public static final int PORTFOLIO_VALUE = 7;
        public static final int ACCOUNT_UPDATE_TIME = 8;
        public static final int NEXT_VALID_ID = 9;
        public static final int CONTRACT_DATA = 10;
        public static final int EXECUTION_DATA = 11;
        public static final int MANAGED_ACCOUNTS = 15;
        public static final int HISTORICAL_DATA = 17;
        public static final int CURRENT_TIME = 49;
        public static final int REAL_TIME_BARS = 50;
        public static final int CONTRACT_DATA_END = 52;
        public static final int OPEN_ORDER_END = 53;
        public static final int ACCOUNT_DOWNLOAD_END = 54;
        public static final int EXECUTION_DATA_END = 55;
        public static final int TICK_SNAPSHOT_END = 57;
        public static final int MARKET_DATA_TYPE = 58;
        public static final int COMMISSION_REPORT = 59;
        public static final int POSITION = 61;
        public static final int POSITION_END = 62;
        public static final int ACCOUNT_SUMMARY = 63;
        public static final int ACCOUNT_SUMMARY_END = 64;
        public static final int ACCOUNT_UPDATE_MULTI = 73;
        public static final int ACCOUNT_UPDATE_MULTI_END = 74;
        public static final int TICK_REQ_PARAMS = 81;
        public static final int HEAD_TIMESTAMP = 88;
        public static final int HISTORICAL_DATA_UPDATE = 90;
        public static final int COMPLETED_ORDER = 101;
        public static final int COMPLETED_ORDERS_END = 102;

        private Id() {
        }
    }

    /** The next order id the client may use; sent after startApi and in answer to reqIds. */
    record NextValidId(long orderId) implements ServerMessage {
        public int messageId() { return Id.NEXT_VALID_ID; }
    }

    /**
     * One account value for a reqAccountUpdatesMulti subscription.
     *
     * @param modelCode "" for none
     * @param currency  "" for values that are not money
     */
    record AccountUpdateMulti(int reqId, String account, String modelCode, String key, String value, String currency)
            implements ServerMessage {
        public AccountUpdateMulti {
            account = Strings.orEmpty(account);
            modelCode = Strings.orEmpty(modelCode);
            key = Strings.orEmpty(key);
            value = Strings.orEmpty(value);
            currency = Strings.orEmpty(currency);
        }

        public int messageId() { return Id.ACCOUNT_UPDATE_MULTI; }
    }

    /** Every value of a reqAccountUpdatesMulti subscription has been sent once; updates may follow. */
    record AccountUpdateMultiEnd(int reqId) implements ServerMessage {
        public int messageId() { return Id.ACCOUNT_UPDATE_MULTI_END; }
    }

    /** The accounts this login may trade; the bridge is not ready before a non-empty list arrives. */
    record ManagedAccounts(List<String> accounts) implements ServerMessage {
        public ManagedAccounts {
            accounts = List.copyOf(accounts);
        }

        public int messageId() { return Id.MANAGED_ACCOUNTS; }
    }

    /**
     * An error or notice. {@code id} is -1 for connection-level notices, else the request or order id.
     *
     * <p>Both texts are held as IB meant them, not as they travel: the codec escapes and un-escapes IB's 7-bit
     * spelling of non-ASCII characters (server version 153 on).
     *
     * @param advancedOrderRejectJson carried from server version 166; "" when absent
     */
    record ErrorMessage(int id, int code, String message, String advancedOrderRejectJson) implements ServerMessage {
        public ErrorMessage {
            message = Strings.orEmpty(message);
            advancedOrderRejectJson = Strings.orEmpty(advancedOrderRejectJson);
        }

        public ErrorMessage(int id, int code, String message) {
            this(id, code, message, "");
        }

        public int messageId() { return Id.ERROR; }
    }

    /** The Gateway's clock, in seconds since the epoch. */
    record CurrentTime(long epochSeconds) implements ServerMessage {
        public int messageId() { return Id.CURRENT_TIME; }
    }

    /**
     * One contract matching a reqContractDetails, one message per match; contractDetailsEnd follows the last.
     *
     * <p>{@code contract.lastTradeDateOrContractMonth()} is held as the Gateway sends it: a date, or a date and a
     * time (and a zone) joined by "-" or a space, which clients split differently.
     */
    record ContractDetails(int reqId, Contract contract, ContractSpecification specification)
            implements ServerMessage {
        public int messageId() { return Id.CONTRACT_DATA; }
    }

    /** Every match of a reqContractDetails has been sent. Not sent after error 200 (no such contract). */
    record ContractDetailsEnd(int reqId) implements ServerMessage {
        public int messageId() { return Id.CONTRACT_DATA_END; }
    }

    /**
     * Every bar of a reqHistoricalData, in one message; the answer is complete with it.
     *
     * @param startDate the start of the requested range, as text the Gateway chose
     * @param endDate   its end, likewise
     */
    record HistoricalData(int reqId, String startDate, String endDate, List<HistoricalBar> bars)
            implements ServerMessage {
        public HistoricalData {
            startDate = Strings.orEmpty(startDate);
            endDate = Strings.orEmpty(endDate);
            bars = List.copyOf(bars);
        }

        public int messageId() { return Id.HISTORICAL_DATA; }
    }

    /** The current, unfinished bar of a reqHistoricalData with keepUpToDate, sent again as it changes. */
    record HistoricalDataUpdate(int reqId, HistoricalBar bar) implements ServerMessage {
        public int messageId() { return Id.HISTORICAL_DATA_UPDATE; }
    }

    /**
     * One 5-second bar of a reqRealTimeBars subscription.
     *
     * @param startEpochSeconds when the bar starts, in seconds since the epoch
     * @param volume            exact; meaningful for TRADES only
     * @param wap               the volume-weighted average price, exact; meaningful for TRADES only
     * @param count             the number of trades; meaningful for TRADES only
     */
    record RealTimeBar(int reqId, long startEpochSeconds, double open, double high, double low, double close,
                       BigDecimal volume, BigDecimal wap, int count) implements ServerMessage {
        public Instant start() {
            return Instant.ofEpochSecond(startEpochSeconds);
        }

        public int messageId() { return Id.REAL_TIME_BARS; }
    }

    /** The earliest data of a reqHeadTimestamp, as text (formatDate 1) or epoch seconds (formatDate 2). */
    record HeadTimestamp(int reqId, String headTimestamp) implements ServerMessage {
        public HeadTimestamp {
            headTimestamp = Strings.orEmpty(headTimestamp);
        }

        public int messageId() { return Id.HEAD_TIMESTAMP; }
    }

    /**
     * A price tick. Clients derive a size tick from {@code size} for bid, ask and last.
     *
     * @param size     null when the tick carries no size
     * @param attrMask bit 0 canAutoExecute, bit 1 pastLimit, bit 2 preOpen
     */
    record TickPrice(int reqId, int tickType, double price, BigDecimal size, int attrMask) implements ServerMessage {
        public int messageId() { return Id.TICK_PRICE; }
    }

    /** A size tick. */
    record TickSize(int reqId, int tickType, BigDecimal size) implements ServerMessage {
        public int messageId() { return Id.TICK_SIZE; }
    }

    /** Sent once per market-data request: the instrument's minimum tick and where the BBO comes from. */
    record TickReqParams(int reqId, double minTick, String bboExchange, int snapshotPermissions)
            implements ServerMessage {
        public TickReqParams {
            bboExchange = Strings.orEmpty(bboExchange);
        }

        public int messageId() { return Id.TICK_REQ_PARAMS; }
    }

    /** 1 live, 2 frozen, 3 delayed, 4 delayed-frozen. */
    record MarketDataType(int reqId, int marketDataType) implements ServerMessage {
        public int messageId() { return Id.MARKET_DATA_TYPE; }
    }

    record TickSnapshotEnd(int reqId) implements ServerMessage {
        public int messageId() { return Id.TICK_SNAPSHOT_END; }
    }

    /** One tag of an account summary; currency is "" for text tags such as AccountType. */
    record AccountSummary(int reqId, String account, String tag, String value, String currency)
            implements ServerMessage {
        public AccountSummary {
            account = Strings.orEmpty(account);
            tag = Strings.orEmpty(tag);
            value = Strings.orEmpty(value);
            currency = Strings.orEmpty(currency);
        }

        public int messageId() { return Id.ACCOUNT_SUMMARY; }
    }

    record AccountSummaryEnd(int reqId) implements ServerMessage {
        public int messageId() { return Id.ACCOUNT_SUMMARY_END; }
    }

    /** updateAccountValue: one key of the account subscribed with reqAccountUpdates. */
    record AccountValue(String key, String value, String currency, String account) implements ServerMessage {
        public AccountValue {
            key = Strings.orEmpty(key);
            value = Strings.orEmpty(value);
            currency = Strings.orEmpty(currency);
            account = Strings.orEmpty(account);
        }

        public int messageId() { return Id.ACCOUNT_VALUE; }
    }

    /** updatePortfolio: one holding of the account subscribed with reqAccountUpdates. */
    record PortfolioValue(Contract contract, BigDecimal position, double marketPrice, double marketValue,
                          double averageCost, double unrealizedPnl, double realizedPnl, String account)
            implements ServerMessage {
        public PortfolioValue {
            account = Strings.orEmpty(account);
        }

        public int messageId() { return Id.PORTFOLIO_VALUE; }
    }

    /** updateAccountTime, "HH:MM". */
    record AccountUpdateTime(String time) implements ServerMessage {
        public AccountUpdateTime {
            time = Strings.orEmpty(time);
        }

        public int messageId() { return Id.ACCOUNT_UPDATE_TIME; }
    }

    record AccountDownloadEnd(String account) implements ServerMessage {
        public AccountDownloadEnd {
            account = Strings.orEmpty(account);
        }

        public int messageId() { return Id.ACCOUNT_DOWNLOAD_END; }
    }

    /** One position, in answer to reqPositions. */
    record Position(String account, Contract contract, BigDecimal position, double averageCost)
            implements ServerMessage {
        public Position {
            account = Strings.orEmpty(account);
        }

        public int messageId() { return Id.POSITION; }
    }

    record PositionEnd() implements ServerMessage {
        public int messageId() { return Id.POSITION_END; }
    }

    /** An open order, in answer to placeOrder, reqOpenOrders and reqAllOpenOrders. */
    record OpenOrder(long orderId, Contract contract, Order order, OrderState orderState) implements ServerMessage {
        public int messageId() { return Id.OPEN_ORDER; }
    }

    record OpenOrderEnd() implements ServerMessage {
        public int messageId() { return Id.OPEN_ORDER_END; }
    }

    /** Progress of an order. Quantities are exact. */
    record OrderStatus(long orderId, String status, BigDecimal filled, BigDecimal remaining, double avgFillPrice,
                       long permId, long parentId, double lastFillPrice, int clientId, String whyHeld,
                       double mktCapPrice) implements ServerMessage {
        public OrderStatus {
            status = Strings.orEmpty(status);
            whyHeld = Strings.orEmpty(whyHeld);
        }

        public int messageId() { return Id.ORDER_STATUS; }
    }

    /** An order that ended (filled, cancelled, rejected), in answer to reqCompletedOrders. */
    record CompletedOrder(Contract contract, Order order, OrderState orderState) implements ServerMessage {
        public int messageId() { return Id.COMPLETED_ORDER; }
    }

    record CompletedOrdersEnd() implements ServerMessage {
        public int messageId() { return Id.COMPLETED_ORDERS_END; }
    }

    /** An execution; {@code reqId} is the reqExecutions id, or -1 for a live fill. */
    record ExecDetails(int reqId, long orderId, Contract contract, Execution execution) implements ServerMessage {
        public int messageId() { return Id.EXECUTION_DATA; }
    }

    record ExecDetailsEnd(int reqId) implements ServerMessage {
        public int messageId() { return Id.EXECUTION_DATA_END; }
    }

    /**
     * The commission of one execution, matched by execId.
     *
     * @param realizedPnl         null when unset
     * @param yieldRedemptionDate 0 or YYYYMMDD
     */
    record CommissionReport(String execId, double commission, String currency, Double realizedPnl,
                            Double yield, int yieldRedemptionDate) implements ServerMessage {
        public CommissionReport {
            execId = Strings.orEmpty(execId);
            currency = Strings.orEmpty(currency);
        }

        public int messageId() { return Id.COMMISSION_REPORT; }
    }
}
