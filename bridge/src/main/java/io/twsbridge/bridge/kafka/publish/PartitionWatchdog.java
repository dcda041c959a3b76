package io.twsbridge.bridge.kafka.publish;

import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.bridge.kafka.topics.PartitionLeaders;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The publisher's watchdog: measures the oldest record the producer has not acknowledged, names the partitions
 * that are stuck, and heals them.
 *
 * <p>A partition whose oldest unacknowledged record has not moved on for {@code kafka.stuck-partition-timeout}
 * while Kafka answers is stuck: Kafka's idempotent producer can lose its place in a partition for good (a first
 * batch refused with NOT_LEADER_OR_FOLLOWER while a later batch of the same producer was appended, after which
 * every retry of the first is out of sequence: KAFKA-15591) and then retries that batch for ever. The watchdog
 * names such a partition (WARN, {@link #stuckPartitions()}, the metrics) and heals it: it replaces the producer,
 * whose new producer id starts every partition's sequence afresh, and sends every record the old one had not
 * acknowledged again, in order per partition. A compacted topic's key that was written again after its stuck
 * record is written again too, so the newest value stays the last; elsewhere a record sent twice is a duplicate
 * its identity (execId, commandId) makes harmless. Quotes are not sent again: newer quotes of the same
 * instruments follow. See docs/reliability.md.
 *
 * <p>A partition whose records wait while Kafka does not answer, or that has no leader, waits: that is an outage,
 * not a stuck producer, and healing would change nothing.
 *
 * <p>Runs on the publisher thread; its findings may be read from any.
 */
final class PartitionWatchdog {

    private static final Logger log = LoggerFactory.getLogger(PartitionWatchdog.class);
    /** A partition with this many records acknowledged behind one that is not has been overtaken: stuck at once. */
    static final int MAX_DONE_BEHIND = 100_000;
    /** How long a heal waits for the new producer to know the leaders before it sends again anyway. */
    private static final Duration HEAL_LEADER_WAIT = Duration.ofSeconds(10);

    private final KafkaSettings settings;
    private final Transmitter transmitter;
    /** Makes the replacement producer; null where the publisher cannot replace its producer (transactions). */
    private final Supplier<Producer<byte[], byte[]>> producerFactory;
    private final EventPublisher.Watchdog needs;
    private final Set<String> compactedTopics;
    private final Clock clock;
    /** Twice the producer's longest retry backoff (one second unless set), so that a stuck producer is always heard. */
    private final long heardWindowNanos;

    private long lastWatchNanos;
    private volatile long oldestUnacknowledgedNanos;
    private volatile List<String> stuckPartitions = List.of();
    private final AtomicLong heals = new AtomicLong();
    private final AtomicLong resent = new AtomicLong();
    private volatile String lastHeal = "";
    private boolean outageReported;
    /** Since when Kafka has answered, as the watchdog saw it; the stuck bound runs from it. */
    private long answeringSinceNanos;
    private boolean answeredAtLastLook = true;
    /** The current producer's count of bytes received from Kafka, and its last reading. */
    private Metric incomingBytes;
    private double incomingBytesAtLastLook = -1;
    private long lastHeardNanos;

    PartitionWatchdog(KafkaSettings settings, Transmitter transmitter,
                      Supplier<Producer<byte[], byte[]>> producerFactory, EventPublisher.Watchdog needs,
                      Set<String> compactedTopics, Clock clock) {
        this.settings = settings;
        this.transmitter = transmitter;
        this.producerFactory = producerFactory;
        this.needs = needs;
        this.compactedTopics = compactedTopics;
        this.clock = clock;
        this.lastWatchNanos = needs.nanoTime().getAsLong();
        this.answeringSinceNanos = lastWatchNanos;
        this.lastHeardNanos = lastWatchNanos;
        this.heardWindowNanos = 2 * TimeUnit.MILLISECONDS.toNanos(Long.parseLong(
                settings.clientProperties().getOrDefault(ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, "1000").trim()));
    }

    long watchIntervalMillis() {
        return Math.max(10, Math.min(1_000, settings.stuckPartitionTimeout().toMillis() / 10));
    }

    /** Looks, unless it looked less than a watch interval ago. */
    void watch() {
        long now = needs.nanoTime().getAsLong();
        if (now - lastWatchNanos < TimeUnit.MILLISECONDS.toNanos(watchIntervalMillis())) {
            return;
        }
        lastWatchNanos = now;
        List<Unacknowledged.Oldest> oldest = transmitter.unacknowledged().oldest();
        long bound = settings.stuckPartitionTimeout().toNanos();
        long oldestAge = 0;
        boolean heard = producerHeardFromKafka(now);
        boolean kafkaAnswers = heard && needs.kafkaAnswers().getAsBoolean();
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
            if (!transmitter.hasLeader(o.partition())) {
                stuck.add(what + "; no leader known, waiting for one");
                continue;
            }
            stuck.add(what);
            heal.add(what + transmitter.retries(o.partition().topic()));
        }
        oldestUnacknowledgedNanos = oldestAge;
        reportOutage(oldestAge >= bound && !kafkaAnswers, oldestAge);
        stuckPartitions = List.copyOf(stuck);
        transmitter.refreshPartitionCounts();
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
     * Closing: keeps watching, for one stuck-partition timeout after the close began or after its last heal, so
     * that a partition stuck now is still healed rather than holding the producer's close for ever (which waits
     * for every batch). What is still unacknowledged after that waits in the producer's close, as long as Kafka
     * does not answer.
     */
    void watchUntilAcknowledged() throws InterruptedException {
        long watchMillis = watchIntervalMillis();
        long bound = settings.stuckPartitionTimeout().toNanos() + 2 * TimeUnit.MILLISECONDS.toNanos(watchMillis);
        long since = needs.nanoTime().getAsLong();
        long healsSeen = heals.get();
        while (transmitter.unacknowledged().waiting() > 0 && needs.nanoTime().getAsLong() - since < bound) {
            TimeUnit.MILLISECONDS.sleep(watchMillis); // the watch interval's pace; acknowledgements come on Kafka's thread
            watch();
            if (heals.get() != healsSeen) {
                healsSeen = heals.get();
                since = needs.nanoTime().getAsLong();
            }
        }
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
            metric = transmitter.producerMetric("incoming-byte-total");
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

    private void reportOutage(boolean waiting, long oldestAge) {
        if (waiting && !outageReported) {
            log.warn("{} record(s) wait for Kafka, which does not answer (the oldest for {} ms); they are sent when it"
                            + " answers", transmitter.unacknowledged().waiting(),
                    TimeUnit.NANOSECONDS.toMillis(oldestAge));
        }
        outageReported = waiting;
    }

    /**
     * Replaces the producer and sends again what it had not acknowledged. The new producer has a new producer id,
     * so every partition's sequence starts afresh on the broker, whatever the old one had lost its place in.
     */
    private void heal(List<String> why) {
        Producer<byte[], byte[]> fresh;
        try {
            fresh = producerFactory.get();
        } catch (RuntimeException e) {
            transmitter.setLastError(e.toString());
            log.error("a stuck partition cannot be healed: no new producer ({}); trying again in {} ms", e.toString(),
                    settings.stuckPartitionTimeout().toMillis());
            return;
        }
        long started = needs.nanoTime().getAsLong();
        Unacknowledged<Outgoing.Sendable> oldRecords = transmitter.replace(fresh);
        incomingBytes = null;
        incomingBytesAtLastLook = -1;
        List<Outgoing.Sendable> again = new ArrayList<>();
        long quotesDropped = 0;
        for (Unacknowledged.Held<Outgoing.Sendable> held : oldRecords.held()) {
            quotesDropped += toSendAgain(held, again);
        }
        transmitter.quotes().droppedByHeal(quotesDropped);
        try {
            PartitionLeaders.await(fresh, again.stream().map(Outgoing.Sendable::topic).distinct().toList(),
                    HEAL_LEADER_WAIT, needs.nanoTime(),
                    missing -> log.info("healing: waiting for partition leaders: {}", missing));
        } catch (TimeoutException e) {
            log.warn("healing: {}; sending again anyway (the new producer waits for them)", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        again.forEach(transmitter::transmit);
        long n = heals.incrementAndGet();
        resent.addAndGet(again.size());
        lastHeal = clock.instant() + ": " + String.join("; ", why) + " -> producer replaced, " + again.size()
                + " record(s) sent again, " + quotesDropped + " quote(s) dropped";
        log.warn("healed stuck partition(s) (heal {}): producer replaced, {} unacknowledged record(s) sent again in "
                        + "order per partition, {} unacknowledged quote(s) dropped (newer quotes follow), in {} ms", n,
                again.size(), quotesDropped, TimeUnit.NANOSECONDS.toMillis(needs.nanoTime().getAsLong() - started));
    }

    /**
     * What of one partition's records goes again, in order: every record not acknowledged but quotes, and on a
     * compacted topic every later record of a key that goes again (else the older value would end up the latest).
     *
     * @return the quotes left out
     */
    private long toSendAgain(Unacknowledged.Held<Outgoing.Sendable> held, List<Outgoing.Sendable> again) {
        boolean compacted = compactedTopics.contains(held.partition().topic());
        Set<ByteBuffer> rewritten = new HashSet<>();
        long quotes = 0;
        for (int i = 0; i < held.records().size(); i++) {
            Outgoing.Sendable o = held.records().get(i);
            boolean done = held.done().get(i);
            if (o == null) {
                continue; // acknowledged, and nothing depends on sending it again
            }
            if (o instanceof Outgoing.Quote) {
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

    private static String partitionName(TopicPartition p) {
        return p.partition() < 0 ? p.topic() + " (partition chosen by the producer)" : p.toString();
    }

    /**
     * The partitions found stuck at the last look, each with what was seen; a heal normally follows at once. A
     * partition without a leader is listed as waiting for one.
     */
    List<String> stuckPartitions() {
        return stuckPartitions;
    }

    double oldestUnacknowledgedSeconds() {
        return oldestUnacknowledgedNanos / 1e9;
    }

    long heals() {
        return heals.get();
    }

    long recordsSentAgain() {
        return resent.get();
    }

    String lastHeal() {
        return lastHeal;
    }
}
