package io.twsbridge.bridge.kafka.publish;

import io.twsbridge.bridge.events.EventSink;
import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.bridge.kafka.topics.PartitionLeaders;
import io.twsbridge.schema.catalogue.CleanupPolicy;
import io.twsbridge.schema.catalogue.Topic;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The bridge's one producer: every event, command result and dead letter goes through it.
 *
 * <p>Nothing but quotes is ever dropped. The producer is idempotent with acks=all and retries until Kafka
 * acknowledges (delivery timeout of days, not minutes; {@link Producers}), so a broker outage only delays
 * records: they wait in the producer's buffer. Quotes are shed before that buffer or the heap fills
 * ({@link QuoteShedding}); fills, order updates, account events, statuses and command results keep the remaining
 * room, and when even that is gone they wait rather than vanish.
 *
 * <p>Callers never wait for Kafka: records go to the producer from a thread of its own, the publisher thread
 * ({@link PublishLoop}: plain, or in transactions for a standby bridge's active instance). During an outage the
 * producer blocks whoever calls {@code send} (it waits for the partitions' metadata, which a stopping broker
 * withdraws, or for buffer room); that is the publisher thread, never the event loop that owns the Gateway
 * session, which keeps reading, answering and timing the Gateway meanwhile. Quotes are encoded there too, off the
 * event loop; other records are encoded by the caller, so a record that cannot be encoded fails where it was made.
 *
 * <p>No partition is left behind: the {@link PartitionWatchdog} names a partition that no longer moves while
 * Kafka answers and heals it by replacing the producer. See docs/reliability.md.
 *
 * <p>Thread-safe.
 */
public final class EventPublisher implements EventSink, AutoCloseable {

    /** Quotes on their way beyond which new quotes are shed (see {@link QuoteShedding}). */
    public static final int MAX_PENDING_QUOTES = QuoteShedding.MAX_PENDING_QUOTES;

    private final KafkaSettings settings;
    private final Transmitter transmitter;
    private final PartitionWatchdog watchdog;
    private final PublishLoop loop;
    private final DeadLetters deadLetters;
    private final LongSupplier nanoTime;
    private final Set<String> compactedTopics;
    private final Map<Topic, AtomicLong> published = new EnumMap<>(Topic.class);
    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicLong stateRecords = new AtomicLong();
    /** Records on their way to the producer, in the order they were published; the publisher thread takes them. */
    private final LinkedBlockingQueue<Outgoing> outgoing = new LinkedBlockingQueue<>();
    private final Thread publisherThread;
    private volatile boolean closed;

    /**
     * What the watchdog needs besides the settings.
     *
     * @param kafkaAnswers whether Kafka answers at all ({@code KafkaHealth::reachable}): a record that waits through
     *                     an outage is not stuck
     * @param nanoTime     the monotonic clock every age, latency and commit interval is measured on
     */
    public record Watchdog(BooleanSupplier kafkaAnswers, LongSupplier nanoTime) {
        public static final Watchdog SYSTEM = new Watchdog(() -> true, System::nanoTime);
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

    /** A publisher that cannot replace {@code producer}: its watchdog reports a stuck partition but cannot heal it. */
    public EventPublisher(KafkaSettings settings, Producer<byte[], byte[]> producer, RecordEncoder encoder, Clock clock) {
        this(settings, producer, null, encoder, clock, null, null, Watchdog.SYSTEM);
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
     * @param fencing null for a bridge that runs alone; otherwise {@code producer} is transactional, with the
     *                transactional id every instance of the bridge shares, and this constructor initialises it,
     *                which fences every earlier instance's producer: Kafka rejects their writes from then on
     */
    public EventPublisher(KafkaSettings settings, Producer<byte[], byte[]> producer, RecordEncoder encoder, Clock clock,
                          Fencing fencing) {
        this(settings, producer, encoder, clock, fencing, System::nanoTime);
    }

    /** As above, with the monotonic clock its commit interval and latencies are measured on. */
    public EventPublisher(KafkaSettings settings, Producer<byte[], byte[]> producer, RecordEncoder encoder, Clock clock,
                          Fencing fencing, LongSupplier nanoTime) {
        this(settings, producer, null, encoder, clock, fencing, fencing == null ? null : fencing.instanceId(),
                new Watchdog(() -> true, nanoTime));
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
        this.nanoTime = watchdog.nanoTime();
        Set<String> compacted = ConcurrentHashMap.newKeySet();
        for (Topic t : Topic.values()) {
            if (t.cleanupPolicy() == CleanupPolicy.COMPACT) {
                compacted.add(settings.topic(t));
            }
            published.put(t, new AtomicLong());
        }
        this.compactedTopics = compacted;
        // A partitioner of the user's own decides where keyed records go: then the publisher does not presume to.
        boolean explicitPartitions = !settings.clientProperties().containsKey(ProducerConfig.PARTITIONER_CLASS_CONFIG)
                && !settings.clientProperties().containsKey(ProducerConfig.PARTITIONER_IGNORE_KEYS_CONFIG);
        Header instanceHeader = instanceId == null ? null : DeadLetters.header(Fencing.INSTANCE_HEADER, instanceId);
        this.deadLetters = new DeadLetters(settings.bridgeId(), Producers.maxRecordBytes(settings), clock);
        this.transmitter = new Transmitter(producer, explicitPartitions, compacted, encoder, nanoTime, instanceHeader,
                settings.producerBufferBytes(), this::cutOffBecause);
        this.watchdog = new PartitionWatchdog(settings, transmitter, fencing == null ? producerFactory : null, watchdog,
                compacted, clock);
        this.loop = fencing == null ? new PlainPublishLoop(transmitter, this.watchdog, outgoing, () -> closed)
                : new TransactionalPublishLoop(transmitter, fencing, outgoing, () -> closed, nanoTime);
        this.publisherThread = new Thread(() -> {
            try {
                loop.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "kafka-publisher");
        publisherThread.setDaemon(true);
        publisherThread.start();
    }

    /** Why this instance produces no more (a standby bridge's deposed or fenced instance); null while it may. */
    private String cutOffBecause() {
        return loop instanceof TransactionalPublishLoop transactional ? transactional.fencedBecause() : null;
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
            return enqueue(new Outgoing.Awaited(name, keyBytes, value, transmitter.encode(name, value), null,
                    published.get(topic), nanoTime.getAsLong(), new CompletableFuture<>()));
        }
        if (transmitter.quotes().admit(closed)) {
            outgoing.add(new Outgoing.Quote(name, keyBytes, value, published.get(topic), nanoTime.getAsLong()));
        }
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Blocks until the producer knows a leader for every partition of {@code topicNames}: called once the topics
     * are provisioned and before anything is published, so that no partition's first batch can meet a partition
     * without a leader (see {@link PartitionLeaders}). It also fetches their metadata, so the first record of each
     * does not wait for a round trip.
     *
     * @param onWait told, about once a second, which partitions still have no leader
     */
    public void awaitPartitionLeaders(Collection<String> topicNames, Duration timeout,
                                      Consumer<List<String>> onWait)
            throws InterruptedException, TimeoutException {
        PartitionLeaders.await(transmitter.producer(), topicNames, timeout, nanoTime, onWait);
    }

    /** Quotes published and not yet acknowledged (or failed): queued for the producer or in it. */
    public int pendingQuotes() {
        return transmitter.quotes().pending();
    }

    /**
     * Publishes to a topic outside the catalogue (the bridge's own state topics); a null value is a tombstone,
     * which deletes the key from a compacted topic.
     */
    public CompletableFuture<RecordMetadata> sendToTopic(String topicName, String key, SpecificRecord value) {
        compactedTopics.add(topicName); // state topics are compacted: what a heal sends again depends on it
        byte[] bytes = value == null ? null : transmitter.encode(topicName, value);
        return enqueue(new Outgoing.Awaited(topicName, key.getBytes(StandardCharsets.UTF_8), value, bytes, null,
                stateRecords, nanoTime.getAsLong(), new CompletableFuture<>()));
    }

    /**
     * Copies a record that could not be processed to the dead-letter topic, byte for byte, with headers naming
     * where it came from and why it failed ({@link DeadLetters}: a copy too large for Kafka leaves out what does
     * not fit, and one Kafka refuses as too large all the same goes again without its value).
     */
    public CompletableFuture<RecordMetadata> deadLetter(ConsumerRecord<byte[], byte[]> source, Throwable error) {
        DeadLetters.Copy copy = deadLetters.of(source, error);
        CompletableFuture<RecordMetadata> sent = enqueueDeadLetter(copy);
        if (!copy.whole()) {
            return sent;
        }
        return sent.exceptionallyCompose(e -> unwrap(e) instanceof RecordTooLargeException
                ? enqueueDeadLetter(deadLetters.bare(source, error))
                : CompletableFuture.failedFuture(unwrap(e)));
    }

    private CompletableFuture<RecordMetadata> enqueueDeadLetter(DeadLetters.Copy copy) {
        deadLettered.incrementAndGet();
        return enqueue(new Outgoing.Awaited(settings.topic(Topic.COMMANDS_DLQ), copy.key(), null, copy.value(),
                copy.headers(), published.get(Topic.COMMANDS_DLQ), nanoTime.getAsLong(), new CompletableFuture<>()));
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    /** Told of every acknowledgement with its latency (the metrics' publish-latency histogram). */
    public void setPublishObserver(PublishObserver observer) {
        transmitter.setPublishObserver(observer);
    }

    private CompletableFuture<RecordMetadata> enqueue(Outgoing.Awaited record) {
        if (closed) {
            record.acked().completeExceptionally(new IllegalStateException("the publisher is closed"));
        } else {
            outgoing.add(record);
        }
        return record.acked();
    }

    /** Records this instance did not produce because it was no longer permitted to (standby bridges only). */
    public long refused() {
        return transmitter.refused();
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
        do {
            awaitPublisherThread();
        } while (!closed && !loop.flushProducer());
    }

    /** Returns once everything published so far has been handed to the producer. */
    private void awaitPublisherThread() {
        CompletableFuture<Void> reached = new CompletableFuture<>();
        outgoing.add(new Outgoing.Barrier(reached));
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

    /**
     * The partitions the watchdog found stuck at its last look, each with what it saw; a heal normally follows at
     * once. A partition without a leader is listed as waiting for one.
     */
    public List<String> stuckPartitions() {
        return watchdog.stuckPartitions();
    }

    /** How long the oldest record the producer has not acknowledged has waited, at the watchdog's last look. */
    public double oldestUnacknowledgedSeconds() {
        return watchdog.oldestUnacknowledgedSeconds();
    }

    /** The watchdog's findings and heals, for {@code /status}. */
    public PublisherHealth health() {
        return new PublisherHealth(watchdog.oldestUnacknowledgedSeconds(), watchdog.stuckPartitions(),
                watchdog.heals(), watchdog.recordsSentAgain(), watchdog.lastHeal());
    }

    /** Times the watchdog replaced the producer to heal a stuck partition. */
    public long heals() {
        return watchdog.heals();
    }

    /** Records sent again by heals. */
    public long recordsSentAgain() {
        return watchdog.recordsSentAgain();
    }

    /** What the last heal saw and did, with its time; empty before the first. */
    public String lastHeal() {
        return watchdog.lastHeal();
    }

    public long published(Topic topic) {
        return published.get(topic).get();
    }

    public long quotesShed() {
        return transmitter.quotes().shed();
    }

    public long sendErrors() {
        return transmitter.sendErrors();
    }

    public long deadLettered() {
        return deadLettered.get();
    }

    public String lastError() {
        return transmitter.lastError();
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
        outgoing.add(new Outgoing.Barrier(new CompletableFuture<>()));
        try {
            publisherThread.join();
        } catch (InterruptedException e) {
            publisherThread.interrupt();
            Thread.currentThread().interrupt();
        }
        loop.closeProducer();
    }

    /**
     * For an instance that no longer leads: refuses everything still queued or published from now on, and closes
     * the producer without waiting. Whatever of the open transaction reached Kafka is aborted by Kafka (when the
     * next active instance starts, at the latest), so readers of committed records never see it.
     */
    public void abandon(String why) {
        if (!(loop instanceof TransactionalPublishLoop transactional)) {
            throw new IllegalStateException("only a standby bridge's publisher is abandoned");
        }
        transactional.abandon(why);
        closed = true;
        outgoing.add(new Outgoing.Barrier(new CompletableFuture<>()));
        transactional.closeProducer();
    }
}
