package io.twsbridge.client.serde;

import io.twsbridge.client.registry.SchemaRegistryClient;
import io.twsbridge.schema.catalogue.Topic;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.Conversion;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serializes generated Avro records into the Confluent wire format ({@link WireFormat}) under the subject
 * {@code <topic>-value}.
 *
 * <p><b>Never calls the registry.</b> The schema id comes from the {@link SchemaRegistryClient}'s cache, which
 * the writer fills before its first record (the bridge at start-up for every topic, through
 * {@link SchemaRegistryClient#register}). A record whose schema was not
 * registered under the topic's subject fails with {@link UnregisteredSchemaException}. The first record of a
 * (topic, schema) pair looks its id up in that cache once; after that the id, the header and the datum writer are
 * found by the topic and the identity of the generated class's schema object, without rendering the schema.
 *
 * <p><b>Threading.</b> Thread-safe and lock-free on the hot path: each calling thread reuses its own output buffer
 * and Avro encoder (a thread-local) and writes decimals without Avro's per-value temporaries ({@link DecimalWriter}),
 * so a Quote costs little beyond the returned array; datum writers are shared, which Avro allows. A buffer that grew
 * past {@value #MAX_RETAINED_BUFFER} bytes for an unusually large record is dropped after use rather than kept.
 *
 * <p>A null record serializes to null (a tombstone on compacted topics). Also usable as a Kafka {@link Serializer}
 * and, through {@link #serialize(String, SpecificRecord)}, as a method reference wherever a
 * {@code (topic, record) -> bytes} function is wanted.
 */
public final class AvroWireSerializer implements Serializer<SpecificRecord> {

    static final int INITIAL_BUFFER = 512;
    static final int MAX_RETAINED_BUFFER = 1 << 20;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private final SchemaRegistryClient registry;
    private final ConcurrentMap<BindingKey, Binding> bindings = new ConcurrentHashMap<>();

    public AvroWireSerializer(SchemaRegistryClient registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /**
     * The value bytes of {@code record} for {@code topic}.
     *
     * @throws UnregisteredSchemaException when the record's schema has no id under {@code <topic>-value}
     * @throws SerializationException      when the record does not fit its schema (a missing required field, a
     *                                     decimal that needs rounding to scale 10)
     */
    @Override
    public byte[] serialize(String topic, SpecificRecord record) {
        if (record == null) {
            return null;
        }
        Schema schema = record.getSchema();
        Binding binding = bindings.get(new BindingKey(topic, schema));
        if (binding == null) {
            binding = bind(topic, schema, record);
        }
        Scratch scratch = SCRATCH.get();
        Buffer out = scratch.buffer;
        try {
            out.reset();
            out.write(binding.header, 0, WireFormat.HEADER_SIZE);
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, scratch.encoder);
            scratch.encoder = encoder;
            binding.writer.write(record, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot serialize " + schema.getFullName() + " for topic " + topic
                    + ": " + e.getMessage(), e);
        } finally {
            if (out.capacity() > MAX_RETAINED_BUFFER) {
                scratch.buffer = new Buffer(INITIAL_BUFFER);
            }
        }
    }

    private Binding bind(String topic, Schema schema, SpecificRecord record) {
        Objects.requireNonNull(topic, "topic");
        String subject = topic + Topic.VALUE_SUBJECT_SUFFIX;
        OptionalInt id = registry.cachedId(subject, schema);
        if (id.isEmpty()) {
            throw new UnregisteredSchemaException(topic, subject, schema.getFullName());
        }
        byte[] header = new byte[WireFormat.HEADER_SIZE];
        WireFormat.writeHeader(header, 0, id.getAsInt());
        // The generated class's own model carries its logical-type conversions (decimal, timestamp-millis).
        SpecificData model = SpecificData.getForClass(record.getClass());
        Binding binding = new Binding(header, new DecimalWriter(schema, model));
        Binding previous = bindings.putIfAbsent(new BindingKey(topic, schema), binding);
        return previous != null ? previous : binding;
    }

    /** Topic plus the schema object itself: generated classes hand out one schema instance, so identity is exact. */
    private record BindingKey(String topic, Schema schema) {
        @Override
        public boolean equals(Object o) {
            return o instanceof BindingKey k && k.schema == schema && k.topic.equals(topic);
        }

        @Override
        public int hashCode() {
            return topic.hashCode() * 31 + System.identityHashCode(schema);
        }
    }

    private record Binding(byte[] header, DatumWriter<SpecificRecord> writer) {}

    private static final class Scratch {
        Buffer buffer = new Buffer(INITIAL_BUFFER);
        BinaryEncoder encoder;
        /** The bytes of one decimal, consumed by the encoder before the next decimal is converted. */
        final ByteBuffer decimal = ByteBuffer.allocate(Long.BYTES);

        /** {@code value} as {@code BigInteger.valueOf(value).toByteArray()} has it, in {@link #decimal}. */
        ByteBuffer twosComplement(long value) {
            // toByteArray's length: the bit length without the sign, plus one sign bit, in whole bytes.
            int bitLength = Long.SIZE - Long.numberOfLeadingZeros(value < 0 ? ~value : value);
            int length = bitLength / 8 + 1;
            decimal.clear();
            for (int shift = (length - 1) * Byte.SIZE; shift >= 0; shift -= Byte.SIZE) {
                decimal.put((byte) (value >>> shift));
            }
            return decimal.flip();
        }
    }

    /**
     * Writes a {@code bytes} decimal whose unscaled value fits a long from the calling thread's scratch buffer.
     * Avro's {@code DecimalConversion} builds a {@code BigInteger}, its byte array and a {@code ByteBuffer} for
     * every decimal, about 140 B each and most of what serializing a Quote (four decimals) allocated. The bytes
     * written are the same: the unscaled value in big-endian two's complement, as short as
     * {@code BigInteger.toByteArray} makes it.
     *
     * <p>Only a plain {@code BigDecimal} already at the schema's scale and within its precision (and within 18
     * digits) takes this path; that is exactly the case in which Avro's conversion neither rescales nor rejects.
     * Everything else, including any value Avro would fail on, goes through Avro's own conversion unchanged.
     */
    static final class DecimalWriter extends SpecificDatumWriter<SpecificRecord> {

        /** Digits of an unscaled value that always fit a long. */
        private static final int LONG_DIGITS = 18;

        DecimalWriter(Schema schema, SpecificData model) {
            super(schema, model);
        }

        @Override
        protected <T> Object convert(Schema schema, LogicalType logicalType, Conversion<T> conversion, Object datum) {
            if (conversion != null && conversion.getClass() == Conversions.DecimalConversion.class
                    && schema.getType() == Schema.Type.BYTES
                    && logicalType instanceof LogicalTypes.Decimal decimal
                    && datum != null && datum.getClass() == BigDecimal.class) {
                BigDecimal value = (BigDecimal) datum;
                if (value.scale() == decimal.getScale()
                        && value.precision() <= Math.min(decimal.getPrecision(), LONG_DIGITS)) {
                    // At scale 0 the value is its unscaled value, and longValueExact reads it without the
                    // BigInteger that unscaledValue() would build.
                    long unscaled = value.movePointRight(value.scale()).longValueExact();
                    // Safe to reuse: the caller writes the returned bytes before converting the next value.
                    return SCRATCH.get().twosComplement(unscaled);
                }
            }
            return super.convert(schema, logicalType, conversion, datum);
        }
    }

    /** An unsynchronised growable byte array (ByteArrayOutputStream locks on every write). */
    static final class Buffer extends OutputStream {
        private byte[] bytes;
        private int count;

        Buffer(int capacity) {
            bytes = new byte[capacity];
        }

        void reset() {
            count = 0;
        }

        int capacity() {
            return bytes.length;
        }

        byte[] toByteArray() {
            return Arrays.copyOf(bytes, count);
        }

        @Override
        public void write(int b) {
            ensure(1);
            bytes[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            Objects.checkFromIndexSize(off, len, b.length);
            ensure(len);
            System.arraycopy(b, off, bytes, count, len);
            count += len;
        }

        private void ensure(int more) {
            if (more > bytes.length - count) {
                int needed = Math.addExact(count, more);
                bytes = Arrays.copyOf(bytes, Math.max(needed, bytes.length * 2));
            }
        }
    }
}
