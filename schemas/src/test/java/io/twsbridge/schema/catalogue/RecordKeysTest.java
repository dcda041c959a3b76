package io.twsbridge.schema.catalogue;

import static org.assertj.core.api.Assertions.assertThat;

import io.twsbridge.schema.AccountValue;
import io.twsbridge.schema.Bar;
import io.twsbridge.schema.Command;
import io.twsbridge.schema.ContractDetails;
import io.twsbridge.schema.Instrument;
import io.twsbridge.schema.RequestPositions;
import io.twsbridge.schema.Samples;
import io.twsbridge.schema.support.Decimals;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RecordKeysTest {

    private static final Instant NOW = Instant.parse("2025-06-02T14:30:05Z");

    @Test
    void commandsAreKeyedByAccountWithAFallback() {
        Command.Builder command = Command.newBuilder()
                .setCommandId("c-1")
                .setIssuedAt(NOW)
                .setPayload(RequestPositions.newBuilder().build());

        assertThat(RecordKeys.command(command.setAccount("DU1234567").build())).isEqualTo("DU1234567");
        assertThat(RecordKeys.command(command.setAccount(null).build())).isEqualTo("_default");
        assertThat(RecordKeys.commandKey(" ")).isEqualTo(RecordKeys.NO_ACCOUNT_KEY);
    }

    @Test
    void accountValuesAreKeyedByAccountKeyAndCurrency() {
        AccountValue.Builder value = AccountValue.newBuilder()
                .setAccount("U1234567")
                .setKey("NetLiquidation")
                .setValue("125432.17")
                .setNumericValue(Decimals.exact("125432.17"))
                .setUpdatedAt(NOW);

        assertThat(RecordKeys.accountValue(value.setCurrency("USD").build())).isEqualTo("U1234567|NetLiquidation|USD");
        assertThat(RecordKeys.accountValue(value.setCurrency(null).build())).isEqualTo("U1234567|NetLiquidation|");
    }

    @Test
    void ordersAreKeyedByOrderRefThenPermIdThenClientAndOrderId() {
        assertThat(RecordKeys.orderKey("6f1c2a9e", 1876543210L, 17, 1042L)).isEqualTo("6f1c2a9e");
        assertThat(RecordKeys.orderKey(null, 1876543210L, 0, 0L)).isEqualTo("perm:1876543210");
        assertThat(RecordKeys.orderKey("", 0L, 17, 1042L)).isEqualTo("order:17:1042");
        assertThat(RecordKeys.orderKey(null, null, 17, 1042L)).isEqualTo("order:17:1042");
    }

    @Test
    void contractDetailsAreKeyedByConId() {
        ContractDetails details = Samples.fullContractDetails();

        assertThat(RecordKeys.contractDetails(details)).isEqualTo("784432166");
        assertThat(RecordKeys.contractDetails(details)).isEqualTo(RecordKeys.instrument(details.getInstrument()));
    }

    @Test
    void barsAreKeyedByInstrumentWhetherHistoricalOrRealTime() {
        Bar historical = Samples.fullBar();
        Bar realTime = Bar.newBuilder(historical).setCommandId(null).setIndex(null).setRealTimeBar(true).build();
        Bar described = Bar.newBuilder(historical)
                .setInstrument(Instrument.newBuilder().setSymbol("EUR").setSecType("CASH").setExchange("IDEALPRO")
                        .setCurrency("USD").build())
                .build();

        assertThat(RecordKeys.bar(historical)).isEqualTo("784432166").isEqualTo(RecordKeys.bar(realTime));
        assertThat(RecordKeys.bar(described)).isEqualTo("EUR|CASH|IDEALPRO|USD");
    }

    @Test
    void instrumentKeyIsTheConIdWhenKnown() {
        Instrument spy = Instrument.newBuilder()
                .setSymbol("SPY")
                .setSecType("STK")
                .setCurrency("USD")
                .setPrimaryExchange("ARCA")
                .setConId(756733L)
                .build();

        assertThat(RecordKeys.instrument(spy)).isEqualTo("756733");
    }

    @Test
    void instrumentKeyWithoutConIdSpellsTheContractOut() {
        Instrument.Builder stock = Instrument.newBuilder().setSymbol("AAPL").setSecType("STK").setCurrency("USD");
        Instrument option = Instrument.newBuilder()
                .setSymbol("AAPL")
                .setSecType("OPT")
                .setCurrency("USD")
                .setLastTradeDateOrContractMonth("20250620")
                .setStrike(182.5)
                .setRight("C")
                .setMultiplier("100")
                .build();
        Instrument future = Instrument.newBuilder()
                .setSymbol("ES")
                .setSecType("FUT")
                .setExchange("CME")
                .setCurrency("USD")
                .setLastTradeDateOrContractMonth("202512")
                .build();

        assertThat(RecordKeys.instrument(stock.build())).isEqualTo("AAPL|STK|SMART|USD");
        assertThat(RecordKeys.instrument(option)).isEqualTo("AAPL|OPT|SMART|USD|20250620|182.5|C|100");
        assertThat(RecordKeys.instrument(Instrument.newBuilder(option).setStrike(190.0).build()))
                .isEqualTo("AAPL|OPT|SMART|USD|20250620|190|C|100");
        assertThat(RecordKeys.instrument(future)).isEqualTo("ES|FUT|CME|USD|202512|||");
    }
}
