package io.twsbridge.bridge.app;

import io.twsbridge.bridge.orders.OrderSettings;
import io.twsbridge.schema.catalogue.ReasonCodes;
import io.twsbridge.schema.catalogue.Topic;
import io.twsbridge.sim.GatewaySimulator;
import io.twsbridge.sim.SimulatorConfig;
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

/** Orders without duplicates: redelivery, guardrails, placement off, a link drop before the acknowledgement. */
class OrdersIT extends WithKafkaStack {

    private static final String ACCOUNT = "DU111111";

    private static OrderSettings on() {
        return OrderSettings.builder().enabled(true).maxQuantity(new BigDecimal("100"))
                .maxNotional(new BigDecimal("50000")).build();
    }

    @Test
    void theSameCommandDeliveredTwiceAndFiveTimesPlacesOneOrder() throws Exception {
        try (GatewaySimulator sim = sim();
             BridgeUnderTest bridge = new BridgeUnderTest(stack, sim, "dup", k -> k, g -> g, on()).start()) {
            bridge.awaitReady();
            for (int i = 0; i < 2; i++) {
                bridge.send(Commands.limitOrder("twice", ACCOUNT, "AAPL", "1", 1.0));
            }
            for (int i = 0; i < 5; i++) {
                // A marketable limit: it fills at once, and the notional check has a price without a quote.
                bridge.send(Commands.limitOrder("five-times", ACCOUNT, "AAPL", "2", 1000.0));
            }
            // 2 for "twice"; 5 for "five-times" plus its final result once it filled.
            await().atMost(Duration.ofSeconds(30)).until(() -> bridge.values(Topic.COMMAND_RESULTS).size() == 8);

            assertThat(sim.state().placeOrderCountByOrderRef()).containsOnly(Map.entry("twice", 1), Map.entry("five-times", 1));
            assertThat(statuses(bridge, "twice")).containsExactly("ACCEPTED", "DUPLICATE");
            assertThat(statuses(bridge, "five-times")).startsWith("ACCEPTED").containsExactlyInAnyOrder("ACCEPTED",
                    "COMPLETED", "DUPLICATE", "DUPLICATE", "DUPLICATE", "DUPLICATE");
            GenericRecord first = results(bridge, "five-times").get(0);
            assertThat(results(bridge, "five-times")).allSatisfy(r -> assertThat(r.get("orderId")).isEqualTo(first.get("orderId")));
            await().atMost(Duration.ofSeconds(20)).until(() -> bridge.values(Topic.FILLS).stream()
                    .anyMatch(f -> "five-times".equals(String.valueOf(f.get("orderRef")))));
        }
    }

    @Test
    void error103IsRetriedOnceUnderANewIdWithTheSameOrderRef() throws Exception {
        try (GatewaySimulator sim = sim();
             BridgeUnderTest bridge = new BridgeUnderTest(stack, sim, "dupid", k -> k, g -> g, on()).start()) {
            bridge.awaitReady();
            sim.faults().refuseNextPlaceOrderAsDuplicateId();
            bridge.send(Commands.limitOrder("id-clash", ACCOUNT, "AAPL", "1", 1.0));

            await().atMost(Duration.ofSeconds(30)).until(() -> bridge.values(Topic.COMMAND_RESULTS).size() == 1);
            GenericRecord result = bridge.values(Topic.COMMAND_RESULTS).get(0);
            assertThat(result.get("status").toString()).isEqualTo("ACCEPTED");
            // Two placeOrder messages for the orderRef (the refused one placed nothing), one order at IB.
            assertThat(sim.state().placeOrderCountByOrderRef()).containsOnly(Map.entry("id-clash", 2));
            assertThat(sim.state().openOrders()).isEqualTo(1);
            assertThat((Long) result.get("orderId")).isGreaterThan(1L);
            bridge.send(Commands.limitOrder("id-clash", ACCOUNT, "AAPL", "1", 1.0));
            await().atMost(Duration.ofSeconds(20)).until(() -> bridge.values(Topic.COMMAND_RESULTS).size() == 2);
            assertThat(statuses(bridge, "id-clash")).containsExactly("ACCEPTED", "DUPLICATE");
            assertThat(sim.state().openOrders()).isEqualTo(1);
        }
    }

    @Test
    void aRejectionInAnotherLanguageIsPublishedAsIbMeantIt() throws Exception {
        // The simulator writes the reason in IB's 7-bit escapes, as a Gateway does; the result carries the text.
        String reason = "marge insuffisante – ordre refusé (保证金不足)";
        try (GatewaySimulator sim = sim();
             BridgeUnderTest bridge = new BridgeUnderTest(stack, sim, "reject", k -> k, g -> g, on()).start()) {
            bridge.awaitReady();
            sim.faults().rejectNextPlaceOrder(reason);
            bridge.send(Commands.limitOrder("refused", ACCOUNT, "AAPL", "1", 1.0));

            await().atMost(Duration.ofSeconds(30)).until(() -> !results(bridge, "refused").isEmpty());
            GenericRecord result = results(bridge, "refused").get(0);
            assertThat(result.get("status").toString()).isEqualTo("REJECTED");
            assertThat(result.get("ibErrorCode")).isEqualTo(201);
            assertThat(result.get("reasonCode").toString()).isEqualTo(ReasonCodes.ibError(201));
            assertThat(result.get("message").toString()).isEqualTo("Order rejected - reason:" + reason);
            assertThat(sim.state().placeOrderCountByOrderRef()).containsOnly(Map.entry("refused", 1));
            assertThat(sim.state().openOrders()).isZero();
        }
    }

    @Test
    void withOrdersOffNoPlaceOrderEverReachesTheGateway() throws Exception {
        try (GatewaySimulator sim = sim();
             BridgeUnderTest bridge = new BridgeUnderTest(stack, sim, "off", k -> k, g -> g).start()) {
            bridge.awaitReady();
            bridge.send(Commands.marketOrder("off-1", ACCOUNT, "AAPL", "1"));
            bridge.send(Commands.limitOrder("off-2", ACCOUNT, "MSFT", "1", 10.0));
            await().atMost(Duration.ofSeconds(20)).until(() -> bridge.values(Topic.COMMAND_RESULTS).size() == 2);
            assertThat(bridge.values(Topic.COMMAND_RESULTS)).extracting(r -> r.get("reasonCode").toString())
                    .containsOnly("ORDERS_DISABLED");
            assertThat(sim.state().placeOrderCountByOrderRef()).isEmpty();
        }
    }

    @Test
    void eachGuardrailRejectsWhatItShouldAndLetsTheRestThrough() throws Exception {
        OrderSettings rails = OrderSettings.builder().enabled(true).maxQuantity(new BigDecimal("10"))
                .maxNotional(new BigDecimal("1000")).accountAllowlist(Set.of(ACCOUNT)).symbolAllowlist(Set.of("AAPL", "MSFT"))
                .build();
        try (GatewaySimulator sim = sim();
             BridgeUnderTest bridge = new BridgeUnderTest(stack, sim, "rails", k -> k, g -> g, rails).start()) {
            bridge.awaitReady();
            bridge.send(Commands.limitOrder("r-qty", ACCOUNT, "AAPL", "11", 1.0));
            bridge.send(Commands.limitOrder("r-notional", ACCOUNT, "AAPL", "5", 300.0));
            bridge.send(Commands.limitOrder("r-symbol", ACCOUNT, "IBM", "1", 1.0));
            bridge.send(Commands.limitOrder("r-account", "DU222222", "AAPL", "1", 1.0));
            bridge.send(Commands.limitOrder("r-unmanaged", "U999", "AAPL", "1", 1.0));
            bridge.send(Commands.marketOrder("r-no-price", ACCOUNT, "MSFT", "1"));
            bridge.send(Commands.limitOrder("r-ok", ACCOUNT, "AAPL", "10", 1.0));
            await().atMost(Duration.ofSeconds(20)).until(() -> bridge.values(Topic.COMMAND_RESULTS).size() == 7);
            bridge.app.orders().guardrails().engageKillSwitch();
            bridge.send(Commands.limitOrder("r-killed", ACCOUNT, "AAPL", "1", 1.0));
            await().atMost(Duration.ofSeconds(20)).until(() -> bridge.values(Topic.COMMAND_RESULTS).size() == 8);

            Map<String, String> outcome = bridge.values(Topic.COMMAND_RESULTS).stream().collect(Collectors.toMap(
                    r -> r.get("commandId").toString(), r -> r.get("status") + " " + r.get("reasonCode")));
            assertThat(outcome).containsOnly(
                    Map.entry("r-qty", "REJECTED MAX_QUANTITY_EXCEEDED"),
                    Map.entry("r-notional", "REJECTED MAX_NOTIONAL_EXCEEDED"),
                    Map.entry("r-symbol", "REJECTED SYMBOL_NOT_ALLOWED"),
                    Map.entry("r-account", "REJECTED ACCOUNT_NOT_ALLOWED"),
                    Map.entry("r-unmanaged", "REJECTED ACCOUNT_NOT_MANAGED"),
                    Map.entry("r-no-price", "REJECTED MAX_NOTIONAL_EXCEEDED"),
                    Map.entry("r-ok", "ACCEPTED OK"),
                    Map.entry("r-killed", "REJECTED KILL_SWITCH"));
            assertThat(bridge.values(Topic.COMMAND_RESULTS)).filteredOn(r -> r.get("status").toString().equals("REJECTED"))
                    .allSatisfy(r -> assertThat(r.get("message").toString()).contains("rule "));
            assertThat(sim.state().placeOrderCountByOrderRef()).containsOnly(Map.entry("r-ok", 1));
        }
    }

    @Test
    void aLinkDropBetweenPlaceOrderAndItsAcknowledgementIsRecognisedWithoutASecondOrder() throws Exception {
        try (GatewaySimulator sim = sim();
             BridgeUnderTest bridge = new BridgeUnderTest(stack, sim, "drop", k -> k, g -> g, on()).start()) {
            bridge.awaitReady();
            sim.faults().dropLinkAfterNextPlaceOrder();
            bridge.send(Commands.limitOrder("dropped-ack", ACCOUNT, "AAPL", "1", 1.0));

            await().atMost(Duration.ofSeconds(30)).until(() -> bridge.values(Topic.COMMAND_RESULTS).size() == 1);
            GenericRecord result = bridge.values(Topic.COMMAND_RESULTS).get(0);
            assertThat(result.get("status").toString()).isEqualTo("ACCEPTED");
            // The acknowledgement came from the Gateway's open orders after the reconnect.
            assertThat(sim.state().connectionsAccepted()).isEqualTo(2);
            assertThat(sim.state().placeOrderCountByOrderRef()).containsOnly(Map.entry("dropped-ack", 1));
            bridge.send(Commands.limitOrder("dropped-ack", ACCOUNT, "AAPL", "1", 1.0));
            await().atMost(Duration.ofSeconds(20)).until(() -> bridge.values(Topic.COMMAND_RESULTS).size() == 2);
            assertThat(statuses(bridge, "dropped-ack")).containsExactly("ACCEPTED", "DUPLICATE");
            assertThat(sim.state().placeOrderCountByOrderRef()).containsOnly(Map.entry("dropped-ack", 1));
        }
    }

    @Test
    void fillsThatHappenWhileTheBridgeIsDisconnectedArePublishedAfterReconnect() throws Exception {
        try (GatewaySimulator sim = sim();
             // The bridge waits 5 s before reconnecting, so that the other client's order fills while it is away
             // (the simulator refuses connections for 3 s), not while it syncs.
             BridgeUnderTest bridge = new BridgeUnderTest(stack, sim, "away", k -> k,
                     g -> g.retryInitialBackoff(Duration.ofSeconds(5)).retryMaxBackoff(Duration.ofSeconds(5)), on()).start()) {
            bridge.awaitReady();
            bridge.send(Commands.limitOrder("rests", ACCOUNT, "AAPL", "1", 1.0));
            await().atMost(Duration.ofSeconds(20)).until(() -> bridge.values(Topic.COMMAND_RESULTS).size() == 1);

            sim.restart(Duration.ofSeconds(3));
            // While the bridge is away, an order is filled at the Gateway; the bridge learns of it only from the
            // executions it asks for at its next READY.
            try (io.twsbridge.sim.support.TwsTestClient other = connectWhenListening(sim)) {
                other.await(io.twsbridge.protocol.message.ServerMessage.NextValidId.class, Duration.ofSeconds(5));
                other.send(new io.twsbridge.protocol.message.ClientMessage.PlaceOrder(1,
                        io.twsbridge.protocol.message.Contract.stock("MSFT", "SMART", "USD"),
                        io.twsbridge.protocol.message.Order.builder("SELL", BigDecimal.ONE, "MKT").orderRef("while-away")
                                .build()));
                other.await(io.twsbridge.protocol.message.ServerMessage.ExecDetails.class, Duration.ofSeconds(5));
            }
            bridge.awaitReady();
            await().atMost(Duration.ofSeconds(20)).until(() -> bridge.values(Topic.FILLS).stream()
                    .anyMatch(f -> "while-away".equals(String.valueOf(f.get("orderRef")))));
        }
    }

    @Test
    void modifyAndCancelActOnTheOrderTheCommandPlaced() throws Exception {
        try (GatewaySimulator sim = sim();
             BridgeUnderTest bridge = new BridgeUnderTest(stack, sim, "modcan", k -> k, g -> g, on()).start()) {
            bridge.awaitReady();
            bridge.send(Commands.limitOrder("to-modify", ACCOUNT, "AAPL", "1", 1.0));
            bridge.send(Commands.limitOrder("to-cancel", ACCOUNT, "MSFT", "1", 1.0));
            await().atMost(Duration.ofSeconds(20)).until(() -> bridge.values(Topic.COMMAND_RESULTS).size() == 2);
            assertThat(sim.state().openOrders()).isEqualTo(2);

            bridge.send(Commands.envelope("modify-1").setPayload(io.twsbridge.schema.ModifyOrder.newBuilder()
                    .setTargetCommandId("to-modify").setLimitPrice(1000.0).build()).build());
            bridge.send(Commands.envelope("cancel-1").setPayload(io.twsbridge.schema.CancelOrder.newBuilder()
                    .setTargetCommandId("to-cancel").build()).build());
            // Each command's ACCEPTED and final result; both orders ended (the modified one filled at its new price).
            await().atMost(Duration.ofSeconds(20)).until(() -> bridge.values(Topic.COMMAND_RESULTS).size() == 8);

            assertThat(statuses(bridge, "modify-1")).containsExactly("ACCEPTED", "COMPLETED");
            assertThat(statuses(bridge, "cancel-1")).containsExactly("ACCEPTED", "COMPLETED");
            assertThat(results(bridge, "to-modify").get(1).get("reasonCode").toString()).isEqualTo("ORDER_FILLED");
            assertThat(results(bridge, "to-cancel").get(1).get("reasonCode").toString()).isEqualTo("ORDER_CANCELLED");
            await().atMost(Duration.ofSeconds(20)).until(() -> sim.state().openOrders() == 0);
            // The modification is a placeOrder on the same order id and orderRef, never a new order.
            assertThat(sim.state().placeOrderCountByOrderRef()).containsOnly(Map.entry("to-modify", 2),
                    Map.entry("to-cancel", 1));
            await().atMost(Duration.ofSeconds(20)).until(() -> bridge.values(Topic.FILLS).stream()
                    .anyMatch(f -> "to-modify".equals(String.valueOf(f.get("orderRef")))));
            await().atMost(Duration.ofSeconds(20)).until(() -> bridge.values(Topic.ORDERS).stream()
                    .anyMatch(o -> "to-cancel".equals(String.valueOf(o.get("orderRef")))
                            && o.get("status").toString().equals("CANCELLED")));
        }
    }

    @Test
    void aConditionalOrderEnteredInTwsReachesTheOrdersTopicWithItsConditionsSummary() throws Exception {
        try (GatewaySimulator sim = sim()) {
            io.twsbridge.protocol.message.OrderConditions conditions = io.twsbridge.protocol.message.OrderConditions.of(
                    false, false,
                    new io.twsbridge.protocol.message.OrderCondition.Price(
                            io.twsbridge.protocol.message.OrderCondition.Conjunction.AND, true, 150.0, 265598, "SMART", 2),
                    new io.twsbridge.protocol.message.OrderCondition.Time(
                            io.twsbridge.protocol.message.OrderCondition.Conjunction.AND, true, "20261207 09:30:00"));
            // Entered before the bridge connects: the bridge learns of it from the open orders of its sync.
            long permId = sim.enterOrderInTws(io.twsbridge.protocol.message.Contract.stock("AAPL", "SMART", "USD"),
                    io.twsbridge.protocol.message.Order.builder("BUY", BigDecimal.TEN, "LMT").lmtPrice(140.0)
                            .account(ACCOUNT).conditions(conditions).build());
            try (BridgeUnderTest bridge = new BridgeUnderTest(stack, sim, "cond", k -> k, g -> g).start()) {
                bridge.awaitReady();

                GenericRecord update = await().atMost(Duration.ofSeconds(20)).until(() -> bridge.values(Topic.ORDERS)
                        .stream().filter(o -> Long.valueOf(permId).equals(o.get("permId"))).findFirst(),
                        java.util.Optional::isPresent).orElseThrow();
                assertThat(String.valueOf(update.get("conditionsSummary")))
                        .isEqualTo("submit when price conId=265598 on SMART >= 150.0 (last) and time >= 20261207 09:30:00");
                assertThat(update.get("clientId")).isEqualTo(0);
                assertThat(update.get("orderType").toString()).isEqualTo("LMT");
                assertThat(update.get("status").toString()).isEqualTo("PRE_SUBMITTED");
            }
        }
    }

    private static io.twsbridge.sim.support.TwsTestClient connectWhenListening(GatewaySimulator sim) {
        return await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> io.twsbridge.sim.support.TwsTestClient.connect(sim.apiPort(), 9), c -> c != null);
    }

    private static GatewaySimulator sim() throws java.io.IOException {
        return GatewaySimulator.start(SimulatorConfig.builder().ephemeralPorts().adminPort(-1).tickRate(20).build());
    }

    private static List<GenericRecord> results(BridgeUnderTest bridge, String commandId) {
        return bridge.values(Topic.COMMAND_RESULTS).stream().filter(r -> r.get("commandId").toString().equals(commandId))
                .toList();
    }

    private static List<String> statuses(BridgeUnderTest bridge, String commandId) {
        return results(bridge, commandId).stream().map(r -> r.get("status").toString()).toList();
    }
}
