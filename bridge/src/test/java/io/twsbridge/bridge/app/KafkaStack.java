package io.twsbridge.bridge.app;

import io.twsbridge.bridge.testing.ProduceFaultProxy;
import io.twsbridge.embedded.EmbeddedKafka;
import io.twsbridge.embedded.EmbeddedKafkaConfig;
import io.twsbridge.embedded.SchemaRegistryProcess;

import java.time.Duration;

/**
 * A real Kafka broker (in-process, 127.0.0.1) and a real Confluent-compatible schema registry (Apicurio, a child
 * process), shared by the tests of one class: each test isolates itself with its own topic prefix.
 */
final class KafkaStack implements AutoCloseable {

    final EmbeddedKafka kafka;
    final SchemaRegistryProcess registry;
    /** Between the clients and the broker, for fault injection; null for a plain stack. */
    final ProduceFaultProxy proxy;

    private KafkaStack(EmbeddedKafka kafka, SchemaRegistryProcess registry, ProduceFaultProxy proxy) {
        this.kafka = kafka;
        this.registry = registry;
        this.proxy = proxy;
    }

    /**
     * A stack whose broker advertises a {@link ProduceFaultProxy} in front of it: clients bootstrap at the broker,
     * then every connection goes through the proxy.
     */
    static KafkaStack startBehindProxy() throws Exception {
        int brokerPort = ProduceFaultProxy.freePort();
        ProduceFaultProxy proxy = ProduceFaultProxy.start(0, brokerPort);
        try {
            return start(EmbeddedKafkaConfig.builder().brokerPort(brokerPort).advertisedPort(proxy.port()).build(),
                    false, proxy);
        } catch (Exception | Error e) {
            proxy.close();
            throw e;
        }
    }

    static KafkaStack start() throws Exception {
        return start(false);
    }

    /** A stack whose registry keeps its schemas across {@code registry.stop()} and {@code registry.restart(...)}. */
    static KafkaStack startWithDurableRegistry() throws Exception {
        return start(true);
    }

    private static KafkaStack start(boolean durableRegistry) throws Exception {
        return start(EmbeddedKafkaConfig.defaults(), durableRegistry, null);
    }

    private static KafkaStack start(EmbeddedKafkaConfig config, boolean durableRegistry, ProduceFaultProxy proxy)
            throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start(config);
        try {
            kafka.awaitReady(Duration.ofSeconds(60));
            SchemaRegistryProcess registry = durableRegistry
                    ? SchemaRegistryProcess.startDurable(SchemaRegistryProcess.locateJar(), Duration.ofSeconds(90))
                    : SchemaRegistryProcess.start(SchemaRegistryProcess.locateJar(), Duration.ofSeconds(90));
            return new KafkaStack(kafka, registry, proxy);
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
            if (proxy != null) {
                proxy.close();
            }
        }
    }
}
