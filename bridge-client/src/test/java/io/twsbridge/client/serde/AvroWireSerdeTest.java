package io.twsbridge.client.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.twsbridge.client.registry.FakeSchemaRegistry.Flavor;
import io.twsbridge.client.registry.FakeSchemaRegistry;
import io.twsbridge.client.registry.SchemaEdits;
import io.twsbridge.client.registry.SchemaRegistryClient;
import io.twsbridge.client.registry.SchemaRegistryConfig;
import io.twsbridge.schema.Command;
import io.twsbridge.schema.Fill;
import io.twsbridge.schema.GatewayStatus;
import io.twsbridge.schema.OrderStatus;
import io.twsbridge.schema.OrderUpdate;
import io.twsbridge.schema.Quote;
import io.twsbridge.schema.catalogue.Topic;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class AvroWireSerdeTest {

    private FakeSchemaRegistry registry;

    @AfterEach
    void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    private SchemaRegistryClient client() {
        return new SchemaRegistryClient(SchemaRegistryConfig.builder(registry.baseUrl())
                .maxAttempts(2).initialBackoff(Duration.ofMillis(1)).build(), d -> {});
    }

    private static <T extends SpecificRecord> AvroWireDeserializer<T> deserializer(Class<T> type,
                                                                                   SchemaRegistryClient client) {
        return new AvroWireDeserializer<>(type, client);
    }

    @ParameterizedTest
    @EnumSource(Flavor.class)
    void everyTopicsValueTypeRoundTrips(Flavor flavor) {
        registry = FakeSchemaRegistry.start(flavor);
        SchemaRegistryClient producerSide = client();
        Map<Topic, Integer> ids = Registrations.registerAll(producerSide);
        AvroWireSerializer serializer = new AvroWireSerializer(producerSide);
        SchemaRegistryClient consumerSide = client(); // knows nothing yet: fetches each writer schema by id
        Map<Topic, List<? extends SpecificRecord>> samples = RecordSamples.byTopic();

        assertThat(samples.keySet()).as("a sample for every topic with a value schema")
                .containsExactlyInAnyOrderElementsOf(Arrays.stream(Topic.values())
                        .filter(t -> t.valueClass().isPresent()).toList());
        for (Map.Entry<Topic, List<? extends SpecificRecord>> entry : samples.entrySet()) {
            Topic topic = entry.getKey();
            AvroWireDeserializer<? extends SpecificRecord> deserializer =
                    deserializer(topic.valueClass().orElseThrow(), consumerSide);
            for (SpecificRecord record : entry.getValue()) {
                byte[] bytes = serializer.serialize(topic.defaultName(), record);

                assertThat(bytes[0]).isEqualTo(WireFormat.MAGIC_BYTE);
                assertThat(WireFormat.readSchemaId(bytes)).isEqualTo(ids.get(topic));
                assertThat(deserializer.deserialize(topic.defaultName(), bytes)).as(topic + " " + record)
                        .isEqualTo(record);
            }
        }
        assertThat(registry.requests()).filteredOn(r -> r.path().contains("/schemas/ids/"))
                .as("one fetch per writer schema").hasSize(samples.size());
    }

    @Test
    void theHeaderIsTheMagicByteAndTheIdBigEndian() {
        byte[] header = new byte[WireFormat.HEADER_SIZE];
        WireFormat.writeHeader(header, 0, 0x01020304);

        assertThat(header).containsExactly(0, 1, 2, 3, 4);
        assertThat(WireFormat.readSchemaId(new byte[] {0, (byte) 0x80, 0, 0, (byte) 0xff})).isEqualTo(0x800000ff);
    }

    @Test
    void serializingNeverCallsTheRegistry() {
        registry = FakeSchemaRegistry.start(Flavor.CONFLUENT);
        SchemaRegistryClient client = client();
        Registrations.registerAll(client);
        AvroWireSerializer serializer = new AvroWireSerializer(client);
        int before = registry.requestCount();

        for (int round = 0; round < 3; round++) {
            for (Map.Entry<Topic, SpecificRecord> sample : RecordSamples.all()) {
                serializer.serialize(sample.getKey().defaultName(), sample.getValue());
            }
        }

        assertThat(registry.requestCount()).isEqualTo(before);
    }

    @Test
    void aSchemaNeverRegisteredFailsWithoutCallingTheRegistry() {
        registry = FakeSchemaRegistry.start(Flavor.CONFLUENT);
        SchemaRegistryClient client = client();
        client.register("ib.fills-value", Fill.getClassSchema());
        AvroWireSerializer serializer = new AvroWireSerializer(client);
        registry.clearRequests();

        UnregisteredSchemaException unregistered = catchThrowableOfType(UnregisteredSchemaException.class,
                () -> serializer.serialize("ib.quotes", RecordSamples.fullQuote()));
        UnregisteredSchemaException wrongTopic = catchThrowableOfType(UnregisteredSchemaException.class,
                () -> serializer.serialize("ib.fills", RecordSamples.fullQuote()));

        assertThat(unregistered.subject()).isEqualTo("ib.quotes-value");
        assertThat(unregistered).hasMessageContaining("io.twsbridge.schema.Quote").hasMessageContaining("ib.quotes-value");
        assertThat(wrongTopic.subject()).isEqualTo("ib.fills-value");
        assertThat(registry.requestCount()).isZero();
        assertThat(serializer.serialize("ib.fills", RecordSamples.fullFill())).isNotNull();
    }

    @Test
    void aRecordThatDoesNotFitItsSchemaIsASerializationException() {
        registry = FakeSchemaRegistry.start(Flavor.CONFLUENT);
        SchemaRegistryClient client = client();
        client.register("ib.fills-value", Fill.getClassSchema());
        AvroWireSerializer serializer = new AvroWireSerializer(client);
        Fill tooPrecise = Fill.newBuilder(RecordSamples.fullFill()).setShares(new BigDecimal("1.000000000001")).build();

        SerializationException e = catchThrowableOfType(SerializationException.class,
                () -> serializer.serialize("ib.fills", tooPrecise));

        assertThat(e).isNotInstanceOf(UnregisteredSchemaException.class)
                .hasMessageContaining("io.twsbridge.schema.Fill").hasMessageContaining("ib.fills");
        assertThat(serializer.serialize("ib.fills", RecordSamples.fullFill())).as("the thread's buffer still works")
                .isNotNull();
    }

    @Test
    void nullsAreTombstones() {
        registry = FakeSchemaRegistry.start(Flavor.CONFLUENT);
        SchemaRegistryClient client = client();

        assertThat(new AvroWireSerializer(client).serialize("ib.status", null)).isNull();
        assertThat(new AvroWireDeserializer<>(GatewayStatus.class, client).deserialize("ib.status", null)).isNull();
    }

    @Test
    void worksThroughKafkasSerdeInterfaces() {
        registry = FakeSchemaRegistry.start(Flavor.CONFLUENT);
        SchemaRegistryClient client = client();
        client.register("ib.fills-value", Fill.getClassSchema());
        Serializer<SpecificRecord> serializer = new AvroWireSerializer(client);
        Deserializer<Fill> deserializer = new AvroWireDeserializer<>(Fill.class, client);

        byte[] bytes = serializer.serialize("ib.fills", new RecordHeaders(), RecordSamples.fullFill());

        assertThat(deserializer.deserialize("ib.fills", new RecordHeaders(), bytes)).isEqualTo(RecordSamples.fullFill());
        serializer.close();
        deserializer.close();
    }

    @Test
    void serializesConcurrentlyFromManyThreads() throws Exception {
        registry = FakeSchemaRegistry.start(Flavor.CONFLUENT);
        SchemaRegistryClient client = client();
        Registrations.registerAll(client);
        AvroWireSerializer serializer = new AvroWireSerializer(client);
        AvroWireDeserializer<Quote> quotes = new AvroWireDeserializer<>(Quote.class, client);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    for (int i = 0; i < 500; i++) {
                        Quote quote = Quote.newBuilder(RecordSamples.fullQuote()).setSequence(thread * 1000L + i).build();
                        byte[] bytes = serializer.serialize("ib.quotes", quote);
                        if (!quotes.deserialize(bytes).equals(quote)) {
                            throw new AssertionError("thread " + thread + " record " + i + " came back different");
                        }
                        // another type on the same thread between quotes
                        serializer.serialize("ib.status", RecordSamples.fullGatewayStatus());
                    }
                    return 500;
                }));
            }
            for (Future<Integer> result : results) {
                assertThat(result.get()).isEqualTo(500);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aRecordLargerThanTheRetainedBufferRoundTrips() {
        registry = FakeSchemaRegistry.start(Flavor.CONFLUENT);
        SchemaRegistryClient client = client();
        client.register("ib.status-value", GatewayStatus.getClassSchema());
        AvroWireSerializer serializer = new AvroWireSerializer(client);
        AvroWireDeserializer<GatewayStatus> deserializer = new AvroWireDeserializer<>(GatewayStatus.class, client);
        GatewayStatus huge = GatewayStatus.newBuilder(RecordSamples.fullGatewayStatus())
                .setAccounts(IntStream.range(0, 200_000).mapToObj(i -> "DU" + (1_000_000 + i)).toList())
                .build();

        byte[] bytes = serializer.serialize("ib.status", huge);

        assertThat(bytes.length).isGreaterThan(AvroWireSerializer.MAX_RETAINED_BUFFER);
        assertThat(deserializer.deserialize(bytes)).isEqualTo(huge);
        assertThat(deserializer.deserialize(serializer.serialize("ib.status", RecordSamples.fullGatewayStatus())))
                .isEqualTo(RecordSamples.fullGatewayStatus());
    }

    // ------------------------------------------------------------------------------------------------ evolution

    @Test
    void readsValuesWrittenWithAnOlderSchema() {
        registry = FakeSchemaRegistry.start(Flavor.APICURIO);
        String older = SchemaEdits.fillWithoutRealizedPnl();
        int id = registry.preRegister("ib.fills-value", older);
        Fill fill = RecordSamples.fullFill();

        Fill read = new AvroWireDeserializer<>(Fill.class, client()).deserialize(OtherWriters.write(id, older, fill));

        assertThat(read.getRealizedPnl()).as("added field takes its default").isNull();
        assertThat(Fill.newBuilder(read).setRealizedPnl(fill.getRealizedPnl()).build()).isEqualTo(fill);
    }

    @Test
    void readsValuesWrittenWithANewerSchemaSkippingWhatItDoesNotKnow() {
        registry = FakeSchemaRegistry.start(Flavor.APICURIO);
        String newer = SchemaEdits.fillWithNewFields();
        int id = registry.preRegister("ib.fills-value", newer);
        Fill fill = RecordSamples.fullFill();

        Fill read = new AvroWireDeserializer<>(Fill.class, client()).deserialize(OtherWriters.write(id, newer, fill, r -> {
            r.put("venueMic", "XCBO");
            r.put("tags", List.of("a", "bb", "ccc"));
            r.put("fees", Map.of("exchange", 0.12, "clearing", 0.02));
            r.put("note", "skipped by older readers");
        }));

        assertThat(read).isEqualTo(fill);
    }

    @Test
    void anEnumSymbolTheReaderLacksReadsAsUnknown() {
        registry = FakeSchemaRegistry.start(Flavor.CONFLUENT);
        String newer = SchemaEdits.orderUpdateWithNewStatus("PENDING_REVIEW");
        int id = registry.preRegister("ib.orders-value", newer);
        Schema newerSchema = new Schema.Parser().parse(newer);
        OrderUpdate update = RecordSamples.fullOrderUpdate();

        OrderUpdate read = new AvroWireDeserializer<>(OrderUpdate.class, client()).deserialize(OtherWriters.write(id, newer, update,
                r -> r.put("status", new GenericData.EnumSymbol(newerSchema.getField("status").schema(), "PENDING_REVIEW"))));

        assertThat(read.getStatus()).isEqualTo(OrderStatus.UNKNOWN);
        assertThat(read.getOrderRef()).isEqualTo(update.getOrderRef());
    }

    @Test
    void aValueOfAnotherTypeIsAnIncompatibleWriterSchema() {
        registry = FakeSchemaRegistry.start(Flavor.CONFLUENT);
        SchemaRegistryClient client = client();
        Registrations.registerAll(client);
        byte[] quote = new AvroWireSerializer(client).serialize("ib.quotes", RecordSamples.fullQuote());

        WireFormatException e = catchThrowableOfType(WireFormatException.class,
                () -> new AvroWireDeserializer<>(Command.class, client).deserialize(quote));

        assertThat(e.reason()).isEqualTo(WireFormatException.Reason.INCOMPATIBLE_WRITER_SCHEMA);
        assertThat(e.schemaId()).isEqualTo(WireFormat.readSchemaId(quote));
        assertThat(e).hasMessageContaining("io.twsbridge.schema.Quote").hasMessageContaining("io.twsbridge.schema.Command");
    }

    @Test
    void aRegistryFailureIsASchemaLookupExceptionNotAWireFormatOne() {
        registry = FakeSchemaRegistry.start(Flavor.CONFLUENT);
        int id = registry.preRegister("ib.fills-value", Fill.getClassSchema().toString());
        byte[] bytes = new byte[] {0, 0, 0, 0, (byte) id, 2, 'x'};
        registry.failNext(2, 503);

        SchemaLookupException e = catchThrowableOfType(SchemaLookupException.class,
                () -> new AvroWireDeserializer<>(Fill.class, client()).deserialize(bytes));

        assertThat(e).isInstanceOf(SerializationException.class);
        assertThat(e.schemaId()).isEqualTo(id);
        assertThat(e.getCause().status()).isEqualTo(503);
    }
}
