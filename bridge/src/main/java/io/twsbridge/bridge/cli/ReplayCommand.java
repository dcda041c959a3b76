package io.twsbridge.bridge.cli;

import io.twsbridge.bridge.app.config.ConfigException;
import io.twsbridge.client.registry.SchemaRegistryClient;
import io.twsbridge.console.RecordJson;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code bridge replay --topic T [--from beginning|OFFSET|TIME] [--until TIME] [--max N]}: one JSON line per record
 * (key, partition, offset, timestamp, headers, value decoded through the registry). The tool operators use to answer
 * "what did we get at 10:31?", and to read a dead-letter topic, whose records are there because they do not decode:
 * a record that cannot be decoded is printed with why and its bytes (base64), and the replay goes on. The lines are
 * {@link RecordJson}'s, as Kafka's console consumer prints them with the console formatter; times in the forms of
 * {@link TimeArgument}.
 */
@Command(name = "replay", mixinStandardHelpOptions = true, description = "Print a topic's records as JSON lines.")
public final class ReplayCommand implements Callable<Integer> {

    @Option(names = "--topic", required = true, description = "The topic to read (its full name).")
    String topic;

    @Option(names = "--from", description = "beginning, an offset (every partition), or a time: "
            + TimeArgument.FORMS + " (default: ${DEFAULT-VALUE}).")
    String from = "beginning";

    @Option(names = "--until", description = "Leave out records after this time (the forms of --from).")
    String until;

    @Option(names = "--max", description = "Stop after this many records.")
    long max = Long.MAX_VALUE;

    @Mixin
    KafkaOptions kafka;

    @Override
    public Integer call() throws Exception {
        Instant untilTime;
        try {
            untilTime = until == null ? null : TimeArgument.parse(until, Clock.systemUTC());
            if (!from.equals("beginning") && !from.matches("\\d{1,9}")) {
                TimeArgument.parse(from, Clock.systemUTC());
            }
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        KafkaOptions.Connection connection;
        try {
            connection = kafka.resolve(System.getenv());
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        SchemaRegistryClient registry = new SchemaRegistryClient(connection.registry());
        RecordJson lines = new RecordJson(registry::schemaById);
        Map<String, Object> config = connection.consumerConfig();
        long printed = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            seek(consumer, partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            while (printed < max && partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (untilTime != null && Instant.ofEpochMilli(r.timestamp()).isAfter(untilTime)) {
                        continue;
                    }
                    System.out.println(lines.line(r));
                    if (++printed >= max) {
                        break;
                    }
                }
            }
        }
        return 0;
    }

    private void seek(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions) {
        if (from.equals("beginning")) {
            consumer.seekToBeginning(partitions);
        } else if (from.matches("\\d{1,9}")) {
            // Up to nine digits an offset; ten or more, epoch milliseconds (see TimeArgument).
            partitions.forEach(p -> consumer.seek(p, Long.parseLong(from)));
        } else {
            long at = TimeArgument.parse(from, Clock.systemUTC()).toEpochMilli();
            Map<TopicPartition, Long> query = new HashMap<>();
            partitions.forEach(p -> query.put(p, at));
            Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(query);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            partitions.forEach(p -> consumer.seek(p, offsets.get(p) == null ? ends.get(p) : offsets.get(p).offset()));
        }
    }
}
