package io.twsbridge.bridge.kafka;

import io.twsbridge.bridge.validation.SettingProblems;
import io.twsbridge.schema.catalogue.Topic;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Kafka side's settings. Immutable; {@link Builder#build()} validates every value and reports all problems
 * at once.
 *
 * @param bootstrapServers       the brokers
 * @param clientProperties       passed through to every Kafka client (security: SASL/TLS settings go here)
 * @param topicNames             the name of each topic; defaults from the catalogue
 * @param subscriptionsTopic     compacted topic holding the desired market-data subscriptions
 * @param partitions             partitions of topics the bridge creates
 * @param replicationFactor      replication factor of topics the bridge creates
 * @param compression            producer compression (none, gzip, snappy, lz4, zstd)
 * @param commandGroupId         consumer group of the command consumer
 * @param bridgeId               this bridge's name in status records and command results
 * @param heartbeatInterval      how often a GatewayStatus is published when nothing changes
 * @param quoteConflationWindow  at most one quote per instrument per window; zero turns it off
 * @param marketDataLineLimit    most market-data subscriptions at once
 * @param requestTimeout         how long account and execution requests wait for their End message
 * @param producerBufferBytes    the producer's buffer; quotes are shed before it fills
 * @param stuckPartitionTimeout  how old the oldest unacknowledged record of a partition may grow while Kafka
 *                               answers before the publisher calls the partition stuck and heals it
 * @param duplicateWindow        how long a commandId, once executed, is answered DUPLICATE instead of executed again
 *                               (across restarts, as far back as ib.command-results keeps results)
 */
public record KafkaSettings(
        String bootstrapServers,
        Map<String, String> clientProperties,
        Map<Topic, String> topicNames,
        String subscriptionsTopic,
        int partitions,
        short replicationFactor,
        String compression,
        String commandGroupId,
        String bridgeId,
        Duration heartbeatInterval,
        Duration quoteConflationWindow,
        int marketDataLineLimit,
        Duration requestTimeout,
        long producerBufferBytes,
        Duration stuckPartitionTimeout,
        Duration duplicateWindow) {

    /** The shortest {@code kafka.stuck-partition-timeout}: a produce round trip with its retries must fit well inside. */
    public static final Duration MIN_STUCK_PARTITION_TIMEOUT = Duration.ofSeconds(2);

    public KafkaSettings {
        clientProperties = Map.copyOf(clientProperties);
        topicNames = Map.copyOf(topicNames);
    }

    /** Client properties may hold credentials (sasl.jaas.config, passwords): never print their values. */
    @Override
    public String toString() {
        return "KafkaSettings[bootstrapServers=" + bootstrapServers + ", clientProperties=" + clientProperties.keySet()
                + " (values hidden), topicNames=" + topicNames + ", subscriptionsTopic=" + subscriptionsTopic
                + ", partitions=" + partitions + ", replicationFactor=" + replicationFactor + ", compression="
                + compression + ", commandGroupId=" + commandGroupId + ", bridgeId=" + bridgeId + "]";
    }

    /**
     * What every Kafka client of the bridge starts from: the brokers and the pass-through client properties, so
     * that SASL, TLS and any other connection setting reach each client alike. A new, mutable map.
     */
    public Map<String, Object> clientConfig() {
        Map<String, Object> c = new HashMap<>(clientProperties);
        c.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return c;
    }

    /** The admin client's configuration: topic provisioning and the Kafka health check. */
    public Map<String, Object> adminConfig() {
        Map<String, Object> c = clientConfig();
        c.put(CommonClientConfigs.CLIENT_ID_CONFIG, bridgeId + "-admin");
        return c;
    }

    /** The group-less consumer that reads the bridge's compacted state topics: at start-up, or all along on a standby. */
    public Map<String, Object> stateReaderConfig() {
        Map<String, Object> c = clientConfig();
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, bridgeId + "-state-reader");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // What a standby bridge's deposed instance left in an aborted transaction must never count as state.
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return c;
    }

    /** The configured name of {@code topic}. */
    public String topic(Topic topic) {
        return topicNames.get(topic);
    }

    /** The configuration file's key that names {@code topic} ({@code topics.commands-dlq}, say). */
    public static String topicKey(Topic topic) {
        return "topics." + topic.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder().bootstrapServers(bootstrapServers).clientProperties(clientProperties)
                .subscriptionsTopic(subscriptionsTopic).partitions(partitions).replicationFactor(replicationFactor)
                .compression(compression).commandGroupId(commandGroupId).bridgeId(bridgeId)
                .heartbeatInterval(heartbeatInterval).quoteConflationWindow(quoteConflationWindow)
                .marketDataLineLimit(marketDataLineLimit).requestTimeout(requestTimeout)
                .producerBufferBytes(producerBufferBytes).stuckPartitionTimeout(stuckPartitionTimeout)
                .duplicateWindow(duplicateWindow);
        topicNames.forEach(b::topicName);
        return b;
    }

    /** Builder with the documented defaults. */
    public static final class Builder {
        private String bootstrapServers = "127.0.0.1:9092";
        private Map<String, String> clientProperties = Map.of();
        private final Map<Topic, String> topicNames = new EnumMap<>(Topic.class);
        private String subscriptionsTopic = "ib.subscriptions";
        private int partitions = 3;
        private short replicationFactor = 1;
        private String compression = "lz4";
        private String commandGroupId = "tws-kafka-bridge";
        private String bridgeId = "bridge-1";
        private Duration heartbeatInterval = Duration.ofSeconds(5);
        private Duration quoteConflationWindow = Duration.ZERO;
        private int marketDataLineLimit = 100;
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Duration duplicateWindow = Duration.ofHours(24);
        private long producerBufferBytes = 64L * 1024 * 1024;
        private Duration stuckPartitionTimeout = Duration.ofSeconds(5);

        public Builder() {
            for (Topic t : Topic.values()) {
                topicNames.put(t, t.defaultName());
            }
        }

        public Builder bootstrapServers(String v) { bootstrapServers = v; return this; }
        public Builder clientProperties(Map<String, String> v) { clientProperties = v; return this; }
        public Builder topicName(Topic t, String name) { topicNames.put(t, name); return this; }
        public Builder subscriptionsTopic(String v) { subscriptionsTopic = v; return this; }
        public Builder partitions(int v) { partitions = v; return this; }
        public Builder replicationFactor(short v) { replicationFactor = v; return this; }
        public Builder compression(String v) { compression = v; return this; }
        public Builder commandGroupId(String v) { commandGroupId = v; return this; }
        public Builder bridgeId(String v) { bridgeId = v; return this; }
        public Builder heartbeatInterval(Duration v) { heartbeatInterval = v; return this; }
        public Builder quoteConflationWindow(Duration v) { quoteConflationWindow = v; return this; }
        public Builder marketDataLineLimit(int v) { marketDataLineLimit = v; return this; }
        public Builder requestTimeout(Duration v) { requestTimeout = v; return this; }
        public Builder duplicateWindow(Duration v) { duplicateWindow = v; return this; }
        public Builder producerBufferBytes(long v) { producerBufferBytes = v; return this; }
        public Builder stuckPartitionTimeout(Duration v) { stuckPartitionTimeout = v; return this; }

        /** @throws IllegalArgumentException listing every invalid setting with its key and value */
        public KafkaSettings build() {
            SettingProblems problems = new SettingProblems("Kafka");
            problems.notBlank("kafka.bootstrap.servers", bootstrapServers);
            topicNames.forEach((t, name) -> problems.topicName(topicKey(t), name));
            problems.topicName("topics.subscriptions", subscriptionsTopic);
            if (topicNames.values().stream().distinct().count() != topicNames.size()
                    || topicNames.containsValue(subscriptionsTopic)) {
                problems.addGeneral("topic names must all differ but were " + topicNames.values() + " and "
                        + subscriptionsTopic);
            }
            if (partitions < 1) {
                problems.add("topics.partitions", "must be >= 1 but was " + partitions);
            }
            if (replicationFactor < 1) {
                problems.add("topics.replication-factor", "must be >= 1 but was " + replicationFactor);
            }
            if (!List.of("none", "gzip", "snappy", "lz4", "zstd").contains(compression)) {
                problems.add("kafka.compression", "must be none, gzip, snappy, lz4 or zstd but was '" + compression + "'");
            }
            problems.notBlank("kafka.command-group-id", commandGroupId);
            problems.notBlank("bridge.id", bridgeId);
            if (heartbeatInterval == null || heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
                problems.add("status.heartbeat-interval", "must be positive but was " + heartbeatInterval);
            }
            if (quoteConflationWindow == null || quoteConflationWindow.isNegative()) {
                problems.add("quotes.conflation-window", "must be >= 0 but was " + quoteConflationWindow);
            }
            if (marketDataLineLimit < 1) {
                problems.add("market-data.line-limit", "must be >= 1 but was " + marketDataLineLimit);
            }
            if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
                problems.add("commands.request-timeout", "must be positive but was " + requestTimeout);
            }
            if (duplicateWindow == null || duplicateWindow.isNegative() || duplicateWindow.isZero()) {
                problems.add("commands.duplicate-window", "must be positive but was " + duplicateWindow);
            }
            if (producerBufferBytes < 1024 * 1024) {
                problems.add("kafka.producer-buffer-bytes", "must be >= 1 MiB but was " + producerBufferBytes);
            }
            if (stuckPartitionTimeout == null || stuckPartitionTimeout.compareTo(MIN_STUCK_PARTITION_TIMEOUT) < 0) {
                problems.add("kafka.stuck-partition-timeout", "must be >= " + MIN_STUCK_PARTITION_TIMEOUT.toSeconds()
                        + "s but was " + stuckPartitionTimeout);
            }
            problems.throwIfAny();
            return new KafkaSettings(bootstrapServers, clientProperties, topicNames, subscriptionsTopic, partitions,
                    replicationFactor, compression, commandGroupId, bridgeId, heartbeatInterval, quoteConflationWindow,
                    marketDataLineLimit, requestTimeout, producerBufferBytes,
                    stuckPartitionTimeout, duplicateWindow);
        }
    }
}
