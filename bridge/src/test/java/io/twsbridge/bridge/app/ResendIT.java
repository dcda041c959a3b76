package io.twsbridge.bridge.app;

import io.twsbridge.bridge.cli.ResendCommand;
import io.twsbridge.client.registry.SchemaRegistryClient;
import io.twsbridge.client.registry.SchemaRegistryConfig;
import io.twsbridge.client.serde.AvroWireDeserializer;
import io.twsbridge.bridge.orders.OrderSettings;
import io.twsbridge.schema.Command;
import io.twsbridge.schema.PlaceOrder;
import io.twsbridge.schema.catalogue.DlqHeaders;
import io.twsbridge.schema.catalogue.Topic;
import io.twsbridge.sim.GatewaySimulator;
import io.twsbridge.sim.SimulatorConfig;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A dead letter fixed and resent with {@code bridge resend}, executed once: a PlaceOrder of quantity 0 fails
 * validation (VALIDATION_FAILED, dead-lettered); resent with {@code --set payload.quantity=10} it is placed, and the
 * simulator counts one placeOrder for it. Resent again, the tool refuses it, naming the earlier result; with
 * {@code --allow-executed} it is sent, the bridge answers DUPLICATE and the simulator's count stays at one. Under
 * {@code --new-command-id} it is a new command, placed as a second order.
 */
class ResendIT extends WithKafkaStack {

    private static final Logger log = LoggerFactory.getLogger(ResendIT.class);
    private static final String PREFIX = "resend";
    private static final String ID = "resend-order-1";
    private static final Pattern RESENT = Pattern.compile("resent (\\S+) from (\\S+) to (\\S+)-(\\d+)@(\\d+)");

    @Test
    void aDeadLetterFixedAndResentIsExecutedOnceAndARepeatIsRefusedOrAnsweredDuplicate() throws Exception {
        OrderSettings orders = OrderSettings.builder().enabled(true).maxQuantity(new BigDecimal("100"))
                .maxNotional(new BigDecimal("50000")).build();
        try (GatewaySimulator sim = GatewaySimulator.start(SimulatorConfig.builder().ephemeralPorts().adminPort(-1)
                .build());
             BridgeUnderTest bridge = new BridgeUnderTest(stack, sim, PREFIX, k -> k, g -> g, orders).start()) {
            bridge.awaitReady();
            String dlq = bridge.topic(Topic.COMMANDS_DLQ);
            String commands = bridge.topic(Topic.COMMANDS);

            bridge.send(Commands.limitOrder(ID, "DU111111", "MSFT", "0", 101.5));
            await().atMost(Duration.ofSeconds(30)).until(() -> results(bridge).size() == 1);
            assertThat(results(bridge).get(0).get("status")).hasToString("REJECTED");
            assertThat(results(bridge).get(0).get("reasonCode")).hasToString("VALIDATION_FAILED");
            await().atMost(Duration.ofSeconds(30)).until(() -> !bridge.read(dlq).isEmpty());
            ConsumerRecord<byte[], byte[]> deadLetter = bridge.read(dlq).get(0);
            String partition = String.valueOf(deadLetter.partition());
            String offset = String.valueOf(deadLetter.offset());
            log.info("dead letter at {}-{}@{}: {}", dlq, partition, offset,
                    header(deadLetter, DlqHeaders.ERROR_MESSAGE));
            assertThat(header(deadLetter, DlqHeaders.ERROR_MESSAGE)).contains("quantity must be positive");
            assertThat(placed(sim)).isZero();

            CliRun badPath = resend(dlq, partition, offset, "--set", "payload.qty=10");
            assertThat(badPath.exit()).isEqualTo(2);
            assertThat(badPath.err()).contains("--set payload.qty=10: no field 'qty' in PlaceOrder");
            CliRun asItWas = resend(dlq, partition, offset);
            assertThat(asItWas.exit()).as("byte for byte, it would fail validation again").isEqualTo(1);
            assertThat(asItWas.err()).contains("the bridge would reject " + dlq + "-" + partition + "@" + offset
                    + " again, nothing sent: VALIDATION_FAILED: quantity must be positive");
            CliRun nowhere = resend(dlq, partition, "99", "--set", "payload.quantity=10");
            assertThat(nowhere.exit()).isEqualTo(1);
            assertThat(nowhere.err()).contains("no record at " + dlq + "-" + partition + "@99: the partition ends at ");
            int commandsBefore = bridge.read(commands).size();
            assertThat(commandsBefore).as("none of the refusals sent anything").isEqualTo(1);

            CliRun fixed = resend(dlq, partition, offset, "--set", "payload.quantity=10");
            log.info("resend with the fix: exit {}, {}", fixed.exit(), fixed.out());
            assertThat(fixed.exit()).isZero();
            Matcher line = RESENT.matcher(fixed.out());
            assertThat(line.find()).as(fixed.out()).isTrue();
            assertThat(line.group(1)).isEqualTo(ID);
            assertThat(line.group(2)).isEqualTo(dlq + "-" + partition + "@" + offset);
            assertThat(line.group(3)).isEqualTo(commands);
            await().atMost(Duration.ofSeconds(30)).until(() -> results(bridge).size() == 2);
            GenericRecord placedResult = results(bridge).get(1);
            assertThat(placedResult.get("status")).hasToString("ACCEPTED");
            await().atMost(Duration.ofSeconds(10)).until(() -> placed(sim) == 1);
            ConsumerRecord<byte[], byte[]> resent = bridge.read(commands).stream()
                    .filter(r -> r.partition() == Integer.parseInt(line.group(4))
                            && r.offset() == Long.parseLong(line.group(5))).findFirst().orElseThrow();
            assertThat(header(resent, ResendCommand.RESENT_FROM)).isEqualTo(dlq + "-" + partition + "@" + offset);
            assertThat(StreamSupport.stream(resent.headers().spliterator(), false).map(Header::key))
                    .noneMatch(DlqHeaders.ALL::contains);
            Command decoded = new AvroWireDeserializer<>(Command.class, new SchemaRegistryClient(
                    SchemaRegistryConfig.builder(stack.registry().confluentApiUrl()).build())).deserialize(resent.value());
            assertThat(decoded.getCommandId()).isEqualTo(ID);
            assertThat(((PlaceOrder) decoded.getPayload()).getQuantity())
                    .isEqualByComparingTo("10");

            CliRun again = resend(dlq, partition, offset, "--set", "payload.quantity=10");
            log.info("resend once more: exit {}, {}", again.exit(), again.err().strip());
            assertThat(again.exit()).isEqualTo(1);
            assertThat(again.err()).contains("not resent: commandId " + ID + " was already carried out at ")
                    .contains("(ACCEPTED ").contains("the bridge would answer DUPLICATE and not execute it");
            assertThat(bridge.read(commands)).as("the refused resend sent nothing").hasSize(2);

            CliRun anyway = resend(dlq, partition, offset, "--set", "payload.quantity=10", "--allow-executed");
            log.info("resend with --allow-executed: exit {}, {}", anyway.exit(), anyway.out());
            assertThat(anyway.exit()).isZero();
            assertThat(anyway.err()).contains("sent anyway (--allow-executed)");
            await().atMost(Duration.ofSeconds(30)).until(() -> results(bridge).size() == 3);
            assertThat(results(bridge).get(2).get("status")).hasToString("DUPLICATE");
            assertThat(placed(sim)).as("placeOrder requests the Gateway got for " + ID).isEqualTo(1);
            log.info("results of {}: {}", ID, results(bridge).stream()
                    .map(r -> r.get("status") + " " + r.get("reasonCode")).toList());

            CliRun look = resend(dlq, partition, offset, "--set", "payload.quantity=10", "--new-command-id",
                    "resend-order-2", "--dry-run");
            assertThat(look.exit()).isZero();
            assertThat(look.out()).contains("\"commandId\":\"resend-order-2\"")
                    .contains("would resend resend-order-2 from " + dlq + "-" + partition + "@" + offset + " to "
                            + commands + " (--dry-run: nothing sent)");
            assertThat(bridge.read(commands)).as("--dry-run sent nothing").hasSize(3);
            CliRun asNew = resend(dlq, partition, offset, "--set", "payload.quantity=10", "--new-command-id",
                    "resend-order-2");
            assertThat(asNew.exit()).isZero();
            assertThat(asNew.out()).contains("resent resend-order-2 from " + dlq + "-" + partition + "@" + offset);
            await().atMost(Duration.ofSeconds(30)).until(() -> sim.state().placeOrderCountByOrderRef()
                    .getOrDefault("resend-order-2", 0) == 1);
            assertThat(placed(sim)).as("the first order is not placed again").isEqualTo(1);

            bridge.sendRaw("DU111111", "not a command".getBytes(StandardCharsets.UTF_8));
            await().atMost(Duration.ofSeconds(30)).until(() -> bridge.read(dlq).size() == 2);
            ConsumerRecord<byte[], byte[]> unreadable = bridge.read(dlq).get(1);
            CliRun setOnUnreadable = resend(dlq, String.valueOf(unreadable.partition()),
                    String.valueOf(unreadable.offset()), "--set", "payload.quantity=10");
            assertThat(setOnUnreadable.exit()).isEqualTo(1);
            assertThat(setOnUnreadable.err()).contains("does not decode as a Command (")
                    .contains("--set and --new-command-id need a decoded command");
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static long placed(GatewaySimulator sim) {
        return sim.state().placeOrderCountByOrderRef().getOrDefault(ID, 0);
    }

    private static List<GenericRecord> results(BridgeUnderTest bridge) {
        return bridge.values(Topic.COMMAND_RESULTS).stream()
                .filter(r -> r.get("commandId").toString().equals(ID)).toList();
    }

    /** {@code bridge resend} in this JVM, as an operator runs it, against the test's topics. */
    private static CliRun resend(String topic, String partition, String offset, String... more) {
        List<String> all = new ArrayList<>(List.of("resend", "--topic", topic, "--partition", partition, "--offset",
                offset));
        all.addAll(List.of(more));
        all.addAll(List.of("--bootstrap-server", stack.kafka().bootstrapServers(), "--registry-url",
                stack.registry().confluentApiUrl(), "--topic-prefix", PREFIX));
        return CliRun.of(all);
    }
}
