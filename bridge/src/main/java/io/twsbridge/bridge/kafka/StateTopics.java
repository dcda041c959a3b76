package io.twsbridge.bridge.kafka;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The bridge's own compacted state topics (desired subscriptions, the order journal), read back at start-up. */
public final class StateTopics {

    private static final Logger log = LoggerFactory.getLogger(StateTopics.class);

    private StateTopics() {
    }

    /**
     * Reads a whole compacted state topic (subscriptions, the order journal) with an assigned, group-less consumer
     * and returns the live value of every key, oldest first. Records that do not decode are skipped and logged: one bad record must not cost every subscription.
     */
    public static <T> List<T> load(Consumer<byte[], byte[]> consumer, String topic,
                                   Function<byte[], T> decoder, Duration timeout) {
        return List.copyOf(loadByKey(consumer, topic, decoder, timeout).values());
    }

    /** As {@link #load}, each live value under its key (for a topic whose keys say more than its values). */
    public static <T> Map<String, T> loadByKey(Consumer<byte[], byte[]> consumer, String topic,
                                               Function<byte[], T> decoder, Duration timeout) {
        List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
        Map<String, T> live = new LinkedHashMap<>();
        Instant deadline = Instant.now().plus(timeout);
        while (partitions.stream().anyMatch(p -> consumer.position(p, timeout) < end.get(p))) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("reading " + topic + " took longer than " + timeout);
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                String key = r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
                if (r.value() == null) {
                    live.remove(key);
                    continue;
                }
                try {
                    live.put(key, decoder.apply(r.value()));
                } catch (RuntimeException e) {
                    log.error("skipping an unreadable subscription record at {}-{}@{}: {}", r.topic(), r.partition(),
                            r.offset(), e.getMessage());
                }
            }
        }
        log.debug("restored {} record(s) from {}", live.size(), topic);
        return live;
    }

    /**
     * Decodes the live values of a state topic as a standby read them ({@code StateFollower}), each under its key, in
     * the order given; a value that does not decode is skipped and logged, as in {@link #load}.
     */
    public static <T> Map<String, T> decode(String topic, Map<String, byte[]> values, Function<byte[], T> decoder) {
        Map<String, T> decoded = new LinkedHashMap<>();
        values.forEach((key, value) -> {
            try {
                decoded.put(key, decoder.apply(value));
            } catch (RuntimeException e) {
                log.error("skipping an unreadable record of {}: {}", topic, e.getMessage());
            }
        });
        log.info("restored {} record(s) from {}", decoded.size(), topic);
        return decoded;
    }
}
