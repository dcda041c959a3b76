package io.twsbridge.bridge.app;

import io.twsbridge.schema.catalogue.Topic;
import io.twsbridge.sim.GatewaySimulator;
import io.twsbridge.sim.SimulatorConfig;
import io.twsbridge.sim.SimulatorState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The desired subscriptions survive a bridge restart (from their compacted topic) and IB's "data lost" (1101). */
class SubscriptionRestoreIT extends WithKafkaStack {


    @Test
    void subscriptionsComeBackAfterABridgeRestartAndAfter1101() throws Exception {
        try (GatewaySimulator sim = GatewaySimulator.start(SimulatorConfig.builder().ephemeralPorts().adminPort(-1)
                .tickRate(20).build())) {
            try (BridgeUnderTest first = new BridgeUnderTest(stack, sim, "restore", k -> k, g -> g).start()) {
                first.awaitReady();
                first.send(Commands.subscribe("s-aapl", "AAPL"));
                first.send(Commands.subscribe("s-msft", "MSFT"));
                first.send(Commands.subscribe("s-ibm", "IBM")); // unknown to this simulator: desired, refused by IB
                first.send(Commands.unsubscribe("u-ibm", "IBM"));
                await().atMost(Duration.ofSeconds(20)).until(() -> symbols(sim).equals(List.of("AAPL", "MSFT")));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> sim.state().subscriptions().isEmpty());

            try (BridgeUnderTest second = new BridgeUnderTest(stack, sim, "restore", k -> k, g -> g).start()) {
                second.awaitReady();
                // No command was sent to the second bridge: the subscriptions came from the compacted topic.
                await().atMost(Duration.ofSeconds(10)).until(() -> symbols(sim).equals(List.of("AAPL", "MSFT")));
                int quotesBefore = second.values(Topic.QUOTES).size();
                await().atMost(Duration.ofSeconds(10)).until(() -> second.values(Topic.QUOTES).size() > quotesBefore);

                sim.connectivityLost();
                sim.connectivityRestored(true); // IB dropped every subscription
                await().atMost(Duration.ofSeconds(10)).until(() -> symbols(sim).equals(List.of("AAPL", "MSFT")));
                int afterRestore = second.values(Topic.QUOTES).size();
                await().atMost(Duration.ofSeconds(10)).until(() -> second.values(Topic.QUOTES).size() > afterRestore);
                assertThat(second.values(Topic.COMMAND_RESULTS)).extracting(r -> r.get("commandId").toString())
                        .containsExactlyInAnyOrder("s-aapl", "s-msft", "s-ibm", "u-ibm");
            }
        }
    }

    @Test
    void aSubscriptionBeyondTheLineLimitIsRejectedWithItsReason() throws Exception {
        try (GatewaySimulator sim = GatewaySimulator.start(SimulatorConfig.builder().ephemeralPorts().adminPort(-1).build());
             BridgeUnderTest bridge = new BridgeUnderTest(stack, sim, "lines", k -> k.marketDataLineLimit(1), g -> g)
                     .start()) {
            bridge.awaitReady();
            bridge.send(Commands.subscribe("l-aapl", "AAPL"));
            bridge.send(Commands.subscribe("l-msft", "MSFT"));
            bridge.send(Commands.subscribe("l-aapl-again", "AAPL")); // already desired: no new line needed
            await().atMost(Duration.ofSeconds(20)).until(() -> bridge.values(Topic.COMMAND_RESULTS).size() == 3);
            assertThat(bridge.values(Topic.COMMAND_RESULTS)).extracting(r -> r.get("commandId") + " " + r.get("status")
                    + " " + r.get("reasonCode")).containsExactlyInAnyOrder("l-aapl COMPLETED OK",
                    "l-msft REJECTED LINE_LIMIT_REACHED", "l-aapl-again COMPLETED OK");
            assertThat(symbols(sim)).containsExactly("AAPL");
        }
    }

    @Test
    void commandsWaitWhileTheGatewayIsAwayAndExpiredOnesAreNotExecuted() throws Exception {
        try (GatewaySimulator sim = GatewaySimulator.start(SimulatorConfig.builder().ephemeralPorts().adminPort(-1).build());
             BridgeUnderTest bridge = new BridgeUnderTest(stack, sim, "wait", k -> k, g -> g).start()) {
            bridge.awaitReady();
            sim.restart(Duration.ofSeconds(4));
            await().atMost(Duration.ofSeconds(5)).until(() -> !bridge.app.ready());

            bridge.send(Commands.envelope("w-expires").setExpiresAt(java.time.Instant.now().plusMillis(500))
                    .setPayload(io.twsbridge.schema.SubscribeQuotes.newBuilder().setInstrument(Commands.stock("MSFT")).build())
                    .build());
            bridge.send(Commands.subscribe("w-waits", "AAPL"));
            // Not READY: nothing is executed, nothing answered.
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                    .until(() -> bridge.values(Topic.COMMAND_RESULTS).isEmpty());
            // Held either way: paused, or (when the session dropped before the consumer saw its first READY) not
            // yet in the command group at all.
            assertThat(bridge.app.commands().paused() || !bridge.app.commands().joined())
                    .as("command consumption held").isTrue();

            bridge.awaitReady();
            await().atMost(Duration.ofSeconds(20)).until(() -> bridge.values(Topic.COMMAND_RESULTS).size() == 2);
            assertThat(bridge.values(Topic.COMMAND_RESULTS)).extracting(r -> r.get("commandId") + " " + r.get("status"))
                    .containsExactlyInAnyOrder("w-expires EXPIRED", "w-waits COMPLETED");
            await().atMost(Duration.ofSeconds(10)).until(() -> symbols(sim).equals(List.of("AAPL")));
        }
    }

    private static List<String> symbols(GatewaySimulator sim) {
        return sim.state().subscriptions().stream().map(SimulatorState.Subscription::symbol).sorted().toList();
    }
}
