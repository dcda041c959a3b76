package io.twsbridge.protocol.codec;

import io.twsbridge.protocol.ProtocolException;
import io.twsbridge.protocol.ServerVersion;
import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.ClientMessage.CancelAccountSummary;
import io.twsbridge.protocol.message.ClientMessage.CancelAccountUpdatesMulti;
import io.twsbridge.protocol.message.ClientMessage.CancelHeadTimestamp;
import io.twsbridge.protocol.message.ClientMessage.CancelHistoricalData;
import io.twsbridge.protocol.message.ClientMessage.CancelMktData;
import io.twsbridge.protocol.message.ClientMessage.CancelOrder;
import io.twsbridge.protocol.message.ClientMessage.CancelPositions;
import io.twsbridge.protocol.message.ClientMessage.CancelRealTimeBars;
import io.twsbridge.protocol.message.ClientMessage.Id;
import io.twsbridge.protocol.message.ClientMessage.PlaceOrder;
import io.twsbridge.protocol.message.ClientMessage.ReqAccountSummary;
import io.twsbridge.protocol.message.ClientMessage.ReqAccountUpdates;
import io.twsbridge.protocol.message.ClientMessage.ReqAccountUpdatesMulti;
import io.twsbridge.protocol.message.ClientMessage.ReqAllOpenOrders;
import io.twsbridge.protocol.message.ClientMessage.ReqAutoOpenOrders;
import io.twsbridge.protocol.message.ClientMessage.ReqCompletedOrders;
import io.twsbridge.protocol.message.ClientMessage.ReqContractDetails;
import io.twsbridge.protocol.message.ClientMessage.ReqCurrentTime;
import io.twsbridge.protocol.message.ClientMessage.ReqExecutions;
import io.twsbridge.protocol.message.ClientMessage.ReqHeadTimestamp;
import io.twsbridge.protocol.message.ClientMessage.ReqHistoricalData;
import io.twsbridge.protocol.message.ClientMessage.ReqIds;
import io.twsbridge.protocol.message.ClientMessage.ReqMarketDataType;
import io.twsbridge.protocol.message.ClientMessage.ReqMktData;
import io.twsbridge.protocol.message.ClientMessage.ReqOpenOrders;
import io.twsbridge.protocol.message.ClientMessage.ReqPositions;
import io.twsbridge.protocol.message.ClientMessage.ReqRealTimeBars;
import io.twsbridge.protocol.message.ClientMessage.StartApi;
import io.twsbridge.protocol.message.Contract;
import io.twsbridge.protocol.message.ExecutionFilter;
import io.twsbridge.protocol.wire.FieldReader;
import io.twsbridge.protocol.wire.FieldWriter;

/**
 * Encodes and decodes every {@link ClientMessage} for one negotiated server version.
 *
 * <p>The bridge encodes, the simulator decodes. The decoder accepts what IB's clients are seen to send (for
 * example cancelMktData with message version 1 or 2, and every spelling of "unset"); the encoder writes what
 * IB's own client writes. Stateless and thread-safe.
 */
public final class ClientMessageCodec {

    private final int serverVersion;

    /** A codec for one negotiated server version; throws {@link ProtocolException.UnsupportedVersion} outside 157..178. */
    public ClientMessageCodec(int serverVersion) {
        this.serverVersion = ServerVersion.requireSupported(serverVersion);
    }

    public int serverVersion() {
        return serverVersion;
    }

    /** The whole frame, length prefix included. */
    public byte[] encode(ClientMessage message) {
        FieldWriter w = new FieldWriter(message instanceof PlaceOrder ? 512 : 64);
        write(w, message);
        return w.toFrame();
    }

    /** Writes the message's fields (message id first) into {@code w}. */
    public void write(FieldWriter w, ClientMessage message) {
        int sv = serverVersion;
        if (message instanceof ReqMktData m) {
            w.int32(m.messageId()).int32(11).int32(m.reqId());
            ContractFields.writeRequest(w, m.contract());
            w.bool(false);                          // deltaNeutralContract present
            w.string(m.genericTickList()).bool(m.snapshot()).bool(m.regulatorySnapshot()).string(m.mktDataOptions());
        } else if (message instanceof CancelMktData m) {
            w.int32(m.messageId()).int32(1).int32(m.reqId());
        } else if (message instanceof PlaceOrder m) {
            if (!m.order().conditions().isEmpty()) {
                // Conditions are only read so far (openOrder, completedOrder); sending an order without the
                // conditions its caller gave it would place a different order.
                throw new ProtocolException.UnsupportedFeature("placeOrder cannot send order conditions yet");
            }
            PlaceOrderCodec.write(w, m, sv);        // no message version from server version 145 on
        } else if (message instanceof CancelOrder m) {
            w.int32(m.messageId()).int32(1).int64(m.orderId());
            if (sv >= ServerVersion.MANUAL_ORDER_TIME) {
                w.string(m.manualOrderCancelTime());
            }
        } else if (message instanceof ReqOpenOrders m) {
            w.int32(m.messageId()).int32(1);
        } else if (message instanceof ReqAccountUpdates m) {
            w.int32(m.messageId()).int32(2).bool(m.subscribe()).string(m.account());
        } else if (message instanceof ReqExecutions m) {
            ExecutionFilter f = m.filter();
            w.int32(m.messageId()).int32(3).int32(m.reqId());
            w.int32(f.clientId() == null ? 0 : f.clientId());
            w.string(f.accountCode()).string(f.time()).string(f.symbol()).string(f.secType()).string(f.exchange())
                    .string(f.side());
        } else if (message instanceof ReqIds m) {
            w.int32(m.messageId()).int32(1).int32(m.numIds());
        } else if (message instanceof ReqAutoOpenOrders m) {
            w.int32(m.messageId()).int32(1).bool(m.autoBind());
        } else if (message instanceof ReqAllOpenOrders m) {
            w.int32(m.messageId()).int32(1);
        } else if (message instanceof ReqCurrentTime m) {
            w.int32(m.messageId()).int32(1);
        } else if (message instanceof ReqMarketDataType m) {
            w.int32(m.messageId()).int32(1).int32(m.marketDataType());
        } else if (message instanceof ReqPositions m) {
            w.int32(m.messageId()).int32(1);
        } else if (message instanceof ReqAccountSummary m) {
            w.int32(m.messageId()).int32(1).int32(m.reqId()).string(m.group()).string(m.tags());
        } else if (message instanceof CancelAccountSummary m) {
            w.int32(m.messageId()).int32(1).int32(m.reqId());
        } else if (message instanceof CancelPositions m) {
            w.int32(m.messageId()).int32(1);
        } else if (message instanceof StartApi m) {
            w.int32(m.messageId()).int32(2).int32(m.clientId()).string(m.optionalCapabilities());
        } else if (message instanceof ReqAccountUpdatesMulti m) {
            w.int32(m.messageId()).int32(1).int32(m.reqId()).string(m.account()).string(m.modelCode())
                    .bool(m.ledgerAndNlv());
        } else if (message instanceof CancelAccountUpdatesMulti m) {
            w.int32(m.messageId()).int32(1).int32(m.reqId());
        } else if (message instanceof ReqCompletedOrders m) {
            w.int32(m.messageId()).bool(m.apiOnly()); // no message version
        } else if (message instanceof ReqContractDetails m) {
            writeContractDetailsRequest(w, m, sv);
        } else if (message instanceof ReqHistoricalData m) {
            writeHistoricalDataRequest(w, m, sv);
        } else if (message instanceof CancelHistoricalData m) {
            w.int32(m.messageId()).int32(1).int32(m.reqId());
        } else if (message instanceof ReqRealTimeBars m) {
            // no includeExpired, unlike the other data requests
            w.int32(m.messageId()).int32(3).int32(m.reqId());
            ContractFields.writeRequest(w, m.contract());
            w.int32(m.barSize()).string(m.whatToShow()).bool(m.useRth()).string(m.realTimeBarsOptions());
        } else if (message instanceof CancelRealTimeBars m) {
            w.int32(m.messageId()).int32(1).int32(m.reqId());
        } else if (message instanceof ReqHeadTimestamp m) {
            // no message version; useRTH comes before whatToShow here, after it in reqHistoricalData
            w.int32(m.messageId()).int32(m.reqId());
            ContractFields.writeRequest(w, m.contract());
            w.bool(m.includeExpired()).bool(m.useRth()).string(m.whatToShow()).int32(m.formatDate());
        } else if (message instanceof CancelHeadTimestamp m) {
            w.int32(m.messageId()).int32(m.reqId()); // no message version
        } else {
            throw new IllegalArgumentException("no encoder for " + message.getClass().getName());
        }
    }

    /**
     * Decodes one frame payload.
     *
     * @throws ProtocolException for an unknown id, a missing field, a field that does not parse or a feature
     *                           the model does not cover
     */
    public ClientMessage decode(byte[] payload) {
        FieldReader r = FieldReader.of(payload);
        int id = r.int32();
        int sv = serverVersion;
        switch (id) {
            case Id.REQ_MKT_DATA: {
                r.skip(1);
                int reqId = r.int32();
                Contract contract = ContractFields.readRequest(r);
                if ("BAG".equals(contract.secType())) {
                    throw new ProtocolException.UnsupportedFeature("market data for combo (BAG) contracts");
                }
                if (r.bool()) {
                    throw new ProtocolException.UnsupportedFeature("market data for delta-neutral contracts");
                }
                String genericTicks = r.string();
                boolean snapshot = r.bool();
                boolean regulatorySnapshot = r.bool();
                String options = r.hasMore() ? r.string() : "";
                return new ReqMktData(reqId, contract, genericTicks, snapshot, regulatorySnapshot, options);
            }
            case Id.CANCEL_MKT_DATA:
                r.skip(1);                          // version 1 from IB's client, 2 from others
                return new CancelMktData(r.int32());
            case Id.PLACE_ORDER:
                return PlaceOrderCodec.read(r, sv);
            case Id.CANCEL_ORDER: {
                r.skip(1);
                long orderId = r.int64();
                String manualTime = sv >= ServerVersion.MANUAL_ORDER_TIME && r.hasMore() ? r.string() : "";
                return new CancelOrder(orderId, manualTime);
            }
            case Id.REQ_OPEN_ORDERS:
                return new ReqOpenOrders();
            case Id.REQ_ACCOUNT_UPDATES:
                r.skip(1);
                return new ReqAccountUpdates(r.bool(), r.string());
            case Id.REQ_EXECUTIONS: {
                r.skip(1);
                int reqId = r.int32();
                Integer clientId = r.intOrNull();
                return new ReqExecutions(reqId, new ExecutionFilter(clientId == null || clientId == 0 ? null : clientId,
                        r.string(), r.string(), r.string(), r.string(), r.string(), r.string()));
            }
            case Id.REQ_IDS:
                r.skip(1);
                return new ReqIds(r.int32());
            case Id.REQ_AUTO_OPEN_ORDERS:
                r.skip(1);
                return new ReqAutoOpenOrders(r.bool());
            case Id.REQ_ALL_OPEN_ORDERS:
                return new ReqAllOpenOrders();
            case Id.REQ_CURRENT_TIME:
                return new ReqCurrentTime();
            case Id.REQ_MARKET_DATA_TYPE:
                r.skip(1);
                return new ReqMarketDataType(r.int32());
            case Id.REQ_POSITIONS:
                return new ReqPositions();
            case Id.REQ_ACCOUNT_SUMMARY:
                r.skip(1);
                return new ReqAccountSummary(r.int32(), r.string(), r.string());
            case Id.CANCEL_ACCOUNT_SUMMARY:
                r.skip(1);
                return new CancelAccountSummary(r.int32());
            case Id.CANCEL_POSITIONS:
                return new CancelPositions();
            case Id.START_API: {
                r.skip(1);
                int clientId = r.int32();
                return new StartApi(clientId, r.hasMore() ? r.string() : "");
            }
            case Id.REQ_ACCOUNT_UPDATES_MULTI:
                r.skip(1);                          // version 1 from IB's client, 2 from @stoqey/ib
                return new ReqAccountUpdatesMulti(r.int32(), r.string(), r.string(), r.bool());
            case Id.CANCEL_ACCOUNT_UPDATES_MULTI:
                r.skip(1);                          // version 1 from IB's client, 2 from @stoqey/ib
                return new CancelAccountUpdatesMulti(r.int32());
            case Id.REQ_COMPLETED_ORDERS:
                return new ReqCompletedOrders(r.bool());
            case Id.REQ_CONTRACT_DATA:
                return readContractDetailsRequest(r, sv);
            case Id.REQ_HISTORICAL_DATA:
                return readHistoricalDataRequest(r);
            case Id.CANCEL_HISTORICAL_DATA:
                r.skip(1);
                return new CancelHistoricalData(r.int32());
            case Id.REQ_REAL_TIME_BARS: {
                r.skip(1);
                int reqId = r.int32();
                Contract contract = ContractFields.readRequest(r);
                int barSize = r.int32();
                String whatToShow = r.string();
                boolean useRth = r.bool();
                return new ReqRealTimeBars(reqId, contract, barSize, whatToShow, useRth, r.hasMore() ? r.string() : "");
            }
            case Id.CANCEL_REAL_TIME_BARS:
                r.skip(1);
                return new CancelRealTimeBars(r.int32());
            case Id.REQ_HEAD_TIMESTAMP: {
                int reqId = r.int32();
                Contract contract = ContractFields.readRequest(r);
                boolean includeExpired = r.bool();
                boolean useRth = r.bool();
                return new ReqHeadTimestamp(reqId, contract, includeExpired, useRth, r.string(), r.int32());
            }
            case Id.CANCEL_HEAD_TIMESTAMP:
                return new CancelHeadTimestamp(r.int32());
            default:
                throw new ProtocolException.UnknownMessage(id);
        }
    }

    /**
     * reqContractDetails (9), message version 8: 18 fields, 19 from server version 176 (issuerId). Unset conId and
     * strike go out as "0" and "0.0", as IB's own client writes them.
     */
    private static void writeContractDetailsRequest(FieldWriter w, ReqContractDetails m, int sv) {
        if (sv < ServerVersion.BOND_ISSUERID && !m.issuerId().isEmpty()) {
            // IB's client refuses such a request; dropping the field would ask for other contracts.
            throw new ProtocolException.UnsupportedFeature("reqContractDetails cannot carry issuerId below server"
                    + " version " + ServerVersion.BOND_ISSUERID + " (negotiated " + sv + ")");
        }
        w.int32(m.messageId()).int32(8).int32(m.reqId());
        ContractFields.writeRequest(w, m.contract());
        w.bool(m.includeExpired()).string(m.secIdType()).string(m.secId());
        if (sv >= ServerVersion.BOND_ISSUERID) {
            w.string(m.issuerId());
        }
    }

    private static ReqContractDetails readContractDetailsRequest(FieldReader r, int sv) {
        r.skip(1);
        int reqId = r.int32();
        Contract contract = ContractFields.readRequest(r);
        boolean includeExpired = r.bool();        // "" from @stoqey/ib when unset
        String secIdType = r.string();
        String secId = r.string();
        // A client that drops issuerId below 176 (ib_async) sends 18 fields; tolerate the same at 176 and above.
        String issuerId = sv >= ServerVersion.BOND_ISSUERID && r.hasMore() ? r.string() : "";
        return new ReqContractDetails(reqId, contract, includeExpired, secIdType, secId, issuerId);
    }

    /**
     * reqHistoricalData (20): 23 fields for a non-combo contract at every supported version, with no message
     * version (gone since server version 124, which also added keepUpToDate). On the wire barSizeSetting comes
     * before durationStr.
     */
    private static void writeHistoricalDataRequest(FieldWriter w, ReqHistoricalData m, int sv) {
        if ("BAG".equals(m.contract().secType())) {
            throw new ProtocolException.UnsupportedFeature("historical data for combo (BAG) contracts");
        }
        if (sv < ServerVersion.HISTORICAL_SCHEDULE && "SCHEDULE".equalsIgnoreCase(m.whatToShow())) {
            // IB's client refuses it below 165; the reply (historicalSchedule) is not modelled either way.
            throw new ProtocolException.UnsupportedFeature("reqHistoricalData cannot ask for SCHEDULE below server"
                    + " version " + ServerVersion.HISTORICAL_SCHEDULE + " (negotiated " + sv + ")");
        }
        w.int32(m.messageId()).int32(m.reqId());
        ContractFields.writeRequest(w, m.contract());
        w.bool(m.includeExpired()).string(m.endDateTime()).string(m.barSizeSetting()).string(m.durationStr())
                .bool(m.useRth()).string(m.whatToShow()).int32(m.formatDate());
        // a combo's legs would come here
        w.bool(m.keepUpToDate()).string(m.chartOptions());
    }

    private static ReqHistoricalData readHistoricalDataRequest(FieldReader r) {
        int reqId = r.int32();
        Contract contract = ContractFields.readRequest(r);
        boolean includeExpired = r.bool();
        String endDateTime = r.string();
        String barSizeSetting = r.string();
        String durationStr = r.string();
        boolean useRth = r.bool();                // "1", "0", "true" or "" depending on the client
        String whatToShow = r.string();
        int formatDate = r.int32();               // "" (0) from @stoqey/ib when unset
        if ("BAG".equals(contract.secType())) {
            throw new ProtocolException.UnsupportedFeature("historical data for combo (BAG) contracts");
        }
        boolean keepUpToDate = r.bool();
        String chartOptions = r.hasMore() ? r.string() : "";
        return new ReqHistoricalData(reqId, contract, includeExpired, endDateTime, durationStr, barSizeSetting,
                useRth, whatToShow, formatDate, keepUpToDate, chartOptions);
    }
}
