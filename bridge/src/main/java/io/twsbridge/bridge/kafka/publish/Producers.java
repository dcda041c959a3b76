package io.twsbridge.bridge.kafka.publish;

import io.twsbridge.bridge.kafka.KafkaSettings;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** The bridge's producers: the configuration it relies on, plain and transactional. */
public final class Producers {

    /** How long the producer keeps an unused topic's metadata: longer than any quiet spell of fills or positions. */
    private static final long METADATA_IDLE_MS = Duration.ofDays(7).toMillis();

    private Producers() {
    }

    /** The producer configuration the bridge relies on; user-supplied client properties come first, then these. */
    public static Map<String, Object> config(KafkaSettings settings) {
        Map<String, Object> config = new HashMap<>(settings.clientProperties());
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        config.put(ProducerConfig.CLIENT_ID_CONFIG, settings.bridgeId() + "-producer");
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        config.put(ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE);
        // Retry through broker outages instead of failing records after the default two minutes: a record waits for
        // Kafka as long as Kafka is away, never silently for ever: the publisher's watchdog measures the oldest
        // unacknowledged record and heals a partition that does not move on for kafka.stuck-partition-timeout
        // while Kafka answers (docs/reliability.md). A bounded timeout would instead fail the record and lose it.
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.MAX_VALUE);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.MAX_VALUE);
        // Forgetting an idle topic's metadata (default: 5 minutes) would make its next record, a fill after a quiet
        // spell say, wait for a metadata round trip first.
        config.put(ProducerConfig.METADATA_MAX_IDLE_CONFIG, METADATA_IDLE_MS);
        config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, settings.producerBufferBytes());
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, settings.compression());
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return config;
    }

    /** The producer of a bridge that runs alone, and of a standby's heartbeat. */
    public static Producer<byte[], byte[]> plain(KafkaSettings settings) {
        return new KafkaProducer<>(config(settings));
    }

    /**
     * The active instance's producer in a standby bridge: the same configuration, transactional under
     * {@code transactionalId}. A transaction that Kafka has heard nothing of for {@code transactionTimeout} is
     * aborted by the coordinator.
     */
    public static Producer<byte[], byte[]> transactional(KafkaSettings settings, String transactionalId,
                                                         Duration transactionTimeout) {
        Map<String, Object> config = config(settings);
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        config.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) transactionTimeout.toMillis());
        return new KafkaProducer<>(config);
    }

    /** The largest record the producer sends: a user's {@code kafka.max.request.size}, else Kafka's default. */
    public static int maxRecordBytes(KafkaSettings settings) {
        String configured = settings.clientProperties().get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        return configured != null ? Integer.parseInt(configured.trim())
                : (Integer) ProducerConfig.configDef().defaultValues().get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
    }
}
