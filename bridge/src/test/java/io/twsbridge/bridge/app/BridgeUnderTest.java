package io.twsbridge.bridge.app;

import io.twsbridge.bridge.gateway.GatewayConfig;
import io.twsbridge.bridge.gateway.session.SessionState;
import io.twsbridge.bridge.gateway.zombie.ZombieProbe;
import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.client.registry.SchemaRegistryClient;
import io.twsbridge.client.registry.SchemaRegistryConfig;
import io.twsbridge.client.serde.AvroWireSerializer;
import io.twsbridge.schema.Command;
import io.twsbridge.schema.catalogue.RecordKeys;
import io.twsbridge.schema.catalogue.Topic;
import io.twsbridge.sim.GatewaySimulator;
import io.twsbridge.testkit.KafkaStack;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.awaitility.Awaitility.await;

/**
 * A bridge wired to the shared Kafka stack and a simulator, on topics of its own (a prefix per test), plus the
 * clients a user would have: a command producer and topic readers.
 */
final class BridgeUnderTest implements AutoCloseable {

    final KafkaStack stack;
    final GatewaySimulator sim;
    final KafkaSettings settings;
    BridgeConfig config;
    BridgeApp app;
    private final KafkaProducer<byte[], byte[]> producer;
    private final SchemaRegistryClient producerRegistry;
    private final AvroWireSerializer commandSerializer;

    BridgeUnderTest(KafkaStack stack, GatewaySimulator sim, String prefix, UnaryOperator<KafkaSettings.Builder> kafka,
                    UnaryOperator<GatewayConfig.Builder> gateway) {
        this(stack, sim, prefix, kafka, gateway, io.twsbridge.bridge.orders.OrderSettings.defaults());
    }

    BridgeUnderTest(KafkaStack stack, GatewaySimulator sim, String prefix, UnaryOperator<KafkaSettings.Builder> kafka,
                    UnaryOperator<GatewayConfig.Builder> gateway, io.twsbridge.bridge.orders.OrderSettings orders) {
        this.stack = stack;
        this.sim = sim;
        KafkaSettings.Builder b = KafkaSettings.builder().bootstrapServers(stack.kafka().bootstrapServers())
                .partitions(2).subscriptionsTopic(prefix + ".ib.subscriptions").bridgeId(prefix + "-bridge")
                .commandGroupId(prefix + "-commands").heartbeatInterval(Duration.ofSeconds(1))
                .requestTimeout(Duration.ofSeconds(10));
        for (Topic t : Topic.values()) {
            b.topicName(t, prefix + "." + t.defaultName());
        }
        this.settings = kafka.apply(b).build();
        GatewayConfig gw = gateway.apply(GatewayConfig.builder().port(sim.apiPort()).clientId(0)
                .retryInitialBackoff(Duration.ofMillis(200)).retryMaxBackoff(Duration.ofSeconds(2))).build();
        this.config = new BridgeConfig(gw, settings,
                SchemaRegistryConfig.builder(stack.registry().confluentApiUrl()).build(), ZombieProbe.disabled(),
                orders.journalTopic().equals("ib.order-journal")
                        ? io.twsbridge.bridge.orders.OrderSettings.builder().enabled(orders.enabled())
                        .accountAllowlist(orders.accountAllowlist()).maxQuantity(orders.maxQuantity())
                        .maxNotional(orders.maxNotional()).symbolAllowlist(orders.symbolAllowlist())
                        .killSwitch(orders.killSwitch()).ackTimeout(orders.ackTimeout())
                        .journalTopic(prefix + ".ib.order-journal").build() : orders);
        Map<String, Object> p = new HashMap<>(stack.kafka().clientConfig());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        this.producer = new KafkaProducer<>(p);
        this.producerRegistry = new SchemaRegistryClient(config.registry());
        this.commandSerializer = new AvroWireSerializer(producerRegistry);
    }

    /** Counts zombies with {@code probe} (the default here is none) instead; before {@link #start()}. */
    BridgeUnderTest withZombieProbe(ZombieProbe probe) {
        config = new BridgeConfig(config.gateway(), config.kafka(), config.registry(), probe, config.orders(),
                config.failover());
        return this;
    }

    /** Qualifies contracts and paces historical requests with these instead of the defaults; before {@link #start()}. */
    BridgeUnderTest withStrategyData(io.twsbridge.bridge.contracts.ContractSettings contracts,
                                     io.twsbridge.bridge.history.HistorySettings history) {
        config = config.withStrategyData(contracts, history);
        return this;
    }

    BridgeUnderTest start() throws InterruptedException {
        app = new BridgeApp(config, Clock.systemUTC());
        app.start();
        // A producer registers (or finds) its schema once, as Confluent's serializer does with auto-registration.
        registerCommandSchema();
        return this;
    }

    /** Registers the Command schema for the test's producer (a bridge, possibly another process, created the subject). */
    void registerCommandSchema() {
        producerRegistry.register(topic(Topic.COMMANDS) + "-value", Command.getClassSchema());
    }

    void awaitReady() {
        await().atMost(Duration.ofSeconds(30)).until(() -> app.ready()
                && app.gateway().session().state() == SessionState.READY);
    }

    String topic(Topic t) {
        return settings.topic(t);
    }

    /** Produces a command as a strategy process would: keyed by account, in the Confluent wire format. */
    void send(Command command) throws Exception {
        // The schema is registered by the bridge at start-up; the producer only looks its id up.
        byte[] value = commandSerializer.serialize(topic(Topic.COMMANDS), command);
        producer.send(new ProducerRecord<>(topic(Topic.COMMANDS), RecordKeys.command(command).getBytes(StandardCharsets.UTF_8),
                value)).get();
    }

    /** Produces raw bytes to the commands topic (hostile input). */
    void sendRaw(String key, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(topic(Topic.COMMANDS), key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value)).get();
    }

    /** Every record on {@code topic} so far, from the beginning. */
    List<ConsumerRecord<byte[], byte[]>> read(String topic) {
        return readAll(stack.kafka().clientConfig(), topic);
    }

    /** Every record on {@code topic} so far, read with a consumer on {@code clientConfig} (brokers, security). */
    static List<ConsumerRecord<byte[], byte[]>> readAll(Map<String, Object> clientConfig, String topic) {
        return io.twsbridge.testkit.TopicRecords.readAll(clientConfig, topic);
    }

    /** Values of {@code topic}, decoded independently of the bridge (plain Avro, schema from the registry). */
    List<org.apache.avro.generic.GenericRecord> values(Topic topic) {
        return read(topic(topic)).stream().filter(r -> r.value() != null)
                .map(r -> PlainAvro.decode(stack.registry().confluentApiUrl(), r.value())).toList();
    }

    @Override
    public void close() {
        if (app != null) {
            app.close();
        }
        producer.close(Duration.ofSeconds(5));
    }
}
