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
 * gone they wait rather than vanish.
 *
 * <p>Callers never wait for Kafka: records go to the producer from a thread of its own, the publisher thread.
 * During an outage the producer blocks whoever calls {@code send} (it waits for the partitions' metadata, which a
 * stopping broker withdraws, or for buffer room); that is the publisher thread, never the event loop that owns
 * the Gateway session, which keeps reading, answering and timing the Gateway meanwhile. Quotes are encoded there
 * too, off the event loop; other records are encoded by the caller, so a record that cannot be encoded fails
 * where it was made.
 *
 * <p>Heap, not only the buffer, bounds the quotes in flight: each one queued or unacknowledged keeps its value
 * and callback on the heap beside the bytes that {@code buffer.memory} counts, so quotes are also shed once
 * {@value #MAX_PENDING_QUOTES} are on their way. At market-data rates a broker outage would otherwise fill a
 * small heap long before the buffer (a 128 MiB bridge at 10,000 quotes/s within seconds).
 *
 * <p>Thread-safe.
 */
public final class EventPublisher implements EventSink, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EventPublisher.class);
    /** Quotes are shed once less than this share of the producer's buffer is free. */
    private static final double QUOTE_SHED_FREE_SHARE = 0.25;
    /**
     * Quotes on their way (queued for the producer or awaiting Kafka's acknowledgement) beyond which new quotes are
     * shed: two seconds at 10,000 quotes/s and ~10 MiB of heap; far above what a healthy broker leaves in flight.
     */
    public static final int MAX_PENDING_QUOTES = 20_000;
    /** How long the producer keeps an unused topic's metadata: longer than any quiet spell of fills or positions. */
    private static final long METADATA_IDLE_MS = java.time.Duration.ofDays(7).toMillis();

    private final KafkaSettings settings;
    private final Producer<byte[], byte[]> producer;
    private final RecordEncoder encoder;
    private final Clock clock;
    private final Map<Topic, AtomicLong> published = new EnumMap<>(Topic.class);
    private final AtomicLong quotesShed = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicInteger pendingQuotes = new java.util.concurrent.atomic.AtomicInteger();
    private final AtomicLong sendErrors = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicLong stateRecords = new AtomicLong();
    private final AtomicReference<String> lastError = new AtomicReference<>("");
    private volatile Metric bufferAvailable;
    /** Records on their way to the producer, in the order they were published; the publisher thread takes them. */
    private final java.util.concurrent.LinkedBlockingQueue<Outgoing> outgoing = new java.util.concurrent.LinkedBlockingQueue<>();
    private final Thread publisherThread;
    private volatile boolean closed;
    private volatile io.twsbridge.bridge.app.metrics.PublishObserver publishObserver =
            io.twsbridge.bridge.app.metrics.PublishObserver.NONE;
    /** Null for a bridge that runs alone; a standby bridge's active instance publishes in transactions. */
    private final Fencing fencing;
    private final Header instanceHeader;
    private final AtomicLong refused = new AtomicLong();
    private volatile String fencedBecause;
    /** Publisher thread only: the open transaction's records that someone waits for, and whether one is open. */
    private final List<InTransaction> inTransaction = new ArrayList<>();
    private boolean transactionOpen;
    private long transactionOpenedAt;

    public EventPublisher(KafkaSettings settings, Producer<byte[], byte[]> producer, RecordEncoder encoder, Clock clock) {
        this(settings, producer, encoder, clock, null);
    }

    /**
     * @param fencing null for a bridge that runs alone; otherwise {@code producer} is transactional, with the
     *                transactional id every instance of the bridge shares, and this constructor initialises it,
     *                which fences every earlier instance's producer: Kafka rejects their writes from then on
     */
    public EventPublisher(KafkaSettings settings, Producer<byte[], byte[]> producer, RecordEncoder encoder, Clock clock,
                          Fencing fencing) {
        this(settings, producer, encoder, clock, fencing, fencing == null ? null : fencing.instanceId());
    }

    /**
     * A standby instance's publisher (its heartbeat on ib.status): not transactional, since a standby holds no
     * lease, but every record names the instance in the {@value Fencing#INSTANCE_HEADER} header.
     */
    public static EventPublisher forStandby(KafkaSettings settings, Producer<byte[], byte[]> producer,
                                            RecordEncoder encoder, Clock clock, String instanceId) {
        return new EventPublisher(settings, producer, encoder, clock, null, instanceId);
    }

    private EventPublisher(KafkaSettings settings, Producer<byte[], byte[]> producer, RecordEncoder encoder, Clock clock,
                           Fencing fencing, String instanceId) {
        this.settings = settings;
        this.producer = producer;
        this.encoder = encoder;
        this.clock = clock;
        this.fencing = fencing;
        this.instanceHeader = instanceId == null ? null : header(Fencing.INSTANCE_HEADER, instanceId);
        for (Topic t : Topic.values()) {
            published.put(t, new AtomicLong());
        }
        if (fencing != null) {
            producer.initTransactions();
        }
        this.publisherThread = new Thread(fencing == null ? this::publishLoop : this::transactionalLoop,
                "kafka-publisher");
        publisherThread.setDaemon(true);
        publisherThread.start();
    }

    /**
     * How the active instance of a standby bridge publishes: in transactions of a producer whose transactional id
     * all instances share, so that the next active instance's producer fences this one, and only while
     * {@code permit} allows.
     *
     * @param commitInterval how long a transaction stays open at most; one that a caller waits on (a journal
     *                       entry, a command result) is committed as soon as nothing else is queued
     * @param onFenced       told, once, when Kafka fences the producer or refuses the transaction for good
     */
    public record Fencing(String instanceId, java.time.Duration commitInterval, ProducePermit permit,
                          java.util.function.Consumer<String> onFenced) {
        /** The header that names, on every record, the instance that wrote it. */
        public static final String INSTANCE_HEADER = "bridge.instance";
    }

    /** A record of the open transaction whose caller waits: its future completes when the transaction commits. */
    private record InTransaction(Outgoing outgoing, AtomicReference<RecordMetadata> metadata,
                                 AtomicReference<Exception> error) {
    }

    /**
     * The active instance's producer in a standby bridge: the same configuration, transactional under
     * {@code transactionalId}. A transaction that Kafka has heard nothing of for {@code transactionTimeout} is
     * aborted by the coordinator.
     */
    public static Producer<byte[], byte[]> createTransactionalProducer(KafkaSettings settings, String transactionalId,
                                                                       java.time.Duration transactionTimeout) {
        Map<String, Object> config = producerConfig(settings);
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        config.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) transactionTimeout.toMillis());
        return new KafkaProducer<>(config);
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

    public static Producer<byte[], byte[]> createProducer(KafkaSettings settings) {
        return new KafkaProducer<>(producerConfig(settings));
    }

    @Override
    public void publish(Topic topic, String key, SpecificRecord value) {
        send(topic, key, value);
    }

    /**
     * Publishes and reports Kafka's acknowledgement: the command consumer commits an offset only after its
     * result is acknowledged. Nobody waits for a quote: its future completes at once with null, shed or not.
     */
    public CompletableFuture<RecordMetadata> send(Topic topic, String key, SpecificRecord value) {
        String name = settings.topic(topic);
        byte[] keyBytes = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
        if (topic != Topic.QUOTES) {
            return enqueue(new Outgoing(name, keyBytes, value, encoder.encode(name, value), null, published.get(topic),
                    false, new CompletableFuture<>()));
        }
        if (pendingQuotes.get() >= MAX_PENDING_QUOTES || bufferNearlyFull() || closed) {
            long shed = quotesShed.incrementAndGet();
            if (shed == 1 || shed % 10_000 == 0) {
                log.warn("Kafka unreachable or slow ({} quotes on their way): {} quotes shed so far",
                        pendingQuotes.get(), shed);
            }
            return CompletableFuture.completedFuture(null);
        }
        pendingQuotes.incrementAndGet();
        // Nobody waits for a quote's acknowledgement: no future to complete, one allocation less per tick.
        outgoing.add(new Outgoing(name, keyBytes, value, null, null, published.get(topic), true, null));
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Fetches the partitions of {@code topicNames} once at start-up, after the topics are provisioned, so that the
     * first record of each does not wait for a metadata round trip.
     */
    public void warmMetadata(java.util.Collection<String> topicNames) {
        topicNames.forEach(producer::partitionsFor);
    }

    /** Quotes published and not yet acknowledged (or failed): queued for the producer or in it. */
    public int pendingQuotes() {
        return pendingQuotes.get();
    }

    /**
     * Publishes to a topic outside the catalogue (the bridge's own state topics); a null value is a tombstone,
     * which deletes the key from a compacted topic.
     */
    public CompletableFuture<RecordMetadata> sendToTopic(String topicName, String key, SpecificRecord value) {
        byte[] bytes = value == null ? null : encoder.encode(topicName, value);
        return enqueue(new Outgoing(topicName, key.getBytes(StandardCharsets.UTF_8), value, bytes, null, stateRecords,
                false, new CompletableFuture<>()));
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
        return enqueue(new Outgoing(settings.topic(Topic.COMMANDS_DLQ), source.key(), null, source.value(), headers,
                published.get(Topic.COMMANDS_DLQ), false, new CompletableFuture<>()));
    }

    /** Told of every acknowledgement with its latency (the metrics' publish-latency histogram). */
    public void setPublishObserver(io.twsbridge.bridge.app.metrics.PublishObserver observer) {
        this.publishObserver = observer;
    }

    /**
     * A record on its way to the producer. A quote carries its value to be encoded on the publisher thread and no
     * future; anything else carries its bytes and the future its caller holds.
     */
    private record Outgoing(String topic, byte[] key, SpecificRecord value, byte[] bytes, List<Header> headers,
                            AtomicLong counter, boolean quote, CompletableFuture<RecordMetadata> acked,
                            long publishedAtNanos, CompletableFuture<Void> barrier) {
        Outgoing(String topic, byte[] key, SpecificRecord value, byte[] bytes, List<Header> headers, AtomicLong counter,
                 boolean quote, CompletableFuture<RecordMetadata> acked) {
            this(topic, key, value, bytes, headers, counter, quote, acked, System.nanoTime(), null);
        }

        /** Completes once every record queued before it has gone to the producer. */
        static Outgoing barrier(CompletableFuture<Void> reached) {
            return new Outgoing(null, null, null, null, null, null, false, null, 0, reached);
        }
    }

    private CompletableFuture<RecordMetadata> enqueue(Outgoing record) {
        if (closed) {
            record.acked().completeExceptionally(new IllegalStateException("the publisher is closed"));
        } else {
            outgoing.add(record);
        }
        return record.acked();
    }

    private void publishLoop() {
        try {
            while (true) {
                Outgoing next = outgoing.take();
                if (next.barrier() != null) {
                    next.barrier().complete(null);
                    if (closed) {
                        // What raced past the closed flag into the queue still goes out; then the thread ends.
                        for (Outgoing late = outgoing.poll(); late != null; late = outgoing.poll()) {
                            if (late.barrier() == null) {
                                transmit(late);
                            } else {
                                late.barrier().complete(null);
                            }
                        }
                        return;
                    }
                    continue;
                }
                transmit(next);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Hands one record to the producer; this is where an outage blocks (metadata or buffer room). */
    private void transmit(Outgoing o) {
        transmit(o, null);
    }

    /**
     * @param waiting in a transaction, where the record's caller waits for the commit rather than the
     *                acknowledgement; null otherwise
     */
    private void transmit(Outgoing o, InTransaction waiting) {
        ProducerRecord<byte[], byte[]> record;
        try {
            byte[] bytes = o.quote() ? encoder.encode(o.topic(), o.value()) : o.bytes();
            record = new ProducerRecord<>(o.topic(), null, o.key(), bytes, withInstance(o.headers()));
            // The callback holds the topic name, not the record: the record's bytes would stay on the heap until
            // Kafka acknowledges, twice over (the producer has copied them into its buffer).
            String topic = o.topic();
            producer.send(record, (metadata, error) -> {
                if (o.quote()) {
                    pendingQuotes.decrementAndGet();
                }
                if (error == null) {
                    o.counter().incrementAndGet();
                    publishObserver.acknowledged(topic, o.value(), o.publishedAtNanos(), System.nanoTime());
                    if (waiting != null) {
                        waiting.metadata().set(metadata);
                    } else if (o.acked() != null) {
                        o.acked().complete(metadata);
                    }
                } else if (waiting != null) {
                    waiting.error().set(error);
                } else if (fencedBecause != null) {
                    refused.incrementAndGet(); // cut off by abandon(): not a failure to report record by record
                } else {
                    failed(o, error);
                }
            });
        } catch (RuntimeException e) {
            // Encoding failed, or the producer threw before taking the record (closed, interrupted): no callback
            // will ever come for it.
            if (o.quote()) {
                pendingQuotes.decrementAndGet();
            }
            failed(o, e);
        }
    }

    private void failed(Outgoing o, Throwable error) {
        sendErrors.incrementAndGet();
        lastError.set(error.toString());
        log.error("publishing to {} failed: {}", o.topic(), error.toString());
        if (o.acked() != null) {
            o.acked().completeExceptionally(error);
        }
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
     * The publisher thread of a standby bridge's active instance. Records go out in transactions; one is
     * committed when it has been open for the commit interval, at a barrier (flush, close), or at once when a
     * caller waits on one of its records and nothing else is queued. Before each record the permit is asked:
     * once the leader lease has lapsed, nothing more is produced, and once Kafka has fenced the producer,
     * nothing more is tried.
     */
    private void transactionalLoop() {
        long intervalNanos = fencing.commitInterval().toNanos();
        try {
            while (true) {
                Outgoing next = transactionOpen
                        ? outgoing.poll(Math.max(0, transactionOpenedAt + intervalNanos - System.nanoTime()),
                                java.util.concurrent.TimeUnit.NANOSECONDS)
                        : outgoing.take();
                if (next == null) {
                    commit();
                    continue;
                }
                if (next.barrier() != null) {
                    commit();
                    next.barrier().complete(null);
                    if (closed) {
                        for (Outgoing late = outgoing.poll(); late != null; late = outgoing.poll()) {
                            if (late.barrier() == null) {
                                refuse(late, "the publisher is closed");
                            } else {
                                late.barrier().complete(null);
                            }
                        }
                        return;
                    }
                    continue;
                }
                String refusal = fencedBecause != null ? fencedBecause : fencing.permit().refusal();
                if (refusal != null) {
                    refuse(next, refusal);
                    continue;
                }
                if (!openTransaction()) {
                    refuse(next, fencedBecause);
                    continue;
                }
                InTransaction waiting = next.acked() == null ? null
                        : new InTransaction(next, new AtomicReference<>(), new AtomicReference<>());
                if (waiting != null) {
                    inTransaction.add(waiting);
                }
                transmit(next, waiting);
                if (!inTransaction.isEmpty() && outgoing.isEmpty()
                        || System.nanoTime() - transactionOpenedAt >= intervalNanos) {
                    commit();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Commits the open transaction, then completes its waiting callers. A record Kafka refused aborts the
     * transaction; the others whose callers wait are sent again in the next one (quotes are not), so only the
     * refused record is lost, and its caller hears why.
     */
    private void commit() {
        if (!transactionOpen) {
            return;
        }
        transactionOpen = false;
        List<InTransaction> done = List.copyOf(inTransaction);
        inTransaction.clear();
        if (fencedBecause != null) {
            // No longer the leader: committing would be a write. Kafka aborts the transaction instead.
            done.forEach(w -> refuse(w.outgoing(), fencedBecause));
            return;
        }
        String refusal = fencing.permit().refusal();
        if (refusal != null) {
            // The lease lapsed with the transaction open: nothing of it may count. Aborting discards it (and
            // leaves the producer usable should the lease be confirmed again).
            try {
                producer.abortTransaction();
            } catch (RuntimeException e) {
                fenced("a transaction could not be aborted after the lease lapsed: " + e);
            }
            done.forEach(w -> refuse(w.outgoing(), refusal));
            return;
        }
        try {
            producer.commitTransaction();
        } catch (org.apache.kafka.common.errors.ProducerFencedException
                 | org.apache.kafka.common.errors.InvalidProducerEpochException
                 | org.apache.kafka.common.errors.TransactionalIdAuthorizationException
                 | org.apache.kafka.common.errors.UnsupportedVersionException
                 | IllegalStateException e) {
            fenced("Kafka refused the transaction: " + e);
            done.forEach(w -> refuse(w.outgoing(), fencedBecause));
            return;
        } catch (RuntimeException e) {
            abortAndRetry(done, e);
            return;
        }
        for (InTransaction w : done) {
            Exception error = w.error().get();
            if (error == null) {
                w.outgoing().acked().complete(w.metadata().get());
            } else {
                failed(w.outgoing(), error);
            }
        }
    }

    private void abortAndRetry(List<InTransaction> done, RuntimeException cause) {
        log.warn("a transaction was aborted ({}); {} record(s) waited on are sent again", cause.toString(),
                done.stream().filter(w -> w.error().get() == null).count());
        try {
            producer.abortTransaction();
        } catch (RuntimeException e) {
            fenced("an aborted transaction could not be ended: " + e);
            done.forEach(w -> refuse(w.outgoing(), fencedBecause));
            return;
        }
        for (InTransaction w : done) {
            if (w.error().get() != null) {
                failed(w.outgoing(), w.error().get());
            } else if (fencedBecause == null) {
                if (!openTransaction()) {
                    refuse(w.outgoing(), fencedBecause);
                    continue;
                }
                InTransaction again = new InTransaction(w.outgoing(), new AtomicReference<>(), new AtomicReference<>());
                inTransaction.add(again);
                transmit(w.outgoing(), again);
            } else {
                refuse(w.outgoing(), fencedBecause);
            }
        }
    }

    /** Begins a transaction unless one is open; false, the publisher fenced, when Kafka refuses. */
    private boolean openTransaction() {
        if (transactionOpen) {
            return true;
        }
        try {
            producer.beginTransaction();
        } catch (RuntimeException e) {
            fenced("a transaction could not begin: " + e);
            return false;
        }
        transactionOpen = true;
        transactionOpenedAt = System.nanoTime();
        return true;
    }

    private void fenced(String why) {
        if (fencedBecause == null) {
            fencedBecause = why;
            log.warn("publisher fenced: {}; nothing more is produced by this instance", why);
            fencing.onFenced().accept(why);
        }
    }

    /** A record not produced because this instance may not produce: its caller hears why. */
    private void refuse(Outgoing o, String why) {
        if (o.acked() != null && o.acked().isDone()) {
            return; // failed already, where the producer threw on send: counted and reported there
        }
        if (o.quote()) {
            pendingQuotes.decrementAndGet();
        }
        long n = refused.incrementAndGet();
        if (n == 1 || n % 10_000 == 0) {
            log.warn("{} record(s) not produced: {}", n, why);
        }
        if (o.acked() != null) {
            o.acked().completeExceptionally(new NotPermittedException(why));
        }
    }

    /** Records this instance did not produce because it was no longer permitted to (standby bridges only). */
    public long refused() {
        return refused.get();
    }

    /** A record not produced: this instance no longer leads, or Kafka fenced its producer. */
    public static final class NotPermittedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotPermittedException(String why) {
            super("not produced: " + why);
        }
    }

    /** Sends everything published so far and waits for the acknowledgements. */
    public void flush() {
        CompletableFuture<Void> reached = new CompletableFuture<>();
        outgoing.add(Outgoing.barrier(reached));
        // A closed or abandoned publisher's thread may have ended before this barrier went in: nothing would reach it.
        while (!reached.isDone() && publisherThread.isAlive()) {
            try {
                reached.get(100, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                // look again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }
        if (fencing == null && !closed) {
            producer.flush();
        }
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

    /** Records published but not yet handed to the producer. */
    public int queued() {
        return outgoing.size();
    }

    /**
     * Hands what is queued to the producer, then closes it (which waits for the acknowledgements). Anything
     * published afterwards fails at once (a quote is shed).
     */
    @Override
    public void close() {
        closed = true;
        outgoing.add(Outgoing.barrier(new CompletableFuture<>()));
        try {
            publisherThread.join();
        } catch (InterruptedException e) {
            publisherThread.interrupt();
            Thread.currentThread().interrupt();
        }
        producer.close(fencedBecause != null ? java.time.Duration.ZERO : java.time.Duration.ofMillis(Long.MAX_VALUE));
    }

    /**
     * For an instance that no longer leads: refuses everything still queued or published from now on, and closes
     * the producer without waiting. Whatever of the open transaction reached Kafka is aborted by Kafka (when the
     * next active instance starts, at the latest), so readers of committed records never see it.
     */
    public void abandon(String why) {
        if (fencing == null) {
            throw new IllegalStateException("only a standby bridge's publisher is abandoned");
        }
        if (fencedBecause == null) {
            fencedBecause = why;
        }
        closed = true;
        outgoing.add(Outgoing.barrier(new CompletableFuture<>()));
        producer.close(java.time.Duration.ZERO);
    }

    private static Header header(String key, String value) {
        return new RecordHeader(key, value.getBytes(StandardCharsets.UTF_8));
    }
}
