package io.twsbridge.bridge.app;

import io.twsbridge.bridge.orders.OrderSettings;
import io.twsbridge.schema.CancelOrder;
import io.twsbridge.schema.ModifyOrder;
import io.twsbridge.schema.catalogue.ReasonCodes;
import io.twsbridge.schema.catalogue.Topic;
import io.twsbridge.sim.GatewaySimulator;
import io.twsbridge.sim.SimulatorConfig;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * "What became of my command", answered on ib.command-results: an order command's ACCEPTED is followed by one final
 * result when the order ends, whether it filled, was cancelled, or was rejected by IB after IB had accepted it, and
 * also when it ended while the bridge was away. Results read back as any consumer reads them (plain Avro through the
 * registry), the orders driven by the simulator over a real socket.
 */
class OrderFinalResultsIT extends WithKafkaStack {

    private static final String ACCOUNT = "DU111111";
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static OrderSettings on() {
        return OrderSettings.builder().enabled(true).maxQuantity(new BigDecimal("100"))
                .maxNotional(new BigDecimal("50000")).build();
    }

    @Test
    void aFilledACancelledAndARejectedOrderEachGetTheirFinalResultAfterAccepted() throws Exception {
        try (GatewaySimulator sim = sim();
             BridgeUnderTest bridge = new BridgeUnderTest(stack, sim, "final", k -> k, g -> g, on()).start()) {
            bridge.awaitReady();
            // A marketable limit fills at once; the two at 1.0 rest until cancelled or rejected.
            bridge.send(Commands.limitOrder("fills", ACCOUNT, "AAPL", "2", 1000.0));
            bridge.send(Commands.limitOrder("gets-cancelled", ACCOUNT, "MSFT", "3", 1.0));
            bridge.send(Commands.limitOrder("gets-rejected", ACCOUNT, "AAPL", "1", 1.0));
            await().atMost(WAIT).until(() -> !results(bridge, "gets-cancelled").isEmpty()
                    && !results(bridge, "gets-rejected").isEmpty());
            assertThat(sim.state().openOrders()).isEqualTo(2);

            bridge.send(Commands.envelope("the-cancel").setAccount(ACCOUNT).setPayload(CancelOrder.newBuilder()
                    .setTargetCommandId("gets-cancelled").build()).build());
            sim.rejectWorkingOrder("gets-rejected", "exchange closed");

            // Asserted rather than polled for a condition, so that a wait that ends says what had come.
            await().atMost(WAIT).untilAsserted(() -> assertThat(List.of(statuses(bridge, "fills"),
                    statuses(bridge, "gets-cancelled"), statuses(bridge, "the-cancel"), statuses(bridge, "gets-rejected")))
                    .allSatisfy(s -> assertThat(s).hasSize(2)));

            for (String id : List.of("fills", "gets-cancelled", "the-cancel", "gets-rejected")) {
                GenericRecord end = finalOf(bridge, id);
                System.out.printf("OrderFinalResultsIT: %s %s -> %s %s orderStatus=%s filledQuantity=%s"
                                + " averageFillPrice=%s \"%s\"%n", end.get("commandType"), id, statuses(bridge, id),
                        end.get("reasonCode"), end.get("orderStatus"), end.get("filledQuantity") == null ? null
                                : decimal(end.get("filledQuantity")).stripTrailingZeros().toPlainString(),
                        end.get("averageFillPrice"), end.get("message"));
            }
            GenericRecord filled = finalOf(bridge, "fills");
            assertThat(statuses(bridge, "fills")).containsExactly("ACCEPTED", "COMPLETED");
            assertThat(filled.get("reasonCode").toString()).isEqualTo(ReasonCodes.ORDER_FILLED);
            assertThat(filled.get("orderStatus").toString()).isEqualTo("Filled");
            assertThat(decimal(filled.get("filledQuantity"))).isEqualByComparingTo("2");
            assertThat((Double) filled.get("averageFillPrice")).isPositive();
            assertThat(filled.get("commandType").toString()).isEqualTo("PlaceOrder");
            assertThat(filled.get("orderId")).isEqualTo(results(bridge, "fills").get(0).get("orderId"));

            GenericRecord cancelled = finalOf(bridge, "gets-cancelled");
            assertThat(statuses(bridge, "gets-cancelled")).containsExactly("ACCEPTED", "COMPLETED");
            assertThat(cancelled.get("reasonCode").toString()).isEqualTo(ReasonCodes.ORDER_CANCELLED);
            assertThat(cancelled.get("orderStatus").toString()).isEqualTo("Cancelled");
            assertThat(decimal(cancelled.get("filledQuantity"))).isEqualByComparingTo("0");
            GenericRecord cancel = finalOf(bridge, "the-cancel");
            assertThat(statuses(bridge, "the-cancel")).containsExactly("ACCEPTED", "COMPLETED");
            assertThat(cancel.get("reasonCode").toString()).isEqualTo(ReasonCodes.ORDER_CANCELLED);
            assertThat(cancel.get("commandType").toString()).isEqualTo("CancelOrder");
            assertThat(cancel.get("orderId")).isEqualTo(cancelled.get("orderId"));

            GenericRecord rejected = finalOf(bridge, "gets-rejected");
            assertThat(statuses(bridge, "gets-rejected")).containsExactly("ACCEPTED", "REJECTED");
            assertThat(rejected.get("reasonCode").toString()).isEqualTo("IB_ERROR_201");
            assertThat(rejected.get("ibErrorCode")).isEqualTo(201);
            assertThat(rejected.get("orderStatus").toString()).isEqualTo("Inactive");
            assertThat(rejected.get("message").toString()).contains("exchange closed");
        }
    }

    @Test
    void aCancelTooLateIsRefusedWithoutReachingIbAndAModificationIsCompletedWhenIbReportsTheNewTerms()
            throws Exception {
        try (GatewaySimulator sim = sim();
             BridgeUnderTest bridge = new BridgeUnderTest(stack, sim, "finalmod", k -> k, g -> g, on()).start()) {
            bridge.awaitReady();
            bridge.send(Commands.limitOrder("done-already", ACCOUNT, "AAPL", "1", 1000.0));
            bridge.send(Commands.limitOrder("to-modify", ACCOUNT, "MSFT", "1", 1.0));
            await().atMost(WAIT).until(() -> results(bridge, "done-already").size() == 2
                    && results(bridge, "to-modify").size() == 1);

            bridge.send(Commands.envelope("late-cancel").setAccount(ACCOUNT).setPayload(CancelOrder.newBuilder()
                    .setTargetCommandId("done-already").build()).build());
            bridge.send(Commands.envelope("the-modify").setAccount(ACCOUNT).setPayload(ModifyOrder.newBuilder()
                    .setTargetCommandId("to-modify").setLimitPrice(2.0).build()).build());
            await().atMost(WAIT).untilAsserted(() -> assertThat(List.of(statuses(bridge, "late-cancel"),
                    statuses(bridge, "the-modify"))).containsExactly(List.of("REJECTED"), List.of("ACCEPTED", "COMPLETED")));

            assertThat(statuses(bridge, "late-cancel")).containsExactly("REJECTED");
            assertThat(finalOf(bridge, "late-cancel").get("reasonCode").toString())
                    .isEqualTo(ReasonCodes.ORDER_NOT_WORKING);
            assertThat(finalOf(bridge, "late-cancel").get("message").toString()).contains("already ended (Filled)");
            assertThat(statuses(bridge, "the-modify")).containsExactly("ACCEPTED", "COMPLETED");
            assertThat(sim.state().openOrders()).isEqualTo(1);
            assertThat(statuses(bridge, "to-modify")).as("a modification does not end the order")
                    .containsExactly("ACCEPTED");
        }
    }

    @Test
    void anOrderThatEndedWhileTheBridgeWasAwayGetsItsFinalResultAtTheNextStartOnce() throws Exception {
        try (GatewaySimulator sim = sim()) {
            try (BridgeUnderTest bridge = new BridgeUnderTest(stack, sim, "finalaway", k -> k, g -> g, on()).start()) {
                bridge.awaitReady();
                bridge.send(Commands.limitOrder("ends-while-away", ACCOUNT, "AAPL", "1", 1.0));
                await().atMost(WAIT).until(() -> results(bridge, "ends-while-away").size() == 1);
            }
            sim.rejectWorkingOrder("ends-while-away", "risk check");

            try (BridgeUnderTest restarted = new BridgeUnderTest(stack, sim, "finalaway", k -> k, g -> g, on())
                    .start()) {
                restarted.awaitReady();
                await().atMost(WAIT).until(() -> results(restarted, "ends-while-away").size() == 2);
                GenericRecord end = finalOf(restarted, "ends-while-away");
                assertThat(end.get("status").toString()).isEqualTo("REJECTED");
                // The bridge did not hear IB's 201: the completed order's status is all it has to go by.
                assertThat(end.get("reasonCode").toString()).isEqualTo(ReasonCodes.ORDER_INACTIVE);
                assertThat(end.get("orderStatus").toString()).isEqualTo("Inactive");
                // Marked DONE in the journal: a further command read afterwards finds no second final result.
                restarted.send(Commands.positions("after-restart"));
                await().atMost(WAIT).until(() -> !results(restarted, "after-restart").isEmpty());
            }
            try (BridgeUnderTest third = new BridgeUnderTest(stack, sim, "finalaway", k -> k, g -> g, on()).start()) {
                third.awaitReady();
                third.send(Commands.positions("after-third-start"));
                await().atMost(WAIT).until(() -> !results(third, "after-third-start").isEmpty());
                assertThat(statuses(third, "ends-while-away")).containsExactly("ACCEPTED", "REJECTED");
            }
        }
    }

    private static GatewaySimulator sim() throws java.io.IOException {
        return GatewaySimulator.start(SimulatorConfig.builder().ephemeralPorts().adminPort(-1).tickRate(20).build());
    }

    private static List<GenericRecord> results(BridgeUnderTest bridge, String commandId) {
        return bridge.values(Topic.COMMAND_RESULTS).stream().filter(r -> r.get("commandId").toString().equals(commandId))
                .toList();
    }

    private static GenericRecord finalOf(BridgeUnderTest bridge, String commandId) {
        List<GenericRecord> all = results(bridge, commandId);
        return all.get(all.size() - 1);
    }

    private static List<String> statuses(BridgeUnderTest bridge, String commandId) {
        return results(bridge, commandId).stream().map(r -> r.get("status").toString()).toList();
    }

    /** A decimal(38,10) as plain Avro gives it: the unscaled value's bytes. */
    private static BigDecimal decimal(Object value) {
        ByteBuffer bytes = ((ByteBuffer) value).duplicate();
        byte[] unscaled = new byte[bytes.remaining()];
        bytes.get(unscaled);
        return new BigDecimal(new BigInteger(unscaled), 10);
    }
}
