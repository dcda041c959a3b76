package io.twsbridge.bench.jmh;

import io.twsbridge.client.registry.SchemaRegistryClient;
import io.twsbridge.client.registry.SchemaRegistryConfig;
import io.twsbridge.client.serde.AvroWireDeserializer;
import io.twsbridge.client.serde.AvroWireSerializer;
import io.twsbridge.schema.ExecutionSide;
import io.twsbridge.schema.Fill;
import io.twsbridge.schema.Instrument;
import io.twsbridge.schema.MarketDataType;
import io.twsbridge.schema.Quote;
import io.twsbridge.schema.catalogue.Topic;
import io.twsbridge.schema.support.Decimals;
import java.io.IOException;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Avro in the Confluent wire format, one thread: {@link AvroWireSerializer} and {@link AvroWireDeserializer} on a
 * Quote and a Fill with every field set. The schemas are registered at setup with an in-memory registry, which is
 * closed before measuring: neither side calls the registry on its hot path.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SerdeBenchmark {

    private static final Instant T0 = Instant.parse("2025-06-02T14:30:05.123Z");

    private String quotesTopic;
    private String fillsTopic;
    private Quote quote;
    private Fill fill;
    private AvroWireSerializer serializer;
    private AvroWireDeserializer<Quote> quoteDeserializer;
    private AvroWireDeserializer<Fill> fillDeserializer;
    private byte[] quoteBytes;
    private byte[] fillBytes;

    @Setup
    public void setUp() throws IOException {
        quotesTopic = Topic.QUOTES.defaultName();
        fillsTopic = Topic.FILLS.defaultName();
        quote = quote();
        fill = fill();
        SchemaRegistryClient client;
        try (InMemorySchemaRegistry registry = InMemorySchemaRegistry.start()) {
            client = new SchemaRegistryClient(SchemaRegistryConfig.builder(registry.baseUrl()).build());
            client.register(Topic.QUOTES.valueSubject().orElseThrow(), Quote.getClassSchema());
            client.register(Topic.FILLS.valueSubject().orElseThrow(), Fill.getClassSchema());
        }
        serializer = new AvroWireSerializer(client);
        quoteDeserializer = new AvroWireDeserializer<>(Quote.class, client);
        fillDeserializer = new AvroWireDeserializer<>(Fill.class, client);
        quoteBytes = roundTrip(quotesTopic, quote, quoteDeserializer);
        fillBytes = roundTrip(fillsTopic, fill, fillDeserializer);
    }

    private <T extends SpecificRecord> byte[] roundTrip(String topic, T record, AvroWireDeserializer<T> deserializer) {
        byte[] bytes = serializer.serialize(topic, record);
        if (!record.equals(deserializer.deserialize(bytes))) {
            throw new IllegalStateException("sample does not round-trip: " + record);
        }
        return bytes;
    }

    /** Serialized sizes in bytes (5-byte header included), for the README. */
    public static String valueSizes() throws IOException {
        SerdeBenchmark b = new SerdeBenchmark();
        b.setUp();
        return "Quote " + b.quoteBytes.length + " B, Fill " + b.fillBytes.length + " B";
    }

    @Benchmark
    public byte[] serializeQuote() {
        return serializer.serialize(quotesTopic, quote);
    }

    @Benchmark
    public byte[] serializeFill() {
        return serializer.serialize(fillsTopic, fill);
    }

    @Benchmark
    public Quote deserializeQuote() {
        return quoteDeserializer.deserialize(quoteBytes);
    }

    @Benchmark
    public Fill deserializeFill() {
        return fillDeserializer.deserialize(fillBytes);
    }

    // ------------------------------------------------------------------------------------------------ samples

    /** An AAPL call with every contract field set, as IB describes it after resolution. */
    static Instrument aaplCall() {
        return Instrument.newBuilder()
                .setSymbol("AAPL")
                .setSecType("OPT")
                .setExchange("SMART")
                .setCurrency("USD")
                .setPrimaryExchange("CBOE")
                .setConId(784432166L)
                .setLastTradeDateOrContractMonth("20250620")
                .setStrike(190.0)
                .setRight("C")
                .setMultiplier("100")
                .setLocalSymbol("AAPL  250620C00190000")
                .setTradingClass("AAPL")
                .build();
    }

    static Quote quote() {
        return Quote.newBuilder()
                .setInstrument(aaplCall())
                .setBid(4.35)
                .setBidSize(Decimals.exact("42"))
                .setAsk(4.45)
                .setAskSize(Decimals.exact("17"))
                .setLast(4.41)
                .setLastSize(Decimals.exact("1"))
                .setVolume(Decimals.exact("18734"))
                .setClose(4.02)
                .setMarketDataType(MarketDataType.REALTIME)
                .setGatewayTime(T0.minusMillis(3))
                .setBridgeTime(T0)
                .setSequence(90817L)
                .setBridgeId("bridge-a")
                .build();
    }

    static Fill fill() {
        return Fill.newBuilder()
                .setExecId("0000e0d5.6650f2a1.01.01")
                .setOrderRef("6f1c2a9e-4b7d-4e0a-9a51-2c3f8d7e1b04")
                .setOrderId(1042L)
                .setPermId(1876543210L)
                .setClientId(17)
                .setAccount("DU1234567")
                .setInstrument(aaplCall())
                .setSide(ExecutionSide.BOT)
                .setShares(Decimals.exact("1"))
                .setPrice(4.41)
                .setCumulativeQuantity(Decimals.exact("1"))
                .setAveragePrice(4.41)
                .setExecutionTime(T0.minusMillis(850))
                .setExchange("CBOE")
                .setCommission(Decimals.exact("0.65"))
                .setCommissionCurrency("USD")
                .setRealizedPnl(Decimals.exact("-0.65"))
                .setPublishedAt(T0)
                .build();
    }
}
