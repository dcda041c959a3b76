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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The bridge end to end against a real broker, a real registry and the simulator over sockets: commands in,
 * events out, every record readable by a consumer that knows nothing of the bridge.
 */
class EndToEndIT extends WithKafkaStack {


    @Test
    void commandsInEventsOutEveryTopicDecodesWithPlainAvro() throws Exception {
        try (GatewaySimulator sim = GatewaySimulator.start(SimulatorConfig.builder().ephemeralPorts().adminPort(-1)
                .tickRate(20).masterClientId(0).build());
             TwsTestClient trader = TwsTestClient.connect(sim.apiPort(), 5)) {
            // Another API client trades: a resting order (the bridge sees it at its sync) and a filled one.
            trader.await(ServerMessage.NextValidId.class, Duration.ofSeconds(5));
            trader.send(new ClientMessage.PlaceOrder(1, Contract.stock("MSFT", "SMART", "USD"),
                    Order.builder("BUY", new BigDecimal("3"), "LMT").lmtPrice(1.0).orderRef("resting-1").build()));
            trader.send(new ClientMessage.PlaceOrder(2, Contract.stock("AAPL", "SMART", "USD"),
                    Order.builder("BUY", new BigDecimal("7"), "MKT").orderRef("filled-1").build()));
            trader.await(ServerMessage.OrderStatus.class, s -> s.orderId() == 2 && s.status().equals("Filled"),
                    Duration.ofSeconds(5));

            try (BridgeUnderTest bridge = new BridgeUnderTest(stack, sim, "e2e", k -> k, g -> g).start()) {
                bridge.awaitReady();

                bridge.send(Commands.subscribe("c-sub-aapl", "AAPL"));
                bridge.send(Commands.accountSnapshot("c-acct"));
                bridge.send(Commands.positions("c-pos"));
                bridge.send(Commands.executions("c-exec"));
                bridge.send(Commands.subscribe("c-sub-nope", "NOPE"));

                await().atMost(Duration.ofSeconds(30)).until(() -> bridge.values(Topic.COMMAND_RESULTS).size() >= 5);
                await().atMost(Duration.ofSeconds(30)).until(() -> bridge.values(Topic.QUOTES).size() >= 5);

                // Exactly one result per command.
                List<GenericRecord> results = bridge.values(Topic.COMMAND_RESULTS);
                Map<String, Long> perCommand = results.stream().collect(Collectors.groupingBy(
                        r -> r.get("commandId").toString(), Collectors.counting()));
                assertThat(perCommand).containsOnlyKeys("c-sub-aapl", "c-acct", "c-pos", "c-exec", "c-sub-nope")
                        .allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
                assertThat(results).allSatisfy(r -> assertThat(r.get("status").toString()).isEqualTo("COMPLETED"));

                // Quotes for the subscription, with bid and ask, in sequence.
                List<GenericRecord> quotes = bridge.values(Topic.QUOTES);
                assertThat(quotes).allSatisfy(q -> assertThat(((GenericRecord) q.get("instrument")).get("symbol").toString())
                        .isEqualTo("AAPL"));
                assertThat(quotes.get(quotes.size() - 1).get("bid")).isNotNull();
                assertThat(quotes.stream().map(q -> (Long) q.get("sequence")).toList()).isSorted();

                // Account values and positions after READY, the fill of the other client, its orders.
                assertThat(bridge.values(Topic.ACCOUNTS)).extracting(r -> r.get("key").toString())
                        .contains("NetLiquidation", "TotalCashValue");
                assertThat(bridge.values(Topic.POSITIONS)).extracting(r -> ((GenericRecord) r.get("instrument")).get("symbol").toString())
                        .contains("AAPL", "MSFT");
                assertThat(bridge.values(Topic.FILLS)).extracting(r -> r.get("orderRef").toString()).containsExactly("filled-1");
                assertThat(bridge.values(Topic.ORDERS)).extracting(r -> r.get("orderRef") == null ? "" : r.get("orderRef").toString())
                        .contains("resting-1");
                assertThat(bridge.values(Topic.STATUS)).extracting(r -> r.get("sessionState").toString()).contains("READY");

                // The NOPE subscription is accepted as desired; IB (the simulator) refuses the contract itself.
                Set<String> topicsWithRecords = Set.of(Topic.values()).stream()
                        .filter(t -> t != Topic.COMMANDS && t != Topic.COMMANDS_DLQ && !bridge.values(t).isEmpty())
                        .map(Topic::defaultName).collect(Collectors.toSet());
                assertThat(topicsWithRecords).containsExactlyInAnyOrder("ib.command-results", "ib.accounts",
                        "ib.positions", "ib.orders", "ib.fills", "ib.quotes", "ib.status");
            }
        }
    }
}
