package io.twsbridge.client.serde;

import static io.twsbridge.client.serde.BoundedBinaryDecoderTest.avroLong;
import static io.twsbridge.client.serde.BoundedBinaryDecoderTest.concat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.twsbridge.client.registry.FakeSchemaRegistry;
import io.twsbridge.client.registry.SchemaEdits;
import io.twsbridge.client.registry.SchemaRegistryClient;
import io.twsbridge.client.registry.SchemaRegistryConfig;
import io.twsbridge.client.serde.WireFormatException.Reason;
import io.twsbridge.schema.Fill;
import io.twsbridge.schema.GatewayStatus;
import io.twsbridge.schema.catalogue.Topic;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Values an attacker or a broken producer could put on a topic: every one ends in a typed exception (or, for a
 * mutation that happens to stay valid, a record), never in another exception type, and never in an allocation much
 * larger than the value.
 */
class HostilePayloadTest {

    /** Generous bound for one failed read of a value under 1 KB: exceptions, messages, the record being built. */
    private static final long ALLOCATION_BOUND = 512 * 1024;

    private static FakeSchemaRegistry registry;
    private static SchemaRegistryClient client;
    private static Map<Topic, Integer> ids;
    private static AvroWireSerializer serializer;
    private static final Map<Topic, AvroWireDeserializer<? extends SpecificRecord>> deserializers = new EnumMap<>(Topic.class);
    /** Valid values to damage: every sample, plus Fills written with a newer and an older schema (skip and default paths). */
    private static final List<Map.Entry<Topic, byte[]>> validValues = new java.util.ArrayList<>();

    @BeforeAll
    static void start() {
        registry = FakeSchemaRegistry.start(FakeSchemaRegistry.Flavor.CONFLUENT);
        client = new SchemaRegistryClient(SchemaRegistryConfig.builder(registry.baseUrl())
                .maxAttempts(1).initialBackoff(Duration.ofMillis(1)).build(), d -> {});
        ids = Registrations.registerAll(client);
        serializer = new AvroWireSerializer(client);
        for (Topic topic : ids.keySet()) {
            deserializers.put(topic, deserializer(topic.valueClass().orElseThrow()));
        }
        for (Map.Entry<Topic, SpecificRecord> sample : RecordSamples.all()) {
            validValues.add(Map.entry(sample.getKey(), valid(sample.getKey(), sample.getValue())));
        }
        String newer = SchemaEdits.fillWithNewFields();
        String older = SchemaEdits.fillWithoutRealizedPnl();
        int newerId = registry.preRegister("ib.fills-value", newer);
        int olderId = registry.preRegister("ib.fills-value", older);
        for (Fill fill : RecordSamples.fills()) {
            validValues.add(Map.entry(Topic.FILLS, OtherWriters.write(newerId, newer, fill, r -> {
                r.put("venueMic", "XCBO");
                r.put("tags", List.of("a", "bb"));
                r.put("fees", Map.of("exchange", 0.12));
                r.put("note", "n");
            })));
            validValues.add(Map.entry(Topic.FILLS, OtherWriters.write(olderId, older, fill)));
        }
        for (Map.Entry<Topic, byte[]> value : validValues) {
            deserializers.get(value.getKey()).deserialize(value.getValue()); // all valid, all writer schemas fetched
        }
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    private static <T extends SpecificRecord> AvroWireDeserializer<T> deserializer(Class<T> type) {
        return new AvroWireDeserializer<>(type, client);
    }

    private static WireFormatException refused(Topic topic, byte[] value) {
        WireFormatException e = catchThrowableOfType(WireFormatException.class,
                () -> deserializers.get(topic).deserialize(value));
        assertThat(e).as("%s value %s", topic, HexFormat.of().formatHex(value)).isNotNull();
        return e;
    }

    private static byte[] header(Topic topic) {
        byte[] header = new byte[WireFormat.HEADER_SIZE];
        WireFormat.writeHeader(header, 0, ids.get(topic));
        return header;
    }

    private static byte[] valid(Topic topic, SpecificRecord record) {
        return serializer.serialize(topic.defaultName(), record);
    }

    // ------------------------------------------------------------------------------------------------ header

    @Test
    void emptyShortAndForeignValues() {
        assertThat(refused(Topic.FILLS, new byte[0]).reason()).isEqualTo(Reason.EMPTY);
        assertThat(refused(Topic.FILLS, new byte[] {0}).reason()).isEqualTo(Reason.TOO_SHORT);
        assertThat(refused(Topic.FILLS, new byte[] {0, 0, 0, 1}).reason()).isEqualTo(Reason.TOO_SHORT);
        assertThat(refused(Topic.FILLS, new byte[] {1, 0, 0, 0, 1, 2}).reason()).isEqualTo(Reason.WRONG_MAGIC_BYTE);
        assertThat(refused(Topic.COMMANDS, "{\"commandId\":\"x\"}".getBytes(StandardCharsets.UTF_8)).reason())
                .as("JSON where Avro was expected").isEqualTo(Reason.WRONG_MAGIC_BYTE);
    }

    @Test
    void unknownSchemaIds() {
        registry.clearRequests();

        WireFormatException unknown = refused(Topic.FILLS, new byte[] {0, 0, 0, 3, (byte) 0xe7, 2, 'x'});
        WireFormatException negative = refused(Topic.FILLS, new byte[] {0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff});

        assertThat(unknown.reason()).isEqualTo(Reason.UNKNOWN_SCHEMA_ID);
        assertThat(unknown.schemaId()).isEqualTo(999);
        assertThat(negative.reason()).isEqualTo(Reason.UNKNOWN_SCHEMA_ID);
        assertThat(registry.requests()).extracting(FakeSchemaRegistry.Request::line)
                .as("a negative id is not asked for").containsExactly("GET /schemas/ids/999");
    }

    // ------------------------------------------------------------------------------------------------ body

    @Test
    void everyTruncationIsRefused() {
        for (Map.Entry<Topic, byte[]> base : validValues) {
            byte[] value = base.getValue();
            for (int length = WireFormat.HEADER_SIZE; length < value.length; length++) {
                assertThat(refused(base.getKey(), Arrays.copyOf(value, length)).reason())
                        .isIn(Reason.TRUNCATED_BODY, Reason.DECLARED_LENGTH_TOO_LARGE);
            }
        }
    }

    @Test
    void trailingBytesAreRefused() {
        byte[] value = valid(Topic.FILLS, RecordSamples.fullFill());

        WireFormatException e = refused(Topic.FILLS, concat(value, new byte[] {0}));

        assertThat(e.reason()).isEqualTo(Reason.TRAILING_BYTES);
        assertThat(e).hasMessageContaining("1 bytes left");
    }

    @Test
    void hugeDeclaredLengthsAreRefusedBeforeAllocating() {
        assumeTrue(threadAllocationMeasurable(), "per-thread allocation counting unavailable");
        for (Map.Entry<String, Supplier<byte[]>> bomb : bombs().entrySet()) {
            byte[] value = bomb.getValue().get();
            Topic topic = WireFormat.readSchemaId(value) == ids.get(Topic.STATUS) ? Topic.STATUS : Topic.FILLS;
            refused(topic, value); // warm up: classes, readers
            long allocated = allocatedBy(() -> refused(topic, value));
            assertThat(refused(topic, value).reason()).as(bomb.getKey()).isEqualTo(Reason.DECLARED_LENGTH_TOO_LARGE);
            assertThat(allocated).as(bomb.getKey() + ": bytes allocated").isLessThan(ALLOCATION_BOUND);
        }
    }

    /** Values of under 100 bytes that each declare something of a gigabyte or more. */
    private static Map<String, Supplier<byte[]>> bombs() {
        byte[] fill = valid(Topic.FILLS, RecordSamples.fullFill());
        byte[] status = valid(Topic.STATUS, GatewayStatus.newBuilder(RecordSamples.fullGatewayStatus())
                .setAccounts(List.of("ZQXJ")).build());
        // accounts = ["ZQXJ"]: count 1, length 4, the bytes, end of array
        byte[] accounts = {2, 8, 'Z', 'Q', 'X', 'J', 0};
        // shares = 1.0000000000: length 5, unscaled 10^10 big-endian
        byte[] shares = {10, 0x02, 0x54, 0x0b, (byte) 0xe4, 0x00};
        return Map.of(
                "2 GB execId string", () -> concat(header(Topic.FILLS), avroLong(2_000_000_000L, "0000e0d5")),
                "2^62 execId string", () -> concat(header(Topic.FILLS), avroLong(1L << 62, "0000e0d5")),
                "1e9 accounts", () -> splice(status, accounts, concat(avroLong(1_000_000_000L, ""), Arrays.copyOfRange(accounts, 1, 7))),
                "1e9 accounts in a sized block", () -> splice(status, accounts,
                        concat(avroLong(-1_000_000_000L, ""), avroLong(6, ""), Arrays.copyOfRange(accounts, 1, 7))),
                "1 GB decimal", () -> splice(fill, shares, concat(avroLong(1L << 30, ""), Arrays.copyOfRange(shares, 1, 6))));
    }

    @Test
    void malformedBodies() {
        byte[] fill = valid(Topic.FILLS, RecordSamples.fullFill());
        int unionIndex = WireFormat.HEADER_SIZE + 1 + RecordSamples.fullFill().getExecId().length();
        assertThat(fill[unionIndex]).as("orderRef's union branch: string").isEqualTo((byte) 2);

        byte[] badBranch = fill.clone();
        badBranch[unionIndex] = 14; // branch 7 of a 2-branch union
        byte[] negativeBranch = fill.clone();
        negativeBranch[unionIndex] = 1; // branch -1
        byte[] negativeLength = concat(header(Topic.FILLS), avroLong(-7, "0000e0d5"));
        byte[] overlongVarint = concat(header(Topic.FILLS), new byte[] {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 1});

        for (byte[] value : List.of(badBranch, negativeBranch, negativeLength, overlongVarint)) {
            assertThat(refused(Topic.FILLS, value).reason()).isEqualTo(Reason.MALFORMED_BODY);
        }
    }

    /**
     * Random damage to valid values of every type (flipped bytes, cuts, inserted varints, random bodies): only a
     * record or a WireFormatException comes out, and no single read allocates more than the bound.
     */
    @Test
    void randomDamageEndsInARecordOrAWireFormatException() {
        assumeTrue(threadAllocationMeasurable(), "per-thread allocation counting unavailable");
        Random random = new Random(20250602);
        Map<Reason, Integer> reasons = new EnumMap<>(Reason.class);
        int decoded = 0;
        for (int i = 0; i < 20_000; i++) {
            Map.Entry<Topic, byte[]> base = validValues.get(random.nextInt(validValues.size()));
            Topic topic = base.getKey();
            byte[] value = damage(base.getValue(), random);
            Object[] outcome = new Object[1];
            long allocated = allocatedBy(() -> {
                try {
                    outcome[0] = deserializers.get(topic).deserialize(value);
                } catch (WireFormatException e) {
                    outcome[0] = e;
                } catch (RuntimeException e) {
                    fail("%s value %s threw %s", topic, HexFormat.of().formatHex(value), e);
                }
            });
            if (outcome[0] instanceof WireFormatException e) {
                reasons.merge(e.reason(), 1, Integer::sum);
            } else {
                decoded++;
            }
            assertThat(allocated).as("%s value %s", topic, HexFormat.of().formatHex(value))
                    .isLessThan(ALLOCATION_BOUND + 64L * value.length);
        }
        assertThat(reasons.keySet()).contains(Reason.TRUNCATED_BODY, Reason.DECLARED_LENGTH_TOO_LARGE,
                Reason.MALFORMED_BODY, Reason.TRAILING_BYTES);
        assertThat(decoded).as("some damage leaves a valid value").isPositive();
    }

    /** The header is kept (a damaged id is another test); the body is damaged in one of several ways. */
    private static byte[] damage(byte[] value, Random random) {
        byte[] header = Arrays.copyOf(value, WireFormat.HEADER_SIZE);
        byte[] body = Arrays.copyOfRange(value, WireFormat.HEADER_SIZE, value.length);
        switch (random.nextInt(6)) {
            case 0 -> { // flip a few bytes
                for (int n = 1 + random.nextInt(3); n > 0 && body.length > 0; n--) {
                    body[random.nextInt(body.length)] ^= (byte) (1 << random.nextInt(8));
                }
            }
            case 1 -> body = Arrays.copyOf(body, random.nextInt(body.length + 1)); // cut
            case 2 -> { // overwrite a stretch with a huge or negative varint
                int at = random.nextInt(body.length + 1);
                long declared = random.nextBoolean() ? random.nextLong() : (long) random.nextInt(Integer.MAX_VALUE);
                byte[] varint = avroLong(declared, "");
                body = concat(Arrays.copyOf(body, at), varint,
                        Arrays.copyOfRange(body, Math.min(body.length, at + varint.length), body.length));
            }
            case 3 -> { // random body
                body = new byte[random.nextInt(64)];
                random.nextBytes(body);
            }
            case 4 -> body = concat(body, new byte[] {(byte) random.nextInt()}); // one byte too many
            default -> { // random byte values at random places
                for (int n = 1 + random.nextInt(8); n > 0 && body.length > 0; n--) {
                    body[random.nextInt(body.length)] = (byte) random.nextInt();
                }
            }
        }
        return concat(header, body);
    }

    /** Why the guard exists: Avro's own decoder allocates whatever a value declares. */
    @Test
    void avrosOwnDecoderWouldAllocateWhatTheValueDeclares() {
        assumeTrue(threadAllocationMeasurable(), "per-thread allocation counting unavailable");
        int declared = 64 * 1024 * 1024;
        byte[] value = concat(header(Topic.FILLS), avroLong(declared, "0000e0d5"));
        SpecificDatumReader<Fill> plainReader = new SpecificDatumReader<>(Fill.class);

        long plain = allocatedBy(() -> {
            try {
                plainReader.read(null, DecoderFactory.get().binaryDecoder(value, 5, value.length - 5, null));
                fail("read a 13-byte value declaring 64 MB");
            } catch (java.io.IOException expected) {
                // EOF, after the allocation
            }
        });
        long guarded = allocatedBy(() -> refused(Topic.FILLS, value));

        assertThat(plain).as("Avro's BinaryDecoder").isGreaterThanOrEqualTo(declared);
        assertThat(guarded).as("AvroWireDeserializer").isLessThan(ALLOCATION_BOUND);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static byte[] splice(byte[] value, byte[] find, byte[] replacement) {
        for (int i = WireFormat.HEADER_SIZE; i <= value.length - find.length; i++) {
            if (Arrays.equals(value, i, i + find.length, find, 0, find.length)) {
                return concat(Arrays.copyOf(value, i), replacement, Arrays.copyOfRange(value, i + find.length, value.length));
            }
        }
        throw new IllegalArgumentException("not found: " + HexFormat.of().formatHex(find));
    }

    private static com.sun.management.ThreadMXBean threads() {
        return (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    }

    private static boolean threadAllocationMeasurable() {
        return threads().isThreadAllocatedMemorySupported() && threads().isThreadAllocatedMemoryEnabled();
    }

    private static long allocatedBy(Runnable action) {
        long before = threads().getCurrentThreadAllocatedBytes();
        action.run();
        return threads().getCurrentThreadAllocatedBytes() - before;
    }
}
