package io.twsbridge.bridge.app;

import io.twsbridge.bridge.orders.OrderSettings;
import io.twsbridge.schema.CancelOrder;
import io.twsbridge.schema.Command;
import io.twsbridge.schema.ModifyOrder;
import io.twsbridge.schema.catalogue.Topic;
import io.twsbridge.sim.GatewaySimulator;
import io.twsbridge.sim.SimulatorConfig;
import io.twsbridge.sim.SimulatorState;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every command type is idempotent by commandId: sent twice, it is carried out once and the second is answered
 * DUPLICATE with the first outcome; sent once more to a restarted bridge, the same. The simulator's own counts of
 * the requests it received are the proof that nothing went to the Gateway again.
 */
class DuplicateCommandsIT extends WithKafkaStack {

    private static final Logger log = LoggerFactory.getLogger(DuplicateCommandsIT.class);
    private static final String ACCOUNT = "DU111111";

    /** Each command, and what the simulator counts of what it sends to the Gateway. */
    private static Map<Command, ToLongFunction<SimulatorState>> commands() {
        Map<Command, ToLongFunction<SimulatorState>> c = new LinkedHashMap<>();
        c.put(Commands.subscribe("dup-sub", "AAPL"), s -> s.received("ReqMktData"));
        c.put(Commands.unsubscribe("dup-unsub", "AAPL"), s -> s.received("CancelMktData"));
        c.put(Commands.positions("dup-positions"), s -> s.received("ReqPositions"));
        c.put(Commands.accountSnapshot("dup-snapshot"), s -> s.received("ReqAccountSummary"));
        c.put(Commands.executions("dup-executions"), s -> s.received("ReqExecutions"));
        c.put(Commands.limitOrder("dup-order", ACCOUNT, "MSFT", "1", 1.0),
                s -> s.placeOrderCountByOrderRef().getOrDefault("dup-order", 0));
        c.put(Commands.envelope("dup-modify").setPayload(ModifyOrder.newBuilder().setTargetCommandId("dup-order")
                        .setQuantity(new BigDecimal("2").setScale(10)).build()).build(),
                s -> s.placeOrderCountByOrderRef().getOrDefault("dup-order", 0));
        c.put(Commands.envelope("dup-cancel").setPayload(CancelOrder.newBuilder().setTargetCommandId("dup-order")
                .build()).build(), s -> s.received("CancelOrder"));
        return c;
    }

    @Test
    void eachCommandTypeSentTwiceAndAgainAfterARestartIsCarriedOutOnce() throws Exception {
        OrderSettings orders = OrderSettings.builder().enabled(true).maxQuantity(new BigDecimal("100"))
                .maxNotional(new BigDecimal("50000")).build();
        Map<Command, ToLongFunction<SimulatorState>> commands = commands();
        try (GatewaySimulator sim = GatewaySimulator.start(SimulatorConfig.builder().ephemeralPorts().adminPort(-1)
                .build())) {
            try (BridgeUnderTest bridge = new BridgeUnderTest(stack, sim, "dupcmd", k -> k, g -> g, orders).start()) {
                bridge.awaitReady();
                for (Map.Entry<Command, ToLongFunction<SimulatorState>> e : commands.entrySet()) {
                    String id = e.getKey().getCommandId().toString();
                    long before = e.getValue().applyAsLong(sim.state());
                    bridge.send(e.getKey());
                    await().atMost(Duration.ofSeconds(30)).until(() -> !results(bridge, id).isEmpty());
                    await().atMost(Duration.ofSeconds(30)).until(() -> e.getValue().applyAsLong(sim.state()) > before);
                    long once = e.getValue().applyAsLong(sim.state());
                    bridge.send(e.getKey());
                    // Order commands also get a final result when IB confirms or the order ends: only the
                    // DUPLICATE answers tell of the repeat.
                    await().atMost(Duration.ofSeconds(30)).until(() -> duplicates(bridge, id).size() == 1);
                    String first = results(bridge, id).get(0).get("status").toString();
                    GenericRecord repeat = duplicates(bridge, id).get(0);
                    log.info("{}: {} then {}; the Gateway got {} request(s)", id, first, repeat.get("status"),
                            once - before);
                    assertThat(once - before).as("%s: requests the Gateway got", id).isEqualTo(1);
                    assertThat(repeat.get("reasonCode")).hasToString("DUPLICATE_COMMAND");
                    assertThat(repeat.get("message").toString()).as(id)
                            .startsWith("commandId " + id + " was already carried out at ")
                            .contains(": " + first + " ");
                    assertThat(e.getValue().applyAsLong(sim.state())).as("%s: after the repeat", id).isEqualTo(once);
                }
            }

            try (BridgeUnderTest restarted = new BridgeUnderTest(stack, sim, "dupcmd", k -> k, g -> g, orders)
                    .start()) {
                restarted.awaitReady();
                Map<String, Long> before = new LinkedHashMap<>();
                commands.forEach((c, count) -> before.put(c.getCommandId().toString(), count.applyAsLong(sim.state())));
                for (Command c : commands.keySet()) {
                    restarted.send(c);
                }
                for (Command c : commands.keySet()) {
                    String id = c.getCommandId().toString();
                    await().alias(id + " answered DUPLICATE after the restart").atMost(Duration.ofSeconds(30))
                            .until(() -> duplicates(restarted, id).size() == 2);
                }
                commands.forEach((c, count) -> assertThat(count.applyAsLong(sim.state()))
                        .as("%s: requests after the restart", c.getCommandId())
                        .isEqualTo(before.get(c.getCommandId().toString())));
                log.info("after the restart: {} commands sent again, {} answered DUPLICATE, none sent to the Gateway",
                        commands.size(), commands.size());
            }
        }
    }

    private static List<GenericRecord> duplicates(BridgeUnderTest bridge, String commandId) {
        return results(bridge, commandId).stream().filter(r -> r.get("status").toString().equals("DUPLICATE")).toList();
    }

    private static List<GenericRecord> results(BridgeUnderTest bridge, String commandId) {
        return bridge.values(Topic.COMMAND_RESULTS).stream()
                .filter(r -> r.get("commandId").toString().equals(commandId)).toList();
    }
}
