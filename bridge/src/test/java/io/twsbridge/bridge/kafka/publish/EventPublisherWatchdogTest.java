package io.twsbridge.bridge.kafka.publish;

import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.schema.Fill;
import io.twsbridge.schema.Position;
import io.twsbridge.schema.Quote;
import io.twsbridge.schema.catalogue.Topic;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
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
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The publisher's watchdog on a driven clock: what counts as stuck, what a heal sends again and in which order,
 * and what waits instead (an outage, a partition without a leader).
 */
class EventPublisherWatchdogTest {

    private static final Duration STUCK_AFTER = Duration.ofSeconds(5);
    private static final Node BROKER = new Node(1, "127.0.0.1", 9092);

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final AtomicBoolean kafkaAnswers = new AtomicBoolean(true);
    private final KafkaSettings settings = KafkaSettings.builder().stuckPartitionTimeout(STUCK_AFTER).build();
    private final List<RecordingProducer> producers = new CopyOnWriteArrayList<>();
    private volatile boolean leaders = true;
    private EventPublisher publisher;

    @AfterEach
    void close() {
        if (publisher != null) {
            producers.forEach(p -> p.pending.forEach(s -> s.ack(p)));
            publisher.close();
        }
    }

    private EventPublisher publisher() {
        publisher = new EventPublisher(settings, () -> {
            RecordingProducer p = new RecordingProducer();
            producers.add(p);
            return p;
        }, (topic, value) -> bytes(value), Clock.systemUTC(), new EventPublisher.Watchdog(kafkaAnswers::get, nanos::get));
        return publisher;
    }

    @Test
    void aPartitionOverTheBoundWhileKafkaAnswersIsHealedAndWhatWasNotAcknowledgedGoesAgainInOrder() {
        EventPublisher p = publisher();
        CompletableFuture<RecordMetadata> first = p.send(Topic.FILLS, "exec-1", fill("exec-1"));
        CompletableFuture<RecordMetadata> second = p.send(Topic.FILLS, "exec-1", fill("exec-1b"));
        CompletableFuture<RecordMetadata> later = p.send(Topic.FILLS, "exec-1", fill("exec-1c"));
        RecordingProducer original = awaitSent(0, 3);
        original.pending.get(2).ack(original); // a later batch appended ahead of the stuck ones

        advance(STUCK_AFTER.minusMillis(600));
        assertThat(publisher.stuckPartitions()).as("under the bound").isEmpty();
        assertThat(producers).hasSize(1);
        advance(Duration.ofMillis(600));

        await().atMost(Duration.ofSeconds(5)).until(() -> producers.size() == 2 && producers.get(1).sent.size() == 2);
        RecordingProducer fresh = producers.get(1);
        assertThat(original.closed).as("the stuck producer is closed").isTrue();
        assertThat(fresh.sent).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .as("the two unacknowledged records, in their order; the acknowledged one is not sent again")
                .containsExactly("exec-1", "exec-1b");
        assertThat(p.heals()).isEqualTo(1);
        assertThat(p.recordsSentAgain()).isEqualTo(2);
        assertThat(p.lastHeal()).contains("ib.fills-").contains("2 record(s) sent again");
        assertThat(p.stuckPartitions()).singleElement().asString().contains("2 record(s) unacknowledged")
                .contains("1 later one(s) acknowledged");
        assertThat(first).as("waits for the new producer's acknowledgement").isNotDone();
        assertThat(later).isCompleted();

        fresh.pending.forEach(s -> s.ack(fresh));
        assertThat(first).isCompleted();
        assertThat(second).isCompleted();
        assertThat(p.sendErrors()).as("the old producer's failures on close are no failures").isZero();
    }

    @Test
    void onACompactedTopicTheLaterWritesOfAKeyGoAgainAfterItsStuckOneSoTheNewestValueStaysLast() {
        EventPublisher p = publisher();
        p.send(Topic.POSITIONS, "DU1|265598", position(1));   // stuck
        p.send(Topic.POSITIONS, "DU1|265598", position(2));   // acknowledged ahead of it
        p.send(Topic.POSITIONS, "DU1|265598", position(3));   // acknowledged ahead of it
        RecordingProducer original = awaitSent(0, 3);
        original.pending.get(2).ack(original);
        original.pending.get(1).ack(original);

        advance(STUCK_AFTER.plusMillis(1));

        await().atMost(Duration.ofSeconds(5)).until(() -> producers.size() == 2 && producers.get(1).sent.size() == 3);
        assertThat(producers.get(1).sent).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactly("position-1", "position-2", "position-3");
    }

    @Test
    void unacknowledgedQuotesAreDroppedAtAHealAndCountedAsShed() {
        EventPublisher p = publisher();
        p.send(Topic.QUOTES, "265598", new Quote());
        p.send(Topic.FILLS, "exec-1", fill("exec-1"));
        awaitSent(0, 2);

        advance(STUCK_AFTER.plusMillis(1));

        await().atMost(Duration.ofSeconds(5)).until(() -> producers.size() == 2 && producers.get(1).sent.size() == 1);
        assertThat(producers.get(1).sent).extracting(ProducerRecord::topic).containsExactly("ib.fills");
        assertThat(p.quotesShed()).isEqualTo(1);
        assertThat(p.pendingQuotes()).isZero();
    }

    @Test
    void recordsThatWaitWhileKafkaDoesNotAnswerAreAnOutageNotAStuckPartition() {
        EventPublisher p = publisher();
        p.send(Topic.FILLS, "exec-1", fill("exec-1"));
        awaitSent(0, 1);
        kafkaAnswers.set(false);

        advance(STUCK_AFTER.multipliedBy(10));

        assertThat(p.oldestUnacknowledgedSeconds()).isEqualTo(50.0);
        assertThat(p.stuckPartitions()).isEmpty();
        assertThat(producers).hasSize(1);
        assertThat(p.heals()).isZero();
    }

    @Test
    void aBacklogThatDrainsAfterAnOutageIsNotStuckThoughItsRecordsAreOld() {
        EventPublisher p = publisher();
        for (int i = 0; i < 3; i++) {
            p.send(Topic.FILLS, "exec-1", fill("exec-" + i));
        }
        RecordingProducer producer = awaitSent(0, 3);
        kafkaAnswers.set(false);
        advance(Duration.ofSeconds(60));
        kafkaAnswers.set(true);
        advance(Duration.ofSeconds(1));

        // The oldest record moves on within the bound each time, although every record is over a minute old.
        producer.pending.get(0).ack(producer);
        advance(STUCK_AFTER.minusMillis(500));
        producer.pending.get(1).ack(producer);
        advance(STUCK_AFTER.minusMillis(500));
        assertThat(p.heals()).isZero();
        assertThat(p.stuckPartitions()).isEmpty();
        assertThat(p.oldestUnacknowledgedSeconds()).isGreaterThan(60);

        // The last one stays where it is for the bound: stuck.
        advance(Duration.ofSeconds(1));
        await().atMost(Duration.ofSeconds(5)).until(() -> producers.size() == 2);
        assertThat(p.heals()).isEqualTo(1);
    }

    @Test
    void aPartitionWithoutALeaderWaitsForOneAndIsNotHealed() {
        EventPublisher p = publisher();
        p.send(Topic.FILLS, "exec-1", fill("exec-1"));
        awaitSent(0, 1);
        leaders = false;

        advance(STUCK_AFTER.plusMillis(1));

        assertThat(p.stuckPartitions()).singleElement().asString().contains("no leader known, waiting for one");
        assertThat(producers).hasSize(1);
        assertThat(p.heals()).isZero();
    }

    @Test
    void keyedRecordsGoWhereTheJavaClientsDefaultPartitionerPutsThem() {
        EventPublisher p = publisher();
        for (String key : List.of("exec-1", "exec-2", "exec-3", "exec-4", "exec-5", "exec-6")) {
            p.send(Topic.FILLS, key, fill(key));
        }
        RecordingProducer producer = awaitSent(0, 6);
        for (ProducerRecord<byte[], byte[]> r : producer.sent) {
            int murmur2 = org.apache.kafka.common.utils.Utils.toPositive(
                    org.apache.kafka.common.utils.Utils.murmur2(r.key())) % 3;
            assertThat(r.partition()).isEqualTo(murmur2);
        }
        assertThat(producer.sent.stream().map(ProducerRecord::partition).distinct().count())
                .as("the keys spread over the partitions").isGreaterThan(1);
    }

    private RecordingProducer awaitSent(int producer, int records) {
        await().atMost(Duration.ofSeconds(5)).until(() -> producers.size() > producer
                && producers.get(producer).sent.size() == records);
        return producers.get(producer);
    }

    /**
     * Moves the watchdog's clock (by more than its watch interval, or it does not look again) and returns once the
     * publisher thread has looked: it does before it passes the flush's barrier.
     */
    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
        publisher.flush();
    }

    private static Fill fill(String execId) {
        Fill f = new Fill();
        f.setExecId(execId);
        return f;
    }

    private static Position position(int n) {
        Position p = new Position();
        p.setAccount("position-" + n);
        return p;
    }

    private static byte[] bytes(SpecificRecord value) {
        String text = value instanceof Fill f ? f.getExecId().toString()
                : value instanceof Position p ? p.getAccount().toString() : "quote";
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A producer whose records are acknowledged only when the test says so, in any order. */
    private final class RecordingProducer extends MockProducer<byte[], byte[]> {
        final List<ProducerRecord<byte[], byte[]>> sent = new CopyOnWriteArrayList<>();
        final List<Sent> pending = new CopyOnWriteArrayList<>();
        volatile boolean closed;

        RecordingProducer() {
            super(false, null, new ByteArraySerializer(), new ByteArraySerializer());
        }

        @Override
        public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
            sent.add(record);
            pending.add(new Sent(record, callback));
            return new CompletableFuture<>();
        }

        @Override
        public synchronized List<PartitionInfo> partitionsFor(String topic) {
            List<PartitionInfo> partitions = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                partitions.add(new PartitionInfo(topic, i, leaders ? BROKER : null, new Node[] {BROKER}, new Node[] {BROKER}));
            }
            return partitions;
        }

        @Override
        public void close(Duration timeout) {
            closed = true;
            // As KafkaProducer does on a forced close: every record not acknowledged fails.
            for (Sent s : pending) {
                s.fail(new org.apache.kafka.common.KafkaException("Producer is closed forcefully."));
            }
        }
    }

    private record Sent(ProducerRecord<byte[], byte[]> record, Callback callback, AtomicBoolean done) {
        Sent(ProducerRecord<byte[], byte[]> record, Callback callback) {
            this(record, callback, new AtomicBoolean());
        }

        void ack(RecordingProducer from) {
            if (done.compareAndSet(false, true)) {
                callback.onCompletion(new RecordMetadata(new TopicPartition(record.topic(),
                        record.partition() == null ? 0 : record.partition()), 0, 0, 0, 0, 0), null);
            }
        }

        void fail(Exception e) {
            if (done.compareAndSet(false, true)) {
                callback.onCompletion(null, e);
            }
        }
    }
}
