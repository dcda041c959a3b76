package io.twsbridge.bench.support;

import io.twsbridge.bridge.app.BridgeConfig;
import io.twsbridge.bridge.gateway.GatewayConfig;
import io.twsbridge.bridge.gateway.zombie.ZombieProbe;
import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.bridge.kafka.topics.PartitionLeaders;
import io.twsbridge.bridge.orders.OrderSettings;
import io.twsbridge.client.registry.SchemaRegistryConfig;
import io.twsbridge.embedded.EmbeddedKafka;
import io.twsbridge.schema.catalogue.Topic;
import io.twsbridge.sim.GatewaySimulator;
import io.twsbridge.testkit.KafkaStack;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;

/**
 * The real parts every end-to-end benchmark runs on, started once: the test kit's {@link KafkaStack}, an in-process
 * Kafka broker (KafkaRaftServer on 127.0.0.1) and the schema registry (Apicurio, Confluent API) as a child process,
 * with what the benchmarks build on it: bridge settings, harness producers and consumers. Each benchmark gets topics
 * of its own through a prefix, so one stack serves the whole suite.
 */
public final class BenchStack implements AutoCloseable {

    /** How long a harness producer may take to learn the leaders of its just-created topics. */
    public static final Duration LEADER_TIMEOUT = Duration.ofSeconds(30);
    /** How long closing a harness producer waits for what it still has to send. */
    public static final Duration PRODUCER_CLOSE = Duration.ofSeconds(10);

    /** The registry starts while the suite's first benchmark may already load both cores. */
    private static final Duration REGISTRY_STARTUP = Duration.ofSeconds(120);

    private final KafkaStack stack;

    private BenchStack(KafkaStack stack) {
        this.stack = stack;
    }

    public static BenchStack start() throws IOException, InterruptedException {
        return new BenchStack(KafkaStack.builder().registryStartup(REGISTRY_STARTUP).start());
    }

    public String bootstrapServers() {
        return stack.bootstrapServers();
    }

    public String registryUrl() {
        return stack.registryUrl();
    }

    public EmbeddedKafka kafka() {
        return stack.kafka();
    }

    /**
     * Kafka settings of a bridge whose every topic, the state topics included, starts with {@code prefix}. The
     * caller's changes are applied last.
     */
    public KafkaSettings kafkaSettings(String prefix, UnaryOperator<KafkaSettings.Builder> changes) {
        KafkaSettings.Builder b = KafkaSettings.builder().bootstrapServers(bootstrapServers())
                .subscriptionsTopic(prefix + ".ib.subscriptions").bridgeId(prefix + "-bridge")
                .commandGroupId(prefix + "-commands");
        for (Topic t : Topic.values()) {
            b.topicName(t, prefix + "." + t.defaultName());
        }
        return changes.apply(b).build();
    }

    /** A whole bridge configuration against {@code sim}; orders off unless {@code orders} says otherwise. */
    public BridgeConfig bridgeConfig(String prefix, GatewaySimulator sim, UnaryOperator<KafkaSettings.Builder> kafka,
                                     UnaryOperator<GatewayConfig.Builder> gateway,
                                     UnaryOperator<OrderSettings.Builder> orders) {
        return new BridgeConfig(gateway.apply(GatewayConfig.builder().port(sim.apiPort()).clientId(17)).build(),
                kafkaSettings(prefix, kafka), SchemaRegistryConfig.builder(registryUrl()).build(), ZombieProbe.disabled(),
                orders.apply(OrderSettings.builder().journalTopic(prefix + ".ib.order-journal")).build());
    }

    /**
     * A byte-array producer with the given settings on top of the broker's address, returned once it knows a leader
     * for every partition of {@code topics}, the topics it is about to write ({@link PartitionLeaders}): an
     * idempotent producer whose first request to a partition is refused while a later one is appended can never
     * deliver the first (KAFKA-15591). On a topic created a moment ago that narrows the window without closing it;
     * the quote baselines, which start at full speed, also put one record on each partition first
     * ({@code QuoteRig.baselineProducer}). Its {@code close()} waits at most {@link #PRODUCER_CLOSE}, then fails
     * what is still unacknowledged, so a stalled benchmark still ends.
     *
     * @throws TimeoutException naming the partitions still without a leader after {@link #LEADER_TIMEOUT}
     */
    public KafkaProducer<byte[], byte[]> producer(Map<String, Object> settings, Collection<String> topics)
            throws InterruptedException, TimeoutException {
        Map<String, Object> p = new HashMap<>(settings);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        KafkaProducer<byte[], byte[]> producer = new BoundedCloseProducer(p);
        try {
            PartitionLeaders.await(producer, topics, LEADER_TIMEOUT);
            return producer;
        } catch (InterruptedException | TimeoutException | RuntimeException e) {
            producer.close(Duration.ZERO);
            throw e;
        }
    }

    /** A producer whose {@code close()} is bounded (KafkaProducer's own waits for every acknowledgement). */
    private static final class BoundedCloseProducer extends KafkaProducer<byte[], byte[]> {
        BoundedCloseProducer(Map<String, Object> config) {
            super(config);
        }

        @Override
        public void close() {
            close(PRODUCER_CLOSE);
        }
    }

    /** A byte-array consumer without a group (assign and seek yourself), tuned to hand records over at once. */
    public KafkaConsumer<byte[], byte[]> consumer() {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5);
        return new KafkaConsumer<>(c);
    }

    @Override
    public void close() throws IOException {
        stack.close();
    }
}
