package io.twsbridge.client;

import io.twsbridge.client.registry.SchemaRegistryConfig;
import io.twsbridge.schema.catalogue.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * How a {@link BridgeClient} reaches Kafka, the schema registry and the bridge's topics. Immutable;
 * {@link Builder#build()} reports every problem at once.
 *
 * @param kafka          Kafka client settings shared by the client's producer and consumer: {@code bootstrap.servers},
 *                       security ({@code security.protocol}, {@code sasl.*}, {@code ssl.*}) and any other client
 *                       setting; never serializers, and nothing that weakens the producer's ordering
 * @param registry       the schema registry, the one the bridge uses
 * @param commandsTopic  where commands go, the bridge's {@code topics.commands}
 * @param resultsTopic   where results come from, the bridge's {@code topics.command-results}
 * @param acceptTimeout  how long {@link CommandHandle#accepted()} waits before failing with
 *                       {@link CommandTimeoutException}
 * @param resultTimeout  how long {@link CommandHandle#result()} waits, unless the send names its own; an order that
 *                       rests in the book gets its final result only when it fills or is cancelled
 */
public record BridgeClientConfig(Map<String, Object> kafka, SchemaRegistryConfig registry, String commandsTopic,
                                 String resultsTopic, Duration acceptTimeout, Duration resultTimeout) {

    /** What the client sets itself; a value for one of these in {@link #kafka} is refused. */
    static final List<String> OWN_SETTINGS = List.of(
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
            ProducerConfig.PARTITIONER_CLASS_CONFIG, ConsumerConfig.GROUP_ID_CONFIG);

    public BridgeClientConfig {
        kafka = Map.copyOf(kafka);
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(commandsTopic, "commandsTopic");
        Objects.requireNonNull(resultsTopic, "resultsTopic");
        Objects.requireNonNull(acceptTimeout, "acceptTimeout");
        Objects.requireNonNull(resultTimeout, "resultTimeout");
    }

    /** A builder for the bridge's default topics, {@code ib.commands} and {@code ib.command-results}. */
    public static Builder builder(String bootstrapServers, String registryUrl) {
        return new Builder(bootstrapServers, SchemaRegistryConfig.builder(registryUrl).build());
    }

    /** A builder with a registry configured in full (credentials, timeouts). */
    public static Builder builder(String bootstrapServers, SchemaRegistryConfig registry) {
        return new Builder(bootstrapServers, registry);
    }

    /** Defaults: the bridge's default topic names, 30 s to ACCEPTED, 2 min to the final result. */
    public static final class Builder {
        private final Map<String, Object> kafka = new LinkedHashMap<>();
        private final SchemaRegistryConfig registry;
        private String commandsTopic = Topic.COMMANDS.defaultName();
        private String resultsTopic = Topic.COMMAND_RESULTS.defaultName();
        private Duration acceptTimeout = Duration.ofSeconds(30);
        private Duration resultTimeout = Duration.ofMinutes(2);

        private Builder(String bootstrapServers, SchemaRegistryConfig registry) {
            this.registry = registry;
            if (bootstrapServers != null) {
                kafka.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            }
        }

        /** One Kafka client setting (security, client.id, timeouts...). */
        public Builder kafkaProperty(String name, Object value) {
            kafka.put(name, value);
            return this;
        }

        /** Topics named {@code prefix.<default name>}, as the bridge's {@code --topic-prefix} names them. */
        public Builder topicPrefix(String prefix) {
            commandsTopic = prefix + "." + Topic.COMMANDS.defaultName();
            resultsTopic = prefix + "." + Topic.COMMAND_RESULTS.defaultName();
            return this;
        }

        public Builder commandsTopic(String topic) { commandsTopic = topic; return this; }
        public Builder resultsTopic(String topic) { resultsTopic = topic; return this; }
        public Builder acceptTimeout(Duration d) { acceptTimeout = d; return this; }
        public Builder resultTimeout(Duration d) { resultTimeout = d; return this; }

        /** @throws IllegalArgumentException listing every problem */
        public BridgeClientConfig build() {
            List<String> problems = new ArrayList<>();
            Object servers = kafka.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
            if (servers == null || servers.toString().isBlank()) {
                problems.add("bootstrap.servers must be set");
            }
            for (String own : OWN_SETTINGS) {
                if (kafka.containsKey(own)) {
                    problems.add(own + " is the client's own setting and must not be given (was " + kafka.get(own)
                            + ")");
                }
            }
            Object acks = kafka.get(ProducerConfig.ACKS_CONFIG);
            if (acks != null && !"all".equals(acks.toString()) && !"-1".equals(acks.toString())) {
                problems.add("acks must be all (every in-sync replica) but was " + acks);
            }
            Object idempotence = kafka.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG);
            if (idempotence != null && !Boolean.parseBoolean(idempotence.toString())) {
                problems.add("enable.idempotence must be true (a retried send must not reorder or repeat commands)"
                        + " but was " + idempotence);
            }
            if (registry == null) {
                problems.add("the schema registry must be set");
            }
            topic(problems, "commandsTopic", commandsTopic);
            topic(problems, "resultsTopic", resultsTopic);
            positive(problems, "acceptTimeout", acceptTimeout);
            positive(problems, "resultTimeout", resultTimeout);
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("invalid bridge client configuration: " + String.join("; ",
                        problems));
            }
            return new BridgeClientConfig(kafka, registry, commandsTopic, resultsTopic, acceptTimeout, resultTimeout);
        }

        private static void topic(List<String> problems, String name, String topic) {
            if (topic == null || !topic.matches("[a-zA-Z0-9._-]{1,249}")) {
                problems.add(name + " must be a legal Kafka topic name but was '" + topic + "'");
            }
        }

        private static void positive(List<String> problems, String name, Duration d) {
            if (d == null || d.isZero() || d.isNegative()) {
                problems.add(name + " must be a positive duration but was " + d);
            }
        }
    }
}
