package io.twsbridge.bridge.kafka.publish;

import io.twsbridge.bridge.events.EventSink;
import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.bridge.kafka.topics.PartitionLeaders;
import io.twsbridge.schema.catalogue.CleanupPolicy;
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
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

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
 * <p>No partition is left behind. A partition whose oldest unacknowledged record has not moved on for
 * {@code kafka.stuck-partition-timeout} while Kafka answers is stuck: Kafka's idempotent producer can lose its
 * place in a partition for good (a first batch refused with NOT_LEADER_OR_FOLLOWER while a later batch of the same
 * producer was appended, after which every retry of the first is out of sequence: KAFKA-15591) and then retries
 * that batch for ever. The publisher's watchdog names such a partition (WARN, {@link #stuckPartitions()}, the
 * metrics) and heals it: it replaces the producer, whose new producer id starts every partition's sequence
 * afresh, and sends every record the old one had not acknowledged again, in order per partition. A compacted
 * topic's key that was written again after its stuck record is written again too, so the newest value stays the
 * last; elsewhere a record sent twice is a duplicate its identity (execId, commandId) makes harmless. Quotes are
 * not sent again: newer quotes of the same instruments follow. See docs/reliability.md.
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
    private static final long METADATA_IDLE_MS = Duration.ofDays(7).toMillis();

    /** A partition with this many records acknowledged behind one that is not has been overtaken: stuck at once. */
    static final int MAX_DONE_BEHIND = 100_000;
    /** How long a heal waits for the new producer to know the leaders before it sends again anyway. */
    private static final Duration HEAL_LEADER_WAIT = Duration.ofSeconds(10);

    private final KafkaSettings settings;
    /** Replaced, on the publisher thread only, when the watchdog heals a stuck partition. */
    private volatile Producer<byte[], byte[]> producer;
    /** Makes the replacement producer; null where the publisher cannot replace its producer (transactions). */
    private final Supplier<Producer<byte[], byte[]>> producerFactory;
    private final Watchdog watchdog;
    /** What the current producer has not acknowledged; replaced with it. */
    private volatile Unacknowledged<Outgoing> unacknowledged;
    /** Publisher thread only: each topic's partitions, as the producer knows them (refreshed by the watchdog). */
    private final Map<String, Placement> placements = new HashMap<>();
    /** Whether the publisher picks each keyed record's partition itself (the Java client's default, murmur2). */
    private final boolean explicitPartitions;
    private final Set<String> compactedTopics;
    private long lastWatchNanos;
    private volatile long oldestUnacknowledgedNanos;
    private volatile List<String> stuckPartitions = List.of();
    private final AtomicLong heals = new AtomicLong();
    private final AtomicLong resent = new AtomicLong();
    private volatile String lastHeal = "";
    private boolean outageReported;
    /** Publisher thread only: since when Kafka has answered, as the watchdog saw it; the stuck bound runs from it. */
    private long answeringSinceNanos;
    private boolean answeredAtLastLook = true;
    /** Publisher thread only: the current producer's count of bytes received from Kafka, and its last reading. */
    private Metric incomingBytes;
    private double incomingBytesAtLastLook = -1;
    private long lastHeardNanos;
    /** Twice the producer's longest retry backoff (one second unless set), so that a stuck producer is always heard. */
    private final long heardWindowNanos;
    private final RecordEncoder encoder;
    private final Clock clock;
    private final Map<Topic, AtomicLong> published = new EnumMap<>(Topic.class);
    private final AtomicLong quotesShed = new AtomicLong();
    private final AtomicInteger pendingQuotes = new AtomicInteger();
    private final AtomicLong sendErrors = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicLong stateRecords = new AtomicLong();
    private final AtomicReference<String> lastError = new AtomicReference<>("");
    private volatile Metric bufferAvailable;
    /** Records on their way to the producer, in the order they were published; the publisher thread takes them. */
    private final LinkedBlockingQueue<Outgoing> outgoing = new LinkedBlockingQueue<>();
    private final Thread publisherThread;
    private volatile boolean closed;
    private volatile PublishObserver publishObserver =
            PublishObserver.NONE;
    /** Null for a bridge that runs alone; a standby bridge's active instance publishes in transactions. */
    private final Fencing fencing;
    private final Header instanceHeader;
    private final AtomicLong refused = new AtomicLong();
    private volatile String fencedBecause;
    /** Publisher thread only: the open transaction's records that someone waits for, and whether one is open. */
    private final List<InTransaction> inTransaction = new ArrayList<>();
    private boolean transactionOpen;
    private long transactionOpenedAt;

    /** A publisher that cannot replace {@code producer}: its watchdog reports a stuck partition but cannot heal it. */
    public EventPublisher(KafkaSettings settings, Producer<byte[], byte[]> producer, RecordEncoder encoder, Clock clock) {
        this(settings, producer, encoder, clock, null);
    }

    /**
     * The bridge's publisher when it runs alone: {@code producers} makes its producer, and another one whenever the
     * watchdog heals a stuck partition.
     */
    public EventPublisher(KafkaSettings settings, Supplier<Producer<byte[], byte[]>> producers,
                          RecordEncoder encoder, Clock clock, Watchdog watchdog) {
        this(settings, producers.get(), producers, encoder, clock, null, null, watchdog);
    }

    /**
     * What the watchdog needs besides the settings.
     *
     * @param kafkaAnswers whether Kafka answers at all ({@code KafkaHealth::reachable}): a record that waits through
     *                     an outage is not stuck
     * @param nanoTime     the monotonic clock the ages are measured on
     */
    public record Watchdog(BooleanSupplier kafkaAnswers, LongSupplier nanoTime) {
        public static final Watchdog SYSTEM = new Watchdog(() -> true, System::nanoTime);
    }

    /**
     * @param fencing null for a bridge that runs alone; otherwise {@code producer} is transactional, with the
     *                transactional id every instance of the bridge shares, and this constructor initialises it,
     *                which fences every earlier instance's producer: Kafka rejects their writes from then on
     */
    public EventPublisher(KafkaSettings settings, Producer<byte[], byte[]> producer, RecordEncoder encoder, Clock clock,
                          Fencing fencing) {
        this(settings, producer, null, encoder, clock, fencing, fencing == null ? null : fencing.instanceId(),
                Watchdog.SYSTEM);
    }

    /**
     * A standby instance's publisher (its heartbeat on ib.status): not transactional, since a standby holds no
     * lease, but every record names the instance in the {@value Fencing#INSTANCE_HEADER} header.
     */
    public static EventPublisher forStandby(KafkaSettings settings, Producer<byte[], byte[]> producer,
                                            RecordEncoder encoder, Clock clock, String instanceId) {
        return new EventPublisher(settings, producer, null, encoder, clock, null, instanceId, Watchdog.SYSTEM);
    }

    private EventPublisher(KafkaSettings settings, Producer<byte[], byte[]> producer,
                           Supplier<Producer<byte[], byte[]>> producerFactory, RecordEncoder encoder,
                           Clock clock, Fencing fencing, String instanceId, Watchdog watchdog) {
        this.settings = settings;
        this.producer = producer;
        this.producerFactory = fencing == null ? producerFactory : null;
        this.watchdog = watchdog;
        this.lastWatchNanos = watchdog.nanoTime().getAsLong();
        this.answeringSinceNanos = lastWatchNanos;
        this.lastHeardNanos = lastWatchNanos;
        this.heardWindowNanos = 2 * TimeUnit.MILLISECONDS.toNanos(Long.parseLong(
                settings.clientProperties().getOrDefault(ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, "1000").trim()));
        this.unacknowledged = new Unacknowledged<>(watchdog.nanoTime());
        // A partitioner of the user's own decides where keyed records go: then the publisher does not presume to.
        this.explicitPartitions = !settings.clientProperties().containsKey(ProducerConfig.PARTITIONER_CLASS_CONFIG)
                && !settings.clientProperties().containsKey(ProducerConfig.PARTITIONER_IGNORE_KEYS_CONFIG);
        Set<String> compacted = ConcurrentHashMap.newKeySet();
        for (Topic t : Topic.values()) {
            if (t.cleanupPolicy() == CleanupPolicy.COMPACT) {
                compacted.add(settings.topic(t));
            }
        }
        this.compactedTopics = compacted;
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
    public record Fencing(String instanceId, Duration commitInterval, ProducePermit permit,
                          Consumer<String> onFenced) {
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
                                                                       Duration transactionTimeout) {
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
     * Blocks until the producer knows a leader for every partition of {@code topicNames}: called once the topics
     * are provisioned and before anything is published, so that no partition's first batch can meet a partition
     * without a leader (see {@link io.twsbridge.bridge.kafka.topics.PartitionLeaders}). It also fetches their
     * metadata, so the first record of each does not wait for a round trip.
     *
     * @param onWait told, about once a second, which partitions still have no leader
     */
    public void awaitPartitionLeaders(Collection<String> topicNames, Duration timeout,
                                      Consumer<List<String>> onWait)
            throws InterruptedException, TimeoutException {
        PartitionLeaders.await(producer, topicNames, timeout, watchdog.nanoTime(),
                onWait);
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
        compactedTopics.add(topicName); // state topics are compacted: what a heal sends again depends on it
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
    public void setPublishObserver(PublishObserver observer) {
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
        long watchMillis = watchIntervalMillis();
        try {
            while (true) {
                Outgoing next = outgoing.poll(watchMillis, TimeUnit.MILLISECONDS);
                watch();
                if (next == null) {
                    continue;
                }
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
                        watchUntilAcknowledged(watchMillis);
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

    /**
     * Closing: the watchdog keeps watching, for one stuck-partition timeout after the close began or after its
     * last heal, so that a partition stuck now is still healed rather than holding the producer's close for ever
     * (which waits for every batch). What is still unacknowledged after that waits in the producer's close, as
     * long as Kafka does not answer.
     */
    private void watchUntilAcknowledged(long watchMillis) throws InterruptedException {
        long bound = settings.stuckPartitionTimeout().toNanos() + 2 * TimeUnit.MILLISECONDS.toNanos(watchMillis);
        long since = watchdog.nanoTime().getAsLong();
        long healsSeen = heals.get();
        while (unacknowledged.waiting() > 0 && watchdog.nanoTime().getAsLong() - since < bound) {
            TimeUnit.MILLISECONDS.sleep(watchMillis); // acknowledgements come on Kafka's thread
            watch();
            if (heals.get() != healsSeen) {
                healsSeen = heals.get();
                since = watchdog.nanoTime().getAsLong();
            }
        }
    }

    private long watchIntervalMillis() {
        return Math.max(10, Math.min(1_000, settings.stuckPartitionTimeout().toMillis() / 10));
    }

    /**
     * The watchdog, on the publisher thread, at most once per watch interval: measures the oldest unacknowledged
     * record, names the partitions that are stuck and heals them (see the class comment). A partition whose
     * records wait while Kafka does not answer, or that has no leader, waits: that is an outage, not a stuck
     * producer, and healing would change nothing.
     */
    private void watch() {
        long now = watchdog.nanoTime().getAsLong();
        if (now - lastWatchNanos < TimeUnit.MILLISECONDS.toNanos(watchIntervalMillis())) {
            return;
        }
        lastWatchNanos = now;
        List<Unacknowledged.Oldest> oldest = unacknowledged.oldest();
        long bound = settings.stuckPartitionTimeout().toNanos();
        long oldestAge = 0;
        boolean heard = producerHeardFromKafka(now);
        boolean kafkaAnswers = heard && watchdog.kafkaAnswers().getAsBoolean();
        if (kafkaAnswers && !answeredAtLastLook) {
            answeringSinceNanos = now; // back from an outage: what waited through it is not stuck, yet
        }
        answeredAtLastLook = kafkaAnswers;
        List<String> stuck = new ArrayList<>();
        List<String> heal = new ArrayList<>();
        for (Unacknowledged.Oldest o : oldest) {
            long age = now - o.sentAtNanos();
            oldestAge = Math.max(oldestAge, age);
            // Stuck: the oldest record has not moved on for the bound while Kafka answered. A partition draining a
            // backlog after an outage has old records too, but its oldest one moves on all the time.
            long stalled = now - Math.max(o.oldestSinceNanos(), answeringSinceNanos);
            boolean overtaken = o.doneBehind() >= MAX_DONE_BEHIND;
            if (!(overtaken || stalled >= bound && kafkaAnswers)) {
                continue;
            }
            String name = partitionName(o.partition());
            String what = name + ": " + o.waiting() + " record(s) unacknowledged, the oldest for "
                    + TimeUnit.NANOSECONDS.toMillis(age) + " ms, " + o.doneBehind()
                    + " later one(s) acknowledged";
            if (!hasLeader(o.partition())) {
                stuck.add(what + "; no leader known, waiting for one");
                continue;
            }
            stuck.add(what);
            heal.add(what + retries(o.partition().topic()));
        }
        oldestUnacknowledgedNanos = oldestAge;
        reportOutage(oldestAge >= bound && !kafkaAnswers, oldestAge);
        stuckPartitions = List.copyOf(stuck);
        refreshPartitionCounts();
        if (heal.isEmpty()) {
            return;
        }
        log.warn("stuck partition(s) while Kafka answers: {}", String.join("; ", heal));
        if (producerFactory == null) {
            log.warn("this publisher cannot replace its producer: the stuck records wait (transactional publisher)");
            return;
        }
        heal(heal);
    }

    /**
     * Whether the producer has received anything from Kafka within the last {@link #heardWindowNanos}: a
     * producer stuck on a partition keeps retrying and hears an error back at least every
     * {@code retry.backoff.max.ms} (one second by default), one whose broker went away hears nothing. The
     * health check tells the same only seconds late, long enough to take an outage's first seconds for a stuck
     * partition. True when the producer keeps no such count (a test's producer).
     */
    private boolean producerHeardFromKafka(long nowNanos) {
        Metric metric = incomingBytes;
        if (metric == null) {
            metric = producerMetric("incoming-byte-total");
            if (metric == null) {
                return true;
            }
            incomingBytes = metric;
        }
        Object value = metric.metricValue();
        if (!(value instanceof Number n)) {
            return true;
        }
        double bytes = n.doubleValue();
        if (bytes > incomingBytesAtLastLook) {
            lastHeardNanos = nowNanos;
        }
        incomingBytesAtLastLook = bytes;
        return nowNanos - lastHeardNanos <= heardWindowNanos;
    }

    private Metric producerMetric(String name) {
        return producer.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals(name) && e.getKey().group().equals("producer-metrics"))
                .map(Map.Entry::getValue).findFirst().orElse(null);
    }

    private void reportOutage(boolean waiting, long oldestAge) {
        if (waiting && !outageReported) {
            log.warn("{} record(s) wait for Kafka, which does not answer (the oldest for {} ms); they are sent when it"
                    + " answers", unacknowledged.waiting(), TimeUnit.NANOSECONDS.toMillis(oldestAge));
        }
        outageReported = waiting;
    }

    /**
     * Replaces the producer and sends again what it had not acknowledged. The new producer has a new producer id,
     * so every partition's sequence starts afresh on the broker, whatever the old one had lost its place in.
     */
    private void heal(List<String> why) {
        Producer<byte[], byte[]> old = producer;
        Unacknowledged<Outgoing> oldRecords = unacknowledged;
        Producer<byte[], byte[]> fresh;
        try {
            fresh = producerFactory.get();
        } catch (RuntimeException e) {
            lastError.set(e.toString());
            log.error("a stuck partition cannot be healed: no new producer ({}); trying again in {} ms", e.toString(),
                    settings.stuckPartitionTimeout().toMillis());
            return;
        }
        long started = watchdog.nanoTime().getAsLong();
        // From here on the old producer's failures are not failures: what it did not acknowledge is sent again.
        unacknowledged = new Unacknowledged<>(watchdog.nanoTime());
        producer = fresh;
        bufferAvailable = null;
        incomingBytes = null;
        incomingBytesAtLastLook = -1;
        old.close(Duration.ZERO);
        List<Outgoing> again = new ArrayList<>();
        long quotesDropped = 0;
        for (Unacknowledged.Held<Outgoing> held : oldRecords.held()) {
            quotesDropped += toSendAgain(held, again);
        }
        if (quotesDropped > 0) {
            quotesShed.addAndGet(quotesDropped);
        }
        try {
            PartitionLeaders.await(fresh,
                    again.stream().map(Outgoing::topic).distinct().toList(), HEAL_LEADER_WAIT, watchdog.nanoTime(),
                    missing -> log.info("healing: waiting for partition leaders: {}", missing));
        } catch (TimeoutException e) {
            log.warn("healing: {}; sending again anyway (the new producer waits for them)", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        again.forEach(this::transmit);
        long n = heals.incrementAndGet();
        resent.addAndGet(again.size());
        lastHeal = clock.instant() + ": " + String.join("; ", why) + " -> producer replaced, " + again.size()
                + " record(s) sent again, " + quotesDropped + " quote(s) dropped";
        log.warn("healed stuck partition(s) (heal {}): producer replaced, {} unacknowledged record(s) sent again in "
                        + "order per partition, {} unacknowledged quote(s) dropped (newer quotes follow), in {} ms", n,
                again.size(), quotesDropped,
                TimeUnit.NANOSECONDS.toMillis(watchdog.nanoTime().getAsLong() - started));
    }

    /**
     * What of one partition's records goes again, in order: every record not acknowledged but quotes, and on a
     * compacted topic every later record of a key that goes again (else the older value would end up the latest).
     *
     * @return the quotes left out
     */
    private long toSendAgain(Unacknowledged.Held<Outgoing> held, List<Outgoing> again) {
        boolean compacted = compactedTopics.contains(held.partition().topic());
        Set<ByteBuffer> rewritten = new HashSet<>();
        long quotes = 0;
        for (int i = 0; i < held.records().size(); i++) {
            Outgoing o = held.records().get(i);
            boolean done = held.done().get(i);
            if (o == null) {
                continue; // acknowledged, and nothing depends on sending it again
            }
            if (o.quote()) {
                if (!done) {
                    quotes++;
                }
                continue;
            }
            ByteBuffer key = o.key() == null ? null : ByteBuffer.wrap(o.key());
            if (!done) {
                again.add(o);
                if (compacted && key != null) {
                    rewritten.add(key);
                }
            } else if (compacted && key != null && rewritten.contains(key)) {
                again.add(o);
            }
        }
        return quotes;
    }

    private boolean hasLeader(TopicPartition partition) {
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
    private String retries(String topic) {
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

    private static String partitionName(TopicPartition p) {
        return p.partition() < 0 ? p.topic() + " (partition chosen by the producer)" : p.toString();
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
        return placement.partitions[Utils.toPositive(
                Utils.murmur2(key)) % placement.partitions.length];
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
    private void refreshPartitionCounts() {
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
        Producer<byte[], byte[]> to = producer;
        Unacknowledged<Outgoing> tracked = unacknowledged;
        Unacknowledged.Entry<Outgoing> entry = null;
        try {
            byte[] bytes = o.quote() ? encoder.encode(o.topic(), o.value()) : o.bytes();
            TopicPartition partition = partitionOf(o.topic(), o.key());
            record = new ProducerRecord<>(o.topic(), partition.partition() < 0 ? null : partition.partition(), o.key(),
                    bytes, withInstance(o.headers()));
            // The callback holds the topic name, not the record: the record's bytes would stay on the heap until
            // Kafka acknowledges, twice over (the producer has copied them into its buffer).
            String topic = o.topic();
            Unacknowledged.Entry<Outgoing> sent = tracked.add(partition, o, watchdog.nanoTime().getAsLong(),
                    !o.quote() && compactedTopics.contains(topic));
            entry = sent;
            to.send(record, (metadata, error) -> {
                boolean replaced = to != producer;
                if (error == null || !replaced) {
                    tracked.done(sent); // a replaced producer's failure is no failure: the record goes again
                }
                if (o.quote()) {
                    pendingQuotes.decrementAndGet();
                }
                if (error != null && replaced) {
                    return;
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
            if (entry != null) {
                tracked.done(entry);
            }
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
                                TimeUnit.NANOSECONDS)
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
        } catch (ProducerFencedException
                 | InvalidProducerEpochException
                 | TransactionalIdAuthorizationException
                 | UnsupportedVersionException
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

    /**
     * Sends everything published so far and waits for the acknowledgements. A heal meanwhile replaces the producer
     * being flushed (whose flush then returns): the records it sent again are flushed through the new one.
     */
    public void flush() {
        while (true) {
            awaitPublisherThread();
            if (fencing != null || closed) {
                return;
            }
            Producer<byte[], byte[]> flushed = producer;
            flushed.flush();
            if (flushed == producer) {
                return;
            }
        }
    }

    /** Returns once everything published so far has been handed to the producer. */
    private void awaitPublisherThread() {
        CompletableFuture<Void> reached = new CompletableFuture<>();
        outgoing.add(Outgoing.barrier(reached));
        // A closed or abandoned publisher's thread may have ended before this barrier went in: nothing would reach it.
        while (!reached.isDone() && publisherThread.isAlive()) {
            try {
                reached.get(100, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // look again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }
    }

    private boolean bufferNearlyFull() {
        Metric metric = bufferAvailable;
        if (metric == null) {
            metric = producerMetric("buffer-available-bytes");
            bufferAvailable = metric;
            if (metric == null) {
                return false;
            }
        }
        Object value = metric.metricValue();
        return value instanceof Number n && n.doubleValue() < settings.producerBufferBytes() * QUOTE_SHED_FREE_SHARE;
    }

    /**
     * The partitions the watchdog found stuck at its last look, each with what it saw; a heal normally follows at
     * once. A partition without a leader is listed as waiting for one.
     */
    public List<String> stuckPartitions() {
        return stuckPartitions;
    }

    /** How long the oldest record the producer has not acknowledged has waited, at the watchdog's last look. */
    public double oldestUnacknowledgedSeconds() {
        return oldestUnacknowledgedNanos / 1e9;
    }

    /** The watchdog's findings and heals, for {@code /status}. */
    public PublisherHealth health() {
        return new PublisherHealth(oldestUnacknowledgedSeconds(), stuckPartitions, heals.get(), resent.get(), lastHeal);
    }

    /** Times the watchdog replaced the producer to heal a stuck partition. */
    public long heals() {
        return heals.get();
    }

    /** Records sent again by heals. */
    public long recordsSentAgain() {
        return resent.get();
    }

    /** What the last heal saw and did, with its time; empty before the first. */
    public String lastHeal() {
        return lastHeal;
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
        producer.close(fencedBecause != null ? Duration.ZERO : Duration.ofMillis(Long.MAX_VALUE));
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
        producer.close(Duration.ZERO);
    }

    private static Header header(String key, String value) {
        return new RecordHeader(key, value.getBytes(StandardCharsets.UTF_8));
    }
}
