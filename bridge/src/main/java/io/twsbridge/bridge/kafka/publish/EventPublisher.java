package io.twsbridge.bridge.kafka.publish;

import io.twsbridge.bridge.events.EventSink;
import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.schema.catalogue.DlqHeaders;
import io.twsbridge.schema.catalogue.Topic;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The bridge's one producer: every event, command result and dead letter goes through it.
 *
 * <p>Nothing but quotes is ever dropped. The producer is idempotent with acks=all and retries until Kafka
 * acknowledges (delivery timeout of days, not minutes), so a broker outage only delays records: they wait in the
 * producer's buffer. Before that buffer fills, quotes are shed, because a newer quote supersedes them; fills,
 * order updates, account events, statuses and command results keep the remaining room, and when even that is
 * gone they block the caller rather than vanish.
 *
 * <p>Thread-safe (the Kafka producer is).
 */
public final class EventPublisher implements EventSink, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EventPublisher.class);
    /** Quotes are shed once less than this share of the producer's buffer is free. */
    private static final double QUOTE_SHED_FREE_SHARE = 0.25;

    private final KafkaSettings settings;
    private final Producer<byte[], byte[]> producer;
    private final RecordEncoder encoder;
    private final Clock clock;
    private final Map<Topic, AtomicLong> published = new EnumMap<>(Topic.class);
    private final AtomicLong quotesShed = new AtomicLong();
    private final AtomicLong sendErrors = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicLong stateRecords = new AtomicLong();
    private final AtomicReference<String> lastError = new AtomicReference<>("");
    private volatile Metric bufferAvailable;
    private volatile io.twsbridge.bridge.app.metrics.PublishObserver publishObserver =
            io.twsbridge.bridge.app.metrics.PublishObserver.NONE;

    public EventPublisher(KafkaSettings settings, Producer<byte[], byte[]> producer, RecordEncoder encoder, Clock clock) {
        this.settings = settings;
        this.producer = producer;
        this.encoder = encoder;
        this.clock = clock;
        for (Topic t : Topic.values()) {
            published.put(t, new AtomicLong());
        }
    }

    /** The producer configuration the bridge relies on; user-supplied client properties come first, then these. */
    public static Map<String, Object> producerConfig(KafkaSettings settings) {
        Map<String, Object> config = new HashMap<>(settings.clientProperties());
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        config.put(ProducerConfig.CLIENT_ID_CONFIG, settings.bridgeId() + "-producer");
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        config.put(ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE);
        // Retry through broker outages instead of failing records after the default two minutes.
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.MAX_VALUE);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.MAX_VALUE);
        config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, settings.producerBufferBytes());
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, settings.compression());
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return config;
    }

    public static Producer<byte[], byte[]> createProducer(KafkaSettings settings) {
        return new KafkaProducer<>(producerConfig(settings));
    }

    @Override
    public void publish(Topic topic, String key, SpecificRecord value) {
        send(topic, key, value);
    }

    /**
     * Publishes and reports Kafka's acknowledgement: the command consumer commits an offset only after its
     * result is acknowledged. A shed quote completes at once with null.
     */
    public CompletableFuture<RecordMetadata> send(Topic topic, String key, SpecificRecord value) {
        if (topic == Topic.QUOTES && bufferNearlyFull()) {
            long shed = quotesShed.incrementAndGet();
            if (shed == 1 || shed % 10_000 == 0) {
                log.warn("producer buffer nearly full (Kafka unreachable or slow): {} quotes shed so far", shed);
            }
            return CompletableFuture.completedFuture(null);
        }
        String name = settings.topic(topic);
        byte[] bytes = encoder.encode(name, value);
        return send(new ProducerRecord<>(name, null, key == null ? null : key.getBytes(StandardCharsets.UTF_8), bytes),
                value, published.get(topic));
    }

    /**
     * Publishes to a topic outside the catalogue (the bridge's own state topics); a null value is a tombstone,
     * which deletes the key from a compacted topic.
     */
    public CompletableFuture<RecordMetadata> sendToTopic(String topicName, String key, SpecificRecord value) {
        byte[] bytes = value == null ? null : encoder.encode(topicName, value);
        return send(new ProducerRecord<>(topicName, null, key.getBytes(StandardCharsets.UTF_8), bytes), value,
                stateRecords);
    }

    /**
     * Copies a record that could not be processed to the dead-letter topic, byte for byte, with headers naming
     * where it came from and why it failed.
     */
    public CompletableFuture<RecordMetadata> deadLetter(ConsumerRecord<byte[], byte[]> source, Throwable error) {
        List<Header> headers = new ArrayList<>();
        source.headers().forEach(headers::add);
        headers.add(header(DlqHeaders.SOURCE_TOPIC, source.topic()));
        headers.add(header(DlqHeaders.SOURCE_PARTITION, String.valueOf(source.partition())));
        headers.add(header(DlqHeaders.SOURCE_OFFSET, String.valueOf(source.offset())));
        headers.add(header(DlqHeaders.ERROR_CLASS, error.getClass().getName()));
        String message = String.valueOf(error.getMessage());
        headers.add(header(DlqHeaders.ERROR_MESSAGE, message.length() > DlqHeaders.MAX_MESSAGE_CHARS
                ? message.substring(0, DlqHeaders.MAX_MESSAGE_CHARS) : message));
        headers.add(header(DlqHeaders.FAILED_AT, String.valueOf(clock.millis())));
        headers.add(header(DlqHeaders.BRIDGE_ID, settings.bridgeId()));
        deadLettered.incrementAndGet();
        return send(new ProducerRecord<>(settings.topic(Topic.COMMANDS_DLQ), null, source.key(), source.value(), headers),
                null, published.get(Topic.COMMANDS_DLQ));
    }

    /** Told of every acknowledgement with its latency (the metrics' publish-latency histogram). */
    public void setPublishObserver(io.twsbridge.bridge.app.metrics.PublishObserver observer) {
        this.publishObserver = observer;
    }

    private CompletableFuture<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, SpecificRecord value,
                                                   AtomicLong counter) {
        CompletableFuture<RecordMetadata> acked = new CompletableFuture<>();
        long sentAt = System.nanoTime();
        producer.send(record, (metadata, error) -> {
            if (error == null) {
                counter.incrementAndGet();
                publishObserver.acknowledged(record.topic(), value, sentAt, System.nanoTime());
                acked.complete(metadata);
            } else {
                sendErrors.incrementAndGet();
                lastError.set(error.toString());
                log.error("publishing to {} failed: {}", record.topic(), error.toString());
                acked.completeExceptionally(error);
            }
        });
        return acked;
    }

    /** Sends everything buffered and waits for the acknowledgements. */
    public void flush() {
        producer.flush();
    }

    private boolean bufferNearlyFull() {
        Metric metric = bufferAvailable;
        if (metric == null) {
            metric = producer.metrics().entrySet().stream()
                    .filter(e -> e.getKey().name().equals("buffer-available-bytes")
                            && e.getKey().group().equals("producer-metrics"))
                    .map(Map.Entry::getValue).findFirst().orElse(null);
            bufferAvailable = metric;
            if (metric == null) {
                return false;
            }
        }
        Object value = metric.metricValue();
        return value instanceof Number n && n.doubleValue() < settings.producerBufferBytes() * QUOTE_SHED_FREE_SHARE;
    }

    public long published(Topic topic) {
        return published.get(topic).get();
    }

    public long quotesShed() {
        return quotesShed.get();
    }

    public long sendErrors() {
        return sendErrors.get();
    }

    public long deadLettered() {
        return deadLettered.get();
    }

    public String lastError() {
        return lastError.get();
    }

    @Override
    public void close() {
        producer.close();
    }

    private static Header header(String key, String value) {
        return new RecordHeader(key, value.getBytes(StandardCharsets.UTF_8));
    }
}
