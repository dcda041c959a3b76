package io.twsbridge.bridge.kafka.publish;

import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.schema.Fill;
import io.twsbridge.schema.Quote;
import io.twsbridge.schema.catalogue.DlqHeaders;
import io.twsbridge.schema.catalogue.Topic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.awaitility.Awaitility.await;

/**
 * The active instance's publisher of a standby bridge: records go out in transactions of a producer whose
 * transactional id all instances share, only while the permit allows, and nothing more once Kafka fences the
 * producer or the instance abandons it. Every record names its instance in the {@code bridge.instance} header.
 */
class EventPublisherTransactionsTest {

    private static final String INSTANCE = "pod-a";
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final KafkaSettings settings = KafkaSettings.builder().build();
    private final RecordEncoder encoder = (topic, record) -> new byte[] {1};
    private final List<String> fencedReasons = new CopyOnWriteArrayList<>();
    private final List<EventPublisher> publishers = new ArrayList<>();
    /** The publisher's monotonic clock: it moves only when a test moves it, and counts how often it is read. */
    private final AtomicLong nanos = new AtomicLong();
    private final AtomicLong clockReads = new AtomicLong();
    private final LongSupplier manualNanoTime = () -> {
        clockReads.incrementAndGet();
        return nanos.get();
    };

    @AfterEach
    void closePublishers() {
        publishers.forEach(EventPublisher::close);
    }

    private static MockProducer<byte[], byte[]> mockProducer() {
        return new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private EventPublisher transactional(MockProducer<byte[], byte[]> producer, Duration commitInterval,
                                         ProducePermit permit) {
        EventPublisher p = new EventPublisher(settings, producer, encoder, Clock.systemUTC(),
                new EventPublisher.Fencing(INSTANCE, commitInterval, permit, fencedReasons::add), manualNanoTime);
        publishers.add(p);
        return p;
    }

    @Test
    void theConstructorInitialisesTransactionsWhichFencesEveryEarlierProducer() {
        MockProducer<byte[], byte[]> producer = mockProducer();
        assertThat(producer.transactionInitialized()).isFalse();

        transactional(producer, Duration.ofMillis(100), ProducePermit.ALWAYS);

        assertThat(producer.transactionInitialized()).isTrue();
        assertThat(producer.transactionInFlight()).as("nothing to write yet").isFalse();
    }

    @Test
    void aRecordsFutureCompletesOnlyOnceItsTransactionIsCommittedAndTheRecordNamesItsInstance() throws Exception {
        CountDownLatch commitMayProceed = new CountDownLatch(1);
        AtomicBoolean committing = new AtomicBoolean();
        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(),
                new ByteArraySerializer()) {
            @Override
            public void commitTransaction() {
                committing.set(true);
                try {
                    commitMayProceed.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                super.commitTransaction();
            }
        };
        // A long interval: the commit comes because a caller waits and nothing else is queued, not by the clock.
        EventPublisher publisher = transactional(producer, Duration.ofSeconds(10), ProducePermit.ALWAYS);

        CompletableFuture<RecordMetadata> fill = publisher.send(Topic.FILLS, "exec-1", new Fill());

        await().atMost(WAIT).untilTrue(committing);
        assertThat(producer.uncommittedRecords()).as("sent, in the open transaction").hasSize(1);
        assertThat(fill).as("acknowledged by the mock at once, but not yet committed").isNotDone();
        assertThat(producer.history()).isEmpty();

        commitMayProceed.countDown();
        RecordMetadata metadata = fill.get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(metadata).isNotNull();
        assertThat(metadata.topic()).isEqualTo("ib.fills");
        assertThat(producer.commitCount()).isGreaterThanOrEqualTo(1);
        assertThat(producer.transactionCommitted()).isTrue();
        assertThat(producer.history()).singleElement().satisfies(r -> {
            assertThat(r.topic()).isEqualTo("ib.fills");
            assertThat(instanceOf(r)).isEqualTo(INSTANCE);
        });
        assertThat(publisher.published(Topic.FILLS)).isEqualTo(1);
        assertThat(publisher.refused()).isZero();
    }

    @Test
    void whileThePermitRefusesNothingReachesTheProducerAndCallersHearWhy() {
        AtomicReference<String> refusal = new AtomicReference<>("not the active instance: this instance has not been elected");
        MockProducer<byte[], byte[]> producer = mockProducer();
        EventPublisher publisher = transactional(producer, Duration.ofMillis(50), refusal::get);

        CompletableFuture<RecordMetadata> fill = publisher.send(Topic.FILLS, "exec-1", new Fill());
        publisher.publish(Topic.QUOTES, "265598", new Quote());
        CompletableFuture<RecordMetadata> state = publisher.sendToTopic("ib.subscriptions", "265598", null);

        ExecutionException e = catchThrowableOfType(ExecutionException.class,
                () -> fill.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertThat(e.getCause()).isInstanceOf(EventPublisher.NotPermittedException.class)
                .hasMessage("not produced: not the active instance: this instance has not been elected");
        assertThat(catchThrowableOfType(ExecutionException.class, () -> state.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .getCause()).isInstanceOf(EventPublisher.NotPermittedException.class);
        await().atMost(WAIT).until(() -> publisher.refused() == 3);
        assertThat(publisher.pendingQuotes()).as("a refused quote is no longer on its way").isZero();

        publisher.flush();
        assertThat(producer.history()).isEmpty();
        assertThat(producer.uncommittedRecords()).isEmpty();
        assertThat(producer.transactionInFlight()).as("no transaction was begun").isFalse();
        assertThat(producer.commitCount()).isZero();
        assertThat(publisher.sendErrors()).as("a refusal is not a send error").isZero();
        assertThat(fencedReasons).as("a refusal is not a fence").isEmpty();

        // The permit is asked record by record: granted, the next one goes out.
        refusal.set(null);
        assertThat(publisher.send(Topic.FILLS, "exec-2", new Fill())).succeedsWithin(WAIT);
        assertThat(producer.history()).extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                .containsExactly("exec-2");
    }

    @Test
    void onceKafkaFencesTheProducerARecordFailsTheOwnerHearsOnceAndNothingMoreIsTried() {
        MockProducer<byte[], byte[]> producer = mockProducer();
        EventPublisher publisher = transactional(producer, Duration.ofMillis(50), ProducePermit.ALWAYS);
        assertThat(publisher.send(Topic.FILLS, "exec-1", new Fill())).succeedsWithin(WAIT);
        assertThat(producer.history()).hasSize(1);

        producer.fenceProducer(); // another instance initialised the shared transactional id

        CompletableFuture<RecordMetadata> afterFence = publisher.send(Topic.FILLS, "exec-2", new Fill());
        assertThat(afterFence).failsWithin(WAIT).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOf(EventPublisher.NotPermittedException.class)
                .withMessageContaining("a transaction could not begin");
        assertThat(fencedReasons).singleElement().asString().contains("a transaction could not begin")
                .contains("ProducerFencedException");

        List<CompletableFuture<RecordMetadata>> later = List.of(
                publisher.send(Topic.ORDERS, "cmd-1", new Fill()),
                publisher.sendToTopic("ib.subscriptions", "265598", null),
                publisher.send(Topic.FILLS, "exec-3", new Fill()));
        publisher.publish(Topic.QUOTES, "265598", new Quote());
        for (CompletableFuture<RecordMetadata> f : later) {
            assertThat(f).failsWithin(WAIT).withThrowableOfType(ExecutionException.class)
                    .havingCause().isInstanceOf(EventPublisher.NotPermittedException.class)
                    .withMessage("not produced: " + fencedReasons.get(0));
        }
        publisher.flush();

        assertThat(fencedReasons).as("told once").hasSize(1);
        assertThat(publisher.refused()).isEqualTo(5);
        assertThat(producer.history()).as("only what was committed before the fence").hasSize(1);
        assertThat(producer.uncommittedRecords()).isEmpty();
        assertThat(publisher.pendingQuotes()).isZero();
    }

    @Test
    void aFenceInTheMiddleOfATransactionFailsItsRecordsAndIsHeardOnce() {
        MockProducer<byte[], byte[]> producer = mockProducer();
        // A long interval: the quote's transaction stays open until something else commits it.
        EventPublisher publisher = transactional(producer, Duration.ofSeconds(30), ProducePermit.ALWAYS);
        publisher.publish(Topic.QUOTES, "265598", new Quote());
        await().atMost(WAIT).until(() -> producer.uncommittedRecords().size() == 1);

        producer.fenceProducer();
        CompletableFuture<RecordMetadata> fill = publisher.send(Topic.FILLS, "exec-1", new Fill());

        assertThat(fill).failsWithin(WAIT);
        await().atMost(WAIT).until(() -> fencedReasons.size() == 1);
        assertThat(fencedReasons.get(0)).startsWith("Kafka refused the transaction: ")
                .contains("ProducerFencedException");

        assertThat(publisher.send(Topic.FILLS, "exec-2", new Fill())).failsWithin(WAIT)
                .withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOf(EventPublisher.NotPermittedException.class);
        publisher.flush();
        assertThat(fencedReasons).hasSize(1);
        assertThat(publisher.sendErrors()).as("exec-1, which the fenced producer threw out").isEqualTo(1);
        assertThat(publisher.refused()).as("exec-2 only: exec-1 is not counted twice").isEqualTo(1);
        assertThat(producer.history()).as("the fenced transaction is never committed").isEmpty();
        assertThat(producer.commitCount()).isZero();
    }

    @Test
    void abandonRefusesWhatIsQueuedAndWhatComesLaterAndFlushAndCloseStillReturn() {
        CountDownLatch commitMayProceed = new CountDownLatch(1);
        AtomicBoolean committing = new AtomicBoolean();
        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(),
                new ByteArraySerializer()) {
            @Override
            public void commitTransaction() {
                committing.set(true);
                try {
                    commitMayProceed.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                super.commitTransaction();
            }
        };
        EventPublisher publisher = new EventPublisher(settings, producer, encoder, Clock.systemUTC(),
                new EventPublisher.Fencing(INSTANCE, Duration.ofSeconds(10), ProducePermit.ALWAYS, fencedReasons::add),
                manualNanoTime);

        // The publisher thread is held inside the first commit; two more records wait behind it.
        CompletableFuture<RecordMetadata> inCommit = publisher.send(Topic.FILLS, "exec-1", new Fill());
        await().atMost(WAIT).untilTrue(committing);
        CompletableFuture<RecordMetadata> queued1 = publisher.send(Topic.FILLS, "exec-2", new Fill());
        CompletableFuture<RecordMetadata> queued2 = publisher.sendToTopic("ib.order-journal", "cmd-1", null);
        assertThat(publisher.queued()).isEqualTo(2);

        publisher.abandon("this instance no longer leads: the lease partition was handed to another instance");
        commitMayProceed.countDown(); // the commit now meets a closed producer

        for (CompletableFuture<RecordMetadata> f : List.of(inCommit, queued1, queued2)) {
            assertThat(f).failsWithin(WAIT).withThrowableOfType(ExecutionException.class)
                    .havingCause().isInstanceOf(EventPublisher.NotPermittedException.class)
                    .withMessage("not produced: this instance no longer leads: the lease partition was handed to "
                            + "another instance");
        }
        assertThat(publisher.refused()).isEqualTo(3);

        // Published after the abandonment: fails at once, nothing queued.
        CompletableFuture<RecordMetadata> later = publisher.send(Topic.FILLS, "exec-3", new Fill());
        assertThat(later).isCompletedExceptionally();
        publisher.publish(Topic.QUOTES, "265598", new Quote());
        assertThat(publisher.quotesShed()).isEqualTo(1);

        assertTimeoutPreemptively(WAIT, publisher::flush);
        assertTimeoutPreemptively(WAIT, publisher::close);
        assertTimeoutPreemptively(WAIT, publisher::flush);

        assertThat(producer.closed()).isTrue();
        assertThat(producer.history()).as("nothing was committed").isEmpty();
        assertThat(producer.commitCount()).isZero();
        assertThat(fencedReasons).as("abandoning is not being fenced").isEmpty();
    }

    @Test
    void aQuoteIsNotWaitedForAndIsCommittedWhenTheIntervalIsUp() {
        Duration interval = Duration.ofMillis(700);
        AtomicLong committedAtNanos = new AtomicLong(-1);
        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(),
                new ByteArraySerializer()) {
            @Override
            public void commitTransaction() {
                committedAtNanos.set(nanos.get());
                super.commitTransaction();
            }
        };
        EventPublisher publisher = transactional(producer, interval, ProducePermit.ALWAYS);

        long publishedAt = nanos.get();
        publisher.publish(Topic.QUOTES, "265598", new Quote());
        assertThat(publisher.send(Topic.QUOTES, "272093", new Quote())).as("nobody waits for a quote")
                .isCompletedWithValue(null);

        await().atMost(WAIT).until(() -> producer.uncommittedRecords().size() == 2);
        assertThat(producer.history()).as("sent in a transaction, not committed yet").isEmpty();

        // Just short of the interval: the loop looks at the clock again (two reads: after its wait, and for the
        // next one) and keeps the transaction open.
        nanos.addAndGet(interval.minusMillis(1).toNanos());
        long readsBefore = clockReads.get();
        await().atMost(WAIT).until(() -> clockReads.get() >= readsBefore + 2 || producer.commitCount() > 0);
        assertThat(producer.commitCount()).as("not committed before the interval").isZero();

        nanos.addAndGet(Duration.ofMillis(1).toNanos());
        await().atMost(WAIT).until(() -> producer.commitCount() == 1);
        assertThat(committedAtNanos.get() - publishedAt).as("committed by the interval, not before it")
                .isGreaterThanOrEqualTo(interval.toNanos());
        assertThat(producer.transactionCommitted()).isTrue();
        assertThat(producer.history()).hasSize(2).allSatisfy(r -> {
            assertThat(r.topic()).isEqualTo("ib.quotes");
            assertThat(instanceOf(r)).isEqualTo(INSTANCE);
        });
        assertThat(publisher.published(Topic.QUOTES)).isEqualTo(2);
        assertThat(publisher.pendingQuotes()).isZero();
    }

    @Test
    void aTransactionOpenWhenTheLeaseLapsesIsAbortedNeverCommitted() {
        AtomicReference<String> refusal = new AtomicReference<>();
        MockProducer<byte[], byte[]> producer = mockProducer();
        EventPublisher publisher = transactional(producer, Duration.ofMinutes(1), refusal::get);
        publisher.publish(Topic.QUOTES, "265598", new Quote());
        await().atMost(WAIT).until(() -> producer.uncommittedRecords().size() == 1);

        refusal.set("the leader lease expired 3 ms ago");
        assertTimeoutPreemptively(WAIT, publisher::flush);

        assertThat(producer.commitCount()).as("nothing committed after the lease").isZero();
        assertThat(producer.transactionAborted()).isTrue();
        assertThat(producer.history()).isEmpty();
        assertThat(fencedReasons).as("a lapse is not a fence").isEmpty();

        // Should the lease be confirmed again, the producer is usable: the next record opens a new transaction.
        refusal.set(null);
        publisher.publish(Topic.QUOTES, "265598", new Quote());
        assertTimeoutPreemptively(WAIT, publisher::flush);
        assertThat(producer.commitCount()).isEqualTo(1);
        assertThat(producer.history()).hasSize(1);
    }

    @Test
    void flushCommitsTheOpenTransactionAtOnce() {
        MockProducer<byte[], byte[]> producer = mockProducer();
        EventPublisher publisher = transactional(producer, Duration.ofMinutes(1), ProducePermit.ALWAYS);
        publisher.publish(Topic.QUOTES, "265598", new Quote());

        assertTimeoutPreemptively(WAIT, publisher::flush);

        assertThat(producer.commitCount()).isEqualTo(1);
        assertThat(producer.history()).hasSize(1);
    }

    @Test
    void aStandbysPublisherNamesItsInstanceButUsesNoTransactions() {
        MockProducer<byte[], byte[]> producer = mockProducer();
        EventPublisher standby = EventPublisher.forStandby(settings, producer, encoder, Clock.systemUTC(), "pod-b");
        publishers.add(standby);

        assertThat(standby.send(Topic.STATUS, "bridge-1/pod-b", new Fill())).succeedsWithin(WAIT);
        ConsumerRecord<byte[], byte[]> bad = new ConsumerRecord<>("ib.commands", 0, 42L, "k".getBytes(
                StandardCharsets.UTF_8), new byte[] {9});
        assertThat(standby.deadLetter(bad, new IllegalArgumentException("unreadable"))).succeedsWithin(WAIT);
        standby.flush();

        assertThat(producer.transactionInitialized()).isFalse();
        assertThat(producer.commitCount()).isZero();
        assertThat(producer.history()).hasSize(2).allSatisfy(r -> assertThat(instanceOf(r)).isEqualTo("pod-b"));
        assertThat(producer.history().get(1).headers().lastHeader(DlqHeaders.SOURCE_OFFSET).value())
                .as("the header is added to the record's own").isEqualTo("42".getBytes(StandardCharsets.UTF_8));
        assertThat(standby.refused()).isZero();

        // A bridge that runs alone names no instance.
        MockProducer<byte[], byte[]> aloneProducer = mockProducer();
        EventPublisher alone = new EventPublisher(settings, aloneProducer, encoder, Clock.systemUTC());
        publishers.add(alone);
        assertThat(alone.send(Topic.FILLS, "exec-1", new Fill())).succeedsWithin(WAIT);
        assertThat(aloneProducer.history()).singleElement()
                .satisfies(r -> assertThat(r.headers().lastHeader(EventPublisher.Fencing.INSTANCE_HEADER)).isNull());
    }

    private static String instanceOf(ProducerRecord<byte[], byte[]> record) {
        List<Header> headers = new ArrayList<>();
        record.headers().headers(EventPublisher.Fencing.INSTANCE_HEADER).forEach(headers::add);
        assertThat(headers).as("exactly one %s header", EventPublisher.Fencing.INSTANCE_HEADER).hasSize(1);
        return new String(headers.get(0).value(), StandardCharsets.UTF_8);
    }
}
