package io.twsbridge.bridge.cli;

import io.twsbridge.schema.Command;
import io.twsbridge.schema.Instrument;
import io.twsbridge.schema.OrderAction;
import io.twsbridge.schema.OrderType;
import io.twsbridge.schema.PlaceOrder;
import io.twsbridge.schema.RequestPositions;
import io.twsbridge.schema.TimeInForce;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code resend --set PATH=VALUE} on a decoded command: fields by their schema names, values by their types. */
class CommandEditsTest {

    private static final Clock NOW = Clock.fixed(Instant.parse("2026-12-07T12:00:00Z"), ZoneOffset.UTC);

    private static Command order() {
        return Command.newBuilder().setCommandId("c-1").setIssuedAt(Instant.parse("2026-12-07T11:59:00Z"))
                .setExpiresAt(Instant.parse("2026-12-07T11:59:30Z")).setAccount("DU111111")
                .setPayload(PlaceOrder.newBuilder()
                        .setInstrument(Instrument.newBuilder().setSymbol("AAPL").setSecType("STK")
                                .setExchange("SMART").setCurrency("USD").build())
                        .setAction(OrderAction.BUY).setQuantity(new BigDecimal("0").setScale(10))
                        .setOrderType(OrderType.LMT).setLimitPrice(101.5).setTimeInForce(TimeInForce.DAY)
                        .setOutsideRth(false).build())
                .build();
    }

    private static Command apply(Command c, String... sets) {
        return CommandEdits.apply(c, Arrays.stream(sets).map(CommandEdits.Assignment::parse).toList(), NOW);
    }

    @Test
    void fixesFieldsOfTheEnvelopeThePayloadAndRecordsInsideIt() {
        Command original = order();
        Command fixed = apply(original, "payload.quantity=10", "payload.instrument.symbol=MSFT",
                "payload.action=SELL", "payload.limitPrice=99.25", "payload.outsideRth=true", "expiresAt=+15m",
                "account=DU222222", "issuedBy=ops: fixed quantity=10");
        PlaceOrder p = (PlaceOrder) fixed.getPayload();
        assertThat(p.getQuantity()).isEqualTo(new BigDecimal("10.0000000000"));
        assertThat(p.getInstrument().getSymbol()).isEqualTo("MSFT");
        assertThat(p.getAction()).isEqualTo(OrderAction.SELL);
        assertThat(p.getLimitPrice()).isEqualTo(99.25);
        assertThat(p.getOutsideRth()).isTrue();
        assertThat(fixed.getExpiresAt()).isEqualTo(Instant.parse("2026-12-07T12:15:00Z"));
        assertThat(fixed.getAccount()).isEqualTo("DU222222");
        assertThat(fixed.getIssuedBy()).as("only the first '=' splits").isEqualTo("ops: fixed quantity=10");
        PlaceOrder untouched = (PlaceOrder) original.getPayload();
        assertThat(untouched.getQuantity()).as("the command given is not changed").isEqualByComparingTo("0");
        assertThat(untouched.getInstrument().getSymbol()).isEqualTo("AAPL");
        assertThat(original.getAccount()).isEqualTo("DU111111");
    }

    @Test
    void nullClearsAFieldThatMayBeNullAndTimesTakeEveryForm() {
        Command fixed = apply(order(), "expiresAt=null", "payload.limitPrice=null", "issuedAt=2026-12-07T11:58Z");
        assertThat(fixed.getExpiresAt()).isNull();
        assertThat(((PlaceOrder) fixed.getPayload()).getLimitPrice()).isNull();
        assertThat(fixed.getIssuedAt()).isEqualTo(Instant.parse("2026-12-07T11:58:00Z"));
        assertThat(apply(order(), "expiresAt=1796644800000").getExpiresAt())
                .isEqualTo(Instant.ofEpochMilli(1796644800000L));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "payload.qty=10              | no field 'qty' in PlaceOrder; its fields: instrument, action, quantity",
            "payload.quantity=ten        | 'ten' is not a decimal",
            "payload.quantity=1.00000000001 | has more than 10 digits after the point",
            "payload.quantity=1e40       | has more than 28 digits before the point",
            "payload.action=HOLD         | 'HOLD' is not one of [BUY, SELL, UNKNOWN]",
            "payload.outsideRth=yes      | 'yes' is not true or false",
            "payload.limitPrice=cheap    | 'cheap' is not a number",
            "expiresAt=soon              | 'soon' is not a time",
            "commandId.x=1               | commandId is not a record but of type string",
            "payload=x                   | the field is one of SubscribeQuotes, UnsubscribeQuotes, PlaceOrder",
            "payload.instrument=AAPL     | the field is a record (Instrument); set the fields inside it",
            "issuedAt=null               | 'null' is not a time",
            "nothing=1                   | no field 'nothing' in Command; its fields: commandId, issuedAt"})
    void aWrongPathOrValueIsRefusedNamingIt(String set, String why) {
        assertThatThrownBy(() -> apply(order(), set)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--set " + set + ": ").hasMessageContaining(why);
    }

    @Test
    void aPathThroughANullOrIntoAnEmptyPayloadIsRefused() {
        Command positions = Command.newBuilder().setCommandId("c-2").setIssuedAt(NOW.instant())
                .setPayload(RequestPositions.newBuilder().build()).build();
        assertThatThrownBy(() -> apply(positions, "payload.quantity=1")).hasMessageContaining(
                "no field 'quantity' in RequestPositions");
        Command noAccount = Command.newBuilder(positions).setAccount(null).build();
        assertThatThrownBy(() -> apply(noAccount, "account.x=1")).hasMessageContaining("account is null");
    }

    @Test
    void anAssignmentNeedsAnEqualsSignAndAPath() {
        for (String bad : List.of("payload.quantity", "=10", "")) {
            assertThatThrownBy(() -> CommandEdits.Assignment.parse(bad))
                    .hasMessage("--set takes PATH=VALUE (payload.quantity=10) but was '" + bad + "'");
        }
        assertThat(CommandEdits.Assignment.parse("account=")).isEqualTo(new CommandEdits.Assignment("account", ""));
    }
}
