package io.twsbridge.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.twsbridge.client.registry.FakeSchemaRegistry;
import io.twsbridge.client.registry.SchemaRegistryClient;
import io.twsbridge.client.registry.SchemaRegistryConfig;
import io.twsbridge.client.serde.AvroWireSerializer;
import io.twsbridge.schema.Command;
import io.twsbridge.schema.CommandResult;
import io.twsbridge.schema.CommandStatus;
import io.twsbridge.schema.OrderAction;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client over Kafka's mock producer and consumer and a fake registry: what it writes, how futures complete. */
class BridgeClientTest {

    private static final Instant NOW = Instant.parse("2026-12-07T14:30:00Z");
    private static final TopicPartition RESULTS_0 = new TopicPartition("t.ib.command-results", 0);
    private static final TopicPartition RESULTS_1 = new TopicPartition("t.ib.command-results", 1);

    private FakeSchemaRegistry registry;
    private SchemaRegistryClient clientSide;
    private AvroWireSerializer resultWriter;
    private MockProducer<String, SpecificRecord> producer;
    private MockConsumer<String, byte[]> consumer;
    private BridgeClient client;
    private long nextOffset = 100;

    @BeforeEach
    void start() {
        registry = FakeSchemaRegistry.start(FakeSchemaRegistry.Flavor.CONFLUENT);
        clientSide = registryClient();
        clientSide.register("t.ib.commands-value", Command.getClassSchema());
        SchemaRegistryClient bridgeSide = registryClient();
        bridgeSide.register("t.ib.command-results-value", CommandResult.getClassSchema());
        resultWriter = new AvroWireSerializer(bridgeSide);
        producer = new MockProducer<>(true, null, new StringSerializer(), new AvroWireSerializer(clientSide));
        consumer = new MockConsumer<>("latest");
        Node node = new Node(0, "localhost", 9092);
        consumer.updatePartitions(RESULTS_0.topic(), List.of(
                new PartitionInfo(RESULTS_0.topic(), 0, node, new Node[] {node}, new Node[] {node}),
                new PartitionInfo(RESULTS_0.topic(), 1, node, new Node[] {node}, new Node[] {node})));
        consumer.updateEndOffsets(Map.of(RESULTS_0, nextOffset, RESULTS_1, nextOffset));
        client = BridgeClient.start(config(Duration.ofSeconds(30)), Clock.fixed(NOW, ZoneOffset.UTC), clientSide,
                producer, consumer);
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        registry.close();
    }

    private SchemaRegistryClient registryClient() {
        return new SchemaRegistryClient(SchemaRegistryConfig.builder(registry.baseUrl()).build(), d -> {});
    }

    private static BridgeClientConfig config(Duration acceptTimeout) {
        return BridgeClientConfig.builder("localhost:9092", "http://localhost:8081").topicPrefix("t")
                .acceptTimeout(acceptTimeout).resultTimeout(Duration.ofSeconds(30)).build();
    }

    /** A result as the bridge writes it, on the partition its key would go to (any partition will do here). */
    private void bridgeAnswers(String commandId, CommandStatus status, String reasonCode) {
        CommandResult result = CommandResult.newBuilder().setCommandId(commandId).setStatus(status)
                .setReasonCode(reasonCode).setMessage("").setTimestamp(NOW).build();
        consumer.schedulePollTask(() -> consumer.addRecord(new ConsumerRecord<>(RESULTS_1.topic(), 1, nextOffset++,
                commandId, resultWriter.serialize(RESULTS_1.topic(), result))));
    }

    @Test
    void sendWritesTheCommandKeyedByAccountAndCompletesFromItsResults() throws Exception {
        List<CommandResult> heard = new CopyOnWriteArrayList<>();
        client.results(heard::add);
        PlaceOrderCommand order = Commands.marketOrder(OrderAction.BUY, BigDecimal.ONE, Instruments.stock("AAPL"))
                .withAccount("DU1");
        CommandHandle handle = client.send(order);

        assertThat(producer.history()).hasSize(1);
        ProducerRecord<String, SpecificRecord> written = producer.history().get(0);
        assertThat(written.topic()).isEqualTo("t.ib.commands");
        assertThat(written.key()).isEqualTo("DU1");
        assertThat(written.value()).isEqualTo(order.toCommand(NOW));
        assertThat(handle.commandType()).isEqualTo("PlaceOrder");

        bridgeAnswers("someone-else", CommandStatus.COMPLETED, "OK");
        bridgeAnswers(order.commandId(), CommandStatus.ACCEPTED, "OK");
        assertThat(handle.accepted().get(10, TimeUnit.SECONDS).getStatus()).isEqualTo(CommandStatus.ACCEPTED);
        assertThat(handle.result()).isNotDone();
        bridgeAnswers(order.commandId(), CommandStatus.COMPLETED, "ORDER_FILLED");
        CommandResult result = handle.result().get(10, TimeUnit.SECONDS);
        assertThat(result.getReasonCode()).isEqualTo("ORDER_FILLED");
        await().atMost(Duration.ofSeconds(10)).until(() -> heard.size() == 3);
        assertThat(heard).extracting(CommandResult::getCommandId)
                .containsExactly("someone-else", order.commandId(), order.commandId());
    }

    @Test
    void noAcceptedResultCompletesAcceptedWithTheFinalOne() throws Exception {
        CommandHandle handle = client.send(Commands.requestPositions());
        bridgeAnswers(handle.commandId(), CommandStatus.COMPLETED, "OK");
        assertThat(handle.accepted().get(10, TimeUnit.SECONDS)).isSameAs(handle.result().get(10, TimeUnit.SECONDS));
    }

    @Test
    void noAnswerInTimeFailsWithTheCommandId() {
        client.close();
        client = BridgeClient.start(config(Duration.ofMillis(50)), Clock.systemUTC(), registryClient(),
                new MockProducer<>(true, null, new StringSerializer(), new AvroWireSerializer(clientSide)),
                new MockConsumer<>("latest") {
                    {
                        updatePartitions(RESULTS_0.topic(), List.of(new PartitionInfo(RESULTS_0.topic(), 0, null,
                                new Node[0], new Node[0])));
                        updateEndOffsets(Map.of(RESULTS_0, 0L));
                    }
                });
        CommandHandle handle = client.send(Commands.requestAccountSnapshot(), Duration.ofMillis(100));
        assertThat(failure(handle.accepted())).isInstanceOf(CommandTimeoutException.class)
                .hasMessage("no ACCEPTED or final result for command " + handle.commandId() + " within PT0.05S");
        assertThat(failure(handle.result())).isInstanceOf(CommandTimeoutException.class)
                .hasMessage("no final result for command " + handle.commandId() + " within PT0.1S");
    }

    @Test
    void aCommandKafkaRefusesFailsBothFutures() {
        client.close();
        client = null;
        SchemaRegistryClient unregistered = registryClient(); // knows no Command schema id: the serializer refuses
        MockProducer<String, SpecificRecord> refusing = new MockProducer<>(true, null, new StringSerializer(),
                new AvroWireSerializer(unregistered));
        MockConsumer<String, byte[]> c = new MockConsumer<>("latest");
        c.updatePartitions(RESULTS_0.topic(), List.of(new PartitionInfo(RESULTS_0.topic(), 0, null, new Node[0],
                new Node[0])));
        c.updateEndOffsets(Map.of(RESULTS_0, 0L));
        try (BridgeClient refused = BridgeClient.start(config(Duration.ofSeconds(30)), Clock.systemUTC(), unregistered,
                refusing, c)) {
            CommandHandle handle = refused.send(Commands.requestPositions());
            assertThat(failure(handle.result())).hasMessageContaining("no schema id for io.twsbridge.schema.Command");
            assertThat(failure(handle.accepted())).hasMessageContaining("no schema id");
        }
    }

    @Test
    void closingFailsWhatStillWaitsAndRefusesNewSends() {
        CommandHandle handle = client.send(Commands.requestPositions());
        client.close();
        assertThat(failure(handle.result())).isInstanceOf(IllegalStateException.class)
                .hasMessage("the bridge client was closed before the result came");
        assertThatThrownBy(() -> client.send(Commands.requestPositions())).hasMessage("the bridge client is closed");
        assertThat(consumer.closed()).isTrue();
    }

    @Test
    void aResultsConsumerThatFailsFailsWhatWaitsAndRefusesNewSends() {
        CommandHandle handle = client.send(Commands.requestPositions());
        consumer.setPollException(new KafkaException("SASL authentication failed"));
        assertThat(failure(handle.result())).hasMessage("SASL authentication failed");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThatThrownBy(() -> client.send(Commands.requestPositions()))
                        .hasMessageStartingWith("the bridge client reads no results any more"));
    }

    @Test
    void aMissingResultsTopicIsSaidPlainly() {
        MockConsumer<String, byte[]> empty = new MockConsumer<>("latest");
        assertThatThrownBy(() -> BridgeClient.start(config(Duration.ofSeconds(1)), Clock.systemUTC(), registryClient(),
                producer, empty)).isInstanceOf(IllegalStateException.class)
                .hasMessage("the results topic t.ib.command-results does not exist: start the bridge first (it creates"
                        + " its topics), or check the topic name");
    }

    @Test
    void theConfigurationRefusesWhatWouldBreakOrdering() {
        assertThatThrownBy(() -> BridgeClientConfig.builder("localhost:9092", "http://localhost:8081")
                .kafkaProperty("acks", "1").kafkaProperty("enable.idempotence", "false")
                .kafkaProperty("partitioner.class", "x.Mine").commandsTopic("bad topic").build())
                .hasMessage("invalid bridge client configuration: partitioner.class is the client's own setting and"
                        + " must not be given (was x.Mine); acks must be all (every in-sync replica) but was 1;"
                        + " enable.idempotence must be true (a retried send must not reorder or repeat commands) but"
                        + " was false; commandsTopic must be a legal Kafka topic name but was 'bad topic'");
        BridgeClientConfig defaults = BridgeClientConfig.builder("k:9092", "http://r:8081").build();
        assertThat(defaults.commandsTopic()).isEqualTo("ib.commands");
        assertThat(defaults.resultsTopic()).isEqualTo("ib.command-results");
    }

    private static Throwable failure(CompletableFuture<CommandResult> future) {
        try {
            future.get(10, TimeUnit.SECONDS);
            throw new AssertionError("completed normally");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
