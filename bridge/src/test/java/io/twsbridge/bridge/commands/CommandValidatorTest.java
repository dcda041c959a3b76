package io.twsbridge.bridge.commands;

import io.twsbridge.bridge.results.Rejection;
import io.twsbridge.schema.CancelOrder;
import io.twsbridge.schema.Command;
import io.twsbridge.schema.Instrument;
import io.twsbridge.schema.OrderAction;
import io.twsbridge.schema.OrderType;
import io.twsbridge.schema.ModifyOrder;
import io.twsbridge.schema.BarSize;
import io.twsbridge.schema.PlaceOrder;
import io.twsbridge.schema.RequestHistoricalBars;
import io.twsbridge.schema.ResolveContract;
import io.twsbridge.schema.WhatToShow;
import io.twsbridge.schema.RequestExecutions;
import io.twsbridge.schema.RequestPositions;
import io.twsbridge.schema.SubscribeBars;
import io.twsbridge.schema.SubscribeQuotes;
import io.twsbridge.schema.TimeInForce;
import io.twsbridge.schema.UnsubscribeBars;
import io.twsbridge.schema.UnsubscribeQuotes;
import io.twsbridge.schema.WhatToShow;
import io.twsbridge.schema.catalogue.ReasonCodes;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

class CommandValidatorTest {

    private static final Clock NOW = Clock.fixed(Instant.parse("2026-12-03T12:00:00Z"), ZoneOffset.UTC);
    private final CommandValidator validator = new CommandValidator(NOW);

    @Test
    void aValidOrderPasses() {
        assertThat(validator.validate(order(OrderType.LMT, "10", 189.5, null))).isEmpty();
        assertThat(validator.validate(order(OrderType.MKT, "0.5", null, null))).isEmpty();
        assertThat(validator.validate(order(OrderType.STP_LMT, "1", 190.0, 191.0))).isEmpty();
    }

    @Test
    void anOrderRoutedToIbkratsPasses() {
        // IBKRATS needs no special rule here: the codec writes the extra field IB's client sends for that exchange
        // (minTradeQty, from server version 170), so such an order reaches the Gateway in IB's own layout.
        Instrument ats = Instrument.newBuilder(instrument("AAPL", "STK", "USD")).setExchange("IBKRATS").build();
        for (OrderType type : new OrderType[] {OrderType.LMT, OrderType.MKT}) {
            Command order = command(PlaceOrder.newBuilder().setInstrument(ats).setAction(OrderAction.BUY)
                    .setQuantity(new BigDecimal("1").setScale(10)).setOrderType(type)
                    .setLimitPrice(type == OrderType.LMT ? 189.5 : null).setTimeInForce(TimeInForce.DAY)
                    .setOutsideRth(false).build());
            assertThat(validator.validate(order)).as("%s on IBKRATS", type).isEmpty();
        }
    }

    @Test
    void everyProblemIsNamedAtOnce() {
        Command bad = command(PlaceOrder.newBuilder().setInstrument(instrument("", "XYZ", "usd"))
                .setAction(OrderAction.UNKNOWN).setQuantity(new BigDecimal("-1").setScale(10)).setOrderType(OrderType.LMT)
                .setLimitPrice(Double.POSITIVE_INFINITY).setTimeInForce(TimeInForce.UNKNOWN).setOutsideRth(false).build());
        Rejection r = validator.validate(bad).orElseThrow();
        assertThat(r.reasonCode()).isEqualTo(ReasonCodes.VALIDATION_FAILED);
        assertThat(r.message()).contains("instrument.symbol").contains("instrument.secType").contains("instrument.currency")
                .contains("action must be BUY or SELL").contains("quantity must be positive")
                .contains("limitPrice must be a finite positive price").contains("timeInForce");
    }

    @Test
    void absurdValuesAreRefused() {
        assertThat(validator.validate(order(OrderType.LMT, "1000000000000000", 10.0, null))).get()
                .extracting(Rejection::message).asString().contains("at most");
        assertThat(validator.validate(order(OrderType.LMT, "1", Double.NaN, null))).isPresent();
        assertThat(validator.validate(order(OrderType.STP, "1", null, null))).get()
                .extracting(Rejection::message).asString().contains("stopPrice is required");
        assertThat(validator.validate(command(SubscribeQuotes.newBuilder()
                .setInstrument(instrument("X".repeat(1_000_000), "STK", "USD")).build()))).isPresent();
        assertThat(validator.validate(Command.newBuilder(order(OrderType.MKT, "1", null, null)).setCommandId(" ").build()))
                .get().extracting(Rejection::message).asString().contains("commandId");
    }

    @Test
    void noControlCharacterReachesTheWireInAnyTextField() {
        // A NUL ends a TWS field: inside any of these it would shift the fields of the placeOrder after it.
        String nul = "\u0000";
        assertThat(validator.validate(Command.newBuilder(order(OrderType.LMT, "1", 1.0, null)).setCommandId("ref" + nul + "1")
                .build())).get().extracting(Rejection::message).asString().contains("commandId must not contain control");
        for (UnaryOperator<Instrument.Builder> field : java.util.List.<UnaryOperator<Instrument.Builder>>of(
                i -> i.setLocalSymbol("AAPL" + nul + "100"), i -> i.setTradingClass("NMS" + nul),
                i -> i.setPrimaryExchange("NASDAQ" + nul), i -> i.setMultiplier("1" + nul), i -> i.setRight("C" + nul),
                i -> i.setLastTradeDateOrContractMonth("2027" + nul + "01"), i -> i.setExchange("SMART\n"))) {
            Instrument bad = field.apply(Instrument.newBuilder(instrument("AAPL", "STK", "USD"))).build();
            assertThat(validator.validate(withInstrument(bad))).as("%s", bad).get()
                    .extracting(Rejection::reasonCode).isEqualTo(ReasonCodes.VALIDATION_FAILED);
        }
        assertThat(validator.validate(withInstrument(Instrument.newBuilder(instrument("AAPL", "STK", "USD"))
                .setLocalSymbol("L".repeat(100_000)).build()))).get().extracting(Rejection::message).asString()
                .hasSizeLessThan(200);
        assertThat(validator.validate(command(RequestExecutions.newBuilder().setSymbol("AAPL" + nul).build()))).isPresent();
        assertThat(validator.validate(Command.newBuilder(order(OrderType.MKT, "1", null, null)).setIssuedBy("me\nthem")
                .build())).isPresent();
        assertThat(validator.validate(withInstrument(Instrument.newBuilder(instrument("AAPL", "STK", "USD"))
                .setLocalSymbol("AAPL").setTradingClass("NMS").setPrimaryExchange("NASDAQ").build()))).isEmpty();
    }

    @Test
    void aContractThatExpiredCannotBeTradedOrStreamedButCanBeUnsubscribed() {
        Instrument expired = future("20261201");
        assertThat(validator.validate(withInstrument(expired))).get().extracting(Rejection::message).asString()
                .contains("20261201 is in the past");
        assertThat(validator.validate(withInstrument(future("202611")))).isPresent();
        assertThat(validator.validate(command(SubscribeQuotes.newBuilder().setInstrument(expired).build()))).isPresent();
        assertThat(validator.validate(command(UnsubscribeQuotes.newBuilder().setInstrument(expired).build()))).isEmpty();
        // Yesterday (UTC) may still be today somewhere; this month and later are fine.
        assertThat(validator.validate(withInstrument(future("20261202")))).isEmpty();
        assertThat(validator.validate(withInstrument(future("202612")))).isEmpty();
        assertThat(validator.validate(withInstrument(future("20271217")))).isEmpty();
        for (String notADate : new String[] {"20261301", "20270230", "2026-12-18", "2027", "202712171"}) {
            assertThat(validator.validate(withInstrument(future(notADate)))).as(notADate).isPresent();
        }
    }

    @Test
    void anOrderIsNamedByExactlyOneOfItsNamesAndOrderIdsAreIbs() {
        assertThat(validator.validate(command(CancelOrder.newBuilder().setTargetCommandId("c").setOrderId(5L).build())))
                .get().extracting(Rejection::message).asString().contains("exactly one");
        assertThat(validator.validate(command(CancelOrder.newBuilder().build()))).isPresent();
        for (long id : new long[] {0, -1, 1L << 31, Long.MAX_VALUE}) {
            assertThat(validator.validate(command(CancelOrder.newBuilder().setOrderId(id).build()))).as("%d", id).isPresent();
        }
        assertThat(validator.validate(command(CancelOrder.newBuilder().setOrderId((long) Integer.MAX_VALUE).build()))).isEmpty();
        assertThat(validator.validate(command(CancelOrder.newBuilder().setTargetCommandId("t".repeat(201)).build())))
                .isPresent();
        assertThat(validator.validate(command(ModifyOrder.newBuilder().setTargetCommandId("x\ny").setLimitPrice(1.0)
                .build()))).isPresent();
        assertThat(validator.validate(command(CancelOrder.newBuilder().setTargetCommandId("c-0").build()))).isEmpty();
    }

    @Test
    void anExecutionsFilterOnASideThisBridgeDoesNotKnowIsRefusedNotWidened() {
        assertThat(validator.validate(command(RequestExecutions.newBuilder().setSide(OrderAction.UNKNOWN).build())))
                .isPresent();
        assertThat(validator.validate(command(RequestExecutions.newBuilder().setSide(OrderAction.SELL).build()))).isEmpty();
        assertThat(validator.validate(command(RequestPositions.newBuilder().build()))).isEmpty();
    }

    @Test
    void realTimeBarsAreOfTheFourKindsIbStreamsAndOfAnInstrumentAsQuotesAre() {
        for (WhatToShow kind : new WhatToShow[] {WhatToShow.TRADES, WhatToShow.MIDPOINT, WhatToShow.BID, WhatToShow.ASK}) {
            assertThat(validator.validate(subscribeBars(instrument("AAPL", "STK", "USD"), kind))).as("%s", kind).isEmpty();
            assertThat(validator.validate(unsubscribeBars(instrument("AAPL", "STK", "USD"), kind))).as("%s", kind)
                    .isEmpty();
        }
        for (WhatToShow kind : new WhatToShow[] {WhatToShow.BID_ASK, WhatToShow.ADJUSTED_LAST,
                WhatToShow.HISTORICAL_VOLATILITY, WhatToShow.OPTION_IMPLIED_VOLATILITY, WhatToShow.UNKNOWN}) {
            Rejection r = validator.validate(subscribeBars(instrument("AAPL", "STK", "USD"), kind)).orElseThrow();
            assertThat(r.reasonCode()).as("%s", kind).isEqualTo(ReasonCodes.VALIDATION_FAILED);
            assertThat(r.message()).isEqualTo("whatToShow must be one of [TRADES, MIDPOINT, BID, ASK] for real-time bars "
                    + "but was " + kind);
            assertThat(validator.validate(unsubscribeBars(instrument("AAPL", "STK", "USD"), kind))).as("%s", kind)
                    .isPresent();
        }
        assertThat(validator.validate(subscribeBars(instrument("", "XYZ", "usd"), WhatToShow.TRADES))).get()
                .extracting(Rejection::message).asString().contains("instrument.symbol").contains("instrument.secType")
                .contains("instrument.currency");
        Instrument expired = future("20261201");
        assertThat(validator.validate(subscribeBars(expired, WhatToShow.TRADES))).as("cannot be streamed").isPresent();
        assertThat(validator.validate(unsubscribeBars(expired, WhatToShow.TRADES))).as("can be stopped").isEmpty();
    }

    private static Command subscribeBars(Instrument instrument, WhatToShow kind) {
        return command(SubscribeBars.newBuilder().setInstrument(instrument).setWhatToShow(kind).build());
    }

    private static Command unsubscribeBars(Instrument instrument, WhatToShow kind) {
        return command(UnsubscribeBars.newBuilder().setInstrument(instrument).setWhatToShow(kind).build());
    }

    @Test
    void aQuantityOfAMillionDigitsIsRefusedWithoutBeingPrinted() {
        BigDecimal huge = new BigDecimal(BigInteger.TEN.pow(1_000_000), 10);
        Rejection r = validator.validate(command(PlaceOrder.newBuilder(placeOrder(order(OrderType.LMT, "1", 1.0, null)))
                .setQuantity(huge).build())).orElseThrow();
        assertThat(r.message()).contains("more than the 38 digits").hasSizeLessThan(200);
    }

    private static Instrument future(String expiry) {
        return Instrument.newBuilder().setSymbol("ES").setSecType("FUT").setExchange("CME").setCurrency("USD")
                .setLastTradeDateOrContractMonth(expiry).build();
    }

    @Test
    void anInstrumentMayBeGivenByItsConIdAloneButNotByNothing() {
        Instrument byConId = Instrument.newBuilder().setConId(265598L).build();
        assertThat(validator.validate(withInstrument(byConId))).isEmpty();
        assertThat(validator.validate(command(SubscribeQuotes.newBuilder().setInstrument(byConId).build()))).isEmpty();
        assertThat(validator.validate(bars(byConId, "1 D", BarSize.MIN_5))).isEmpty();
        // Without the conId the three fields are needed, and the refusal says the conId would do.
        assertThat(validator.validate(withInstrument(Instrument.newBuilder().build()))).get()
                .extracting(Rejection::message).asString().contains("instrument.symbol").contains("conId alone")
                .contains("instrument.secType").contains("instrument.currency");
        // Given alongside the conId, a field must still be well formed.
        assertThat(validator.validate(withInstrument(Instrument.newBuilder(byConId).setCurrency("usd").build())))
                .get().extracting(Rejection::message).asString().contains("instrument.currency");
    }

    @Test
    void aHistoricalRequestIsCheckedAgainstIbsStepTableBeforeAnythingIsSent() {
        assertThat(validator.validate(bars(instrument("AAPL", "STK", "USD"), "1 Y", BarSize.DAY_1))).isEmpty();
        Rejection r = validator.validate(bars(instrument("AAPL", "STK", "USD"), "1 Y", BarSize.MIN_5)).orElseThrow();
        assertThat(r.reasonCode()).isEqualTo(ReasonCodes.VALIDATION_FAILED);
        assertThat(r.message()).contains("step table").contains("1 day to 1 month");
        assertThat(validator.validate(bars(instrument("AAPL", "STK", "USD"), "1d", BarSize.DAY_1))).get()
                .extracting(Rejection::message).asString().contains("duration");
        // History of an expired future is still history.
        Instrument expired = Instrument.newBuilder(instrument("ES", "FUT", "USD")).setExchange("CME")
                .setLastTradeDateOrContractMonth("202409").build();
        assertThat(validator.validate(bars(expired, "1 M", BarSize.HOUR_1))).isEmpty();
    }

    @Test
    void aContractDescriptionNeedsSomethingToSearchByAndWellFormedFields() {
        assertThat(validator.validate(command(ResolveContract.newBuilder().setSymbol("AAPL").build()))).isEmpty();
        assertThat(validator.validate(command(ResolveContract.newBuilder().setConId(265598L).build()))).isEmpty();
        assertThat(validator.validate(command(ResolveContract.newBuilder().setSecType("STK").build()))).get()
                .extracting(Rejection::message).asString().contains("needs a symbol, a localSymbol or a conId");
        assertThat(validator.validate(command(ResolveContract.newBuilder().setSymbol("ES").setSecType("FUTURE")
                .setCurrency("us").setConId(-1L).setLastTradeDateOrContractMonth("Dec24").build()))).get()
                .extracting(Rejection::message).asString().contains("secType").contains("currency").contains("conId")
                .contains("lastTradeDateOrContractMonth");
    }

    private static Command bars(Instrument instrument, String duration, BarSize barSize) {
        return command(RequestHistoricalBars.newBuilder().setInstrument(instrument).setDuration(duration)
                .setBarSize(barSize).setWhatToShow(WhatToShow.TRADES).build());
    }

    private static Command withInstrument(Instrument instrument) {
        return command(PlaceOrder.newBuilder(placeOrder(order(OrderType.LMT, "1", 1.0, null))).setInstrument(instrument)
                .build());
    }

    private static PlaceOrder placeOrder(Command c) {
        return (PlaceOrder) c.getPayload();
    }

    private static Command order(OrderType type, String qty, Double limit, Double stop) {
        return command(PlaceOrder.newBuilder().setInstrument(instrument("AAPL", "STK", "USD")).setAction(OrderAction.BUY)
                .setQuantity(new BigDecimal(qty).setScale(10)).setOrderType(type).setLimitPrice(limit).setStopPrice(stop)
                .setTimeInForce(TimeInForce.DAY).setOutsideRth(false).build());
    }

    private static Command command(Object payload) {
        return Command.newBuilder().setCommandId("c-1").setIssuedAt(Instant.parse("2026-11-28T14:30:00Z"))
                .setPayload(payload).build();
    }

    private static Instrument instrument(String symbol, String secType, String currency) {
        return Instrument.newBuilder().setSymbol(symbol).setSecType(secType).setExchange("SMART").setCurrency(currency)
                .build();
    }
}
