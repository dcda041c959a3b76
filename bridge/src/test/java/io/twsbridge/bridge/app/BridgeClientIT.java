package io.twsbridge.bridge.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.twsbridge.bridge.orders.OrderSettings;
import io.twsbridge.client.BridgeClient;
import io.twsbridge.client.BridgeClientConfig;
import io.twsbridge.client.CommandHandle;
import io.twsbridge.client.Commands;
import io.twsbridge.client.Instruments;
import io.twsbridge.client.PlaceOrderCommand;
import io.twsbridge.client.RequestPositionsCommand;
import io.twsbridge.schema.CommandResult;
import io.twsbridge.schema.CommandStatus;
import io.twsbridge.schema.OrderAction;
import io.twsbridge.schema.catalogue.Topic;
import io.twsbridge.sim.GatewaySimulator;
import io.twsbridge.sim.SimulatorConfig;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Java client kit (module bridge-client) against a real bridge, broker, registry and simulator: what a strategy
 * process sees of its commands. It lives among the bridge's tests because the bridge depends on bridge-client, not
 * the other way round.
 */
class BridgeClientIT extends WithKafkaStack {

    private static final Logger log = LoggerFactory.getLogger(BridgeClientIT.class);
    private static final String ACCOUNT = "DU111111";
    private static final Duration WAIT = Duration.ofSeconds(30);

    private GatewaySimulator sim;
    private BridgeUnderTest bridge;
    private BridgeClient client;
    private final List<CommandResult> heard = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start(org.junit.jupiter.api.TestInfo test) throws Exception {
        String prefix = "client-" + test.getTestMethod().orElseThrow().getName().toLowerCase().substring(0, 12);
        sim = GatewaySimulator.start(SimulatorConfig.builder().ephemeralPorts().adminPort(-1).build());
        OrderSettings orders = OrderSettings.builder().enabled(true).maxQuantity(new BigDecimal("100"))
                .maxNotional(new BigDecimal("50000")).build();
        bridge = new BridgeUnderTest(stack, sim, prefix, k -> k, g -> g, orders).start();
        bridge.awaitReady();
        BridgeClientConfig.Builder config = BridgeClientConfig.builder(stack.kafka().bootstrapServers(),
                stack.registry().confluentApiUrl()).topicPrefix(prefix).resultTimeout(WAIT);
        for (Map.Entry<String, Object> e : stack.kafka().clientConfig().entrySet()) {
            if (!e.getKey().equals(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)) {
                config.kafkaProperty(e.getKey(), e.getValue());
            }
        }
        client = BridgeClient.start(config.build());
        client.results(heard::add);
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (bridge != null) {
            bridge.close();
        }
        if (sim != null) {
            sim.close();
        }
    }

    @Test
    void subscribeQuotesAndRequestPositionsComplete() throws Exception {
        CommandHandle subscribe = client.send(Commands.subscribeQuotes(Instruments.stock("AAPL")));
        CommandHandle positions = client.send(Commands.requestPositions().withAccount(ACCOUNT));

        CommandResult subscribed = subscribe.result().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        CommandResult listed = positions.result().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        log.info("SubscribeQuotes: {} {}; RequestPositions: {} {}", subscribed.getStatus(), subscribed.getReasonCode(),
                listed.getStatus(), listed.getReasonCode());
        assertThat(subscribed.getStatus()).isEqualTo(CommandStatus.COMPLETED);
        assertThat(subscribed.getCommandType()).isEqualTo("SubscribeQuotes");
        assertThat(listed.getStatus()).isEqualTo(CommandStatus.COMPLETED);
        assertThat(listed.getCommandId()).isEqualTo(positions.commandId());
        assertThat(subscribe.accepted().get(1, TimeUnit.SECONDS).getStatus())
                .as("ACCEPTED, or the final result when none came first")
                .isIn(CommandStatus.ACCEPTED, CommandStatus.COMPLETED);
        // The listener hears a result on the client's thread right after that result's futures completed.
        await().atMost(WAIT).untilAsserted(() -> assertThat(heard).extracting(CommandResult::getCommandId)
                .contains(subscribe.commandId(), positions.commandId()));
        // Keyed as the bridge documents: the account, or _default without one.
        assertThat(bridge.read(bridge.topic(Topic.COMMANDS)))
                .extracting(r -> new String(r.key(), StandardCharsets.UTF_8)).containsExactlyInAnyOrder("_default", ACCOUNT);
    }

    @Test
    void aRepeatedCommandIdIsAnsweredDuplicate() throws Exception {
        RequestPositionsCommand positions = Commands.requestPositions().withAccount(ACCOUNT).withCommandId(
                "client-positions-1");
        CommandResult first = client.send(positions).result().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        CommandHandle again = client.send(positions);
        CommandResult repeat = again.result().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        log.info("first {} {}, repeat {} {}: {}", first.getStatus(), first.getReasonCode(), repeat.getStatus(),
                repeat.getReasonCode(), repeat.getMessage());
        assertThat(first.getStatus()).isEqualTo(CommandStatus.COMPLETED);
        assertThat(repeat.getStatus()).isEqualTo(CommandStatus.DUPLICATE);
        assertThat(repeat.getReasonCode()).isEqualTo("DUPLICATE_COMMAND");
        assertThat(again.accepted().get(1, TimeUnit.SECONDS)).as("no ACCEPTED for a duplicate").isEqualTo(repeat);
    }

    /** Needs the bridge's final results for orders (an order's second result when it fills). */
    @Test
    void aMarketableOrderIsAcceptedThenFilled() throws Exception {
        // A limit far above the simulator's price: it fills at once, and the notional check has a price.
        PlaceOrderCommand order = Commands.limitOrder(OrderAction.BUY, BigDecimal.ONE, Instruments.stock("AAPL"),
                1000.0).withAccount(ACCOUNT);
        CommandHandle handle = client.send(order);

        CommandResult accepted = handle.accepted().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(accepted.getStatus()).isEqualTo(CommandStatus.ACCEPTED);
        CommandResult result = handle.result().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        log.info("PlaceOrder {}: {} {}, then {} {}", order.commandId(), accepted.getStatus(), accepted.getReasonCode(),
                result.getStatus(), result.getReasonCode());
        assertThat(result.getStatus()).isEqualTo(CommandStatus.COMPLETED);
        assertThat(result.getReasonCode()).isEqualTo("ORDER_FILLED");
        assertThat(result.getOrderId()).isEqualTo(accepted.getOrderId());
    }

    /** Needs the bridge's final results for orders (a cancelled order's and its cancel's). */
    @Test
    void aRestingOrderCancelledEndsCancelledAndSoDoesItsCancel() throws Exception {
        // A limit far below the simulator's price: it rests until cancelled.
        PlaceOrderCommand order = Commands.limitOrder(OrderAction.BUY, BigDecimal.ONE, Instruments.stock("AAPL"), 1.0)
                .withAccount(ACCOUNT);
        CommandHandle placed = client.send(order);
        assertThat(placed.accepted().get(WAIT.toSeconds(), TimeUnit.SECONDS).getStatus())
                .isEqualTo(CommandStatus.ACCEPTED);
        assertThat(placed.result()).as("a resting order has no final result yet").isNotDone();

        CommandHandle cancel = client.send(Commands.cancelOrder(order.commandId()).withAccount(ACCOUNT));
        CommandResult cancelResult = cancel.result().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        CommandResult orderResult = placed.result().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        log.info("CancelOrder: {} {}; PlaceOrder: {} {}", cancelResult.getStatus(), cancelResult.getReasonCode(),
                orderResult.getStatus(), orderResult.getReasonCode());
        assertThat(cancelResult.getStatus()).isEqualTo(CommandStatus.COMPLETED);
        assertThat(cancelResult.getReasonCode()).isEqualTo("ORDER_CANCELLED");
        assertThat(orderResult.getStatus()).isEqualTo(CommandStatus.COMPLETED);
        assertThat(orderResult.getReasonCode()).isEqualTo("ORDER_CANCELLED");
    }
}
