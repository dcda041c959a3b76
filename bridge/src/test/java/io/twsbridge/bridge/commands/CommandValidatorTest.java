package io.twsbridge.bridge.commands;

import io.twsbridge.schema.Command;
import io.twsbridge.schema.Instrument;
import io.twsbridge.schema.OrderAction;
import io.twsbridge.schema.OrderType;
import io.twsbridge.schema.PlaceOrder;
import io.twsbridge.schema.SubscribeQuotes;
import io.twsbridge.schema.TimeInForce;
import io.twsbridge.schema.catalogue.ReasonCodes;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class CommandValidatorTest {

    private final CommandValidator validator = new CommandValidator();

    @Test
    void aValidOrderPasses() {
        assertThat(validator.validate(order(OrderType.LMT, "10", 189.5, null))).isEmpty();
        assertThat(validator.validate(order(OrderType.MKT, "0.5", null, null))).isEmpty();
        assertThat(validator.validate(order(OrderType.STP_LMT, "1", 190.0, 191.0))).isEmpty();
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
