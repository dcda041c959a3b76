package io.twsbridge.bridge.app;

import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.Contract;
import io.twsbridge.protocol.message.Order;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.schema.catalogue.Topic;
import io.twsbridge.sim.GatewaySimulator;
import io.twsbridge.sim.SimulatorConfig;
import io.twsbridge.sim.support.TwsTestClient;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The broker goes away for 20 s in the middle of a stream of fills: the bridge buffers and retries, and every
 * fill the Gateway reported is on ib.fills afterwards, each once.
 */
class BrokerOutageIT extends WithKafkaStack {

    private static final int FILLS = 30;

    @Test
    void everyFillSurvivesATwentySecondBrokerOutage() throws Exception {
        // The bridge is the Gateway's master client, so it hears the fills of another client's orders live.
        try (GatewaySimulator sim = GatewaySimulator.start(SimulatorConfig.builder().ephemeralPorts().adminPort(-1)
                .masterClientId(0).build());
             BridgeUnderTest bridge = new BridgeUnderTest(stack, sim, "outage", k -> k, g -> g).start();
             TwsTestClient trader = TwsTestClient.connect(sim.apiPort(), 5)) {
            bridge.awaitReady();
            trader.await(ServerMessage.NextValidId.class, Duration.ofSeconds(5));

            int orderId = 1;
            for (; orderId <= FILLS / 3; orderId++) {
                fill(trader, orderId);
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> bridge.values(Topic.FILLS).size() == FILLS / 3);

            stack.kafka().stop();
            long outageStart = System.nanoTime();
            for (; orderId <= 2 * FILLS / 3; orderId++) {
                fill(trader, orderId);
            }
            // Hold the outage for 20 s, fills arriving all along; then the broker comes back on the same port.
            await().pollInterval(Duration.ofMillis(500)).atMost(Duration.ofSeconds(25))
                    .until(() -> System.nanoTime() - outageStart >= Duration.ofSeconds(20).toNanos());
            assertThat(bridge.app.ready()).as("not ready while Kafka is unreachable").isFalse();
            stack.kafka().start();
            stack.kafka().awaitReady(Duration.ofSeconds(60));
            for (; orderId <= FILLS; orderId++) {
                fill(trader, orderId);
            }

            Set<String> produced = trader.received(ServerMessage.ExecDetails.class).stream()
                    .map(e -> e.execution().execId()).collect(Collectors.toSet());
            assertThat(produced).hasSize(FILLS);
            await().atMost(Duration.ofSeconds(60)).until(() -> bridge.values(Topic.FILLS).stream()
                    .map(r -> r.get("execId").toString()).collect(Collectors.toSet()).containsAll(produced));
            List<String> published = bridge.values(Topic.FILLS).stream().map(r -> r.get("execId").toString()).toList();
            assertThat(Set.copyOf(published)).as("every fill the Gateway reported, and nothing else")
                    .containsExactlyInAnyOrderElementsOf(produced);
            // A fill on its way when the broker stopped may be healed after it returns (the producer replaced and
            // the record sent again, docs/reliability.md): then it is on the topic twice, harmless by its execId.
            // A duplicate that no heal sent again would be the producer's own, and fails the test.
            long resent = bridge.app.publisher().recordsSentAgain();
            assertThat((long) (published.size() - produced.size()))
                    .as("fills on the topic twice, at most what heals sent again (%d records, %d heals): %s", resent,
                            bridge.app.publisher().heals(), published)
                    .isLessThanOrEqualTo(resent);
            assertThat(bridge.app.publisher().sendErrors()).isZero();
            await().atMost(Duration.ofSeconds(30)).until(() -> bridge.app.ready());
        }
    }

    private static void fill(TwsTestClient trader, int orderId) throws Exception {
        trader.send(new ClientMessage.PlaceOrder(orderId, Contract.stock("AAPL", "SMART", "USD"),
                Order.builder("BUY", BigDecimal.ONE, "MKT").orderRef("outage-" + orderId).build()));
        trader.await(ServerMessage.ExecDetails.class, e -> e.orderId() == orderId, Duration.ofSeconds(5));
    }
}
