package io.twsbridge.bridge.kafka.publish;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Hands records to the current producer, one at a time on the publisher thread, and keeps track of what it has
 * not acknowledged ({@link Unacknowledged}): the part both publish loops share. The producer is replaced only by a
 * heal ({@link #replace}), on the publisher thread.
 */
final class Transmitter {

    private static final Logger log = LoggerFactory.getLogger(Transmitter.class);

    private volatile Producer<byte[], byte[]> producer;
    /** What the current producer has not acknowledged; replaced with it. */
    private volatile Unacknowledged<Outgoing.Sendable> unacknowledged;
    /** Publisher thread only: each topic's partitions, as the producer knows them (refreshed by the watchdog). */
    private final Map<String, Placement> placements = new HashMap<>();
    /** Whether the publisher picks each keyed record's partition itself (the Java client's default, murmur2). */
    private final boolean explicitPartitions;
    private final Set<String> compactedTopics;
    private final RecordEncoder encoder;
    private final LongSupplier nanoTime;
    private final Header instanceHeader;
    private final QuoteShedding quotes;
    /** Why this instance may produce no more (a deposed standby's publisher); null while it may. */
    private final Supplier<String> cutOffBecause;
    private volatile Metric bufferAvailable;
    private volatile PublishObserver publishObserver = PublishObserver.NONE;
    private final AtomicLong sendErrors = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicReference<String> lastError = new AtomicReference<>("");

    /**
     * @param instanceHeader added to every record, naming the instance that wrote it; null for a bridge alone
     * @param cutOffBecause  a record failing while this answers non-null was cut off, not lost: counted as refused
     */
    Transmitter(Producer<byte[], byte[]> producer, boolean explicitPartitions, Set<String> compactedTopics,
                RecordEncoder encoder, LongSupplier nanoTime, Header instanceHeader, long bufferBytes,
                Supplier<String> cutOffBecause) {
        this.producer = producer;
        this.unacknowledged = new Unacknowledged<>(nanoTime);
        this.explicitPartitions = explicitPartitions;
        this.compactedTopics = compactedTopics;
        this.encoder = encoder;
        this.nanoTime = nanoTime;
        this.instanceHeader = instanceHeader;
        this.quotes = new QuoteShedding(bufferBytes, this::bufferAvailableBytes);
        this.cutOffBecause = cutOffBecause;
    }

    Producer<byte[], byte[]> producer() {
        return producer;
    }

    /** Encodes a record's value as the topic's wire format wants it. */
    byte[] encode(String topic, SpecificRecord value) {
        return encoder.encode(topic, value);
    }

    QuoteShedding quotes() {
        return quotes;
    }

    Unacknowledged<Outgoing.Sendable> unacknowledged() {
        return unacknowledged;
    }

    /**
     * Puts {@code fresh} in the current producer's place and closes that one at once. From here on the old
     * producer's failures are not failures: what it did not acknowledge is the caller's to send again.
     *
     * @return what the old producer had not acknowledged
     */
    Unacknowledged<Outgoing.Sendable> replace(Producer<byte[], byte[]> fresh) {
        Producer<byte[], byte[]> old = producer;
        Unacknowledged<Outgoing.Sendable> oldRecords = unacknowledged;
        unacknowledged = new Unacknowledged<>(nanoTime);
        producer = fresh;
        bufferAvailable = null;
        old.close(Duration.ZERO);
        return oldRecords;
    }

    void setPublishObserver(PublishObserver observer) {
        this.publishObserver = observer;
    }

    /** Hands one record to the producer; this is where an outage blocks (metadata or buffer room). */
    void transmit(Outgoing.Sendable o) {
        transmit(o, null);
    }

    /**
     * @param waiting in a transaction, where the record's caller waits for the commit rather than the
     *                acknowledgement; null otherwise
     */
    void transmit(Outgoing.Sendable o, TransactionalPublishLoop.InTransaction waiting) {
        Producer<byte[], byte[]> to = producer;
        Unacknowledged<Outgoing.Sendable> tracked = unacknowledged;
        Unacknowledged.Entry<Outgoing.Sendable> entry = null;
        boolean quote = o instanceof Outgoing.Quote;
        try {
            byte[] bytes = o instanceof Outgoing.Awaited a ? a.bytes() : encode(o.topic(), o.value());
            List<Header> headers = o instanceof Outgoing.Awaited a ? a.headers() : null;
            TopicPartition partition = partitionOf(o.topic(), o.key());
            ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(o.topic(),
                    partition.partition() < 0 ? null : partition.partition(), o.key(), bytes, withInstance(headers));
            // The callback holds the topic name, not the record: the record's bytes would stay on the heap until
            // Kafka acknowledges, twice over (the producer has copied them into its buffer).
            String topic = o.topic();
            Unacknowledged.Entry<Outgoing.Sendable> sent = tracked.add(partition, o, nanoTime.getAsLong(),
                    !quote && compactedTopics.contains(topic));
            entry = sent;
            to.send(record, (metadata, error) -> {
                boolean replaced = to != producer;
                if (error == null || !replaced) {
                    tracked.done(sent); // a replaced producer's failure is no failure: the record goes again
                }
                if (quote) {
                    quotes.settled();
                }
                if (error != null && replaced) {
                    return;
                }
                if (error == null) {
                    o.counter().incrementAndGet();
                    publishObserver.acknowledged(topic, o.value(), o.publishedAtNanos(), nanoTime.getAsLong());
                    if (waiting != null) {
                        waiting.metadata().set(metadata);
                    } else if (o instanceof Outgoing.Awaited a) {
                        a.acked().complete(metadata);
                    }
                } else if (waiting != null) {
                    waiting.error().set(error);
                } else if (cutOffBecause.get() != null) {
                    refused.incrementAndGet(); // cut off by abandon(): not a failure to report record by record
                } else {
                    failed(o, error);
                }
            });
        } catch (RuntimeException e) {
            // Encoding failed, or the producer threw before taking the record (closed, interrupted): no callback
            // will ever come for it.
            if (entry != null) {
                tracked.done(entry);
            }
            if (quote) {
                quotes.settled();
            }
            failed(o, e);
        }
    }

    void failed(Outgoing.Sendable o, Throwable error) {
        sendErrors.incrementAndGet();
        lastError.set(error.toString());
        log.error("publishing to {} failed: {}", o.topic(), error.toString());
        if (o instanceof Outgoing.Awaited a) {
            a.acked().completeExceptionally(error);
        }
    }

    /** Counts a record not produced because this instance may not produce; the count so far. */
    long refusedOne() {
        return refused.incrementAndGet();
    }

    long refused() {
        return refused.get();
    }

    long sendErrors() {
        return sendErrors.get();
    }

    String lastError() {
        return lastError.get();
    }

    void setLastError(String error) {
        lastError.set(error);
    }

    private List<Header> withInstance(List<Header> headers) {
        if (instanceHeader == null) {
            return headers;
        }
        List<Header> all = headers == null ? new ArrayList<>(1) : new ArrayList<>(headers);
        all.add(instanceHeader);
        return all;
    }

    /**
     * The partition the publisher picks for a record: for a keyed one, the Java client's default (murmur2 of the
     * key); for the rest, or while the producer knows no partitions of the topic, {@code partition -1}, meaning
     * the producer picks. The TopicPartitions are made once per topic: this runs for every quote.
     */
    private TopicPartition partitionOf(String topic, byte[] key) {
        Placement placement = placements.get(topic);
        if (placement == null) {
            placement = new Placement(topic, producer.partitionsFor(topic).size());
            if (placement.partitions.length > 0) {
                placements.put(topic, placement);
            }
        }
        if (key == null || !explicitPartitions || placement.partitions.length == 0) {
            return placement.unplaced;
        }
        return placement.partitions[Utils.toPositive(Utils.murmur2(key)) % placement.partitions.length];
    }

    /** A topic's partitions as the producer knows them. */
    private static final class Placement {
        private final TopicPartition unplaced;
        private final TopicPartition[] partitions;

        Placement(String topic, int count) {
            unplaced = new TopicPartition(topic, -1);
            partitions = new TopicPartition[count];
            for (int i = 0; i < count; i++) {
                partitions[i] = new TopicPartition(topic, i);
            }
        }
    }

    /** Partitions added to a topic are used as the Java client would use them: from its next metadata on. */
    void refreshPartitionCounts() {
        for (Map.Entry<String, Placement> e : placements.entrySet()) {
            try {
                int now = producer.partitionsFor(e.getKey()).size();
                if (now > 0 && now != e.getValue().partitions.length) {
                    e.setValue(new Placement(e.getKey(), now));
                }
            } catch (RuntimeException ignored) {
                // keep the partitions known
            }
        }
    }

    boolean hasLeader(TopicPartition partition) {
        if (partition.partition() < 0) {
            return true; // not placed by the publisher: the producer knows where it went
        }
        try {
            return producer.partitionsFor(partition.topic()).stream()
                    .anyMatch(p -> p.partition() == partition.partition() && p.leader() != null && !p.leader().isEmpty());
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The producer's retries on {@code topic} so far: the producer's own log names the broker's error. */
    String retries(String topic) {
        for (Map.Entry<MetricName, ? extends Metric> e : producer.metrics().entrySet()) {
            MetricName m = e.getKey();
            if (m.name().equals("record-retry-total") && m.group().equals("producer-topic-metrics")
                    && topic.equals(m.tags().get("topic"))) {
                Object v = e.getValue().metricValue();
                return "; the producer retried " + (v instanceof Number n ? n.longValue() : v) + " batch(es) of "
                        + topic + " so far (its WARN lines name the broker's error, e.g. OUT_OF_ORDER_SEQUENCE_NUMBER)";
            }
        }
        return "";
    }

    /** One of the current producer's own metrics ({@code producer-metrics} group); null if it keeps none such. */
    Metric producerMetric(String name) {
        return producer.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals(name) && e.getKey().group().equals("producer-metrics"))
                .map(Map.Entry::getValue).findFirst().orElse(null);
    }

    /** The current producer's free buffer in bytes; NaN while it reports none (a test's producer). */
    private double bufferAvailableBytes() {
        Metric metric = bufferAvailable;
        if (metric == null) {
            metric = producerMetric("buffer-available-bytes");
            bufferAvailable = metric;
            if (metric == null) {
                return Double.NaN;
            }
        }
        return metric.metricValue() instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
