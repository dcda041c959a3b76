package io.twsbridge.bridge.failover;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A standby's copy of the bridge's compacted state topics (the order journal, the desired subscriptions), kept
 * current while it waits, so that taking over reads only what the active instance wrote in its last moments.
 *
 * <p>Reads committed records only: what a deposed instance left in an aborted transaction never counts. Keeps
 * each key's latest value as bytes; they are decoded once, at the takeover, by the same decoders start-up uses.
 *
 * <p>One thread of its own until {@link #catchUp}, which stops it and finishes on the caller's thread.
 */
public final class StateFollower implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StateFollower.class);
    private static final Duration POLL = Duration.ofMillis(500);

    private final Consumer<byte[], byte[]> consumer;
    private final List<String> topics;
    private final Duration timeout;
    private final Map<String, Map<String, byte[]>> live = new LinkedHashMap<>();
    private final AtomicLong recordsRead = new AtomicLong();
    private final Thread thread;
    private volatile boolean stopping;
    private List<TopicPartition> partitions = List.of();

    /**
     * @param consumer a group-less consumer reading committed records ({@code KafkaSettings.stateReaderConfig()})
     * @param timeout  for each metadata call and for the final catch-up
     */
    public StateFollower(Consumer<byte[], byte[]> consumer, List<String> topics, Duration timeout) {
        this.consumer = consumer;
        this.topics = List.copyOf(topics);
        this.timeout = timeout;
        topics.forEach(t -> live.put(t, new LinkedHashMap<>()));
        this.thread = new Thread(this::follow, "state-follower");
        thread.setDaemon(true);
    }

    /** Assigns every partition of the topics from their beginning, and starts following them. */
    public void start() {
        List<TopicPartition> all = new ArrayList<>();
        for (String topic : topics) {
            consumer.partitionsFor(topic, timeout).forEach(p -> all.add(new TopicPartition(topic, p.partition())));
        }
        partitions = List.copyOf(all);
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        thread.start();
    }

    /** Records read so far, superseded ones included. */
    public long recordsRead() {
        return recordsRead.get();
    }

    private void follow() {
        try {
            while (!stopping) {
                consumer.poll(POLL).forEach(this::apply);
            }
        } catch (WakeupException e) {
            // catchUp() or close(): the caller goes on with the consumer
        } catch (RuntimeException e) {
            // The catch-up reads again from where this stopped, and fails loudly if Kafka still refuses.
            log.warn("standby: following the state topics stopped: {}", e.toString());
        }
    }

    private void apply(ConsumerRecord<byte[], byte[]> r) {
        recordsRead.incrementAndGet();
        String key = r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
        Map<String, byte[]> values = live.get(r.topic());
        if (r.value() == null) {
            values.remove(key);
        } else {
            values.remove(key); // re-inserted last: the map keeps the order of each key's latest write
            values.put(key, r.value());
        }
    }

    /**
     * Stops following, reads on to the end of every partition as it is now, and returns each topic's live
     * values by key, oldest write first. Call after the previous active instance is fenced, so that "now" includes
     * everything it committed. Closes the consumer.
     *
     * @param nanoTime the monotonic clock, for the timeout
     * @throws IllegalStateException when the end is not reached within the timeout
     */
    public Map<String, Map<String, byte[]>> catchUp(LongSupplier nanoTime) {
        stopFollowing();
        try {
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            long deadline = nanoTime.getAsLong() + timeout.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p, timeout) < end.get(p))) {
                if (nanoTime.getAsLong() - deadline > 0) {
                    throw new IllegalStateException("reading the state topics " + topics + " to their end took longer than "
                            + timeout);
                }
                consumer.poll(POLL).forEach(this::apply);
            }
            Map<String, Map<String, byte[]>> values = new LinkedHashMap<>();
            live.forEach((topic, byKey) -> values.put(topic, new LinkedHashMap<>(byKey)));
            log.info("standby: state topics read to their end ({} record(s) in all); live keys: {}", recordsRead.get(),
                    live.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue().size()).toList());
            return values;
        } finally {
            consumer.close();
        }
    }

    private void stopFollowing() {
        stopping = true;
        consumer.wakeup();
        if (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while stopping the state follower", e);
            }
        }
        try {
            // A wakeup the thread did not meet is still pending; meet it here, keeping what the poll returns.
            consumer.poll(Duration.ZERO).forEach(this::apply);
        } catch (WakeupException e) {
            // the pending wakeup, now spent
        }
    }

    /** Stops following and closes the consumer (an instance that shuts down while standing by). */
    @Override
    public void close() {
        if (stopping) {
            return;
        }
        stopFollowing();
        try {
            consumer.close();
        } catch (RuntimeException e) {
            log.debug("closing the state follower's consumer", e);
        }
    }
}
