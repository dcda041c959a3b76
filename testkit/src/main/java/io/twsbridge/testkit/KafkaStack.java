package io.twsbridge.testkit;

import io.twsbridge.embedded.EmbeddedKafka;
import io.twsbridge.embedded.EmbeddedKafkaConfig;
import io.twsbridge.embedded.SchemaRegistryProcess;

import java.io.IOException;
import java.time.Duration;

/**
 * A real Kafka broker (in-process, 127.0.0.1) and a real Confluent-compatible schema registry (Apicurio, a child
 * process), shared by the tests of one class or by a whole benchmark run: each test or benchmark isolates itself
 * with topics of its own prefix.
 */
public final class KafkaStack implements AutoCloseable {

    private static final Duration BROKER_READY = Duration.ofSeconds(60);

    private final EmbeddedKafka kafka;
    private final SchemaRegistryProcess registry;

    private KafkaStack(EmbeddedKafka kafka, SchemaRegistryProcess registry) {
        this.kafka = kafka;
        this.registry = registry;
    }

    /** A broker with {@link EmbeddedKafkaConfig#defaults()} and a registry that keeps its schemas in memory. */
    public static KafkaStack start() throws IOException, InterruptedException {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    public EmbeddedKafka kafka() {
        return kafka;
    }

    public SchemaRegistryProcess registry() {
        return registry;
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    /** The registry's Confluent API. */
    public String registryUrl() {
        return registry.confluentApiUrl();
    }

    @Override
    public void close() throws IOException {
        try {
            registry.close();
        } finally {
            kafka.close();
        }
    }

    public static final class Builder {

        private EmbeddedKafkaConfig broker = EmbeddedKafkaConfig.defaults();
        private boolean durableRegistry;
        private Duration registryStartup = Duration.ofSeconds(90);

        private Builder() {
        }

        /** Ports and settings of the broker, e.g. a broker that advertises a proxy in front of it. */
        public Builder broker(EmbeddedKafkaConfig config) {
            this.broker = config;
            return this;
        }

        /**
         * A registry that keeps its schemas across {@code registry().stop()} and {@code registry().restart(...)},
         * for a registry outage as in production (see {@link SchemaRegistryProcess#startDurable}).
         */
        public Builder durableRegistry() {
            this.durableRegistry = true;
            return this;
        }

        /** How long the registry may take to answer; 90 s unless set (a JVM start on a busy machine). */
        public Builder registryStartup(Duration timeout) {
            this.registryStartup = timeout;
            return this;
        }

        /** Starts the broker, waits until it answers, then starts the registry; stops the broker if that fails. */
        public KafkaStack start() throws IOException, InterruptedException {
            EmbeddedKafka kafka = EmbeddedKafka.start(broker);
            try {
                kafka.awaitReady(BROKER_READY);
                SchemaRegistryProcess registry = durableRegistry
                        ? SchemaRegistryProcess.startDurable(SchemaRegistryProcess.locateJar(), registryStartup)
                        : SchemaRegistryProcess.start(SchemaRegistryProcess.locateJar(), registryStartup);
                return new KafkaStack(kafka, registry);
            } catch (IOException | InterruptedException | RuntimeException | Error e) {
                kafka.close();
                throw e;
            }
        }
    }
}
