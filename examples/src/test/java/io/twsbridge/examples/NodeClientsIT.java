package io.twsbridge.examples;

import io.twsbridge.bridge.app.BridgeApp;
import io.twsbridge.bridge.app.BridgeConfig;
import io.twsbridge.bridge.gateway.GatewayConfig;
import io.twsbridge.bridge.gateway.session.SessionState;
import io.twsbridge.bridge.gateway.zombie.ZombieProbe;
import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.bridge.orders.OrderSettings;
import io.twsbridge.client.registry.SchemaRegistryClient;
import io.twsbridge.client.registry.SchemaRegistryConfig;
import io.twsbridge.client.serde.AvroWireDeserializer;
import io.twsbridge.client.serde.AvroWireSerializer;
import io.twsbridge.schema.BarSize;
import io.twsbridge.schema.Command;
import io.twsbridge.schema.CommandResult;
import io.twsbridge.schema.Instrument;
import io.twsbridge.schema.OrderAction;
import io.twsbridge.schema.OrderType;
import io.twsbridge.schema.PlaceOrder;
import io.twsbridge.schema.RequestAccountSnapshot;
import io.twsbridge.schema.RequestHistoricalBars;
import io.twsbridge.schema.RequestPositions;
import io.twsbridge.schema.ResolveContract;
import io.twsbridge.schema.SubscribeQuotes;
import io.twsbridge.schema.TimeInForce;
import io.twsbridge.schema.UnsubscribeQuotes;
import io.twsbridge.schema.WhatToShow;
import io.twsbridge.schema.catalogue.RecordKeys;
import io.twsbridge.schema.catalogue.Topic;
import io.twsbridge.sim.GatewaySimulator;
import io.twsbridge.sim.SimulatorConfig;
import io.twsbridge.testkit.KafkaStack;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * The Node examples (examples/node) against a real bridge: in-process Kafka, the registry, the simulated Gateway,
 * orders enabled, topics under a prefix and with three partitions (so that a partitioner other than murmur2 would
 * show). Each script runs as its own {@code node} process; the test checks what it printed and what the bridge and
 * the simulator recorded.
 */
class NodeClientsIT {

    private static final String PREFIX = "node.";
    private static final String ACCOUNT = "DU111111";
    private static final int PARTITIONS = 3;
    private static final Duration NODE_RUN_LIMIT = Duration.ofMinutes(3);
    private static final Pattern DECODE_LINE = Pattern.compile(
            "(?m)^(\\S+): decoded (\\d+), failed (\\d+), tombstones (\\d+)");
    /** The compression codec id in a record batch's attributes (Kafka's record batch format, v2). */
    private static final int LZ4 = 3;

    private static KafkaStack stack;
    private static GatewaySimulator sim;
    private static KafkaSettings settings;
    private static BridgeApp bridge;
    private static SchemaRegistryClient registry;
    private static KafkaProducer<byte[], byte[]> producer;

    @BeforeAll
    static void startTheStackAndTheBridge() throws Exception {
        stack = KafkaStack.start();
        sim = GatewaySimulator.start(SimulatorConfig.builder().ephemeralPorts().adminPort(-1).build());
        KafkaSettings.Builder kafka = KafkaSettings.builder().bootstrapServers(stack.bootstrapServers())
                .partitions(PARTITIONS).subscriptionsTopic(PREFIX + "ib.subscriptions").bridgeId("node-bridge")
                .commandGroupId("node-commands").heartbeatInterval(Duration.ofSeconds(1));
        for (Topic t : Topic.values()) {
            kafka.topicName(t, PREFIX + t.defaultName());
        }
        settings = kafka.build();
        assertThat(settings.compression()).as("the bridge runs with its default compression").isEqualTo("lz4");
        OrderSettings orders = OrderSettings.builder().enabled(true).maxQuantity(new BigDecimal("100"))
                .maxNotional(new BigDecimal("100000")).journalTopic(PREFIX + "ib.order-journal").build();
        BridgeConfig config = new BridgeConfig(GatewayConfig.builder().port(sim.apiPort()).clientId(0).build(), settings,
                SchemaRegistryConfig.builder(stack.registryUrl()).build(), ZombieProbe.disabled(), orders);
        bridge = new BridgeApp(config, Clock.systemUTC());
        bridge.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> bridge.ready()
                && bridge.gateway().session().state() == SessionState.READY);
        registry = new SchemaRegistryClient(config.registry());
        Map<String, Object> p = new HashMap<>(stack.kafka().clientConfig());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(p);
        // The test's own producer finds the Command schema the bridge registered, as a Java strategy would.
        registry.register(settings.topic(Topic.COMMANDS) + "-value", Command.getClassSchema());
    }

    @AfterAll
    static void stopEverything() throws Exception {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
        if (bridge != null) {
            bridge.close();
        }
        if (sim != null) {
            sim.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void confluentsClientSubscribesPlacesAndCancelsAnOrderAndSeesEachFinalResult() throws Exception {
        String runId = "node-example";
        NodeRun run = node("place-and-cancel.js", Map.of("RUN_ID", runId, "ACCOUNT", ACCOUNT));
        String subscribe = runId + "-subscribe";
        String order = runId + "-order";
        String cancel = runId + "-cancel";

        // Where the commands went: the partition the Java client's murmur2 gives the account, not librdkafka's default.
        byte[] key = ACCOUNT.getBytes(StandardCharsets.UTF_8);
        int murmur2 = Utils.toPositive(Utils.murmur2(key)) % PARTITIONS;
        CRC32 crc = new CRC32();
        crc.update(key);
        assertThat((int) (crc.getValue() % PARTITIONS)).as("librdkafka's default partitioner would choose another one")
                .isNotEqualTo(murmur2);
        AvroWireDeserializer<Command> commands = new AvroWireDeserializer<>(Command.class, registry);
        Map<String, Integer> partitionOf = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : readAll(settings.topic(Topic.COMMANDS))) {
            String id = commands.deserialize(r.value()).getCommandId();
            if (id.startsWith(runId + "-")) {
                assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(ACCOUNT);
                partitionOf.put(id, r.partition());
            }
        }
        assertThat(partitionOf).as("the example's commands; its output:%n%s", run.output())
                .containsOnlyKeys(subscribe, order, cancel).allSatisfy((id, partition) -> assertThat(partition).isEqualTo(murmur2));

        // What the bridge and the Gateway did with them, read here in Java.
        Map<String, List<String>> results = resultsOf(Set.of(subscribe, order, cancel));
        assertThat(results.get(subscribe)).as("output:%n%s", run.output()).containsExactly("COMPLETED OK");
        assertThat(results.get(order)).as("output:%n%s", run.output()).first().isEqualTo("ACCEPTED OK");
        assertThat(sim.state().placeOrderCountByOrderRef()).containsEntry(order, 1);
        assertThat(sim.state().received("CancelOrder")).as("cancels the Gateway received").isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> sim.state().openOrders() == 0);
        assertThat(sim.state().subscriptions()).anySatisfy(s -> assertThat(s.symbol()).isEqualTo("AAPL"));

        // The final results of the order commands, once IB has cancelled the order: at most one ACCEPTED, then
        // exactly one final result (schemas/README.md); the order's ACCEPTED is what the example waits for to cancel.
        assertThat(results.get(cancel)).as("the cancel's results; output:%n%s", run.output())
                .isIn(List.of("COMPLETED ORDER_CANCELLED"), List.of("ACCEPTED OK", "COMPLETED ORDER_CANCELLED"));
        assertThat(results.get(order)).as("the order's results; output:%n%s", run.output())
                .containsExactly("ACCEPTED OK", "COMPLETED ORDER_CANCELLED");
        assertThat(run.output()).contains(
                "result " + subscribe + " SubscribeQuotes COMPLETED OK",
                "ok: SubscribeQuotes ended COMPLETED OK",
                "ok: CancelOrder ended COMPLETED ORDER_CANCELLED",
                "ok: PlaceOrder ended COMPLETED ORDER_CANCELLED",
                "all commands reached their expected final results");
        assertThat(run.exitCode()).as("output:%n%s", run.output()).isZero();
    }

    @Test
    void aKafkajsConsumerDecodesEveryTopicTheBridgeWrites() throws Exception {
        // Something on every topic: a snapshot, positions, quotes, a fill, an unsubscription (a tombstone on the
        // subscriptions topic), a command that fails validation (a dead letter), a resolved contract, a day of bars.
        send(command("decode-snapshot", null).setPayload(RequestAccountSnapshot.newBuilder().build()).build());
        send(command("decode-positions", null).setPayload(RequestPositions.newBuilder().build()).build());
        send(command("decode-subscribe", null).setPayload(SubscribeQuotes.newBuilder().setInstrument(stock("MSFT"))
                .build()).build());
        send(order("decode-fill", "1", 1000.0)); // marketable: fills at once
        send(order("decode-invalid", "-5", 1.0)); // a quantity below zero: refused and dead-lettered
        send(command("decode-contract", null).setPayload(ResolveContract.newBuilder().setSymbol("AAPL")
                .setSecType("STK").setCurrency("USD").build()).build());
        send(command("decode-bars", null).setPayload(RequestHistoricalBars.newBuilder().setInstrument(stock("AAPL"))
                .setDuration("1 D").setBarSize(BarSize.MIN_30).setWhatToShow(WhatToShow.TRADES)
                .setEndTime(java.time.Instant.parse("2026-12-01T17:00:00Z")).build()).build());
        await().atMost(Duration.ofSeconds(30)).until(() -> values(settings.topic(Topic.QUOTES)) > 0);
        send(command("decode-unsubscribe", null).setPayload(UnsubscribeQuotes.newBuilder().setInstrument(stock("MSFT"))
                .build()).build());

        List<String> topics = bridgeTopics();
        await().atMost(Duration.ofSeconds(30)).until(() -> topics.stream().allMatch(t -> values(t) > 0)
                && readAll(settings.subscriptionsTopic()).stream().anyMatch(r -> r.value() == null));
        Map<String, Long> javaCounts = new LinkedHashMap<>();
        topics.forEach(t -> javaCounts.put(t, values(t)));
        // Every batch the bridge wrote is lz4: what kafkajs cannot read without the codec the example registers.
        Map<String, Set<Integer>> codecs = new TreeMap<>();
        for (String t : topics) {
            codecs.put(t, compressionCodecs(t));
        }
        assertThat(codecs).allSatisfy((t, c) -> assertThat(c).as(t).containsExactly(LZ4));

        NodeRun run = node("decode-all.js", Map.of());

        Map<String, long[]> printed = new TreeMap<>();
        Matcher m = DECODE_LINE.matcher(run.output());
        while (m.find()) {
            printed.put(m.group(1), new long[] {Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                    Long.parseLong(m.group(4))});
        }
        assertThat(printed).as("one line per topic; output:%n%s", run.output())
                .containsOnlyKeys(topics.toArray(String[]::new));
        for (String t : topics) {
            long[] c = printed.get(t);
            assertThat(c[1]).as("records of %s kafkajs failed to decode; output:%n%s", t, run.output()).isZero();
            assertThat(c[0]).as("records of %s decoded (Java read %d before the run)", t, javaCounts.get(t))
                    .isGreaterThanOrEqualTo(javaCounts.get(t)).isPositive();
        }
        assertThat(printed.get(settings.subscriptionsTopic())[2]).as("the unsubscription's tombstone").isPositive();
        assertThat(run.output()).contains("all " + topics.size() + " topics decoded, no failures");
        assertThat(run.exitCode()).as("output:%n%s", run.output()).isZero();
    }

    /** Every topic the bridge writes: all of its topics but the commands it reads, and its two state topics. */
    private static List<String> bridgeTopics() {
        return Stream.concat(Stream.of(Topic.values()).filter(t -> t != Topic.COMMANDS).map(settings::topic),
                Stream.of(settings.subscriptionsTopic(), PREFIX + "ib.order-journal")).toList();
    }

    private record NodeRun(int exitCode, String output) {
    }

    /** Runs one of the examples with the stack's addresses and the topic prefix; its output, printed here too. */
    private static NodeRun node(String script, Map<String, String> env) throws IOException, InterruptedException {
        Path dir = Path.of(System.getProperty("node-examples.dir", "node"));
        Path output = Files.createTempFile("node-example", ".log");
        ProcessBuilder builder = new ProcessBuilder("node", script).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().putAll(Map.of("KAFKA_BOOTSTRAP_SERVERS", stack.bootstrapServers(),
                "SCHEMA_REGISTRY_URL", stack.registryUrl(), "TOPIC_PREFIX", PREFIX, "TIMEOUT_SECONDS", "30"));
        builder.environment().putAll(env);
        Process process = builder.start();
        try {
            if (!process.waitFor(NODE_RUN_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                fail("node " + script + " did not end within " + NODE_RUN_LIMIT + "; its output:%n" + Files.readString(output));
            }
            String text = Files.readString(output);
            System.out.printf("node %s exited %d:%n%s", script, process.exitValue(), text);
            return new NodeRun(process.exitValue(), text);
        } finally {
            process.destroyForcibly();
            Files.deleteIfExists(output);
        }
    }

    /** The results of the given commands, in the order written, as "STATUS REASON". */
    private static Map<String, List<String>> resultsOf(Set<String> commandIds) {
        AvroWireDeserializer<CommandResult> decoder = new AvroWireDeserializer<>(CommandResult.class, registry);
        Map<String, List<String>> out = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : readAll(settings.topic(Topic.COMMAND_RESULTS))) {
            CommandResult result = decoder.deserialize(r.value());
            if (commandIds.contains(result.getCommandId())) {
                out.computeIfAbsent(result.getCommandId(), k -> new ArrayList<>())
                        .add(result.getStatus() + " " + result.getReasonCode());
            }
        }
        return out;
    }

    private static long values(String topic) {
        return readAll(topic).stream().filter(r -> r.value() != null).count();
    }

    /** Every record of {@code topic} so far, read with the Java client. */
    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        return io.twsbridge.testkit.TopicRecords.readAll(stack.kafka().clientConfig(), topic);
    }

    /**
     * The compression codecs of the record batches in {@code topic}'s first log segments, read from the broker's
     * files: a batch starts with its base offset (8 bytes) and length (4), its attributes are at byte 21, and their
     * lowest three bits name the codec.
     */
    private static Set<Integer> compressionCodecs(String topic) throws IOException {
        Set<Integer> codecs = new TreeSet<>();
        for (int partition = 0; partition < partitionCount(topic); partition++) {
            Path segment = stack.kafka().logDir().resolve(topic + "-" + partition).resolve("00000000000000000000.log");
            if (!Files.exists(segment)) {
                continue;
            }
            try (FileChannel file = FileChannel.open(segment, StandardOpenOption.READ)) {
                ByteBuffer log = file.map(FileChannel.MapMode.READ_ONLY, 0, file.size());
                int at = 0;
                while (at + 23 <= log.limit()) {
                    int length = log.getInt(at + 8);
                    if (length <= 0 || at + 12 + length > log.limit()) {
                        break; // the preallocated tail, or a batch still being written
                    }
                    codecs.add(log.getShort(at + 21) & 0x7);
                    at += 12 + length;
                }
            }
        }
        return codecs;
    }

    private static int partitionCount(String topic) {
        return topic.equals(PREFIX + "ib.order-journal") ? 1 : PARTITIONS;
    }

    private static void send(Command command) throws Exception {
        String topic = settings.topic(Topic.COMMANDS);
        producer.send(new ProducerRecord<>(topic, RecordKeys.command(command).getBytes(StandardCharsets.UTF_8),
                new AvroWireSerializer(registry).serialize(topic, command))).get();
    }

    private static Command.Builder command(String id, String account) {
        return Command.newBuilder().setCommandId(id).setIssuedAt(Instant.now()).setAccount(account);
    }

    private static Command order(String id, String quantity, double limit) {
        return command(id, ACCOUNT).setPayload(PlaceOrder.newBuilder().setInstrument(stock("AAPL"))
                .setAction(OrderAction.BUY).setQuantity(new BigDecimal(quantity).setScale(10)).setOrderType(OrderType.LMT)
                .setLimitPrice(limit).setTimeInForce(TimeInForce.DAY).setOutsideRth(false).build()).build();
    }

    private static Instrument stock(String symbol) {
        return Instrument.newBuilder().setSymbol(symbol).setSecType("STK").setExchange("SMART").setCurrency("USD").build();
    }
}
