package io.twsbridge.console;

import io.twsbridge.testkit.KafkaStack;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The formatter in Kafka's own console consumer (kafka-tools 4.4.0 from Maven Central), run as the Apache Kafka user
 * runs it: its own JVM, Kafka's jars on the class path with {@code console-formatter.jar} and no Avro of their own.
 * It prints every record, a decimal with every digit, an undecodable one with why, and the very lines
 * {@code bridge replay} prints for the same records.
 */
class ConsoleConsumerFormatterIT {

    private static final String TOPIC = "formatter.ib.fills";
    private static final String EXACT = "123456789.0123456789";
    private static KafkaStack stack;

    @BeforeAll
    static void start() throws Exception {
        stack = KafkaStack.start();
    }

    @AfterAll
    static void stop() throws Exception {
        stack.close();
    }

    @Test
    void kafkasConsoleConsumerPrintsConfluentAvroAsTheBridgesJsonLines() throws Exception {
        Schema decimal = LogicalTypes.decimal(38, 10).addToSchema(Schema.create(Schema.Type.BYTES));
        Schema millis = LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG));
        Schema schema = SchemaBuilder.record("Fill").namespace("io.twsbridge.test").fields()
                .requiredString("execId").name("shares").type(decimal).noDefault()
                .name("time").type(millis).noDefault().endRecord();
        int id = register(TOPIC + "-value", schema);
        GenericRecord fill = new GenericData.Record(schema);
        fill.put("execId", "0001f4e8.6581a2b1.01.01");
        fill.put("shares", new Conversions.DecimalConversion().toBytes(new BigDecimal(EXACT), decimal,
                decimal.getLogicalType()));
        fill.put("time", Instant.parse("2026-12-07T14:30:00.250Z").toEpochMilli());
        byte[] good = wire(id, schema, fill);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
        }
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()))) {
            // The seven kinds of record a dead-letter topic holds, as ReplayIT gives them to bridge replay.
            byte[] unknownSchema = ByteBuffer.allocate(9).put((byte) 0).putInt(987_654).put(new byte[] {2, 4, 6, 8})
                    .array();
            send(producer, "f-1", good, "dlq.reason", "a reason, with commas".getBytes(StandardCharsets.UTF_8));
            send(producer, "f-2", Arrays.copyOf(good, 9), "dlq.reason", "EOFException, with a comma, and more"
                    .getBytes(StandardCharsets.UTF_8));
            send(producer, "f-3", unknownSchema, "dlq.reason", "unknown schema".getBytes(StandardCharsets.UTF_8));
            send(producer, "f-4", "plain text".getBytes(StandardCharsets.UTF_8), "dlq.offset",
                    "17".getBytes(StandardCharsets.UTF_8));
            send(producer, "f-5", null, "dlq.reason", "tombstone".getBytes(StandardCharsets.UTF_8));
            send(producer, "f-6", new byte[0], "dlq.reason", "empty".getBytes(StandardCharsets.UTF_8));
            send(producer, "f-7", good, "trace", new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1});
        }

        List<String> printed = consoleConsumer(7);

        assertThat(printed).hasSize(7);
        assertThat(printed.get(0)).contains("\"shares\":" + EXACT).contains("\"time\":\"2026-12-07T14:30:00.250Z\"")
                .contains("{\"key\":\"dlq.reason\",\"value\":\"a reason, with commas\"}")
                .contains("\"schemaId\":" + id);
        assertThat(printed.get(1)).contains("\"undecodable\":\"EOFException")
                .contains("\"value\":\"EOFException, with a comma, and more\"");
        assertThat(printed.get(2)).contains("\"schemaId\":987654").contains("\"undecodable\":");
        assertThat(printed.get(3)).contains("not in the Confluent wire format");
        assertThat(printed.get(4)).contains("\"value\":null");
        assertThat(printed.get(5)).contains("\"valueBase64\":\"\"");
        assertThat(printed.get(6)).contains("{\"key\":\"trace\",\"valueBase64\":\"//4AAQ==\"}");
        assertThat(printed).as("the same lines as bridge replay's").isEqualTo(replayLines(7));
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String key, byte[] value, String header,
                             byte[] headerValue) throws Exception {
        RecordHeaders headers = new RecordHeaders();
        headers.add(header, headerValue);
        producer.send(new ProducerRecord<>(TOPIC, 0, key(key), value, headers)).get();
    }

    /** Kafka's console consumer in a JVM of its own: Kafka's jars and the formatter's, as in a Kafka installation. */
    private static List<String> consoleConsumer(int max) throws Exception {
        String kafkaJars = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> entry.endsWith(".jar"))
                .filter(entry -> !Path.of(entry).getFileName().toString().startsWith("avro-"))
                .collect(Collectors.joining(File.pathSeparator));
        String classPath = System.getProperty("formatter.jar") + File.pathSeparator + kafkaJars;
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", classPath, "org.apache.kafka.tools.consumer.ConsoleConsumer",
                "--bootstrap-server", stack.bootstrapServers(), "--topic", TOPIC, "--from-beginning",
                "--max-messages", Integer.toString(max), "--timeout-ms", "30000",
                "--formatter", AvroJsonFormatter.class.getName(),
                "--formatter-property", "registry.url=" + stack.registryUrl()));
        Path err = Files.createTempFile("console-consumer", ".err");
        Process process = new ProcessBuilder(command).redirectError(err.toFile()).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        process.getInputStream().transferTo(out);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the console consumer ends").isTrue();
        assertThat(process.exitValue()).as("its exit; stderr:%n%s", Files.readString(err)).isZero();
        return out.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("{")).toList();
    }

    private static List<String> replayLines(int max) {
        RecordJson lines = new RecordJson(new RegistrySchemas(stack.registryUrl(), null));
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
            TopicPartition p = new TopicPartition(TOPIC, 0);
            consumer.assign(List.of(p));
            consumer.seekToBeginning(List.of(p));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (out.size() < max && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(lines.line(r));
                }
            }
        }
        return out;
    }

    private static int register(String subject, Schema schema) throws Exception {
        String body = "{\"schema\":" + new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(
                schema.toString()) + "}";
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(stack.registryUrl() + "/subjects/" + subject + "/versions"))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body()).get("id").asInt();
    }

    private static byte[] wire(int id, Schema schema, GenericRecord record) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(ByteBuffer.allocate(5).put((byte) 0).putInt(id).array());
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    private static byte[] key(String k) {
        return k.getBytes(StandardCharsets.UTF_8);
    }
}
