package io.twsbridge.bridge.kafka;

import io.twsbridge.bridge.commands.ExecutedCommands;
import io.twsbridge.client.registry.SchemaRegistryClient;
import io.twsbridge.client.serde.AvroWireDeserializer;
import io.twsbridge.schema.CommandResult;
import io.twsbridge.schema.catalogue.Topic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Rebuilds {@link ExecutedCommands} from {@code ib.command-results} at start: the results written within
 * {@code commands.duplicate-window}, read from the offset of that time (not the whole topic) to the end, so that a
 * restarted bridge answers a repeated commandId DUPLICATE as the one before it would have.
 */
public final class CommandHistory {

    private static final Logger log = LoggerFactory.getLogger(CommandHistory.class);

    private CommandHistory() {
    }

    /**
     * What {@code ib.command-results} holds within the window.
     *
     * @param executed   the carried-out commandIds with their first outcome
     * @param results    how many results were read
     * @param unreadable how many records there did not decode as a CommandResult (skipped)
     * @param since      the window's start
     */
    public record History(ExecutedCommands executed, int results, int unreadable, Instant since) {
    }

    /** Reads the results of the window and logs what it restored (the bridge at start). */
    public static ExecutedCommands restore(KafkaSettings kafka, SchemaRegistryClient registry, Clock clock,
                                           Duration timeout) {
        History history = load(kafka, registry, clock, timeout);
        log.info("restored {} carried-out commandId(s) from {} results on {} since {}{}", history.executed().size(),
                history.results(), kafka.topic(Topic.COMMAND_RESULTS), history.since(), history.unreadable() == 0 ? ""
                        : " (" + history.unreadable() + " unreadable result(s) skipped)");
        return history.executed();
    }

    /**
     * Reads the results of the window without a word: also what {@code bridge resend} asks before it sends, so that
     * it and the bridge agree on which commandIds are spent.
     *
     * @throws IllegalStateException when reading takes longer than {@code timeout}
     * @throws org.apache.kafka.common.KafkaException when Kafka does not answer
     */
    public static History load(KafkaSettings kafka, SchemaRegistryClient registry, Clock clock, Duration timeout) {
        ExecutedCommands executed = new ExecutedCommands(kafka.duplicateWindow());
        String topic = kafka.topic(Topic.COMMAND_RESULTS);
        AvroWireDeserializer<CommandResult> results = new AvroWireDeserializer<>(CommandResult.class, registry);
        Instant now = clock.instant();
        Instant since = now.minus(kafka.duplicateWindow());
        List<CommandResult> read = new ArrayList<>();
        int unreadable = 0;
        try (Consumer<byte[], byte[]> consumer = new KafkaConsumer<>(kafka.stateReaderConfig())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> query = new HashMap<>();
            partitions.forEach(p -> query.put(p, since.toEpochMilli()));
            Map<TopicPartition, OffsetAndTimestamp> from = consumer.offsetsForTimes(query, timeout);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            partitions.forEach(p -> consumer.seek(p, from.get(p) == null ? end.get(p) : from.get(p).offset()));
            Instant deadline = Instant.now().plus(timeout);
            while (partitions.stream().anyMatch(p -> consumer.position(p, timeout) < end.get(p))) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("reading " + topic + " since " + since + " took longer than "
                            + timeout);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.value() == null) {
                        continue;
                    }
                    try {
                        read.add(results.deserialize(r.value()));
                    } catch (RuntimeException e) {
                        unreadable++;
                    }
                }
            }
        }
        read.sort(Comparator.comparing(CommandResult::getTimestamp));
        for (CommandResult r : read) {
            executed.restore(r.getCommandId(), new ExecutedCommands.First(r.getStatus(), r.getReasonCode(),
                    r.getMessage(), r.getTimestamp(), r.getIbErrorCode(), r.getOrderId(), r.getPermId()), now);
        }
        return new History(executed, read.size(), unreadable, since);
    }
}
