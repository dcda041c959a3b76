package io.twsbridge.bridge.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.twsbridge.bridge.app.HostileCorpus.Hostile;
import io.twsbridge.bridge.kafka.consume.CommandConsumer;
import io.twsbridge.bridge.kafka.consume.CommandHandler;
import io.twsbridge.bridge.kafka.consume.CommandResults;
import io.twsbridge.bridge.orders.OrderSettings;
import io.twsbridge.bridge.testing.LogCapture;
import io.twsbridge.client.registry.SchemaRegistryClient;
import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.schema.Command;
import io.twsbridge.schema.CommandStatus;
import io.twsbridge.schema.ModifyOrder;
import io.twsbridge.schema.catalogue.DlqHeaders;
import io.twsbridge.schema.catalogue.RecordKeys;
import io.twsbridge.schema.catalogue.Topic;
import io.twsbridge.sim.GatewaySimulator;
import io.twsbridge.sim.SimulatorConfig;
import io.twsbridge.sim.SimulatorProbe;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A generated corpus of hostile records (see {@link HostileCorpus}) through the commands topic, once with orders
 * enabled behind an account allowlist and once with the kill switch engaged. Every record is accounted for by its
 * offset: a REJECTED result with a reason, a dead letter naming its offset and error, or both, as its kind demands;
 * the Gateway receives no placeOrder for any of them; the consumer goes on, so valid commands sent after the corpus
 * complete and show in the simulator; nothing reaches the log as an unhandled error; and the bridge's counters
 * agree with the topics.
 */
class HostileCommandsIT extends WithKafkaStack {

    private static final long SEED = 0x5EEDL;
    /** Kafka's default max.request.size, which the test's producer keeps; the broker's default admits it. */
    private static final int MAX_RECORD_BYTES = 1_048_576;
    /** The longest log line the corpus may cause: a rejection described, never a record repeated. */
    private static final int MAX_LOG_LINE = 4_000;

    @Test
    void withOrdersOnBehindAnAllowlistNoHostileRecordPlacesAnOrderAndTheValidOneIsPlaced() throws Exception {
        run("hostile-on", false);
    }

    @Test
    void withTheKillSwitchEngagedNothingIsPlacedAndTheConsumerStillServesTheRest() throws Exception {
        run("hostile-kill", true);
    }

    private void run(String prefix, boolean killSwitch) throws Exception {
        OrderSettings orders = OrderSettings.builder().enabled(true).accountAllowlist(Set.of(HostileCorpus.ALLOWED))
                .maxQuantity(new BigDecimal("100")).maxNotional(new BigDecimal("100000")).killSwitch(killSwitch).build();
        GatewayRequests gateway = new GatewayRequests();
        List<Throwable> uncaught = new CopyOnWriteArrayList<>();
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(e));
        try (GatewaySimulator sim = GatewaySimulator.start(SimulatorConfig.builder().ephemeralPorts().adminPort(-1)
                .tickRate(20).build());
             BridgeUnderTest bridge = new BridgeUnderTest(stack, sim, prefix, k -> k, g -> g, orders).start();
             KafkaProducer<byte[], byte[]> producer = producer()) {
            sim.setProbe(gateway);
            bridge.awaitReady();
            SchemaRegistryClient registry = new SchemaRegistryClient(bridge.config.registry());
            String commands = bridge.topic(Topic.COMMANDS);
            List<Hostile> corpus = new HostileCorpus(SEED, prefix, commands, registry, MAX_RECORD_BYTES).generate();

            // A symbol of a full megabyte makes a record over every default limit: the sender's producer refuses it
            // with its own clear error and nothing reaches the topic. The corpus's largest records stay just below.
            Command overLimit = Commands.subscribe(prefix + "-over-limit", "S".repeat(MAX_RECORD_BYTES));
            assertThatThrownBy(() -> producer.send(record(commands, registry, overLimit)).get())
                    .hasCauseInstanceOf(RecordTooLargeException.class);

            try (LogCapture log = LogCapture.capture()) {
                // ---- the corpus, every record located by partition and offset
                Map<String, Hostile> sent = new HashMap<>();
                for (Hostile h : corpus) {
                    RecordMetadata m = producer.send(new ProducerRecord<>(commands, h.key(), h.value())).get();
                    sent.put(m.partition() + "@" + m.offset(), h);
                }

                // ---- then valid commands: they must complete normally
                String validOrder = prefix + "-valid-order";
                String validSubscribe = prefix + "-valid-subscribe";
                producer.send(record(commands, registry, Commands.limitOrder(validOrder, HostileCorpus.ALLOWED,
                        HostileCorpus.SYMBOL, "1", 1.0))).get();
                producer.send(record(commands, registry, Commands.subscribe(validSubscribe, "MSFT"))).get();
                await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2)).until(() ->
                        results(bridge).stream().map(r -> r.get("commandId").toString()).collect(Collectors.toSet())
                                .containsAll(Set.of(validOrder, validSubscribe)));

                // ---- hostile records that need the valid order to exist: a second body under its commandId, a
                // modification past the guardrails
                String modifyId = prefix + "-modify-too-many";
                Command duplicate = Commands.limitOrder(validOrder, HostileCorpus.ALLOWED, "MSFT", "50", 2.0);
                Command modify = Commands.envelope(modifyId).setAccount(HostileCorpus.ALLOWED).setPayload(
                        ModifyOrder.newBuilder().setTargetCommandId(validOrder)
                                .setQuantity(new BigDecimal("5000").setScale(10)).build()).build();
                producer.send(record(commands, registry, duplicate)).get();
                producer.send(record(commands, registry, modify)).get();

                int expectedResults = (int) corpus.stream().filter(Hostile::wantsResult).count() + 4;
                int expectedDeadLetters = (int) corpus.stream().filter(Hostile::wantsDeadLetter).count();
                await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(3)).until(() ->
                        results(bridge).size() >= expectedResults
                                && bridge.read(bridge.topic(Topic.COMMANDS_DLQ)).size() >= expectedDeadLetters);

                List<GenericRecord> results = results(bridge);
                List<ConsumerRecord<byte[], byte[]>> deadLetters = bridge.read(bridge.topic(Topic.COMMANDS_DLQ));
                Map<String, List<GenericRecord>> resultsById = results.stream()
                        .collect(Collectors.groupingBy(r -> r.get("commandId").toString()));

                // ---- every dead letter names a record that was sent, exactly once, with its error
                Map<String, ConsumerRecord<byte[], byte[]>> deadLetterBySource = new HashMap<>();
                int valuesOmitted = 0;
                for (ConsumerRecord<byte[], byte[]> d : deadLetters) {
                    String source = header(d, DlqHeaders.SOURCE_PARTITION) + "@" + header(d, DlqHeaders.SOURCE_OFFSET);
                    assertThat(header(d, DlqHeaders.SOURCE_TOPIC)).isEqualTo(commands);
                    assertThat(sent).as("dead letter of %s names a record the test sent", source).containsKey(source);
                    assertThat(deadLetterBySource.put(source, d)).as("one dead letter for %s", source).isNull();
                    assertThat(header(d, DlqHeaders.ERROR_CLASS)).isNotBlank();
                    assertThat(header(d, DlqHeaders.ERROR_MESSAGE)).isNotBlank();
                    Hostile original = sent.get(source);
                    String omitted = header(d, io.twsbridge.schema.catalogue.DlqHeaders.OMITTED);
                    if (omitted == null) {
                        assertThat(d.value()).as("the original bytes of %s", original).isEqualTo(original.value());
                        assertThat(d.key()).isEqualTo(original.key());
                    } else {
                        valuesOmitted++;
                        assertThat(d.value()).isNull();
                        assertThat(omitted).contains("value (" + original.value().length + " bytes)")
                                .contains(commands + "-" + source);
                        assertThat(original.value().length + (original.key() == null ? 0 : original.key().length))
                                .as("only a record near the size limit loses its value").isGreaterThan(MAX_RECORD_BYTES / 2);
                    }
                }

                // ---- every record ends as its kind demands
                Map<String, Integer> resultsWanted = new HashMap<>();
                List<String> wrong = new ArrayList<>();
                sent.forEach((where, h) -> {
                    if (h.wantsDeadLetter() != deadLetterBySource.containsKey(where)) {
                        wrong.add(h + " at " + where + (h.wantsDeadLetter() ? ": no dead letter" : ": dead-lettered"));
                    }
                    if (h.commandId() != null) {
                        resultsWanted.merge(h.commandId(), h.wantsResult() ? 1 : 0, Integer::sum);
                        List<GenericRecord> answers = resultsById.getOrDefault(h.commandId(), List.of());
                        if (h.wantsResult() && answers.stream().noneMatch(r -> r.get("status").toString()
                                .equals(h.status().name()) && !r.get("reasonCode").toString().isBlank())) {
                            wrong.add(h + " at " + where + ": no " + h.status() + " result but " + answers.stream()
                                    .map(r -> r.get("status") + " " + r.get("reasonCode")).toList());
                        }
                    }
                });
                resultsWanted.forEach((id, wanted) -> {
                    int got = resultsById.getOrDefault(id, List.of()).size();
                    if (got != wanted) {
                        wrong.add("commandId " + id + ": " + got + " results, " + wanted + " expected");
                    }
                });
                assertThat(wrong).as("records that did not end as their kind demands").isEmpty();
                Set<String> known = new java.util.HashSet<>(resultsWanted.keySet());
                known.addAll(Set.of(validOrder, validSubscribe, modifyId));
                assertThat(resultsById.keySet()).as("every result answers a command the test sent").isSubsetOf(known);
                for (Hostile h : corpus) {
                    if (h.commandId() != null) {
                        assertThat(resultsById.getOrDefault(h.commandId(), List.of())).as("results of %s", h)
                                .allSatisfy(r -> assertThat(r.get("status").toString()).isEqualTo(h.status().name()));
                    }
                }

                // ---- the valid commands, and the hostile ones that leaned on them
                assertThat(statuses(resultsById, validSubscribe)).containsExactly("COMPLETED OK");
                await().atMost(Duration.ofSeconds(30)).until(() -> sim.state().subscriptions().stream()
                        .anyMatch(s -> s.symbol().equals("MSFT")));
                if (killSwitch) {
                    assertThat(statuses(resultsById, validOrder)).containsExactly("REJECTED KILL_SWITCH", "REJECTED KILL_SWITCH");
                    assertThat(statuses(resultsById, modifyId)).containsExactly("REJECTED ORDER_NOT_FOUND");
                    assertThat(gateway.placeOrderRefs).as("placeOrder messages at the Gateway").isEmpty();
                    assertThat(sim.state().placeOrderCountByOrderRef()).isEmpty();
                } else {
                    assertThat(statuses(resultsById, validOrder)).containsExactlyInAnyOrder("ACCEPTED OK",
                            "DUPLICATE DUPLICATE_COMMAND");
                    assertThat(statuses(resultsById, modifyId)).containsExactly("REJECTED MAX_QUANTITY_EXCEEDED");
                    assertThat(gateway.placeOrderRefs).as("placeOrder messages at the Gateway").containsExactly(validOrder);
                    assertThat(sim.state().placeOrderCountByOrderRef()).containsOnly(Map.entry(validOrder, 1));
                    assertThat(sim.state().openOrders()).isEqualTo(1);
                }

                // ---- the consumer still runs, nothing escaped as an unhandled error
                assertThat(bridge.app.ready()).isTrue();
                assertThat(bridge.app.commands().paused()).isFalse();
                assertThat(Thread.getAllStackTraces().keySet()).as("the command consumer's thread")
                        .anyMatch(t -> t.getName().equals("command-consumer") && t.isAlive());
                assertThat(uncaught).as("uncaught exceptions").isEmpty();
                assertThat(log.errorsAndStackTraces()).as("ERROR events or stack traces in the log")
                        .extracting(LogCapture::line).isEmpty();
                assertThat(log.lines()).noneMatch(l -> l.contains("event-loop task failed"));
                List<ILoggingEvent> warnings = log.atLeast(Level.WARN);
                assertThat(warnings)
                        .as("every WARN comes from the bridge's command path (its dead letters included), one line of "
                                + "bounded length")
                        .allSatisfy(e -> {
                            assertThat(e.getLoggerName()).isIn(CommandConsumer.class.getName(),
                                    CommandHandler.class.getName(), CommandResults.class.getName(),
                                    "io.twsbridge.bridge.kafka.publish.DeadLetters",
                                    io.twsbridge.bridge.orders.OrderService.class.getName());
                            assertThat(e.getFormattedMessage()).doesNotContain("\n", "\r").hasSizeLessThan(MAX_LOG_LINE);
                        });

                // ---- the bridge's counters agree with the topics
                List<ConsumerRecord<byte[], byte[]>> onCommands = bridge.read(commands);
                int sentTotal = corpus.size() + 4;
                assertThat(onCommands).hasSize(sentTotal);
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    assertThat(bridge.app.commands().handled()).isEqualTo(sentTotal);
                    assertThat(bridge.app.publisher().deadLettered()).isEqualTo(deadLetters.size());
                    assertThat(bridge.app.publisher().published(Topic.COMMANDS_DLQ)).isEqualTo(deadLetters.size());
                    assertThat(bridge.app.publisher().published(Topic.COMMAND_RESULTS)).isEqualTo(results.size());
                    assertThat(bridge.app.publisher().sendErrors()).isZero();
                    for (CommandStatus status : CommandStatus.values()) {
                        assertThat(bridge.app.commands().results(status)).as("results counted as %s", status)
                                .isEqualTo(results.stream().filter(r -> r.get("status").toString().equals(status.name()))
                                        .count());
                    }
                });

                long rejected = count(results, "REJECTED");
                long processed = count(results, "COMPLETED") + count(results, "ACCEPTED");
                System.out.printf("HostileCommandsIT[%s, kill switch %s]: records tried %d (corpus %d, %d distinct cases,"
                                + " then 4 more), REJECTED results %d, EXPIRED %d, DUPLICATE %d, dead-lettered %d (%d without"
                                + " their value, too large to copy), processed (valid commands completed or accepted) %d,"
                                + " placeOrder at the Gateway %d, WARN lines %d, ERROR lines %d; REJECTED by reason %s%n",
                        prefix, killSwitch ? "on" : "off", sentTotal, corpus.size(),
                        corpus.stream().map(Hostile::kind).distinct().count(),
                        rejected, count(results, "EXPIRED"), count(results, "DUPLICATE"), deadLetters.size(), valuesOmitted,
                        processed, gateway.placeOrderRefs.size(), warnings.size(), log.atLeast(Level.ERROR).size(),
                        results.stream().filter(r -> r.get("status").toString().equals("REJECTED")).collect(
                                Collectors.groupingBy(r -> r.get("reasonCode").toString(), java.util.TreeMap::new,
                                        Collectors.counting())));
            }
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(previous);
        }
    }

    /** Every placeOrder the simulator decoded, by orderRef, before it acted on it. */
    private static final class GatewayRequests implements SimulatorProbe {
        final List<String> placeOrderRefs = new CopyOnWriteArrayList<>();

        @Override
        public void requestReceived(long connectionId, ClientMessage message, long nanoTime) {
            if (message instanceof ClientMessage.PlaceOrder p) {
                placeOrderRefs.add(p.order().orderRef());
            }
        }
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        Map<String, Object> p = new HashMap<>(stack.kafka().clientConfig());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_RECORD_BYTES);
        return new KafkaProducer<>(p);
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, SchemaRegistryClient registry, Command command) {
        return new ProducerRecord<>(topic, RecordKeys.command(command).getBytes(StandardCharsets.UTF_8),
                new io.twsbridge.client.serde.AvroWireSerializer(registry).serialize(topic, command));
    }

    private static List<GenericRecord> results(BridgeUnderTest bridge) {
        return bridge.values(Topic.COMMAND_RESULTS);
    }

    private static List<String> statuses(Map<String, List<GenericRecord>> byId, String commandId) {
        return byId.getOrDefault(commandId, List.of()).stream().map(r -> r.get("status") + " " + r.get("reasonCode"))
                .toList();
    }

    private static long count(List<GenericRecord> results, String status) {
        return results.stream().filter(r -> r.get("status").toString().equals(status)).count();
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
