package io.twsbridge.bridge.cli;

import io.twsbridge.bridge.app.config.ConfigException;
import io.twsbridge.bridge.app.config.ConfigLoader;
import io.twsbridge.bridge.app.config.LoadedConfig;
import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.client.registry.SchemaRegistryConfig;
import io.twsbridge.schema.catalogue.Topic;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Where Kafka and the schema registry are, and how to log in to them, for the client commands (send, replay,
 * topics): the bridge's own configuration (a file and {@code BRIDGE_*} variables, exactly as {@code run} reads
 * them, secrets and {@code ${file:...}} references included), with these options over it. A command therefore
 * reaches a SASL or TLS cluster and a registry with basic auth the way the bridge does.
 */
final class KafkaOptions {

    @Option(names = "--config", description = "The bridge's properties file: Kafka (kafka.*, SASL and TLS included),"
            + " topic names and the registry (with its credentials) come from it; BRIDGE_* environment variables"
            + " override it, and the options below override both.")
    Path config;

    @Option(names = "--bootstrap-server", description = "Kafka brokers (default: kafka.bootstrap.servers, 127.0.0.1:9092).")
    String bootstrapServers;

    @Option(names = "--registry-url", description = "Confluent-compatible schema registry (default: registry.url,"
            + " http://127.0.0.1:8081).")
    String registryUrl;

    @Option(names = "--topic-prefix", description = "Prefix of the bridge's topic names: every topic is"
            + " PREFIX.<default name> (default: the topics.* settings, no prefix).")
    String topicPrefix;

    /** The configuration with the options over it; {@code environment} is the process's ({@code System.getenv()}). */
    Connection resolve(Map<String, String> environment) throws ConfigException {
        // An option is its setting's variable, set last: it wins over the file and over the real variable.
        Map<String, String> env = new HashMap<>(environment);
        if (bootstrapServers != null) {
            env.put(ConfigLoader.envName("kafka.bootstrap.servers"), bootstrapServers);
        }
        if (registryUrl != null) {
            env.put(ConfigLoader.envName("registry.url"), registryUrl);
        }
        if (topicPrefix != null && !topicPrefix.isEmpty()) {
            for (Topic t : Topic.values()) {
                env.put(ConfigLoader.envName(ConfigLoader.topicKey(t)), topicPrefix + "." + t.defaultName());
            }
            env.put(ConfigLoader.envName("topics.subscriptions"), topicPrefix + ".ib.subscriptions");
            env.put(ConfigLoader.envName("topics.order-journal"), topicPrefix + ".ib.order-journal");
        }
        return resolve(new ConfigLoader(env));
    }

    Connection resolve(ConfigLoader loader) throws ConfigException {
        LoadedConfig loaded = config == null ? loader.loadWithoutFile() : loader.load(config);
        return new Connection(loaded.bridge().kafka(), loaded.bridge().registry(),
                loaded.bridge().orders().journalTopic());
    }

    /** What the client commands connect with. */
    record Connection(KafkaSettings kafka, SchemaRegistryConfig registry, String journalTopic) {

        /** A producer that waits for every in-sync replica, as the bridge's own does. */
        Map<String, Object> producerConfig() {
            Map<String, Object> c = kafka.clientConfig();
            c.put(ProducerConfig.CLIENT_ID_CONFIG, kafka.bridgeId() + "-cli");
            c.put(ProducerConfig.ACKS_CONFIG, "all");
            c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            return c;
        }

        /** A group-less reader: replay assigns partitions itself and commits nothing. */
        Map<String, Object> consumerConfig() {
            Map<String, Object> c = kafka.clientConfig();
            c.put(ConsumerConfig.CLIENT_ID_CONFIG, kafka.bridgeId() + "-cli");
            c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            return c;
        }

        Map<String, Object> adminConfig() {
            Map<String, Object> c = kafka.clientConfig();
            c.put(AdminClientConfig.CLIENT_ID_CONFIG, kafka.bridgeId() + "-cli");
            return c;
        }
    }
}
