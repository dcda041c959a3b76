package io.twsbridge.bridge.app;

import io.twsbridge.embedded.EmbeddedKafka;
import io.twsbridge.embedded.SchemaRegistryProcess;

import java.time.Duration;

/**
 * A real Kafka broker (in-process, 127.0.0.1) and a real Confluent-compatible schema registry (Apicurio, a child
 * process), shared by the tests of one class: each test isolates itself with its own topic prefix.
 */
final class KafkaStack implements AutoCloseable {

    final EmbeddedKafka kafka;
    final SchemaRegistryProcess registry;

    private KafkaStack(EmbeddedKafka kafka, SchemaRegistryProcess registry) {
        this.kafka = kafka;
        this.registry = registry;
    }

    static KafkaStack start() throws Exception {
        return start(false);
    }

    /** A stack whose registry keeps its schemas across {@code registry.stop()} and {@code registry.restart(...)}. */
    static KafkaStack startWithDurableRegistry() throws Exception {
        return start(true);
    }

    private static KafkaStack start(boolean durableRegistry) throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.startDefault();
        try {
            kafka.awaitReady(Duration.ofSeconds(60));
            SchemaRegistryProcess registry = durableRegistry
                    ? SchemaRegistryProcess.startDurable(SchemaRegistryProcess.locateJar(), Duration.ofSeconds(90))
                    : SchemaRegistryProcess.start(SchemaRegistryProcess.locateJar(), Duration.ofSeconds(90));
            return new KafkaStack(kafka, registry);
        } catch (Exception | Error e) {
            kafka.close();
            throw e;
        }
    }

    @Override
    public void close() throws java.io.IOException {
        try {
            registry.close();
        } finally {
            kafka.close();
        }
    }
}
