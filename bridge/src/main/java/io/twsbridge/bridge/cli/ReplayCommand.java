package io.twsbridge.bridge.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
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
import org.apache.kafka.common.header.Header;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code bridge replay --topic T [--from beginning|OFFSET|TIME] [--until TIME] [--max N]}: one JSON line per record
 * (key, partition, offset, timestamp, headers, value decoded through the registry). The tool operators use to answer
 * "what did we get at 10:31?", and to read a dead-letter topic, whose records are there because they do not decode:
 * a record that cannot be decoded is printed with why and its bytes (base64), and the replay goes on. Decimals are
 * printed exactly (as JSON numbers with every digit); times in the forms of {@link TimeArgument}.
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

    /** Numbers read back with every digit: a decimal must not pass through a double on its way to the line. */
    private final ObjectMapper json = JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES).build();

    /** Decimals as numbers and times as instants, so a person can read the line. */
    private static final GenericData READABLE = new GenericData();

    static {
        READABLE.addLogicalTypeConversion(new Conversions.DecimalConversion());
        READABLE.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
    }

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

    /** The bytes as text when they are valid UTF-8 (JSON escapes any control character); empty otherwise. */
    private static Optional<String> utf8(byte[] bytes) {
        if (bytes == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    String line(ConsumerRecord<byte[], byte[]> r, SchemaRegistryClient registry) throws Exception {
        ObjectNode out = json.createObjectNode();
        out.put("key", r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8));
        out.put("partition", r.partition());
        out.put("offset", r.offset());
        out.put("timestamp", Instant.ofEpochMilli(r.timestamp()).toString());
        ArrayNode headers = out.putArray("headers");
        for (Header h : r.headers()) {
            ObjectNode header = headers.addObject().put("key", h.key());
            Optional<String> text = utf8(h.value());
            if (h.value() == null) {
                header.putNull("value");
            } else if (text.isPresent()) {
                header.put("value", text.get());
            } else {
                header.put("valueBase64", Base64.getEncoder().encodeToString(h.value()));
            }
        }
        if (r.value() == null) {
            out.putNull("value");
        } else if (r.value().length >= WireFormat.HEADER_SIZE && r.value()[0] == WireFormat.MAGIC_BYTE) {
            int id = WireFormat.readSchemaId(r.value());
            out.put("schemaId", id);
            try {
                Schema schema = registry.schemaById(id);
                GenericRecord value = new GenericDatumReader<GenericRecord>(schema, schema, READABLE).read(null,
                        DecoderFactory.get().binaryDecoder(r.value(), WireFormat.HEADER_SIZE,
                                r.value().length - WireFormat.HEADER_SIZE, null));
                out.set("value", json.readTree(READABLE.toString(value)));
            } catch (Exception e) {
                // A dead letter is there because it does not decode: say why, show its bytes, and go on.
                out.put("undecodable", e.getClass().getSimpleName() + (e.getMessage() == null ? ""
                        : ": " + e.getMessage()));
                out.put("valueBase64", Base64.getEncoder().encodeToString(r.value()));
            }
        } else {
            out.put("undecodable", "not in the Confluent wire format (no magic byte and schema id)");
            out.put("valueBase64", Base64.getEncoder().encodeToString(r.value()));
        }
        return json.writeValueAsString(out);
    }
}
