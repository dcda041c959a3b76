package io.twsbridge.bridge.app;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.twsbridge.client.registry.SchemaRegistryClient;
import io.twsbridge.client.registry.SchemaRegistryConfig;
import io.twsbridge.client.serde.AvroWireSerializer;
import io.twsbridge.schema.Command;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code bridge replay} over a dead-letter topic as it really looks: seven records, most of them there because they
 * do not decode. Every one is printed (the undecodable ones with why and their bytes), each with its headers, a
 * decimal with every digit, and the replay ends with exit 0; a time typed as a date is understood.
 */
class ReplayIT extends WithKafkaStack {

    private static final Logger log = LoggerFactory.getLogger(ReplayIT.class);
    private static final String TOPIC = "replay.ib.commands.dlq";
    private static final String EXACT = "123456789.0123456789";

    @Test
    void aDeadLetterTopicOfSevenMixedRecordsIsPrintedWholeWithHeadersAndExactDecimals() throws Exception {
        SchemaRegistryClient registry = new SchemaRegistryClient(
                SchemaRegistryConfig.builder(stack.registry().confluentApiUrl()).build());
        int commandSchema = registry.register(TOPIC + "-value", Command.getClassSchema());
        byte[] order = new AvroWireSerializer(registry).serialize(TOPIC,
                Commands.limitOrder("replay-1", "DU111111", "AAPL", EXACT, 101.5));
        byte[] truncated = Arrays.copyOf(order, 12);
        byte[] unknownSchema = ByteBuffer.allocate(9).put((byte) 0).putInt(987_654).put(new byte[] {2, 4, 6, 8})
                .array();
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        records.add(record("replay-1", order, "source", "strategy-7".getBytes(StandardCharsets.UTF_8)));
        records.add(record("replay-2", truncated, "dlq.reason", "EOFException, with a comma, and more"
                .getBytes(StandardCharsets.UTF_8)));
        records.add(record("replay-3", unknownSchema, "dlq.reason", "unknown schema".getBytes(StandardCharsets.UTF_8)));
        records.add(record("replay-4", "hello, not Avro".getBytes(StandardCharsets.UTF_8), "dlq.offset",
                "17".getBytes(StandardCharsets.UTF_8)));
        records.add(record("replay-5", null, "dlq.reason", "tombstone".getBytes(StandardCharsets.UTF_8)));
        records.add(record("replay-6", new byte[0], "dlq.reason", "empty".getBytes(StandardCharsets.UTF_8)));
        records.add(record("replay-7", order, "trace", new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1}));
        try (Admin admin = Admin.create(stack.kafka().clientConfig())) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
        }
        Map<String, Object> p = new HashMap<>(stack.kafka().clientConfig());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (ProducerRecord<byte[], byte[]> r : records) {
                producer.send(r).get();
            }
        }

        Replay all = replay("--topic", TOPIC);
        log.info("replay of {} (exit {}):\n{}", TOPIC, all.exit(), String.join("\n", all.lines()));
        assertThat(all.exit()).isZero();
        assertThat(all.lines()).hasSize(7);
        JsonMapper json = JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();
        List<JsonNode> printed = new ArrayList<>();
        for (String line : all.lines()) {
            printed.add(json.readTree(line));
        }
        assertThat(printed).extracting(n -> n.get("key").asText())
                .containsExactly("replay-1", "replay-2", "replay-3", "replay-4", "replay-5", "replay-6", "replay-7");
        assertThat(printed).allSatisfy(n -> assertThat(n.get("headers")).hasSize(1));
        assertThat(printed.get(1).get("headers").get(0).get("value").asText())
                .isEqualTo("EOFException, with a comma, and more");
        assertThat(printed.get(6).get("headers").get(0).get("valueBase64").asText()).isEqualTo("//4AAQ==");

        JsonNode quantity = printed.get(0).get("value").get("payload").get("quantity");
        assertThat(quantity.isBigDecimal()).isTrue();
        assertThat(quantity.decimalValue()).isEqualByComparingTo(new BigDecimal(EXACT));
        assertThat(all.lines().get(0)).contains("\"quantity\":" + EXACT);
        assertThat(printed.get(0).get("schemaId").asInt()).isEqualTo(commandSchema);

        assertThat(printed.get(1).get("undecodable").asText()).startsWith("EOFException");
        assertThat(printed.get(2).get("undecodable").asText()).isNotBlank();
        assertThat(printed.get(3).get("undecodable").asText()).contains("not in the Confluent wire format");
        assertThat(printed.get(3).get("valueBase64").asText()).isEqualTo("aGVsbG8sIG5vdCBBdnJv");
        assertThat(printed.get(4).get("value").isNull()).isTrue();
        assertThat(printed.get(5).get("undecodable").asText()).contains("not in the Confluent wire format");

        Replay today = replay("--topic", TOPIC, "--from", Instant.now().toString().substring(0, 10));
        assertThat(today.exit()).isZero();
        assertThat(today.lines()).as("--from as a date (today's midnight, UTC)").hasSize(7);
        Replay bad = replay("--topic", TOPIC, "--from", "yesterday");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.error()).startsWith("'yesterday' is not a time; give ");
    }

    private static ProducerRecord<byte[], byte[]> record(String key, byte[] value, String header, byte[] headerValue) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(header, headerValue);
        return new ProducerRecord<>(TOPIC, 0, key.getBytes(StandardCharsets.UTF_8), value, headers);
    }

    record Replay(int exit, List<String> lines, String error) {
    }

    private static Replay replay(String... args) {
        List<String> all = new ArrayList<>(List.of("replay"));
        all.addAll(List.of(args));
        all.addAll(List.of("--bootstrap-server", stack.kafka().bootstrapServers(), "--registry-url",
                stack.registry().confluentApiUrl()));
        CliRun run = CliRun.of(all);
        return new Replay(run.exit(), run.out().lines().filter(l -> l.startsWith("{")).toList(), run.err());
    }
}
