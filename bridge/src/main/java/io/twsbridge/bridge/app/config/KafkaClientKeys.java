package io.twsbridge.bridge.app.config;

import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.bridge.kafka.consume.CommandConsumer;
import io.twsbridge.bridge.kafka.publish.Producers;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;

import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The Kafka client settings a {@code kafka.<name>} key may pass through: every setting the producer, the consumer
 * or the admin client knows, as Kafka's own {@link ConfigDef}s define them, minus those the bridge sets itself.
 * Values are checked with Kafka's own types and validators, so a typo fails start-up instead of becoming one
 * warning in the client's log while it runs with the default (PLAINTEXT, say).
 */
final class KafkaClientKeys {

    /** Every producer, consumer and admin setting, by name; the first definition wins (they agree). */
    private static final Map<String, ConfigDef.ConfigKey> DEFINITIONS = definitions();

    /**
     * What the bridge sets on its clients itself, with its value: a passed-through value would be overwritten,
     * so it is refused. Taken from the bridge's own client configurations, so the two cannot drift apart.
     */
    private static final Map<String, String> MANAGED = managed();

    /** Where a managed setting is configured instead, when it is configurable at all. */
    private static final Map<String, String> INSTEAD = Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "kafka.bootstrap.servers",
            ProducerConfig.COMPRESSION_TYPE_CONFIG, "kafka.compression",
            ProducerConfig.BUFFER_MEMORY_CONFIG, "kafka.producer-buffer-bytes",
            ConsumerConfig.GROUP_ID_CONFIG, "kafka.command-group-id",
            ProducerConfig.CLIENT_ID_CONFIG, "bridge.id (client ids are derived from it)",
            ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "bridge.id (the static member id is derived from it)");

    private KafkaClientKeys() {
    }

    /** Every Kafka client setting name, sorted. */
    static Set<String> names() {
        return DEFINITIONS.keySet();
    }

    static boolean isKnown(String name) {
        return DEFINITIONS.containsKey(name);
    }

    /**
     * Whether the value of Kafka client setting {@code name} is a secret: Kafka types it as a password
     * ({@code sasl.jaas.config}, {@code ssl.key.password}, {@code ssl.keystore.key}, ...), or its name says so.
     */
    static boolean isSecret(String name) {
        ConfigDef.ConfigKey key = DEFINITIONS.get(name);
        if (key != null && key.type == ConfigDef.Type.PASSWORD) {
            return true;
        }
        String n = name.toLowerCase(Locale.ROOT);
        return n.contains("password") || n.contains("secret") || n.contains("jaas") || n.contains("passphrase")
                || n.endsWith(".key");
    }

    /** Why {@code name} cannot be passed through, if the bridge sets it itself. */
    static Optional<String> managedReason(String name) {
        if (!MANAGED.containsKey(name)) {
            return Optional.empty();
        }
        String instead = INSTEAD.get(name);
        return Optional.of(instead != null
                ? "is set by the bridge; use " + instead
                : "is set by the bridge (" + name + "=" + MANAGED.get(name) + ") and cannot be changed");
    }

    /**
     * Checks {@code value} against Kafka's type and validator for {@code name}; the problem text if it fails.
     * Secret values are not checked: a message about them could quote them.
     */
    static Optional<String> check(String name, String value) {
        ConfigDef.ConfigKey key = DEFINITIONS.get(name);
        if (key == null || isSecret(name)) {
            return Optional.empty();
        }
        try {
            Object parsed = ConfigDef.parseType(name, value, key.type);
            if (key.validator != null) {
                key.validator.ensureValid(name, parsed);
            }
            return Optional.empty();
        } catch (org.apache.kafka.common.config.ConfigException e) {
            return Optional.of(e.getMessage());
        } catch (RuntimeException e) {
            return Optional.of("'" + value + "' is not valid: " + e.getMessage());
        }
    }

    private static Map<String, ConfigDef.ConfigKey> definitions() {
        Map<String, ConfigDef.ConfigKey> all = new TreeMap<>();
        for (ConfigDef def : new ConfigDef[] {ProducerConfig.configDef(), ConsumerConfig.configDef(),
                AdminClientConfig.configDef()}) {
            def.configKeys().forEach(all::putIfAbsent);
        }
        return Collections.unmodifiableMap(all);
    }

    private static Map<String, String> managed() {
        KafkaSettings defaults = KafkaSettings.builder().build();
        Map<String, String> managed = new TreeMap<>();
        Producers.config(defaults).forEach((k, v) -> managed.put(k, String.valueOf(v)));
        CommandConsumer.consumerConfig(defaults).forEach((k, v) -> managed.putIfAbsent(k, String.valueOf(v)));
        return Collections.unmodifiableMap(managed);
    }
}
