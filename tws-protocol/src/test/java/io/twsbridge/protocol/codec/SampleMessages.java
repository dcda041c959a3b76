package io.twsbridge.protocol.codec;

import io.twsbridge.protocol.ServerVersion;
import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.Contract;
import io.twsbridge.protocol.message.Execution;
import io.twsbridge.protocol.message.ExecutionFilter;
import io.twsbridge.protocol.message.Order;
import io.twsbridge.protocol.message.OrderState;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.protocol.message.TagValue;

import java.math.BigDecimal;
import java.util.List;
import java.util.stream.IntStream;

/**
 * One realistic instance of every message, per server version: fields that a version does not carry are left
 * at the value a decoder of that version yields, so that a round trip must reproduce the record exactly.
 */
final class SampleMessages {

    static final Contract AAPL = new Contract(265598, "AAPL", "STK", "", null, "", "", "SMART", "NASDAQ", "USD",
            "AAPL", "NMS");
    static final Contract ES_OPTION = new Contract(551601561, "ES", "FOP", "20261218", 6000.0, "C", "50", "CME", "",
            "USD", "ESZ6 C6000", "ES");

    private SampleMessages() {
    }

    static IntStream supportedVersions() {
        return IntStream.rangeClosed(ServerVersion.MIN_SUPPORTED, ServerVersion.MAX_SUPPORTED);
    }

    /** The contract as a block that carries exchange but not primaryExchange reads it back. */
    static Contract withoutPrimaryExchange(Contract c) {
        return new Contract(c.conId(), c.symbol(), c.secType(), c.lastTradeDateOrContractMonth(), c.strike(),
                c.right(), c.multiplier(), c.exchange(), "", c.currency(), c.localSymbol(), c.tradingClass());
    }

    static Contract withoutExchange(Contract c) {
        return new Contract(c.conId(), c.symbol(), c.secType(), c.lastTradeDateOrContractMonth(), c.strike(),
                c.right(), c.multiplier(), "", c.primaryExchange(), c.currency(), c.localSymbol(), c.tradingClass());
    }

    static Order limitOrder() {
        return Order.builder("BUY", new BigDecimal("10.5"), "LMT")
                .lmtPrice(189.25).tif("DAY").account("DU111111").orderRef("cmd-7f3a").outsideRth(true)
                .goodTillDate("20261231 23:59:59 US/Eastern").modelCode("").build();
    }

    static Order algoOrder() {
        return Order.builder("SELL", new BigDecimal("300"), "LMT")
                .lmtPrice(191.0).tif("GTC").account("DU222222").orderRef("cmd-algo").algoStrategy("Adaptive")
                .algoParams(List.of(new TagValue("adaptivePriority", "Normal"))).build();
    }

    static Order stopOrder() {
        return Order.builder("SELL", new BigDecimal("0.25"), "STP").auxPrice(180.5).tif("GTC").account("DU111111")
                .orderRef("cmd-stop").transmit(true).parentId(4711).build();
    }

    static List<ServerMessage> serverMessages(int sv) {
        Order open = limitOrder().toBuilder().clientId(7).permId(1_234_567_890L).build();
        OrderState submitted = new OrderState("Submitted", 1.25, 1.0, 2.5, "USD", "", "", "");
        return List.of(
                new ServerMessage.NextValidId(1001),
                new ServerMessage.ManagedAccounts(List.of("DU111111", "DU222222")),
                new ServerMessage.ErrorMessage(-1, 2104, "Market data farm connection is OK:usfarm",
                        sv >= ServerVersion.ADVANCED_ORDER_REJECT ? "{\"rejectReason\":\"none\"}" : ""),
                new ServerMessage.ErrorMessage(1001, 201, "Order rejected - reason:marge insuffisante – refusé",
                        sv >= ServerVersion.ADVANCED_ORDER_REJECT ? "{\"rejectReason\":\"refusé\"}" : ""),
                new ServerMessage.CurrentTime(1_795_853_140L),
                new ServerMessage.TickPrice(42, 1, 189.42, new BigDecimal("300"), 3),
                new ServerMessage.TickSize(42, 8, new BigDecimal("1234567.5")),
                new ServerMessage.TickReqParams(42, 0.01, "9c0001", 3),
                new ServerMessage.MarketDataType(42, 1),
                new ServerMessage.TickSnapshotEnd(42),
                new ServerMessage.AccountSummary(9001, "DU111111", "NetLiquidation", "1000000.00", "USD"),
                new ServerMessage.AccountSummaryEnd(9001),
                new ServerMessage.AccountValue("CashBalance", "25000.50", "USD", "DU111111"),
                new ServerMessage.PortfolioValue(withoutExchange(AAPL), new BigDecimal("100.25"), 189.4, 18987.35,
                        150.12, 3938.0, 0.0, "DU111111"),
                new ServerMessage.AccountUpdateTime("14:35"),
                new ServerMessage.AccountDownloadEnd("DU111111"),
                new ServerMessage.AccountUpdateMulti(9002, "DU111111", "", "NetLiquidation", "1000000.00", "USD"),
                new ServerMessage.AccountUpdateMulti(9002, "DU111111", "", "AccountType", "INDIVIDUAL", ""),
                new ServerMessage.AccountUpdateMultiEnd(9002),
                new ServerMessage.Position("DU111111", withoutPrimaryExchange(ES_OPTION), new BigDecimal("-2"), 1210.5),
                new ServerMessage.PositionEnd(),
                new ServerMessage.OpenOrder(1001, withoutPrimaryExchange(AAPL), open, submitted),
                new ServerMessage.OpenOrder(1002, withoutPrimaryExchange(AAPL),
                        algoOrder().toBuilder().clientId(7).permId(1_234_567_891L).build(), OrderState.of("PreSubmitted")),
                new ServerMessage.OpenOrderEnd(),
                new ServerMessage.OrderStatus(1001, "Filled", new BigDecimal("10.5"), BigDecimal.ZERO, 189.21,
                        1_234_567_890L, 0, 189.2, 7, "", 0.0),
                new ServerMessage.CompletedOrder(withoutPrimaryExchange(AAPL),
                        limitOrder().toBuilder().permId(1_234_567_890L).build(),
                        new OrderState("Filled", null, null, null, "", "", "20261128 10:31:02 America/New_York",
                                "Filled Size: 10.5")),
                new ServerMessage.CompletedOrdersEnd(),
                new ServerMessage.ExecDetails(-1, 1001, withoutPrimaryExchange(AAPL), new Execution(
                        "0000e0d5.6566a1b2.01.01", "20261128 10:31:02 America/New_York", "DU111111", "ISLAND", "BOT",
                        new BigDecimal("10.5"), 189.21, 1_234_567_890L, 7, 0, new BigDecimal("10.5"), 189.21,
                        "cmd-7f3a", "", null, "", 2, sv >= ServerVersion.PENDING_PRICE_REVISION)),
                new ServerMessage.ExecDetailsEnd(5),
                new ServerMessage.CommissionReport("0000e0d5.6566a1b2.01.01", 1.05, "USD", null, null, 0),
                new ServerMessage.CommissionReport("0000e0d5.6566a1b3.01.01", 0.35, "USD", 12.5, null, 20261231));
    }

    static List<ClientMessage> clientMessages(int sv) {
        return List.of(
                new ClientMessage.StartApi(7, ""),
                new ClientMessage.ReqMktData(42, AAPL, "233,236", false, false, ""),
                new ClientMessage.ReqMktData(43, ES_OPTION, "", true, false, "XYZ=1;"),
                new ClientMessage.CancelMktData(42),
                new ClientMessage.PlaceOrder(1001, AAPL, limitOrder()),
                new ClientMessage.PlaceOrder(1002, AAPL, algoOrder()),
                new ClientMessage.PlaceOrder(1003, ES_OPTION, stopOrder()),
                new ClientMessage.CancelOrder(1001,
                        sv >= ServerVersion.MANUAL_ORDER_TIME ? "20261128-10:31:00" : ""),
                new ClientMessage.ReqOpenOrders(),
                new ClientMessage.ReqAllOpenOrders(),
                new ClientMessage.ReqAutoOpenOrders(true),
                new ClientMessage.ReqAccountUpdates(true, "DU111111"),
                new ClientMessage.ReqExecutions(5, ExecutionFilter.all()),
                new ClientMessage.ReqExecutions(6, new ExecutionFilter(7, "DU111111", "20261128-09:30:00", "AAPL",
                        "STK", "SMART", "BUY")),
                new ClientMessage.ReqIds(1),
                new ClientMessage.ReqCurrentTime(),
                new ClientMessage.ReqMarketDataType(3),
                new ClientMessage.ReqPositions(),
                new ClientMessage.CancelPositions(),
                new ClientMessage.ReqAccountSummary(9001, "All", "NetLiquidation,TotalCashValue,BuyingPower"),
                new ClientMessage.CancelAccountSummary(9001),
                new ClientMessage.ReqAccountUpdatesMulti(9002, "DU111111", "", false),
                new ClientMessage.ReqAccountUpdatesMulti(9003, "DU222222", "", true),
                new ClientMessage.CancelAccountUpdatesMulti(9002),
                new ClientMessage.ReqCompletedOrders(false));
    }
}
