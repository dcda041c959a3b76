package io.twsbridge.bridge.events;

import io.twsbridge.bridge.time.ManualEventLoop;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.schema.AccountValue;
import io.twsbridge.schema.Position;
import io.twsbridge.schema.catalogue.Topic;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Account values and positions: keys, exact decimals at scale 10, and text values kept as text. */
class AccountAndPositionEventsTest {

    private final ManualEventLoop loop = new ManualEventLoop();
    private final Instant start = loop.clock().instant();
    private final RecordingSink sink = new RecordingSink();
    private final EventMapper mapper =
            new EventMapper(sink, new FakeSession(), loop, EventMapperConfig.defaults("bridge-a"));

    @Test
    void theInitialAccountSummaryBecomesAccountValuesKeyedAccountKeyCurrency() {
        // As the simulator answers the session's reqAccountSummary (Broker.sendAccountSummary).
        mapper.onMessage(new ServerMessage.AccountSummary(2, Ib.ACCOUNT, "AccountType", "INDIVIDUAL", ""));
        mapper.onMessage(new ServerMessage.AccountSummary(2, Ib.ACCOUNT, "NetLiquidation", "1000012.35", "USD"));
        mapper.onMessage(new ServerMessage.AccountSummary(2, Ib.ACCOUNT, "Cushion", "0.987654", ""));
        mapper.onMessage(new ServerMessage.AccountSummaryEnd(2));

        assertThat(sink.keys(Topic.ACCOUNTS)).containsExactly(Ib.ACCOUNT + "|AccountType|",
                Ib.ACCOUNT + "|NetLiquidation|USD", Ib.ACCOUNT + "|Cushion|");
        List<AccountValue> values = sink.values(Topic.ACCOUNTS, AccountValue.class);

        AccountValue type = values.get(0);
        assertThat(type.getValue()).isEqualTo("INDIVIDUAL");
        assertThat(type.getNumericValue()).as("text only").isNull();
        assertThat(type.getCurrency()).isNull();

        AccountValue netLiq = values.get(1);
        assertThat(netLiq.getAccount()).isEqualTo(Ib.ACCOUNT);
        assertThat(netLiq.getKey()).isEqualTo("NetLiquidation");
        assertThat(netLiq.getValue()).as("exactly as IB sent it").isEqualTo("1000012.35");
        assertThat(netLiq.getCurrency()).isEqualTo("USD");
        assertThat(netLiq.getNumericValue()).isEqualTo(new BigDecimal("1000012.3500000000"));
        assertThat(netLiq.getUpdatedAt()).isEqualTo(start);

        assertThat(values.get(2).getNumericValue()).isEqualTo(new BigDecimal("0.9876540000"));
    }

    @Test
    void updateAccountValueMapsTheSameWayAndOddNumbersStaySafe() {
        mapper.onMessage(new ServerMessage.AccountValue("TotalCashValue", "-250.5", "BASE", Ib.ACCOUNT));
        mapper.onMessage(new ServerMessage.AccountValue("AccruedCash", "0.123456789012345", "USD", Ib.ACCOUNT));
        mapper.onMessage(new ServerMessage.AccountValue("Leverage", "1.7976931348623157E308", "", Ib.ACCOUNT));
        mapper.onMessage(new ServerMessage.AccountValue("Tiny", "1E-999999999", "", Ib.ACCOUNT));
        mapper.onMessage(new ServerMessage.AccountValue("AccountCode", Ib.ACCOUNT, "", Ib.ACCOUNT));

        assertThat(sink.keys(Topic.ACCOUNTS)).containsExactly(Ib.ACCOUNT + "|TotalCashValue|BASE",
                Ib.ACCOUNT + "|AccruedCash|USD", Ib.ACCOUNT + "|Leverage|", Ib.ACCOUNT + "|Tiny|",
                Ib.ACCOUNT + "|AccountCode|");
        assertThat(sink.values(Topic.ACCOUNTS, AccountValue.class)).extracting(AccountValue::getNumericValue)
                .containsExactly(new BigDecimal("-250.5000000000"),
                        new BigDecimal("0.1234567890"),   // rounded half-even, as the schema says
                        null,                             // IB's unset marker: 309 digits, no decimal(38,10)
                        new BigDecimal("0E-10"),
                        null);
    }

    @Test
    void positionsAreKeyedAccountConIdWithExactQuantities() {
        mapper.onMessage(new ServerMessage.Position(Ib.ACCOUNT, Ib.AAPL, new BigDecimal("12.5"), 185.123456789));
        mapper.onMessage(new ServerMessage.Position(Ib.ACCOUNT, Ib.MSFT, new BigDecimal("-3"), 0.1));
        mapper.onMessage(new ServerMessage.PositionEnd());

        assertThat(sink.keys(Topic.POSITIONS)).containsExactly(Ib.ACCOUNT + "|265598", Ib.ACCOUNT + "|272093");
        List<Position> positions = sink.values(Topic.POSITIONS, Position.class);
        Position aapl = positions.get(0);
        assertThat(aapl.getAccount()).isEqualTo(Ib.ACCOUNT);
        assertThat(aapl.getInstrument().getConId()).isEqualTo(265598L);
        assertThat(aapl.getQuantity()).isEqualTo(new BigDecimal("12.5000000000"));
        assertThat(aapl.getAverageCost()).isEqualTo(new BigDecimal("185.1234567890"));
        assertThat(aapl.getMarketValue()).isNull();
        assertThat(aapl.getUpdatedAt()).isEqualTo(start);
        assertThat(positions.get(1).getQuantity()).isEqualTo(new BigDecimal("-3.0000000000"));
        assertThat(positions.get(1).getAverageCost()).as("0.1 as written, not its binary approximation")
                .isEqualTo(new BigDecimal("0.1000000000"));
    }

    @Test
    void aPositionKeepsTheMarketFieldsOfUpdatePortfolioOnlyWhileItsQuantityIsUnchanged() {
        mapper.onMessage(new ServerMessage.PortfolioValue(Ib.AAPL, new BigDecimal("100"), 190.25, 19025.0, 185.5,
                475.0, Double.MAX_VALUE, Ib.ACCOUNT));
        mapper.onMessage(new ServerMessage.Position(Ib.ACCOUNT, Ib.AAPL, new BigDecimal("100"), 185.5));
        mapper.onMessage(new ServerMessage.Position(Ib.ACCOUNT, Ib.AAPL, new BigDecimal("150"), 186.0));

        List<Position> positions = sink.values(Topic.POSITIONS, Position.class);
        Position portfolio = positions.get(0);
        assertThat(portfolio.getMarketPrice()).isEqualTo(190.25);
        assertThat(portfolio.getMarketValue()).isEqualTo(new BigDecimal("19025.0000000000"));
        assertThat(portfolio.getUnrealizedPnl()).isEqualTo(new BigDecimal("475.0000000000"));
        assertThat(portfolio.getRealizedPnl()).as("IB's unset marker").isNull();

        Position sameQuantity = positions.get(1);
        assertThat(sameQuantity.getMarketPrice()).isEqualTo(190.25);
        assertThat(sameQuantity.getMarketValue()).isEqualTo(new BigDecimal("19025.0000000000"));

        Position newQuantity = positions.get(2);
        assertThat(newQuantity.getQuantity()).isEqualTo(new BigDecimal("150.0000000000"));
        assertThat(newQuantity.getMarketPrice()).as("no longer true for 150").isNull();
        assertThat(newQuantity.getMarketValue()).isNull();
        assertThat(newQuantity.getUnrealizedPnl()).isNull();
    }
}
