package io.twsbridge.bridge.app;

import io.twsbridge.bridge.orders.OrderSettings;
import io.twsbridge.bridge.testing.LogCapture;
import io.twsbridge.bridge.testing.ProduceFaultProxy;
import io.twsbridge.embedded.EmbeddedKafkaConfig;
import io.twsbridge.schema.catalogue.Topic;
import io.twsbridge.sim.GatewaySimulator;
import io.twsbridge.sim.SimulatorConfig;
import io.twsbridge.testkit.KafkaStack;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole bridge through Kafka's idempotent-producer race (KAFKA-15591), provoked by a proxy in front of the
 * broker: produce requests of the bridge's producer are refused with NOT_LEADER_OR_FOLLOWER while the next one is
 * appended, at start-up and again while orders flow. The publisher names each stuck partition and heals it
 * within the bound; every command gets its result, every fill and order update arrives, and no order reaches the
 * Gateway twice.
 */
class StuckPartitionHealIT {

    private static final Duration STUCK_AFTER = Duration.ofSeconds(3);
    private static final String ACCOUNT = "DU111111";
    private static final int ORDERS = 12;

    /** Between the clients and the broker: clients bootstrap at the broker, then every connection goes through it. */
    private static ProduceFaultProxy proxy;
    private static KafkaStack stack;

    @BeforeAll
    static void startStackBehindProxy() throws Exception {
        int brokerPort = ProduceFaultProxy.freePort();
        proxy = ProduceFaultProxy.start(0, brokerPort);
        stack = KafkaStack.builder().broker(EmbeddedKafkaConfig.builder().brokerPort(brokerPort)
                .advertisedPort(proxy.port()).build()).start();
    }

    @AfterAll
    static void stopStack() throws Exception {
        try {
            if (stack != null) {
                stack.close();
            }
        } finally {
            proxy.close();
        }
    }

    @Test
    void partitionsThatStickAreHealedWithinTheBoundAndNoOrderIsPlacedTwice() throws Exception {
        OrderSettings orders = OrderSettings.builder().enabled(true).maxQuantity(new BigDecimal("100"))
                .maxNotional(new BigDecimal("1000000")).build();
        try (LogCapture log = LogCapture.capture();
             GatewaySimulator sim = GatewaySimulator.start(SimulatorConfig.builder().ephemeralPorts().adminPort(-1)
                     .tickRate(20).build());
             BridgeUnderTest bridge = new BridgeUnderTest(stack, sim, "heal", k -> k.stuckPartitionTimeout(STUCK_AFTER),
                     g -> g, orders)) {
            String producer = bridge.settings.bridgeId() + "-producer";
            // The bridge's very first writes (status, accounts, positions at the sync) meet the race: refusals a
            // request apart until one was raced by a later batch to the same, still new, partition.
            proxy.refuseUntilRaced(producer, 1, 6);
            long started = System.nanoTime();
            bridge.start();
            bridge.awaitReady();
            // No refusal after this: the orders meet a partition stuck by the start-up race, not a race of their own.
            await().atMost(Duration.ofSeconds(30)).until(proxy::disarmed);
            long healsWhenOrdersBegan = bridge.app.publisher().heals();
            List<String> stuckWhenOrdersBegan = bridge.app.publisher().stuckPartitions();
            for (int i = 0; i < ORDERS; i++) {
                // Marketable: each fills at once, so order updates, fills and results flow with the orders.
                bridge.send(Commands.limitOrder("heal-" + i, ACCOUNT, "AAPL", "1", 1000.0));
            }
            // Every order's first result (the final ones, once they fill, come on top).
            await().atMost(Duration.ofSeconds(60)).until(() -> bridge.values(Topic.COMMAND_RESULTS).stream()
                    .filter(r -> r.get("status").toString().equals("ACCEPTED")).count() >= ORDERS);
            long allAnsweredMs = (System.nanoTime() - started) / 1_000_000;
            // Settled once the stuck partition was healed and nothing waits: the race may strike a record sent
            // just before the orders finished, which is not stuck yet, so "nothing stuck now" alone could be read
            // before the watchdog has had the bound to see it.
            await().atMost(Duration.ofSeconds(30)).until(() -> bridge.app.publisher().heals() >= 1
                    && bridge.app.publisher().stuckPartitions().isEmpty()
                    && bridge.app.publisher().oldestUnacknowledgedSeconds() < 1);

            Map<String, Integer> placed = new TreeMap<>(sim.state().placeOrderCountByOrderRef());
            Map<String, List<String>> statuses = bridge.values(Topic.COMMAND_RESULTS).stream().collect(
                    Collectors.groupingBy(r -> r.get("commandId").toString(), TreeMap::new,
                            Collectors.mapping(r -> r.get("status").toString(), Collectors.toList())));
            Set<String> filled = bridge.values(Topic.FILLS).stream().map(f -> String.valueOf(f.get("orderRef")))
                    .collect(Collectors.toSet());
            List<String> healLines = log.lines().stream().filter(l -> l.contains("stuck partition(s) while Kafka answers")
                    || l.contains("healed stuck partition(s)")).toList();
            System.out.printf("stuck-partition heal IT: %d produce requests refused (%d of them raced by a later batch "
                            + "to the same partition), %d heal(s) (%d when the orders "
                            + "began, stuck then: %s), %d record(s) sent again, all %d commands answered %d ms after "
                            + "start; placeOrder per orderRef %s; last heal: %s%n", proxy.refused(),
                    proxy.racesStruck(),
                    bridge.app.publisher().heals(), healsWhenOrdersBegan, stuckWhenOrdersBegan,
                    bridge.app.publisher().recordsSentAgain(), ORDERS, allAnsweredMs, placed,
                    bridge.app.publisher().lastHeal());
            healLines.forEach(l -> System.out.println("  " + l));

            assertThat(healsWhenOrdersBegan).as("the orders began before the heal, while a partition was stuck")
                    .isZero();
            assertThat(proxy.racesStruck()).as("refusals released by a later batch to the same partition")
                    .isPositive();
            assertThat(bridge.app.publisher().heals()).as("heals (the race struck)").isGreaterThanOrEqualTo(1);
            assertThat(healLines).anyMatch(l -> l.contains("stuck partition(s) while Kafka answers: heal."));
            for (int i = 0; i < ORDERS; i++) {
                String ref = "heal-" + i;
                assertThat(placed).as("placeOrder messages for " + ref).containsEntry(ref, 1);
                // ACCEPTED, then the final result once the fill is in (it may still be on its way).
                assertThat(statuses.get(ref)).as("results of " + ref).startsWith("ACCEPTED").doesNotHaveDuplicates()
                        .isSubsetOf("ACCEPTED", "COMPLETED");
                assertThat(filled).as("fills").contains(ref);
            }
            assertThat(bridge.app.publisher().sendErrors()).isZero();
            List<GenericRecord> updates = bridge.values(Topic.ORDERS);
            assertThat(updates.stream().map(u -> String.valueOf(u.get("orderRef"))).collect(Collectors.toSet()))
                    .as("order updates").containsAll(placed.keySet());
        }
    }
}
