package io.twsbridge.protocol.codec;

import io.twsbridge.protocol.ServerVersion;
import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.Contract;
import io.twsbridge.protocol.message.ContractSpecification;
import io.twsbridge.protocol.message.Execution;
import io.twsbridge.protocol.message.ExecutionFilter;
import io.twsbridge.protocol.message.HistoricalBar;
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

    /**
     * AAPL's contractDetails as a decoder of {@code sv} yields it: mdSizeMultiplier below 164, sizeMinTick at 163
     * only, the three size rules from 164. The long name has a non-ASCII character, which travels escaped.
     */
    static ContractSpecification aaplSpecification(int sv) {
        return ContractSpecification.builder().marketName("NMS").minTick(0.01)
                .mdSizeMultiplier(sv < ServerVersion.SIZE_RULES ? 1 : 0)
                .orderTypes("ACTIVETIM,AD,ALERT,ALLOC,LMT,MKT,STP,STPLMT,TRAIL")
                .validExchanges("SMART,AMEX,NYSE,CBOE,ISLAND,NASDAQ").priceMagnifier(1).underConId(0)
                .longName("APPLE INC – Common").contractMonth("").industry("Technology").category("Computers")
                .subcategory("Computers").timeZoneId("US/Eastern")
                .tradingHours("20261128:0400-20261128:2000;20261129:CLOSED")
                .liquidHours("20261128:0930-20261128:1600;20261129:CLOSED").evRule("").evMultiplier(null)
                .secIdList(List.of(new TagValue("ISIN", "US0378331005"))).aggGroup(1).underSymbol("")
                .underSecType("").marketRuleIds("26,26,26,26,26,26").realExpirationDate("").stockType("COMMON")
                .sizeMinTick(sv == ServerVersion.FRACTIONAL_SIZE_SUPPORT ? new BigDecimal("0.0001") : null)
                .minSize(sv >= ServerVersion.SIZE_RULES ? new BigDecimal("0.0001") : null)
                .sizeIncrement(sv >= ServerVersion.SIZE_RULES ? new BigDecimal("0.0001") : null)
                .suggestedSizeIncrement(sv >= ServerVersion.SIZE_RULES ? new BigDecimal("100") : null)
                .build();
    }

    /** An option with a time in its expiry field, no secIds and an evMultiplier, as the Gateway sends them. */
    static ContractSpecification esOptionSpecification(int sv) {
        return aaplSpecification(sv).toBuilder().marketName("ES").minTick(0.05).longName("E-mini S&P 500")
                .underConId(495512563).underSymbol("ES").underSecType("FUT").evRule("").evMultiplier(50.0)
                .secIdList(List.of()).stockType("").industry("").category("").subcategory("")
                .timeZoneId("US/Central").build();
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
                new ServerMessage.CommissionReport("0000e0d5.6566a1b3.01.01", 0.35, "USD", 12.5, null, 20261231),
                new ServerMessage.ContractDetails(7001, AAPL, aaplSpecification(sv)),
                new ServerMessage.ContractDetails(7002, new Contract(551601561, "ES", "FOP",
                        "20261218 13:30:00 US/Central", 6000.0, "C", "50", "CME", "CME", "USD", "ESZ6 C6000", "ES"),
                        esOptionSpecification(sv)),
                new ServerMessage.ContractDetailsEnd(7001),
                new ServerMessage.HistoricalData(7101, "20261127 16:00:00 US/Eastern", "20261128 16:00:00 US/Eastern",
                        List.of(new HistoricalBar("20261128 09:30:00 US/Eastern", 189.5, 190.25, 189.1, 190.0,
                                        new BigDecimal("12345.5"), new BigDecimal("189.731"), 412),
                                new HistoricalBar("20261128 09:35:00 US/Eastern", 190.0, 190.4, 189.9, 190.3,
                                        new BigDecimal("8001"), new BigDecimal("190.12"), 250))),
                new ServerMessage.HistoricalData(7102, "20251128", "20261128", List.of(
                        new HistoricalBar("20261127", 188.0, 191.0, 187.5, 190.5, new BigDecimal("-1"),
                                new BigDecimal("-1"), -1))),
                new ServerMessage.HistoricalData(7103, "", "", List.of()),
                new ServerMessage.HistoricalDataUpdate(7104, new HistoricalBar("1795853100", 190.3, 190.5, 190.2,
                        190.45, new BigDecimal("310"), new BigDecimal("190.33"), 17)),
                new ServerMessage.RealTimeBar(7201, 1_795_853_140L, 190.3, 190.35, 190.28, 190.31,
                        new BigDecimal("1200.5"), new BigDecimal("190.317"), 9),
                new ServerMessage.HeadTimestamp(7301, "19801212-14:30:00"));
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
                new ClientMessage.ReqCompletedOrders(false),
                new ClientMessage.ReqContractDetails(7001, Contract.stock("AAPL", "SMART", "USD")),
                new ClientMessage.ReqContractDetails(7002, ES_OPTION, true, "", "",
                        sv >= ServerVersion.BOND_ISSUERID ? "e123456" : ""),
                new ClientMessage.ReqContractDetails(7003, new Contract(0, "", "STK", "", null, "", "", "SMART", "",
                        "USD", "", ""), false, "ISIN", "US0378331005", ""),
                new ClientMessage.ReqHistoricalData(7101, AAPL, false, "20261128 16:00:00 US/Eastern", "1 D",
                        "5 mins", true, "TRADES", 1, false, ""),
                new ClientMessage.ReqHistoricalData(7102, ES_OPTION, true, "", "1 Y", "1 day", false, "MIDPOINT", 2,
                        false, ""),
                new ClientMessage.ReqHistoricalData(7103, AAPL, false, "", "3600 S", "5 secs", false, "BID_ASK", 2,
                        true, "XYZ=1;"),
                new ClientMessage.CancelHistoricalData(7103),
                new ClientMessage.ReqRealTimeBars(7201, AAPL, 5, "TRADES", true, ""),
                new ClientMessage.ReqRealTimeBars(7202, ES_OPTION, 5, "MIDPOINT", false, "XYZ=1;"),
                new ClientMessage.CancelRealTimeBars(7201),
                new ClientMessage.ReqHeadTimestamp(7301, AAPL, false, true, "TRADES", 1),
                new ClientMessage.CancelHeadTimestamp(7301));
    }
}
