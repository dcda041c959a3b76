package io.twsbridge.bridge.app;

import io.twsbridge.client.registry.SchemaRegistryClient;
import io.twsbridge.schema.Command;
import io.twsbridge.schema.OrderAction;
import io.twsbridge.schema.OrderType;
import io.twsbridge.schema.PlaceOrder;
import io.twsbridge.schema.SubscribeQuotes;
import io.twsbridge.schema.TimeInForce;
import io.twsbridge.schema.catalogue.DlqHeaders;
import io.twsbridge.schema.catalogue.Topic;
import io.twsbridge.sim.GatewaySimulator;
import io.twsbridge.sim.SimulatorConfig;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Bad input gets a clear error and nothing is lost: each malformed command ends in a REJECTED result (when a
 * commandId can be read) and always in a dead-letter copy with its origin in the headers, and the consumer
 * goes on to the valid command after them.
 */
class MalformedCommandsIT extends WithKafkaStack {


    @Test
    void everyKindOfBadCommandIsRejectedOrDeadLetteredAndTheNextOneStillRuns() throws Exception {
        try (GatewaySimulator sim = GatewaySimulator.start(SimulatorConfig.builder().ephemeralPorts().adminPort(-1).build());
             BridgeUnderTest bridge = new BridgeUnderTest(stack, sim, "bad", k -> k, g -> g).start()) {
            bridge.awaitReady();
            SchemaRegistryClient registry = new SchemaRegistryClient(bridge.config.registry());

            byte[] random = new byte[64];
            new SplittableRandom(7).nextBytes(random);
            random[0] = 42;
            bridge.sendRaw("acct", random);                                            // 1 undecodable bytes
            bridge.sendRaw("acct", wire(99_999, new byte[] {2, 4, 6}));                // 2 unknown schema id
            bridge.sendRaw("acct", null);                                              // 3 empty record
            bridge.send(Commands.envelope("bad-symbol").setPayload(SubscribeQuotes.newBuilder()
                    .setInstrument(Commands.stock(" ")).build()).build());             // 4 blank symbol
            bridge.send(order("bad-qty", new BigDecimal("-5"), 10.0));                 // 5 non-positive quantity
            bridge.send(order("bad-price", new BigDecimal("5"), Double.NaN));          // 6 NaN price
            bridge.sendRaw("acct", unknownEnumBranch(registry));                      // 7 unknown enum symbol
            bridge.sendRaw("acct", missingInstrument(registry));                      // 8 missing instrument
            registry.register(bridge.topic(Topic.COMMANDS) + "-value", Command.getClassSchema());
            byte[] valid = new io.twsbridge.client.serde.AvroWireSerializer(registry)
                    .serialize(bridge.topic(Topic.COMMANDS), Commands.subscribe("good-after", "AAPL"));
            bridge.sendRaw("acct", java.util.Arrays.copyOf(valid, valid.length - 3)); // 9 truncated body
            bridge.send(Commands.subscribe("good-after", "AAPL"));                     // a valid command after them

            await().atMost(Duration.ofSeconds(30)).until(() -> bridge.values(Topic.COMMAND_RESULTS).stream()
                    .anyMatch(r -> r.get("commandId").toString().equals("good-after")));
            await().atMost(Duration.ofSeconds(10)).until(() -> bridge.read(bridge.topic(Topic.COMMANDS_DLQ)).size() == 9);

            Map<String, String> results = bridge.values(Topic.COMMAND_RESULTS).stream().collect(Collectors.toMap(
                    r -> r.get("commandId").toString(), r -> r.get("status") + " " + r.get("reasonCode")));
            assertThat(results).containsOnly(
                    Map.entry("bad-symbol", "REJECTED VALIDATION_FAILED"),
                    Map.entry("bad-qty", "REJECTED VALIDATION_FAILED"),
                    Map.entry("bad-price", "REJECTED VALIDATION_FAILED"),
                    Map.entry("bad-enum", "REJECTED VALIDATION_FAILED"),
                    Map.entry("no-instrument", "REJECTED VALIDATION_FAILED"),
                    Map.entry("good-after", "COMPLETED OK"));

            List<ConsumerRecord<byte[], byte[]>> dlq = bridge.read(bridge.topic(Topic.COMMANDS_DLQ));
            List<ConsumerRecord<byte[], byte[]>> sources = bridge.read(bridge.topic(Topic.COMMANDS));
            for (ConsumerRecord<byte[], byte[]> d : dlq) {
                long offset = Long.parseLong(header(d, DlqHeaders.SOURCE_OFFSET));
                int partition = Integer.parseInt(header(d, DlqHeaders.SOURCE_PARTITION));
                ConsumerRecord<byte[], byte[]> source = sources.stream()
                        .filter(s -> s.offset() == offset && s.partition() == partition).findFirst().orElseThrow();
                assertThat(header(d, DlqHeaders.SOURCE_TOPIC)).isEqualTo(bridge.topic(Topic.COMMANDS));
                assertThat(d.value()).as("the original bytes").isEqualTo(source.value());
                assertThat(d.key()).isEqualTo(source.key());
                assertThat(header(d, DlqHeaders.ERROR_CLASS)).isNotBlank();
                assertThat(header(d, DlqHeaders.ERROR_MESSAGE)).isNotBlank();
            }
            assertThat(dlq).extracting(d -> header(d, DlqHeaders.ERROR_MESSAGE)).anySatisfy(m -> assertThat(m).contains("99999"));
            await().atMost(Duration.ofSeconds(10)).until(() -> !sim.state().subscriptions().isEmpty());
        }
    }

    private static Command order(String id, BigDecimal quantity, double limit) {
        return Commands.envelope(id).setPayload(PlaceOrder.newBuilder().setInstrument(Commands.stock("AAPL"))
                .setAction(OrderAction.BUY).setQuantity(quantity.setScale(10)).setOrderType(OrderType.LMT)
                .setLimitPrice(limit).setTimeInForce(TimeInForce.DAY).setOutsideRth(false).build()).build();
    }

    /** A PlaceOrder written by a newer producer whose action enum has a symbol this bridge does not know. */
    private static byte[] unknownEnumBranch(SchemaRegistryClient registry) throws Exception {
        String json = Command.getClassSchema().toString().replace("\"symbols\":[\"BUY\",\"SELL\",\"UNKNOWN\"]",
                "\"symbols\":[\"BUY\",\"SELL\",\"SHORT\",\"UNKNOWN\"]");
        Schema writer = new Schema.Parser().parse(json);
        GenericRecord instrument = instrument(writer, Map.of("symbol", "AAPL", "secType", "STK",
                "exchange", "SMART", "currency", "USD"));
        Schema placeOrder = branch(writer, "PlaceOrder");
        GenericRecord order = new GenericData.Record(placeOrder);
        order.put("instrument", instrument);
        order.put("action", new GenericData.EnumSymbol(placeOrder.getField("action").schema(), "SHORT"));
        order.put("quantity", ByteBuffer.wrap(new BigDecimal("1").setScale(10).unscaledValue().toByteArray()));
        order.put("orderType", new GenericData.EnumSymbol(placeOrder.getField("orderType").schema(), "MKT"));
        order.put("timeInForce", new GenericData.EnumSymbol(placeOrder.getField("timeInForce").schema(), "DAY"));
        order.put("outsideRth", false);
        return envelope(registry, writer, "bad-enum", order);
    }

    /** A SubscribeQuotes written with a schema in which the instrument may be null, and is. */
    private static byte[] missingInstrument(SchemaRegistryClient registry) throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode root =
                (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(Command.getClassSchema().toString());
        for (com.fasterxml.jackson.databind.JsonNode field : root.get("fields")) {
            if (!field.get("name").asText().equals("payload")) {
                continue;
            }
            for (com.fasterxml.jackson.databind.JsonNode branch : field.get("type")) {
                if (branch.path("name").asText().equals("SubscribeQuotes")) {
                    com.fasterxml.jackson.databind.node.ObjectNode instrument =
                            (com.fasterxml.jackson.databind.node.ObjectNode) branch.get("fields").get(0);
                    instrument.set("type", json.createArrayNode().add("null").add(instrument.get("type")));
                }
            }
        }
        Schema writer = new Schema.Parser().parse(json.writeValueAsString(root));
        GenericRecord subscribe = new GenericData.Record(branch(writer, "SubscribeQuotes"));
        subscribe.put("instrument", null);
        return envelope(registry, writer, "no-instrument", subscribe);
    }

    private static byte[] envelope(SchemaRegistryClient registry, Schema writer, String id, GenericRecord payload)
            throws Exception {
        int schemaId = registry.register("bad-variant-" + id + "-value", writer);
        GenericRecord command = new GenericData.Record(writer);
        command.put("commandId", id);
        command.put("issuedAt", System.currentTimeMillis());
        command.put("payload", payload);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(body, null);
        new GenericDatumWriter<GenericRecord>(writer).write(command, encoder);
        encoder.flush();
        return wire(schemaId, body.toByteArray());
    }

    private static Schema branch(Schema command, String name) {
        return command.getField("payload").schema().getTypes().stream().filter(s -> s.getName().equals(name))
                .findFirst().orElseThrow();
    }

    private static GenericRecord instrument(Schema command, Map<String, Object> values) {
        Schema s = branch(command, "SubscribeQuotes").getField("instrument").schema();
        if (s.getType() == Schema.Type.UNION) {
            s = s.getTypes().get(1);
        }
        GenericRecord r = new GenericData.Record(s);
        values.forEach(r::put);
        return r;
    }

    private static byte[] wire(int schemaId, byte[] body) {
        return ByteBuffer.allocate(5 + body.length).put((byte) 0).putInt(schemaId).put(body).array();
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
