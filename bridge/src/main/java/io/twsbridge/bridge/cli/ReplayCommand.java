package io.twsbridge.bridge.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.twsbridge.bridge.app.config.ConfigException;
import io.twsbridge.bridge.kafka.registry.SchemaRegistryClient;
import io.twsbridge.bridge.kafka.serde.WireFormat;
import org.apache.avro.Conversions;
import org.apache.avro.Schema;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code bridge replay --topic T [--from beginning|OFFSET|ISO-TIME] [--until ISO-TIME] [--max N]}: one JSON line
 * per record (key, partition, offset, timestamp, value decoded through the registry). The tool operators use
 * to answer "what did we get at 10:31?".
 */
@Command(name = "replay", mixinStandardHelpOptions = true, description = "Print a topic's records as JSON lines.")
public final class ReplayCommand implements Callable<Integer> {

    @Option(names = "--topic", required = true, description = "The topic to read (its full name).")
    String topic;

    @Option(names = "--from", description = "beginning, an offset (every partition), or an ISO-8601 time (default: ${DEFAULT-VALUE}).")
    String from = "beginning";

    @Option(names = "--until", description = "Stop at records after this ISO-8601 time.")
    String until;

    @Option(names = "--max", description = "Stop after this many records.")
    long max = Long.MAX_VALUE;

    @Mixin
    KafkaOptions kafka;

    private final ObjectMapper json = new ObjectMapper();

    /** Decimals as numbers and times as instants, so a person can read the line. */
    private static final GenericData READABLE = new GenericData();

    static {
        READABLE.addLogicalTypeConversion(new Conversions.DecimalConversion());
        READABLE.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
    }

    @Override
    public Integer call() throws Exception {
        Instant untilTime = until == null ? null : Instant.parse(until);
        KafkaOptions.Connection connection;
        try {
            connection = kafka.resolve(System.getenv());
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        SchemaRegistryClient registry = new SchemaRegistryClient(connection.registry());
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
                    System.out.println(line(r, registry));
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
        } else if (from.matches("\\d+")) {
            partitions.forEach(p -> consumer.seek(p, Long.parseLong(from)));
        } else {
            long at = Instant.parse(from).toEpochMilli();
            Map<TopicPartition, Long> query = new HashMap<>();
            partitions.forEach(p -> query.put(p, at));
            Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(query);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            partitions.forEach(p -> consumer.seek(p, offsets.get(p) == null ? ends.get(p) : offsets.get(p).offset()));
        }
    }

    private String line(ConsumerRecord<byte[], byte[]> r, SchemaRegistryClient registry) throws Exception {
        ObjectNode out = json.createObjectNode();
        out.put("key", r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8));
        out.put("partition", r.partition());
        out.put("offset", r.offset());
        out.put("timestamp", Instant.ofEpochMilli(r.timestamp()).toString());
        if (r.value() == null) {
            out.putNull("value");
        } else if (r.value().length >= WireFormat.HEADER_SIZE && r.value()[0] == WireFormat.MAGIC_BYTE) {
            int id = WireFormat.readSchemaId(r.value());
            Schema schema = registry.schemaById(id);
            GenericRecord value = new GenericDatumReader<GenericRecord>(schema, schema, READABLE).read(null, DecoderFactory.get()
                    .binaryDecoder(r.value(), WireFormat.HEADER_SIZE, r.value().length - WireFormat.HEADER_SIZE, null));
            out.put("schemaId", id);
            out.set("value", json.readTree(READABLE.toString(value)));
        } else {
            out.put("valueBase64", Base64.getEncoder().encodeToString(r.value()));
        }
        return json.writeValueAsString(out);
    }
}
