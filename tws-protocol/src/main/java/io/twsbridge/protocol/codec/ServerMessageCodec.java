package io.twsbridge.protocol.codec;

import io.twsbridge.protocol.ProtocolException;
import io.twsbridge.protocol.ServerVersion;
import io.twsbridge.protocol.message.Contract;
import io.twsbridge.protocol.message.Execution;
import io.twsbridge.protocol.message.HistoricalBar;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.protocol.message.ServerMessage.AccountDownloadEnd;
import io.twsbridge.protocol.message.ServerMessage.AccountSummary;
import io.twsbridge.protocol.message.ServerMessage.AccountSummaryEnd;
import io.twsbridge.protocol.message.ServerMessage.AccountUpdateMulti;
import io.twsbridge.protocol.message.ServerMessage.AccountUpdateMultiEnd;
import io.twsbridge.protocol.message.ServerMessage.AccountUpdateTime;
import io.twsbridge.protocol.message.ServerMessage.AccountValue;
import io.twsbridge.protocol.message.ServerMessage.CommissionReport;
import io.twsbridge.protocol.message.ServerMessage.CompletedOrder;
import io.twsbridge.protocol.message.ServerMessage.CompletedOrdersEnd;
import io.twsbridge.protocol.message.ServerMessage.ContractDetails;
import io.twsbridge.protocol.message.ServerMessage.ContractDetailsEnd;
import io.twsbridge.protocol.message.ServerMessage.CurrentTime;
import io.twsbridge.protocol.message.ServerMessage.ErrorMessage;
import io.twsbridge.protocol.message.ServerMessage.ExecDetails;
import io.twsbridge.protocol.message.ServerMessage.ExecDetailsEnd;
import io.twsbridge.protocol.message.ServerMessage.HeadTimestamp;
import io.twsbridge.protocol.message.ServerMessage.HistoricalData;
import io.twsbridge.protocol.message.ServerMessage.HistoricalDataUpdate;
import io.twsbridge.protocol.message.ServerMessage.Id;
import io.twsbridge.protocol.message.ServerMessage.ManagedAccounts;
import io.twsbridge.protocol.message.ServerMessage.MarketDataType;
import io.twsbridge.protocol.message.ServerMessage.NextValidId;
import io.twsbridge.protocol.message.ServerMessage.OpenOrder;
import io.twsbridge.protocol.message.ServerMessage.OpenOrderEnd;
import io.twsbridge.protocol.message.ServerMessage.OrderStatus;
import io.twsbridge.protocol.message.ServerMessage.PortfolioValue;
import io.twsbridge.protocol.message.ServerMessage.Position;
import io.twsbridge.protocol.message.ServerMessage.PositionEnd;
import io.twsbridge.protocol.message.ServerMessage.RealTimeBar;
import io.twsbridge.protocol.message.ServerMessage.TickPrice;
import io.twsbridge.protocol.message.ServerMessage.TickReqParams;
import io.twsbridge.protocol.message.ServerMessage.TickSize;
import io.twsbridge.protocol.message.ServerMessage.TickSnapshotEnd;
import io.twsbridge.protocol.wire.FieldReader;
import io.twsbridge.protocol.wire.FieldWriter;

import java.util.ArrayList;
import java.util.List;

/**
 * Encodes and decodes every {@link ServerMessage} for one negotiated server version.
 *
 * <p>The simulator encodes, the bridge decodes. Each message's writer and reader sit side by side, with the
 * protocol's message version (the second field, where the message still has one) and every server-version gate
 * next to the field it guards. Decoding never throws anything but a {@link ProtocolException}. Stateless and
 * thread-safe.
 */
public final class ServerMessageCodec {

    private final int serverVersion;
    private final boolean completedOrderFaProfile;

    /** A codec for one negotiated server version; throws {@link ProtocolException.UnsupportedVersion} outside 157..178. */
    public ServerMessageCodec(int serverVersion) {
        this(serverVersion, true);
    }

    private ServerMessageCodec(int serverVersion, boolean completedOrderFaProfile) {
        this.serverVersion = ServerVersion.requireSupported(serverVersion);
        this.completedOrderFaProfile = completedOrderFaProfile;
    }

    /**
     * The same codec, except that completedOrder is written without faProfile below server version 177. This is
     * the layout @stoqey/ib 1.6.10 reads; IB's own client and ib_async read the IB layout, which is the default.
     * Only the encoder changes: decoding always expects the IB layout.
     */
    public ServerMessageCodec withoutCompletedOrderFaProfile() {
        return new ServerMessageCodec(serverVersion, false);
    }

    public int serverVersion() {
        return serverVersion;
    }

    /** The whole frame, length prefix included. */
    public byte[] encode(ServerMessage message) {
        FieldWriter w = new FieldWriter(message instanceof OpenOrder || message instanceof CompletedOrder
                || message instanceof ContractDetails ? 512
                : message instanceof HistoricalData h ? 64 + 64 * h.bars().size() : 64);
        write(w, message);
        return w.toFrame();
    }

    /** Writes the message's fields (message id first) into {@code w}. */
    public void write(FieldWriter w, ServerMessage message) {
        int sv = serverVersion;
        if (message instanceof TickPrice m) {
            w.int32(m.messageId()).int32(6).int32(m.reqId()).int32(m.tickType()).float64(m.price())
                    .decimal(m.size()).int32(m.attrMask());
        } else if (message instanceof TickSize m) {
            w.int32(m.messageId()).int32(6).int32(m.reqId()).int32(m.tickType()).decimal(m.size());
        } else if (message instanceof OrderStatus m) {
            // no message version from server version 131 (MARKET_CAP_PRICE) on
            w.int32(m.messageId()).int64(m.orderId()).string(m.status()).decimal(m.filled()).decimal(m.remaining())
                    .float64(m.avgFillPrice()).int64(m.permId()).int64(m.parentId()).float64(m.lastFillPrice())
                    .int32(m.clientId()).string(m.whyHeld()).float64(m.mktCapPrice());
        } else if (message instanceof ErrorMessage m) {
            w.int32(m.messageId()).int32(2).int32(m.id()).int32(m.code())
                    .string(sv >= ServerVersion.ENCODE_MSG_ASCII7 ? EscapedText.escape(m.message()) : m.message());
            if (sv >= ServerVersion.ADVANCED_ORDER_REJECT) {
                w.string(EscapedText.escape(m.advancedOrderRejectJson()));
            }
        } else if (message instanceof OpenOrder m) {
            OpenOrderCodec.write(w, m, sv);
        } else if (message instanceof AccountValue m) {
            w.int32(m.messageId()).int32(2).string(m.key()).string(m.value()).string(m.currency()).string(m.account());
        } else if (message instanceof PortfolioValue m) {
            w.int32(m.messageId()).int32(8);
            ContractFields.writeWithPrimaryExchange(w, m.contract());
            w.decimal(m.position()).float64(m.marketPrice()).float64(m.marketValue()).float64(m.averageCost())
                    .float64(m.unrealizedPnl()).float64(m.realizedPnl()).string(m.account());
        } else if (message instanceof AccountUpdateTime m) {
            w.int32(m.messageId()).int32(1).string(m.time());
        } else if (message instanceof NextValidId m) {
            w.int32(m.messageId()).int32(1).int64(m.orderId());
        } else if (message instanceof ExecDetails m) {
            writeExecDetails(w, m, sv);
        } else if (message instanceof ManagedAccounts m) {
            w.int32(m.messageId()).int32(1).string(String.join(",", m.accounts()));
        } else if (message instanceof CurrentTime m) {
            w.int32(m.messageId()).int32(1).int64(m.epochSeconds());
        } else if (message instanceof OpenOrderEnd m) {
            w.int32(m.messageId()).int32(1);
        } else if (message instanceof AccountDownloadEnd m) {
            w.int32(m.messageId()).int32(1).string(m.account());
        } else if (message instanceof ExecDetailsEnd m) {
            w.int32(m.messageId()).int32(1).int32(m.reqId());
        } else if (message instanceof TickSnapshotEnd m) {
            w.int32(m.messageId()).int32(1).int32(m.reqId());
        } else if (message instanceof MarketDataType m) {
            w.int32(m.messageId()).int32(1).int32(m.reqId()).int32(m.marketDataType());
        } else if (message instanceof CommissionReport m) {
            w.int32(m.messageId()).int32(1).string(m.execId()).float64(m.commission()).string(m.currency())
                    .doubleMax(m.realizedPnl()).doubleMax(m.yield()).int32(m.yieldRedemptionDate());
        } else if (message instanceof Position m) {
            w.int32(m.messageId()).int32(3).string(m.account());
            ContractFields.writeWithExchange(w, m.contract());
            w.decimal(m.position()).float64(m.averageCost());
        } else if (message instanceof PositionEnd m) {
            w.int32(m.messageId()).int32(1);
        } else if (message instanceof AccountSummary m) {
            w.int32(m.messageId()).int32(1).int32(m.reqId()).string(m.account()).string(m.tag()).string(m.value())
                    .string(m.currency());
        } else if (message instanceof AccountSummaryEnd m) {
            w.int32(m.messageId()).int32(1).int32(m.reqId());
        } else if (message instanceof AccountUpdateMulti m) {
            w.int32(m.messageId()).int32(1).int32(m.reqId()).string(m.account()).string(m.modelCode())
                    .string(m.key()).string(m.value()).string(m.currency());
        } else if (message instanceof AccountUpdateMultiEnd m) {
            w.int32(m.messageId()).int32(1).int32(m.reqId());
        } else if (message instanceof TickReqParams m) {
            // no message version
            w.int32(m.messageId()).int32(m.reqId()).float64(m.minTick()).string(m.bboExchange())
                    .int32(m.snapshotPermissions());
        } else if (message instanceof CompletedOrder m) {
            CompletedOrderCodec.write(w, m, sv, completedOrderFaProfile);
        } else if (message instanceof CompletedOrdersEnd m) {
            w.int32(m.messageId());                 // no message version
        } else if (message instanceof ContractDetails m) {
            ContractDetailsCodec.write(w, m, sv);
        } else if (message instanceof ContractDetailsEnd m) {
            w.int32(m.messageId()).int32(1).int32(m.reqId());
        } else if (message instanceof HistoricalData m) {
            // no message version and no hasGaps since server version 124; start and end are in it until 196
            w.int32(m.messageId()).int32(m.reqId()).string(m.startDate()).string(m.endDate()).int32(m.bars().size());
            for (HistoricalBar b : m.bars()) {
                w.string(b.date()).float64(b.open()).float64(b.high()).float64(b.low()).float64(b.close())
                        .decimal(b.volume()).decimal(b.wap()).int32(b.barCount());
            }
        } else if (message instanceof HistoricalDataUpdate m) {
            // no message version; the bar's fields in another order than in historicalData
            HistoricalBar b = m.bar();
            w.int32(m.messageId()).int32(m.reqId()).int32(b.barCount()).string(b.date()).float64(b.open())
                    .float64(b.close()).float64(b.high()).float64(b.low()).decimal(b.wap()).decimal(b.volume());
        } else if (message instanceof RealTimeBar m) {
            // the version clients ignore; 3 is what IB's client sends in the request
            w.int32(m.messageId()).int32(3).int32(m.reqId()).int64(m.startEpochSeconds()).float64(m.open())
                    .float64(m.high()).float64(m.low()).float64(m.close()).decimal(m.volume()).decimal(m.wap())
                    .int32(m.count());
        } else if (message instanceof HeadTimestamp m) {
            w.int32(m.messageId()).int32(m.reqId()).string(m.headTimestamp()); // no message version
        } else {
            throw new IllegalArgumentException("no encoder for " + message.getClass().getName());
        }
    }

    /**
     * Decodes one frame payload.
     *
     * @throws ProtocolException for an unknown id, a missing field or a field that does not parse
     */
    public ServerMessage decode(byte[] payload) {
        FieldReader r = FieldReader.of(payload);
        int id = r.int32();
        int sv = serverVersion;
        switch (id) {
            case Id.TICK_PRICE: {
                r.skip(1);
                int reqId = r.int32();
                int tickType = r.int32();
                double price = r.float64();
                return new TickPrice(reqId, tickType, price, r.decimalOrNull(), r.int32());
            }
            case Id.TICK_SIZE: {
                r.skip(1);
                return new TickSize(r.int32(), r.int32(), r.decimalOrNull());
            }
            case Id.ORDER_STATUS:
                return new OrderStatus(r.int64(), r.string(), r.decimalOrNull(), r.decimalOrNull(), r.float64(),
                        r.int64(), r.int64(), r.float64(), r.int32(), r.string(), r.float64());
            case Id.ERROR: {
                r.skip(1);
                int reqId = r.int32();
                int code = r.int32();
                // Un-escaped where IB's client un-escapes them, so that the record holds the text IB meant.
                String text = sv >= ServerVersion.ENCODE_MSG_ASCII7 ? EscapedText.unescape(r.string()) : r.string();
                String json = sv >= ServerVersion.ADVANCED_ORDER_REJECT && r.hasMore()
                        ? EscapedText.unescape(r.string()) : "";
                return new ErrorMessage(reqId, code, text, json);
            }
            case Id.OPEN_ORDER:
                return OpenOrderCodec.read(r, sv);
            case Id.ACCOUNT_VALUE:
                r.skip(1);
                return new AccountValue(r.string(), r.string(), r.string(), r.string());
            case Id.PORTFOLIO_VALUE: {
                r.skip(1);
                Contract contract = ContractFields.readWithPrimaryExchange(r);
                return new PortfolioValue(contract, r.decimalOrNull(), r.float64(), r.float64(), r.float64(),
                        r.float64(), r.float64(), r.string());
            }
            case Id.ACCOUNT_UPDATE_TIME:
                r.skip(1);
                return new AccountUpdateTime(r.string());
            case Id.NEXT_VALID_ID:
                r.skip(1);
                return new NextValidId(r.int64());
            case Id.EXECUTION_DATA:
                return readExecDetails(r, sv);
            case Id.MANAGED_ACCOUNTS:
                r.skip(1);
                return new ManagedAccounts(splitAccounts(r.string()));
            case Id.CURRENT_TIME:
                r.skip(1);
                return new CurrentTime(r.int64());
            case Id.OPEN_ORDER_END:
                return new OpenOrderEnd();
            case Id.ACCOUNT_DOWNLOAD_END:
                r.skip(1);
                return new AccountDownloadEnd(r.string());
            case Id.EXECUTION_DATA_END:
                r.skip(1);
                return new ExecDetailsEnd(r.int32());
            case Id.TICK_SNAPSHOT_END:
                r.skip(1);
                return new TickSnapshotEnd(r.int32());
            case Id.MARKET_DATA_TYPE:
                r.skip(1);
                return new MarketDataType(r.int32(), r.int32());
            case Id.COMMISSION_REPORT:
                r.skip(1);
                return new CommissionReport(r.string(), r.float64(), r.string(), r.doubleOrNull(), r.doubleOrNull(),
                        r.int32());
            case Id.POSITION: {
                r.skip(1);
                String account = r.string();
                Contract contract = ContractFields.readWithExchange(r);
                return new Position(account, contract, r.decimalOrNull(), r.float64());
            }
            case Id.POSITION_END:
                return new PositionEnd();
            case Id.ACCOUNT_SUMMARY:
                r.skip(1);
                return new AccountSummary(r.int32(), r.string(), r.string(), r.string(), r.string());
            case Id.ACCOUNT_SUMMARY_END:
                r.skip(1);
                return new AccountSummaryEnd(r.int32());
            case Id.ACCOUNT_UPDATE_MULTI:
                r.skip(1);
                return new AccountUpdateMulti(r.int32(), r.string(), r.string(), r.string(), r.string(), r.string());
            case Id.ACCOUNT_UPDATE_MULTI_END:
                r.skip(1);
                return new AccountUpdateMultiEnd(r.int32());
            case Id.TICK_REQ_PARAMS:
                return new TickReqParams(r.int32(), r.float64(), r.string(), r.int32());
            case Id.COMPLETED_ORDER:
                return CompletedOrderCodec.read(r, sv);
            case Id.COMPLETED_ORDERS_END:
                return new CompletedOrdersEnd();
            case Id.CONTRACT_DATA:
                return ContractDetailsCodec.read(r, sv);
            case Id.CONTRACT_DATA_END:
                r.skip(1);
                return new ContractDetailsEnd(r.int32());
            case Id.HISTORICAL_DATA:
                return readHistoricalData(r);
            case Id.HISTORICAL_DATA_UPDATE: {
                int reqId = r.int32();
                int barCount = r.int32();
                String date = r.string();
                double open = r.float64();
                double close = r.float64();
                double high = r.float64();
                double low = r.float64();
                var wap = r.decimalOrNull();
                var volume = r.decimalOrNull();
                return new HistoricalDataUpdate(reqId, new HistoricalBar(date, open, high, low, close, volume, wap,
                        barCount));
            }
            case Id.REAL_TIME_BARS:
                r.skip(1);
                return new RealTimeBar(r.int32(), r.int64(), r.float64(), r.float64(), r.float64(), r.float64(),
                        r.decimalOrNull(), r.decimalOrNull(), r.int32());
            case Id.HEAD_TIMESTAMP:
                return new HeadTimestamp(r.int32(), r.string());
            default:
                throw new ProtocolException.UnknownMessage(id);
        }
    }

    /**
     * execDetails (11), without a version field from server version 136 on: 31 fields, 32 from 178
     * (pendingPriceRevision).
     */
    private static void writeExecDetails(FieldWriter w, ExecDetails m, int sv) {
        Contract c = m.contract();
        Execution e = m.execution();
        w.int32(m.messageId()).int32(m.reqId()).int64(m.orderId());
        ContractFields.writeWithExchange(w, c);
        w.string(e.execId()).string(e.time()).string(e.account()).string(e.exchange()).string(e.side())
                .decimal(e.shares()).float64(e.price()).int64(e.permId()).int32(e.clientId())
                .int32(e.liquidation()).decimal(e.cumQty()).float64(e.avgPrice()).string(e.orderRef())
                .string(e.evRule()).doubleOrEmpty(e.evMultiplier()).string(e.modelCode()).int32(e.lastLiquidity());
        if (sv >= ServerVersion.PENDING_PRICE_REVISION) {
            w.bool(e.pendingPriceRevision());
        }
    }

    private static ExecDetails readExecDetails(FieldReader r, int sv) {
        int reqId = r.int32();
        long orderId = r.int64();
        Contract contract = ContractFields.readWithExchange(r);
        String execId = r.string();
        String time = r.string();
        String account = r.string();
        String exchange = r.string();
        String side = r.string();
        var shares = r.decimalOrNull();
        double price = r.float64();
        long permId = r.int64();
        int clientId = r.int32();
        int liquidation = r.int32();
        var cumQty = r.decimalOrNull();
        double avgPrice = r.float64();
        String orderRef = r.string();
        String evRule = r.string();
        Double evMultiplier = r.doubleOrNull();
        String modelCode = r.string();
        int lastLiquidity = r.int32();
        boolean pendingPriceRevision = sv >= ServerVersion.PENDING_PRICE_REVISION && r.bool();
        return new ExecDetails(reqId, orderId, contract, new Execution(execId, time, account, exchange, side, shares,
                price, permId, clientId, liquidation, cumQty, avgPrice, orderRef, evRule, evMultiplier, modelCode,
                lastLiquidity, pendingPriceRevision));
    }

    /** Eight fields per bar; a count the message cannot hold is refused before anything is allocated. */
    private static HistoricalData readHistoricalData(FieldReader r) {
        int reqId = r.int32();
        String startDate = r.string();
        String endDate = r.string();
        int count = r.int32();
        if (count < 0 || count > r.remaining() / 8) {
            throw new ProtocolException.MalformedField("historicalData bar count " + count + " exceeds the message");
        }
        List<HistoricalBar> bars = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            bars.add(new HistoricalBar(r.string(), r.float64(), r.float64(), r.float64(), r.float64(),
                    r.decimalOrNull(), r.decimalOrNull(), r.int32()));
        }
        return new HistoricalData(reqId, startDate, endDate, bars);
    }

    private static List<String> splitAccounts(String text) {
        List<String> accounts = new ArrayList<>();
        for (String a : text.split(",")) {
            String trimmed = a.trim();
            if (!trimmed.isEmpty()) {
                accounts.add(trimmed);
            }
        }
        return accounts;
    }
}
