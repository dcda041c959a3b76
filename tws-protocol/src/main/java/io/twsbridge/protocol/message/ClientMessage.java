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
        public static final int REQ_AUTO_OPEN_ORDERS = 15;
        public static final int REQ_ALL_OPEN_ORDERS = 16;
        public static final int REQ_CURRENT_TIME = 49;
        public static final int REQ_MARKET_DATA_TYPE = 59;
        public static final int REQ_POSITIONS = 61;
        public static final int REQ_ACCOUNT_SUMMARY = 62;
        public static final int CANCEL_ACCOUNT_SUMMARY = 63;
        public static final int CANCEL_POSITIONS = 64;
        public static final int START_API = 71;
        public static final int REQ_ACCOUNT_UPDATES_MULTI = 76;
        public static final int CANCEL_ACCOUNT_UPDATES_MULTI = 77;
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
