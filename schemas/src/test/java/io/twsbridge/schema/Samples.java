package io.twsbridge.schema;

import io.twsbridge.schema.state.OrderJournalEntry;
import io.twsbridge.schema.state.OrderJournalState;
import io.twsbridge.schema.support.Decimals;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/** Realistic records for the tests: one with every field set, one with only what the schema requires. */
public final class Samples {

    public static final Instant T0 = Instant.parse("2025-06-02T14:30:05.123Z");

    private Samples() {}

    public static BigDecimal dec(String value) {
        return Decimals.exact(value);
    }

    /** An AAPL call with every contract field set, as IB describes it after resolution. */
    public static Instrument aaplCall() {
        return Instrument.newBuilder()
                .setSymbol("AAPL")
                .setSecType("OPT")
                .setExchange("SMART")
                .setCurrency("USD")
                .setPrimaryExchange("CBOE")
                .setConId(784432166L)
                .setLastTradeDateOrContractMonth("20250620")
                .setStrike(190.0)
                .setRight("C")
                .setMultiplier("100")
                .setLocalSymbol("AAPL  250620C00190000")
                .setTradingClass("AAPL")
                .build();
    }

    /** Bitcoin as a crypto instrument, only the required fields (exchange takes its default). */
    public static Instrument bitcoin() {
        return Instrument.newBuilder().setSymbol("BTC").setSecType("CRYPTO").setCurrency("USD").build();
    }

    public static Command command(Object payload) {
        return Command.newBuilder()
                .setCommandId("6f1c2a9e-4b7d-4e0a-9a51-2c3f8d7e1b04")
                .setIssuedAt(T0)
                .setExpiresAt(T0.plusSeconds(30))
                .setAccount("DU1234567")
                .setIssuedBy("rebalancer@desk-2")
                .setPayload(payload)
                .build();
    }

    public static SubscribeQuotes subscribeQuotes() {
        return SubscribeQuotes.newBuilder().setInstrument(aaplCall()).build();
    }

    public static UnsubscribeQuotes unsubscribeQuotes() {
        return UnsubscribeQuotes.newBuilder().setInstrument(aaplCall()).build();
    }

    public static PlaceOrder placeOrder() {
        return PlaceOrder.newBuilder()
                .setInstrument(aaplCall())
                .setAction(OrderAction.BUY)
                .setQuantity(dec("3"))
                .setOrderType(OrderType.STP_LMT)
                .setLimitPrice(4.45)
                .setStopPrice(4.30)
                .setTimeInForce(TimeInForce.GTC)
                .setOutsideRth(true)
                .build();
    }

    /** Both order references set, which the bridge would refuse, so that the round trip covers every field. */
    public static CancelOrder cancelOrder() {
        return CancelOrder.newBuilder()
                .setTargetCommandId("0b9e3c4d-77aa-4f11-8c02-5d6e7f8a9b10")
                .setOrderId(1042L)
                .build();
    }

    public static ModifyOrder modifyOrder() {
        return ModifyOrder.newBuilder()
                .setTargetCommandId("0b9e3c4d-77aa-4f11-8c02-5d6e7f8a9b10")
                .setOrderId(1042L)
                .setQuantity(dec("5"))
                .setLimitPrice(4.40)
                .setStopPrice(4.25)
                .setTimeInForce(TimeInForce.DAY)
                .setOutsideRth(false)
                .build();
    }

    public static RequestExecutions requestExecutions() {
        return RequestExecutions.newBuilder()
                .setSince(Instant.parse("2025-06-02T13:30:00Z"))
                .setSymbol("AAPL")
                .setSecType("OPT")
                .setExchange("CBOE")
                .setSide(OrderAction.SELL)
                .setClientId(17)
                .build();
    }

    /** Apple stock as IB resolves it on SMART, every field IB gives for a stock set. */
    public static Instrument aaplStock() {
        return Instrument.newBuilder()
                .setSymbol("AAPL")
                .setSecType("STK")
                .setExchange("SMART")
                .setCurrency("USD")
                .setPrimaryExchange("NASDAQ")
                .setConId(265598L)
                .setLocalSymbol("AAPL")
                .setTradingClass("NMS")
                .build();
    }

    /** An instrument given by conId alone: symbol, secType and currency stay empty, exchange SMART. */
    public static Instrument byConId(long conId) {
        return Instrument.newBuilder().setConId(conId).build();
    }

    /** Every description field set (a search for the AAPL call), which narrows IB's search as far as it goes. */
    public static ResolveContract resolveContract() {
        return ResolveContract.newBuilder()
                .setSymbol("AAPL")
                .setSecType("OPT")
                .setExchange("SMART")
                .setCurrency("USD")
                .setPrimaryExchange("CBOE")
                .setConId(784432166L)
                .setLastTradeDateOrContractMonth("20250620")
                .setStrike(190.0)
                .setRight("C")
                .setMultiplier("100")
                .setLocalSymbol("AAPL  250620C00190000")
                .setTradingClass("AAPL")
                .setAllowMultipleMatches(true)
                .build();
    }

    /** A day of 5-minute trade bars ending at the close, outside regular hours too. */
    public static RequestHistoricalBars requestHistoricalBars() {
        return RequestHistoricalBars.newBuilder()
                .setInstrument(aaplCall())
                .setEndTime(Instant.parse("2025-06-02T20:00:00Z"))
                .setDuration("1 D")
                .setBarSize(BarSize.MIN_5)
                .setWhatToShow(WhatToShow.TRADES)
                .setRegularTradingHoursOnly(false)
                .build();
    }

    public static SubscribeBars subscribeBars() {
        return SubscribeBars.newBuilder()
                .setInstrument(aaplCall())
                .setWhatToShow(WhatToShow.MIDPOINT)
                .setRegularTradingHoursOnly(false)
                .build();
    }

    public static UnsubscribeBars unsubscribeBars() {
        return UnsubscribeBars.newBuilder()
                .setInstrument(aaplCall())
                .setWhatToShow(WhatToShow.MIDPOINT)
                .setRegularTradingHoursOnly(false)
                .build();
    }

    /** One command per payload branch, each with every field set. */
    public static List<Command> fullCommands() {
        return List.of(
                command(subscribeQuotes()),
                command(unsubscribeQuotes()),
                command(placeOrder()),
                command(cancelOrder()),
                command(modifyOrder()),
                command(RequestAccountSnapshot.newBuilder().build()),
                command(RequestPositions.newBuilder().build()),
                command(requestExecutions()),
                command(resolveContract()),
                command(requestHistoricalBars()),
                command(subscribeBars()),
                command(unsubscribeBars()));
    }

    public static CommandResult fullCommandResult() {
        return CommandResult.newBuilder()
                .setCommandId("6f1c2a9e-4b7d-4e0a-9a51-2c3f8d7e1b04")
                .setStatus(CommandStatus.REJECTED)
                .setReasonCode("IB_ERROR_201")
                .setMessage("Order rejected - reason:Your order is not accepted because of insufficient buying power.")
                .setCommandType("PlaceOrder")
                .setAccount("DU1234567")
                .setOrderId(1042L)
                .setPermId(1876543210L)
                .setIbErrorCode(201)
                .setTimestamp(T0.plusMillis(412))
                .setBridgeId("bridge-a")
                .setOrderStatus("Filled")
                .setFilledQuantity(dec("1"))
                .setAverageFillPrice(187.25)
                .setRecordCount(78)
                .setConIds(List.of(265598L, 38708077L))
                .setFirstBarTime(Instant.parse("2025-06-02T13:30:00Z"))
                .setLastBarTime(Instant.parse("2025-06-02T19:55:00Z"))
                .build();
    }

    public static AccountValue fullAccountValue() {
        return AccountValue.newBuilder()
                .setAccount("DU1234567")
                .setKey("NetLiquidation")
                .setValue("125432.17")
                .setCurrency("USD")
                .setNumericValue(dec("125432.17"))
                .setUpdatedAt(T0)
                .build();
    }

    public static Position fullPosition() {
        return Position.newBuilder()
                .setAccount("DU1234567")
                .setInstrument(aaplCall())
                .setQuantity(dec("-3"))
                .setAverageCost(dec("436.6518"))
                .setMarketPrice(4.12)
                .setMarketValue(dec("-1236"))
                .setUnrealizedPnl(dec("73.9554"))
                .setRealizedPnl(dec("-12.34"))
                .setUpdatedAt(T0)
                .build();
    }

    public static OrderUpdate fullOrderUpdate() {
        return OrderUpdate.newBuilder()
                .setOrderRef("6f1c2a9e-4b7d-4e0a-9a51-2c3f8d7e1b04")
                .setOrderId(1042L)
                .setPermId(1876543210L)
                .setClientId(17)
                .setAccount("DU1234567")
                .setInstrument(aaplCall())
                .setAction("BUY")
                .setOrderType("STP LMT")
                .setTotalQuantity(dec("3"))
                .setLimitPrice(4.45)
                .setStopPrice(4.30)
                .setTimeInForce("GTC")
                .setOutsideRth(true)
                .setStatus(OrderStatus.SUBMITTED)
                .setIbStatus("Submitted")
                .setFilled(dec("1"))
                .setRemaining(dec("2"))
                .setAvgFillPrice(4.41)
                .setLastFillPrice(4.41)
                .setWhyHeld("locate")
                .setParentId(1041L)
                .setIbErrorCode(399)
                .setIbErrorMessage("Order Message: BUY 3 AAPL Jun20'25 190 Call Warning: your order will not be placed at the exchange until 2025-06-02 09:30:00 US/Eastern.")
                .setUpdatedAt(T0)
                .setConditionsSummary("submit when price conId=265598 on SMART >= 190.0 (last) or time >= 20250602 09:30:00 US/Eastern")
                .build();
    }

    public static Fill fullFill() {
        return Fill.newBuilder()
                .setExecId("0000e0d5.6650f2a1.01.01")
                .setOrderRef("6f1c2a9e-4b7d-4e0a-9a51-2c3f8d7e1b04")
                .setOrderId(1042L)
                .setPermId(1876543210L)
                .setClientId(17)
                .setAccount("DU1234567")
                .setInstrument(aaplCall())
                .setSide(ExecutionSide.BOT)
                .setShares(dec("1"))
                .setPrice(4.41)
                .setCumulativeQuantity(dec("1"))
                .setAveragePrice(4.41)
                .setExecutionTime(T0.minusMillis(850))
                .setExchange("CBOE")
                .setCommission(dec("0.65"))
                .setCommissionCurrency("USD")
                .setRealizedPnl(dec("-0.65"))
                .setPublishedAt(T0)
                .build();
    }

    public static Quote fullQuote() {
        return Quote.newBuilder()
                .setInstrument(aaplCall())
                .setBid(4.35)
                .setBidSize(dec("42"))
                .setAsk(4.45)
                .setAskSize(dec("17"))
                .setLast(4.41)
                .setLastSize(dec("1"))
                .setVolume(dec("18734"))
                .setClose(4.02)
                .setMarketDataType(MarketDataType.REALTIME)
                .setGatewayTime(T0.minusMillis(3))
                .setBridgeTime(T0)
                .setSequence(90817L)
                .setBridgeId("bridge-a")
                .build();
    }

    public static GatewayStatus fullGatewayStatus() {
        return GatewayStatus.newBuilder()
                .setBridgeId("bridge-a")
                .setSessionState(SessionState.DEGRADED)
                .setStateReason("IB 2103: Market data farm connection is broken:usfarm")
                .setServerVersion(187)
                .setClientId(17)
                .setAccounts(List.of("DU1234567", "DU7654321"))
                .setCircuitBreakerState(CircuitBreakerState.HALF_OPEN)
                .setZombieCount(2)
                .setLastError("IB 1100: Connectivity between IB and Trader Workstation has been lost.")
                .setSince(T0.minusSeconds(95))
                .setHeartbeatAt(T0)
                .setBridgeVersion("0.1.0")
                .setInstanceId("bridge-a-pod-1")
                .setHost("bridge-host-1")
                .setProcessId(4711L)
                .setStartedAt(T0.minusSeconds(60))
                .setBrokerClockSkewMillis(-1250L)
                .setBrokerClockCheckedAt(T0.minusSeconds(20))
                .build();
    }

    /** The {@link #aaplCall()} as IB details it, every field set. */
    public static ContractDetails fullContractDetails() {
        return ContractDetails.newBuilder()
                .setConId(784432166L)
                .setInstrument(aaplCall())
                .setLongName("APPLE INC")
                .setMarketName("AAPL")
                .setMinTick(0.01)
                .setTimeZoneId("US/Eastern")
                .setTradingHours("20250602:0930-20250602:1600;20250603:0930-20250603:1600")
                .setLiquidHours("20250602:0930-20250602:1600;20250603:0930-20250603:1600")
                .setValidExchanges(List.of("SMART", "AMEX", "CBOE", "ISE", "PHLX"))
                .setOrderTypes(List.of("LMT", "MKT", "STP", "STPLMT", "TRAIL"))
                .setMarketRuleIds(List.of(32, 32, 19, 32, 32))
                .setIndustry("Technology")
                .setCategory("Computers")
                .setSubcategory("Computers")
                .setStockType("COMMON")
                .setContractMonth("202506")
                .setUnderConId(265598L)
                .setUnderSymbol("AAPL")
                .setUnderSecType("STK")
                .setMinSize(dec("1"))
                .setSizeIncrement(dec("1"))
                .setSuggestedSizeIncrement(dec("1"))
                .setSecIds(Map.of("OCC", "AAPL  250620C00190000"))
                .setCommandId("2c4e6a8b-0d1f-4a3b-8c5d-7e9f1a2b3c4d")
                .setResolvedAt(T0)
                .build();
    }

    /**
     * A daily trade bar of a year's history of the {@link #aaplCall()}, every field set: its date, and its start as
     * midnight of that date in the contract's time zone (US/Eastern, UTC-4 in June).
     */
    public static Bar fullBar() {
        return Bar.newBuilder()
                .setInstrument(aaplCall())
                .setBarSize(BarSize.DAY_1)
                .setWhatToShow(WhatToShow.TRADES)
                .setRegularTradingHoursOnly(true)
                .setStartTime(Instant.parse("2025-06-02T04:00:00Z"))
                .setDate(LocalDate.parse("2025-06-02"))
                .setOpen(dec("4.05"))
                .setHigh(dec("4.6125"))
                .setLow(dec("3.9"))
                .setClose(dec("4.41"))
                .setVolume(dec("18734"))
                .setWap(dec("4.2871"))
                .setTradeCount(2210L)
                .setCommandId("2c4e6a8b-0d1f-4a3b-8c5d-7e9f1a2b3c4d")
                .setIndex(249)
                .setRealTimeBar(false)
                .build();
    }

    /**
     * The journal entry of the {@link #placeOrder()} command, acknowledged and partly filled, after a
     * retry of a placeOrder that IB refused with error 103. Every field set.
     */
    public static OrderJournalEntry fullOrderJournalEntry() {
        return OrderJournalEntry.newBuilder()
                .setCommandId("6f1c2a9e-4b7d-4e0a-9a51-2c3f8d7e1b04")
                .setAccount("DU1234567")
                .setInstrument(aaplCall())
                .setAction(OrderAction.BUY)
                .setQuantity(dec("3"))
                .setOrderType(OrderType.STP_LMT)
                .setLimitPrice(4.45)
                .setStopPrice(4.30)
                .setTimeInForce(TimeInForce.GTC)
                .setOutsideRth(true)
                .setOrderId(1042L)
                .setClientId(17)
                .setPermId(1876543210L)
                .setState(OrderJournalState.ACKNOWLEDGED)
                .setLastStatus("Submitted")
                .setFilled(dec("1"))
                .setIbErrorCode(103)
                .setIbErrorMessage("Duplicate order id")
                .setAttempts(2)
                .setCreatedAt(T0.minusMillis(640))
                .setUpdatedAt(T0)
                .setBridgeId("bridge-a")
                .setCancelCommandId("b7c9d1e3-5f70-4a2b-9c4d-6e8f0a1b2c3d")
                .setAverageFillPrice(187.25)
                .build();
    }
}
