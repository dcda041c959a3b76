package io.twsbridge.bridge.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.twsbridge.bridge.kafka.registry.RegistryStartup;
import io.twsbridge.bridge.orders.OrderSettings;
import io.twsbridge.bridge.testing.LogCapture;
import io.twsbridge.client.registry.SchemaRegistryClient;
import io.twsbridge.client.registry.SchemaRegistryConfig;
import io.twsbridge.client.serde.AvroWireDeserializer;
import io.twsbridge.client.serde.AvroWireSerializer;
import io.twsbridge.client.serde.WireFormat;
import io.twsbridge.schema.Command;
import io.twsbridge.schema.CommandResult;
import io.twsbridge.schema.Fill;
import io.twsbridge.schema.catalogue.Topic;
import io.twsbridge.sim.GatewaySimulator;
import io.twsbridge.sim.SimulatorConfig;
import io.twsbridge.testkit.KafkaStack;
import org.apache.avro.Schema;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The schema registry goes away. Down at start-up: the bridge is live, not ready, says why (naming the registry),
 * and becomes ready by itself once the registry is back. Down mid-run: the bridge keeps publishing and keeps
 * handling commands whose schema ids it knows; a command written with a schema new to it waits (neither lost nor
 * dead-lettered) and is handled when the registry returns. The registry here keeps its data across the outage, as a
 * production one does.
 */
class RegistryOutageIT {

    private static final String ACCOUNT = "DU111111";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static KafkaStack stack;

    @BeforeAll
    static void startKafkaAndRegistry() throws Exception {
        stack = KafkaStack.builder().durableRegistry().start();
    }

    @AfterAll
    static void stopKafkaAndRegistry() throws Exception {
        stack.close();
    }

    @BeforeEach
    void registryUp() throws Exception {
        if (!stack.registry().isAlive()) {
            stack.registry().restart(Duration.ofSeconds(90));
        }
    }

    /** Short waits, so the test sees several rounds and a quick return: 2 attempts a call, rounds 0.5 s to 2 s apart. */
    private static BridgeConfig withFastRegistry(BridgeConfig c) {
        SchemaRegistryConfig registry = SchemaRegistryConfig.builder(stack.registry().confluentApiUrl()).maxAttempts(2)
                .initialBackoff(Duration.ofMillis(100)).maxBackoff(Duration.ofMillis(500))
                .startupMaxBackoff(Duration.ofSeconds(2)).requestTimeout(Duration.ofSeconds(5)).build();
        return new BridgeConfig(c.gateway(), c.kafka(), registry, c.zombieProbe(), c.orders());
    }

    @Test
    void aRegistryDownAtStartUpLeavesTheBridgeLiveAndNotReadyUntilItReturns() throws Exception {
        String url = stack.registry().confluentApiUrl();
        ExecutorService starter = Executors.newSingleThreadExecutor();
        try (GatewaySimulator sim = GatewaySimulator.start(SimulatorConfig.builder().ephemeralPorts().adminPort(-1).build());
             BridgeUnderTest bridge = new BridgeUnderTest(stack, sim, "regdown", k -> k, g -> g);
             LogCapture logs = LogCapture.capture()) {
            stack.registry().stop();
            long downSince = System.nanoTime();
            bridge.app = new BridgeApp(withFastRegistry(bridge.config), Clock.systemUTC());
            bridge.app.prepare();
            URI management = bridge.app.startManagement("127.0.0.1", 0);
            Future<?> started = starter.submit(() -> {
                bridge.app.start();
                return null;
            });

            await().atMost(Duration.ofSeconds(30)).until(() -> waits(logs, url) >= 3);
            assertThat(started).isNotDone();
            assertThat(get(management, "/health/live").statusCode()).isEqualTo(200);
            HttpResponse<String> ready = get(management, "/health/ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("schema registry at " + url);
            Map<?, ?> status = JSON.readValue(get(management, "/status").body(), Map.class);
            assertThat(status.get("ready")).isEqualTo(false);
            assertThat(status.get("notReadyReasons")).asString().contains("start-up waits for the schema registry at " + url);
            assertThat(sim.state().connectionsAccepted()).as("no Gateway session before the schemas are registered")
                    .isZero();
            assertThat(logs.errorsAndStackTraces()).as("waiting is not an error").isEmpty();
            long roundsWhileDown = waits(logs, url);

            stack.registry().restart(Duration.ofSeconds(90));
            long backAt = System.nanoTime();
            await().atMost(Duration.ofSeconds(60)).until(started::isDone);
            started.get();
            bridge.awaitReady();
            long readyAfterMillis = (System.nanoTime() - backAt) / 1_000_000;
            assertThat(get(management, "/health/ready").statusCode()).isEqualTo(200);

            bridge.registerCommandSchema();
            bridge.send(Commands.subscribe("after-the-outage", "AAPL"));
            await().atMost(Duration.ofSeconds(30)).until(() -> bridge.values(Topic.COMMAND_RESULTS).stream()
                    .anyMatch(r -> "after-the-outage".equals(r.get("commandId").toString())
                            && "COMPLETED".equals(r.get("status").toString())));
            await().atMost(Duration.ofSeconds(30)).until(() -> !bridge.values(Topic.QUOTES).isEmpty());
            assertThat(bridge.values(Topic.STATUS)).extracting(r -> r.get("sessionState").toString()).contains("READY");

            System.out.printf("RegistryOutageIT (down at start-up): registry down %d s; %d start-up rounds logged"
                            + " at WARN while it was down, /health/live 200, /health/ready 503 naming %s; READY %d ms"
                            + " after the registry answered again; then a command and quotes went through%n",
                    (backAt - downSince) / 1_000_000_000, roundsWhileDown, url, readyAfterMillis);
        } finally {
            starter.shutdownNow();
        }
    }

    @Test
    void aRegistryDownMidRunStopsNothingAndLosesNothing() throws Exception {
        OrderSettings orders = OrderSettings.builder().enabled(true).maxQuantity(new BigDecimal("100"))
                .maxNotional(new BigDecimal("50000")).build();
        try (GatewaySimulator sim = GatewaySimulator.start(SimulatorConfig.builder().ephemeralPorts().adminPort(-1).build());
             BridgeUnderTest bridge = new BridgeUnderTest(stack, sim, "regmid", k -> k, g -> g, orders);
             KafkaProducer<byte[], byte[]> producer = producer();
             LogCapture logs = LogCapture.capture()) {
            bridge.app = new BridgeApp(withFastRegistry(bridge.config), Clock.systemUTC());
            bridge.app.start();
            bridge.registerCommandSchema();
            bridge.awaitReady();
            String commands = bridge.topic(Topic.COMMANDS);
            String subject = commands + Topic.VALUE_SUBJECT_SUFFIX;

            // A strategy's producer, started before the outage: it knows the bridge's Command schema id and has
            // registered a newer Command schema (one more optional field) that the bridge has never seen.
            SchemaRegistryClient producerRegistry = new SchemaRegistryClient(bridge.config.registry());
            AvroWireSerializer serializer = new AvroWireSerializer(producerRegistry);
            producerRegistry.register(subject, Command.getClassSchema());
            int newId = producerRegistry.register(subject, commandWithANote());
            assertThat(bridge.app.registry().cachedSchema(newId)).isEmpty();

            send(producer, commands, 1, serializer.serialize(commands, Commands.subscribe("quotes-before", "AAPL")));
            send(producer, commands, 1, serializer.serialize(commands,
                    Commands.limitOrder("order-before", ACCOUNT, "AAPL", "1", 1000.0)));
            await().atMost(Duration.ofSeconds(30)).until(() -> resultIds(bridge).containsAll(
                    List.of("quotes-before", "order-before")));
            await().atMost(Duration.ofSeconds(30)).until(() -> fillRefs(bridge).contains("order-before"));
            await().atMost(Duration.ofSeconds(30)).until(() -> count(bridge, Topic.QUOTES) > 0);

            stack.registry().stop();
            long quotesAtStop = count(bridge, Topic.QUOTES);
            // Written with the schema new to the bridge, on partition 0: the bridge must ask the registry for it.
            byte[] known = serializer.serialize(commands, Commands.subscribe("new-schema", "MSFT"));
            send(producer, commands, 0, withSchemaANoteAppended(known, newId));
            // Known ids, on partition 1: these go on.
            send(producer, commands, 1, serializer.serialize(commands,
                    Commands.limitOrder("order-during", ACCOUNT, "AAPL", "2", 1000.0)));
            send(producer, commands, 1, serializer.serialize(commands, Commands.accountSnapshot("snapshot-during")));

            await().atMost(Duration.ofSeconds(30)).until(() -> resultIds(bridge).containsAll(
                    List.of("order-during", "snapshot-during")));
            await().atMost(Duration.ofSeconds(30)).until(() -> fillRefs(bridge).contains("order-during"));
            await().atMost(Duration.ofSeconds(30)).until(() -> count(bridge, Topic.QUOTES) > quotesAtStop + 10);
            // Hold the outage long enough for several tries at the new schema.
            await().atMost(Duration.ofSeconds(60)).until(() -> lookupWaits(logs, newId) >= 3);
            assertThat(resultIds(bridge)).doesNotContain("new-schema");
            assertThat(count(bridge, Topic.COMMANDS_DLQ)).as("nothing dead-lettered").isZero();
            assertThat(bridge.app.ready()).as("publishing and known commands need no registry").isTrue();
            long quotesDuringOutage = count(bridge, Topic.QUOTES) - quotesAtStop;
            long waitsDuringOutage = lookupWaits(logs, newId);

            stack.registry().restart(Duration.ofSeconds(90));
            long backAt = System.nanoTime();
            await().atMost(Duration.ofSeconds(60)).until(() -> resultIds(bridge).contains("new-schema"));
            long handledAfterMillis = (System.nanoTime() - backAt) / 1_000_000;
            await().atMost(Duration.ofSeconds(30)).until(() -> bridge.values(Topic.QUOTES).stream()
                    .anyMatch(q -> "MSFT".equals(String.valueOf(((org.apache.avro.generic.GenericRecord) q.get("instrument"))
                            .get("symbol")))));

            // Nothing lost, nothing twice, nothing dead-lettered: read with a cold client, from the registry. Both
            // orders fill, so each ends with its final result after the ACCEPTED.
            await().atMost(Duration.ofSeconds(30)).until(() -> bridge.values(Topic.COMMAND_RESULTS).size() >= 7);
            List<String> results = bridge.values(Topic.COMMAND_RESULTS).stream()
                    .map(r -> r.get("commandId") + "=" + r.get("status")).toList();
            assertThat(results).containsExactlyInAnyOrder("quotes-before=COMPLETED", "order-before=ACCEPTED",
                    "order-before=COMPLETED", "order-during=ACCEPTED", "order-during=COMPLETED",
                    "snapshot-during=COMPLETED", "new-schema=COMPLETED");
            assertThat(bridge.values(Topic.FILLS)).extracting(f -> f.get("orderRef").toString())
                    .containsExactlyInAnyOrder("order-before", "order-during");
            assertThat(count(bridge, Topic.COMMANDS_DLQ)).isZero();
            assertThat(logs.errorsAndStackTraces()).isEmpty();

            System.out.printf("RegistryOutageIT (down mid-run): during the outage %d quotes published, 2 commands with"
                            + " known schema ids handled (an order and its fill, a snapshot), the command with new"
                            + " schema id %d waited (%d tries logged), 0 dead letters; it was handled %d ms after the"
                            + " registry answered again; results %s%n",
                    quotesDuringOutage, newId, waitsDuringOutage, handledAfterMillis, results);
        }
    }

    // ---------------------------------------------------------------------------------------------------- helpers

    private static long waits(LogCapture logs, String url) {
        return logs.lines().stream().filter(l -> l.startsWith("WARN " + RegistryStartup.class.getName())
                && l.contains("schema registry at " + url + " is unavailable")
                && l.contains("start-up waits and registers again in")).count();
    }

    private static long lookupWaits(LogCapture logs, int schemaId) {
        return logs.lines().stream().filter(l -> l.contains("schema registry unavailable for writer schema " + schemaId
                + " ")).count();
    }

    /** The bridge's Command schema with one more optional field at the end: compatible, and new to the bridge. */
    private static Schema commandWithANote() throws Exception {
        ObjectNode schema = (ObjectNode) JSON.readTree(Command.getClassSchema().toString());
        ObjectNode note = schema.withArray("fields").addObject();
        note.put("name", "note");
        note.putArray("type").add("null").add("string");
        note.putNull("default");
        return new Schema.Parser().parse(schema.toString());
    }

    /**
     * A value written with {@link #commandWithANote()}: the same record, and the note, null, is the last field, so
     * its encoding is the old body followed by union branch 0.
     */
    private static byte[] withSchemaANoteAppended(byte[] value, int schemaId) {
        byte[] out = Arrays.copyOf(value, value.length + 1);
        WireFormat.writeHeader(out, 0, schemaId);
        out[value.length] = 0;
        return out;
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        Map<String, Object> p = new HashMap<>(stack.kafka().clientConfig());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p);
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String topic, int partition, byte[] value)
            throws Exception {
        producer.send(new ProducerRecord<>(topic, partition, ACCOUNT.getBytes(StandardCharsets.UTF_8), value)).get();
    }

    private static long count(BridgeUnderTest bridge, Topic topic) {
        return bridge.read(bridge.topic(topic)).size();
    }

    /** Result ids, decoded with the bridge's own warm client: no registry call, so this works during the outage. */
    private static List<String> resultIds(BridgeUnderTest bridge) {
        AvroWireDeserializer<CommandResult> results = new AvroWireDeserializer<>(CommandResult.class, bridge.app.registry());
        return bridge.read(bridge.topic(Topic.COMMAND_RESULTS)).stream().map(r -> results.deserialize(r.value()))
                .filter(Objects::nonNull).map(r -> r.getCommandId()).toList();
    }

    private static List<String> fillRefs(BridgeUnderTest bridge) {
        AvroWireDeserializer<Fill> fills = new AvroWireDeserializer<>(Fill.class, bridge.app.registry());
        return bridge.read(bridge.topic(Topic.FILLS)).stream().map(r -> fills.deserialize(r.value()))
                .filter(Objects::nonNull).map(f -> String.valueOf(f.getOrderRef())).toList();
    }

    private static HttpResponse<String> get(URI base, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
