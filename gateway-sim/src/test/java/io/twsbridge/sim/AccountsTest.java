package io.twsbridge.sim;

import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.Order;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.protocol.message.ServerMessage.AccountSummary;
import io.twsbridge.protocol.message.ServerMessage.ErrorMessage;
import io.twsbridge.protocol.message.ServerMessage.Position;
import io.twsbridge.sim.support.TwsTestClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** Positions and account data as a client sees them, and how fills move them. */
class AccountsTest extends SimulatorTestBase {

    private TwsTestClient c;

    @BeforeEach
    void connect() throws Exception {
        start(config().accounts(List.of("DU111111", "DU222222")).symbols(List.of("AAPL", "MSFT")));
        c = client(1);
    }

    @Test
    void positionsListEveryHoldingAndStreamFills() throws Exception {
        List<ServerMessage> positions = reply(c, new ClientMessage.ReqPositions(), ServerMessage.PositionEnd.class);

        assertThat(only(positions, Position.class))
                .extracting(Position::account, p -> p.contract().symbol(), p -> p.position().intValueExact())
                .containsExactly(tuple("DU111111", "AAPL", 100), tuple("DU222222", "MSFT", 200));

        c.send(place(1, "AAPL", market("BUY", 10, "more-aapl")));

        Position updated = c.await(Position.class,
                p -> p.account().equals("DU111111") && p.position().compareTo(new BigDecimal("110")) == 0, TIMEOUT);
        assertThat(updated.contract().symbol()).isEqualTo("AAPL");
        assertThat(updated.averageCost()).isPositive();
    }

    @Test
    void accountSummaryAnswersTheRequestedTagsPerAccount() throws Exception {
        List<ServerMessage> summary = reply(c, new ClientMessage.ReqAccountSummary(5, "All", "AccountType,NetLiquidation"),
                ServerMessage.AccountSummaryEnd.class);

        assertThat(only(summary, AccountSummary.class))
                .extracting(AccountSummary::reqId, AccountSummary::account, AccountSummary::tag, AccountSummary::currency)
                .containsExactly(
                        tuple(5, "DU111111", "AccountType", ""), tuple(5, "DU111111", "NetLiquidation", "USD"),
                        tuple(5, "DU222222", "AccountType", ""), tuple(5, "DU222222", "NetLiquidation", "USD"));
        assertThat(only(summary, AccountSummary.class)).filteredOn(s -> s.tag().equals("NetLiquidation"))
                .allSatisfy(s -> assertThat(new BigDecimal(s.value())).isPositive());
        assertThat(summary.get(summary.size() - 1)).isEqualTo(new ServerMessage.AccountSummaryEnd(5));
    }

    @Test
    void ledgerRowsCarryRealizedAndUnrealizedPnlAfterABuyAndAPartialSell() throws Exception {
        // No market-data subscription: the walk stands still, so the last price is the last fill's.
        Position start = only(reply(c, new ClientMessage.ReqPositions(), ServerMessage.PositionEnd.class),
                Position.class).stream().filter(p -> p.account().equals("DU111111")).findFirst().orElseThrow();
        assertThat(start.position()).isEqualByComparingTo("100");
        BigDecimal startCost = BigDecimal.valueOf(start.averageCost());

        c.send(place(1, "AAPL", market("BUY", 10, "buy-10")));
        BigDecimal bought = BigDecimal.valueOf(
                c.await(ServerMessage.ExecDetails.class, e -> e.orderId() == 1, TIMEOUT).execution().price());
        c.send(place(2, "AAPL", market("SELL", 30, "sell-30")));
        BigDecimal sold = BigDecimal.valueOf(
                c.await(ServerMessage.ExecDetails.class, e -> e.orderId() == 2, TIMEOUT).execution().price());
        assertThat(sold).as("the sell fills at the bid, the buy at the ask").isNotEqualByComparingTo(bought);

        // By hand: 110 shares at the weighted cost, 30 of them closed at the sell price, 80 left marked at it.
        BigDecimal cost = startCost.multiply(BigDecimal.valueOf(100)).add(bought.multiply(BigDecimal.TEN))
                .divide(BigDecimal.valueOf(110), 8, java.math.RoundingMode.HALF_EVEN);
        BigDecimal realized = sold.subtract(cost).multiply(BigDecimal.valueOf(30));
        BigDecimal unrealized = sold.subtract(cost).multiply(BigDecimal.valueOf(80));
        BigDecimal cash = new BigDecimal("1000000").subtract(bought.multiply(BigDecimal.TEN))
                .add(sold.multiply(BigDecimal.valueOf(30))).subtract(new BigDecimal("2.00")); // two 1.00 minimums
        BigDecimal net = cash.add(sold.multiply(BigDecimal.valueOf(80)));

        for (String entry : List.of("$LEDGER", "$LEDGER:ALL", "$LEDGER:USD")) {
            List<AccountSummary> rows = only(reply(c, new ClientMessage.ReqAccountSummary(7, "All", entry),
                    ServerMessage.AccountSummaryEnd.class), AccountSummary.class);
            assertThat(rows).as(entry).allSatisfy(r -> assertThat(r.currency()).isEqualTo("USD"))
                    .filteredOn(r -> r.account().equals("DU111111"))
                    .extracting(AccountSummary::tag, AccountSummary::value)
                    .containsExactly(
                            tuple("CashBalance", cents(cash)), tuple("TotalCashBalance", cents(cash)),
                            tuple("RealizedPnL", cents(realized)), tuple("UnrealizedPnL", cents(unrealized)),
                            tuple("NetLiquidationByCurrency", cents(net)), tuple("ExchangeRate", "1.00"));
            assertThat(rows).as(entry).filteredOn(r -> r.account().equals("DU222222"))
                    .extracting(AccountSummary::tag, AccountSummary::value)
                    .contains(tuple("RealizedPnL", "0.00"));
        }
        assertThat(only(reply(c, new ClientMessage.ReqAccountSummary(8, "All", "$LEDGER:EUR"),
                ServerMessage.AccountSummaryEnd.class), AccountSummary.class)).as("no EUR in the simulator").isEmpty();
    }

    private static String cents(BigDecimal value) {
        return value.setScale(2, java.math.RoundingMode.HALF_UP).toPlainString();
    }

    @Test
    void accountUpdatesSendValuesPortfolioTimeAndEnd() throws Exception {
        List<ServerMessage> updates = reply(c, new ClientMessage.ReqAccountUpdates(true, "DU222222"),
                ServerMessage.AccountDownloadEnd.class);

        assertThat(only(updates, ServerMessage.AccountValue.class))
                .allSatisfy(v -> assertThat(v.account()).isEqualTo("DU222222"))
                .extracting(ServerMessage.AccountValue::key).contains("AccountCode", "NetLiquidation");
        assertThat(only(updates, ServerMessage.PortfolioValue.class)).singleElement().satisfies(p -> {
            assertThat(p.contract().symbol()).isEqualTo("MSFT");
            assertThat(p.position()).isEqualByComparingTo("200");
        });
        assertThat(only(updates, ServerMessage.AccountUpdateTime.class)).singleElement()
                .satisfies(t -> assertThat(t.time()).matches("\\d{2}:\\d{2}"));
        assertThat(updates.get(updates.size() - 1)).isEqualTo(new ServerMessage.AccountDownloadEnd("DU222222"));
    }

    @Test
    void anUnknownAccountIsRefused() throws Exception {
        c.send(new ClientMessage.ReqAccountUpdates(true, "DU999999"));
        Order elsewhere = Order.builder("BUY", BigDecimal.ONE, "MKT").account("DU999999").build();
        c.send(place(1, "AAPL", elsewhere));

        assertThat(c.await(ErrorMessage.class, e -> e.id() == -1 && e.code() == 321, TIMEOUT).message())
                .contains("DU999999");
        assertThat(c.await(ErrorMessage.class, e -> e.id() == 1, TIMEOUT).code()).isEqualTo(201);
        assertThat(c.received(ServerMessage.AccountDownloadEnd.class)).isEmpty();
        assertThat(sim.state().executions()).isZero();
    }
}
