package io.twsbridge.protocol.message;

/**
 * Requests an API client sends to the Gateway, one immutable record per message.
 *
 * <p>The handshake's version range is not here: it is not a framed message
 * (see {@link io.twsbridge.protocol.wire.Handshake}).
 */
public sealed interface ClientMessage {

    /** The protocol's id of this message (field 0 on the wire). */
    int messageId();

    /** Message ids, named as the protocol names them. */
    final class Id {
        public static final int REQ_MKT_DATA = 1;
        public static final int CANCEL_MKT_DATA = 2;
        public static final int PLACE_ORDER = 3;
        public static final int CANCEL_ORDER = 4;
        public static final int REQ_OPEN_ORDERS = 5;
        public static final int REQ_ACCOUNT_UPDATES = 6;
        public static final int REQ_EXECUTIONS = 7;
        public static final int REQ_IDS = 8;
        public static final int REQ_CONTRACT_DATA = 9;
        public static final int REQ_AUTO_OPEN_ORDERS = 15;
        public static final int REQ_ALL_OPEN_ORDERS = 16;
        public static final int REQ_HISTORICAL_DATA = 20;
        public static final int CANCEL_HISTORICAL_DATA = 25;
        public static final int REQ_CURRENT_TIME = 49;
        public static final int REQ_REAL_TIME_BARS = 50;
        public static final int CANCEL_REAL_TIME_BARS = 51;
        public static final int REQ_MARKET_DATA_TYPE = 59;
        public static final int REQ_POSITIONS = 61;
        public static final int REQ_ACCOUNT_SUMMARY = 62;
        public static final int CANCEL_ACCOUNT_SUMMARY = 63;
        public static final int CANCEL_POSITIONS = 64;
        public static final int START_API = 71;
        public static final int REQ_ACCOUNT_UPDATES_MULTI = 76;
        public static final int CANCEL_ACCOUNT_UPDATES_MULTI = 77;
        public static final int REQ_HEAD_TIMESTAMP = 87;
        /** The same number as the server's historicalDataUpdate: ids are per direction. */
        public static final int CANCEL_HEAD_TIMESTAMP = 90;
        public static final int REQ_COMPLETED_ORDERS = 99;

        private Id() {
        }
    }

    /** Sent right after the handshake; the Gateway answers with managedAccounts and nextValidId. */
    record StartApi(int clientId, String optionalCapabilities) implements ClientMessage {
        public StartApi {
            optionalCapabilities = Strings.orEmpty(optionalCapabilities);
        }

        public int messageId() { return Id.START_API; }
    }

    /** Streaming (or snapshot) market data for one contract. Combo and delta-neutral contracts are not modelled. */
    record ReqMktData(int reqId, Contract contract, String genericTickList, boolean snapshot,
                      boolean regulatorySnapshot, String mktDataOptions) implements ClientMessage {
        public ReqMktData {
            genericTickList = Strings.orEmpty(genericTickList);
            mktDataOptions = Strings.orEmpty(mktDataOptions);
        }

        public int messageId() { return Id.REQ_MKT_DATA; }
    }

    record CancelMktData(int reqId) implements ClientMessage {
        public int messageId() { return Id.CANCEL_MKT_DATA; }
    }

    /** Places (or, with a known orderId, modifies) an order. */
    record PlaceOrder(long orderId, Contract contract, Order order) implements ClientMessage {
        public int messageId() { return Id.PLACE_ORDER; }
    }

    /** @param manualOrderCancelTime carried from server version 169; "" for none */
    record CancelOrder(long orderId, String manualOrderCancelTime) implements ClientMessage {
        public CancelOrder {
            manualOrderCancelTime = Strings.orEmpty(manualOrderCancelTime);
        }

        public CancelOrder(long orderId) {
            this(orderId, "");
        }

        public int messageId() { return Id.CANCEL_ORDER; }
    }

    /** Open orders of this client. */
    record ReqOpenOrders() implements ClientMessage {
        public int messageId() { return Id.REQ_OPEN_ORDERS; }
    }

    /** Open orders of every client of this login. */
    record ReqAllOpenOrders() implements ClientMessage {
        public int messageId() { return Id.REQ_ALL_OPEN_ORDERS; }
    }

    record ReqAutoOpenOrders(boolean autoBind) implements ClientMessage {
        public int messageId() { return Id.REQ_AUTO_OPEN_ORDERS; }
    }

    record ReqAccountUpdates(boolean subscribe, String account) implements ClientMessage {
        public ReqAccountUpdates {
            account = Strings.orEmpty(account);
        }

        public int messageId() { return Id.REQ_ACCOUNT_UPDATES; }
    }

    record ReqExecutions(int reqId, ExecutionFilter filter) implements ClientMessage {
        public int messageId() { return Id.REQ_EXECUTIONS; }
    }

    record ReqIds(int numIds) implements ClientMessage {
        public int messageId() { return Id.REQ_IDS; }
    }

    /**
     * Every contract matching a description, each answered with its own contractDetails, then one
     * contractDetailsEnd; an unknown description is answered with error 200 instead, and no end. There is no
     * cancel.
     *
     * @param secIdType "ISIN", "CUSIP", "SEDOL", "RIC" or "" for none
     * @param issuerId  carried from server version 176 (BOND_ISSUERID); below it, a request with one cannot be
     *                  sent, as IB's own client refuses it rather than drop it
     */
    record ReqContractDetails(int reqId, Contract contract, boolean includeExpired, String secIdType, String secId,
                              String issuerId) implements ClientMessage {
        public ReqContractDetails {
            secIdType = Strings.orEmpty(secIdType);
            secId = Strings.orEmpty(secId);
            issuerId = Strings.orEmpty(issuerId);
        }

        /** The contracts matching {@code contract}, expired ones left out. */
        public ReqContractDetails(int reqId, Contract contract) {
            this(reqId, contract, false, "", "", "");
        }

        public int messageId() { return Id.REQ_CONTRACT_DATA; }
    }

    /**
     * Historical bars, all answered in one historicalData (or, with keepUpToDate, followed by
     * historicalDataUpdate messages until cancelled). Combo (BAG) contracts are not modelled.
     *
     * @param endDateTime    "" for now, else e.g. "20250102 16:00:00 US/Eastern" or "20250102-21:00:00" (UTC)
     * @param durationStr    an integer, a space and S, D, W, M or Y, e.g. "1 D"
     * @param barSizeSetting e.g. "1 secs", "5 mins", "1 hour", "1 day"
     * @param whatToShow     TRADES, MIDPOINT, BID, ASK, BID_ASK, ADJUSTED_LAST …; SCHEDULE only from server
     *                       version 165 (HISTORICAL_SCHEDULE)
     * @param formatDate     1 for bar times as text, 2 for epoch seconds (daily bars are YYYYMMDD either way);
     *                       0 when a client left it unset
     * @param chartOptions   "tag=value;" pairs; "" for none, which is what every known client sends
     */
    record ReqHistoricalData(int reqId, Contract contract, boolean includeExpired, String endDateTime,
                             String durationStr, String barSizeSetting, boolean useRth, String whatToShow,
                             int formatDate, boolean keepUpToDate, String chartOptions) implements ClientMessage {
        public ReqHistoricalData {
            endDateTime = Strings.orEmpty(endDateTime);
            durationStr = Strings.orEmpty(durationStr);
            barSizeSetting = Strings.orEmpty(barSizeSetting);
            whatToShow = Strings.orEmpty(whatToShow);
            chartOptions = Strings.orEmpty(chartOptions);
        }

        public int messageId() { return Id.REQ_HISTORICAL_DATA; }
    }

    record CancelHistoricalData(int reqId) implements ClientMessage {
        public int messageId() { return Id.CANCEL_HISTORICAL_DATA; }
    }

    /**
     * A subscription to 5-second bars, answered with one realtimeBar per bar until cancelled.
     *
     * @param barSize             seconds per bar; only 5 is supported
     * @param whatToShow          TRADES, MIDPOINT, BID or ASK
     * @param realTimeBarsOptions "tag=value;" pairs; "" for none, which is what every known client sends
     */
    record ReqRealTimeBars(int reqId, Contract contract, int barSize, String whatToShow, boolean useRth,
                           String realTimeBarsOptions) implements ClientMessage {
        public ReqRealTimeBars {
            whatToShow = Strings.orEmpty(whatToShow);
            realTimeBarsOptions = Strings.orEmpty(realTimeBarsOptions);
        }

        public int messageId() { return Id.REQ_REAL_TIME_BARS; }
    }

    record CancelRealTimeBars(int reqId) implements ClientMessage {
        public int messageId() { return Id.CANCEL_REAL_TIME_BARS; }
    }

    /**
     * The time of the earliest data available for a contract, answered with one headTimestamp.
     *
     * @param formatDate 1 for text, 2 for epoch seconds
     */
    record ReqHeadTimestamp(int reqId, Contract contract, boolean includeExpired, boolean useRth, String whatToShow,
                            int formatDate) implements ClientMessage {
        public ReqHeadTimestamp {
            whatToShow = Strings.orEmpty(whatToShow);
        }

        public int messageId() { return Id.REQ_HEAD_TIMESTAMP; }
    }

    /** Sent by some clients (ib_async) right after every headTimestamp, so also for requests already answered. */
    record CancelHeadTimestamp(int reqId) implements ClientMessage {
        public int messageId() { return Id.CANCEL_HEAD_TIMESTAMP; }
    }

    record ReqCurrentTime() implements ClientMessage {
        public int messageId() { return Id.REQ_CURRENT_TIME; }
    }

    /** 1 live, 2 frozen, 3 delayed, 4 delayed-frozen. */
    record ReqMarketDataType(int marketDataType) implements ClientMessage {
        public int messageId() { return Id.REQ_MARKET_DATA_TYPE; }
    }

    record ReqPositions() implements ClientMessage {
        public int messageId() { return Id.REQ_POSITIONS; }
    }

    record CancelPositions() implements ClientMessage {
        public int messageId() { return Id.CANCEL_POSITIONS; }
    }

    /** @param tags comma-separated, e.g. "NetLiquidation,BuyingPower" */
    record ReqAccountSummary(int reqId, String group, String tags) implements ClientMessage {
        public ReqAccountSummary {
            group = Strings.orEmpty(group);
            tags = Strings.orEmpty(tags);
        }

        public int messageId() { return Id.REQ_ACCOUNT_SUMMARY; }
    }

    record CancelAccountSummary(int reqId) implements ClientMessage {
        public int messageId() { return Id.CANCEL_ACCOUNT_SUMMARY; }
    }

    /**
     * A subscription to the account values of one account (or of a model), each request under its own id; the
     * Gateway answers with accountUpdateMulti messages, then accountUpdateMultiEnd, then updates.
     *
     * @param modelCode    "" for none
     * @param ledgerAndNlv true for only the cash ledger and the net liquidation value
     */
    record ReqAccountUpdatesMulti(int reqId, String account, String modelCode, boolean ledgerAndNlv)
            implements ClientMessage {
        public ReqAccountUpdatesMulti {
            account = Strings.orEmpty(account);
            modelCode = Strings.orEmpty(modelCode);
        }

        public int messageId() { return Id.REQ_ACCOUNT_UPDATES_MULTI; }
    }

    record CancelAccountUpdatesMulti(int reqId) implements ClientMessage {
        public int messageId() { return Id.CANCEL_ACCOUNT_UPDATES_MULTI; }
    }

    record ReqCompletedOrders(boolean apiOnly) implements ClientMessage {
        public int messageId() { return Id.REQ_COMPLETED_ORDERS; }
    }
}
