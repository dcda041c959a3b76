package io.twsbridge.bridge.app;

import io.twsbridge.bridge.diagnostics.CrashPoints;
import io.twsbridge.schema.catalogue.Topic;
import io.twsbridge.sim.GatewaySimulator;
import io.twsbridge.sim.SimulatorConfig;
import io.twsbridge.testkit.BridgeProcess;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The bridge, as a separate process, is killed with SIGKILL at each point of the order path, then started
 * again: IB (the simulator) must have seen exactly one placeOrder for the command, and the order's fill must be
 * on ib.fills.
 */
class CrashIT extends WithKafkaStack {

    @ParameterizedTest(name = "SIGKILL {0}")
    @ValueSource(strings = {CrashPoints.AFTER_CONSUME, CrashPoints.AFTER_JOURNAL, CrashPoints.AFTER_PLACE_ORDER,
            CrashPoints.AFTER_ACK, CrashPoints.AFTER_RESULT})
    void oneOrderWhateverTheMomentOfTheCrash(String point) throws Exception {
        String prefix = "crash-" + point;
        String commandId = "order-" + point;
        try (GatewaySimulator sim = GatewaySimulator.start(SimulatorConfig.builder().ephemeralPorts().adminPort(-1).build());
             BridgeUnderTest client = new BridgeUnderTest(stack, sim, prefix, k -> k, g -> g)) {
            BridgeProcess first = BridgeProcessMain.start(stack, sim, prefix, point);
            try {
                first.await("BRIDGE-READY");
                client.registerCommandSchema();
                // Marketable: it fills at once at the Gateway.
                client.send(Commands.limitOrder(commandId, "DU111111", "AAPL", "3", 1000.0));
                first.await("CRASH-POINT " + point);
            } finally {
                first.kill();
            }

            BridgeProcess second = BridgeProcessMain.start(stack, sim, prefix, null);
            try {
                second.await("BRIDGE-READY");
                await().atMost(Duration.ofSeconds(30)).until(() -> client.values(Topic.COMMAND_RESULTS).stream()
                        .anyMatch(r -> r.get("commandId").toString().equals(commandId)));
                await().atMost(Duration.ofSeconds(30)).until(() -> client.values(Topic.FILLS).stream()
                        .anyMatch(f -> commandId.equals(String.valueOf(f.get("orderRef")))));
                assertThat(sim.state().placeOrderCountByOrderRef()).as("placeOrders per orderRef")
                        .containsEntry(commandId, 1).hasSize(1);
                assertThat(client.values(Topic.COMMAND_RESULTS)).filteredOn(r -> r.get("commandId").toString().equals(commandId))
                        .extracting(r -> r.get("status").toString()).isSubsetOf("ACCEPTED", "DUPLICATE", "COMPLETED");
            } finally {
                second.kill();
            }
        }
    }
}
