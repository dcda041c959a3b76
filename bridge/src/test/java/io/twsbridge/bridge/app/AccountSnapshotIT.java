package io.twsbridge.bridge.app;

import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.Contract;
import io.twsbridge.protocol.message.Order;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.schema.catalogue.Topic;
import io.twsbridge.sim.GatewaySimulator;
import io.twsbridge.sim.SimulatorConfig;
import io.twsbridge.sim.support.TwsTestClient;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * RequestAccountSnapshot as a risk process uses it: once its COMPLETED result is there, ib.accounts already holds
 * every value of the snapshot, the per-currency ledger rows (realized and unrealized P&amp;L) included.
 */
class AccountSnapshotIT extends WithKafkaStack {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String ACCOUNT = "DU111111";

    @Test
    void afterTheCompletedResultTheAccountsTopicHoldsTheRiskTagsAndThePnlPerCurrency() throws Exception {
        // No market data is subscribed, so the simulator's prices stand still: the last price is the last fill's.
        try (GatewaySimulator sim = GatewaySimulator.start(SimulatorConfig.builder().ephemeralPorts().adminPort(-1)
                .build());
             TwsTestClient trader = TwsTestClient.connect(sim.apiPort(), 5);
             BridgeUnderTest bridge = new BridgeUnderTest(stack, sim, "snapshot", k -> k, g -> g).start()) {
            trader.await(ServerMessage.NextValidId.class, Duration.ofSeconds(5));
            bridge.awaitReady();

            // After the bridge's sync, another client closes 40 of the account's 100 AAPL.
            trader.send(new ClientMessage.ReqPositions());
            ServerMessage.Position held = trader.await(ServerMessage.Position.class,
                    p -> p.account().equals(ACCOUNT) && p.contract().symbol().equals("AAPL"), Duration.ofSeconds(5));
            assertThat(held.position()).isEqualByComparingTo("100");
            trader.send(new ClientMessage.PlaceOrder(1, Contract.stock("AAPL", "SMART", "USD"),
                    Order.builder("SELL", new BigDecimal("40"), "MKT").account(ACCOUNT).orderRef("close-40").build()));
            BigDecimal sold = BigDecimal.valueOf(trader.await(ServerMessage.ExecDetails.class, e -> e.orderId() == 1,
                    Duration.ofSeconds(5)).execution().price());
            BigDecimal perShare = sold.subtract(BigDecimal.valueOf(held.averageCost()));
            String realized = cents(perShare.multiply(BigDecimal.valueOf(40)));
            String unrealized = cents(perShare.multiply(BigDecimal.valueOf(60)));
            assertThat(realized).as("the sale makes a profit or loss").isNotEqualTo("0.00");

            bridge.send(Commands.accountSnapshot("c-snapshot"));
            await().atMost(WAIT).until(() -> bridge.values(Topic.COMMAND_RESULTS).stream()
                    .anyMatch(r -> r.get("commandId").toString().equals("c-snapshot")));

            GenericRecord result = bridge.values(Topic.COMMAND_RESULTS).stream()
                    .filter(r -> r.get("commandId").toString().equals("c-snapshot")).reduce((a, b) -> b).orElseThrow();
            assertThat(result.get("status").toString()).isEqualTo("COMPLETED");
            // Read once, right after the result: no waiting for the rows.
            Map<String, String> latest = new LinkedHashMap<>();
            for (GenericRecord v : bridge.values(Topic.ACCOUNTS)) {
                latest.put(v.get("account") + "|" + v.get("key") + "|" + (v.get("currency") == null ? ""
                        : v.get("currency")), v.get("value").toString());
            }
            assertThat(latest).containsEntry(ACCOUNT + "|RealizedPnL|USD", realized)
                    .containsEntry(ACCOUNT + "|UnrealizedPnL|USD", unrealized)
                    .containsKeys(List.of("NetLiquidation", "TotalCashValue", "SettledCash", "BuyingPower",
                                    "AvailableFunds", "ExcessLiquidity", "GrossPositionValue", "CashBalance",
                                    "NetLiquidationByCurrency").stream()
                            .map(tag -> ACCOUNT + "|" + tag + "|USD").toArray(String[]::new));
        }
    }

    private static String cents(BigDecimal value) {
        return value.setScale(2, RoundingMode.HALF_UP).toPlainString();
    }
}
