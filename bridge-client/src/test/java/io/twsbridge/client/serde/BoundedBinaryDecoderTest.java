package io.twsbridge.client.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.twsbridge.client.serde.BoundedBinaryDecoder.BodyException;
import io.twsbridge.client.serde.WireFormatException.Reason;
import io.twsbridge.schema.Command;
import io.twsbridge.schema.GatewayStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.util.Utf8;
import org.junit.jupiter.api.Test;

class BoundedBinaryDecoderTest {

    private static BoundedBinaryDecoder decoder(byte[] bytes) {
        return new BoundedBinaryDecoder(bytes, 0, bytes.length, false);
    }

    private interface Writes {
        void to(BinaryEncoder encoder) throws IOException;
    }

    private static byte[] avro(Writes writes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        writes.to(encoder);
        encoder.flush();
        return out.toByteArray();
    }

    @Test
    void readsWhatAvrosEncoderWrites() throws IOException {
        int[] ints = {0, 1, -1, 63, 64, -64, -65, 8191, 8192, Integer.MAX_VALUE, Integer.MIN_VALUE};
        long[] longs = {0, 1, -1, 1L << 35, -(1L << 35), Long.MAX_VALUE, Long.MIN_VALUE};
        float[] floats = {0f, -0f, 1.5f, Float.NaN, Float.MAX_VALUE, Float.NEGATIVE_INFINITY};
        double[] doubles = {0d, -0d, 4.41, Double.NaN, Double.MIN_VALUE, Double.POSITIVE_INFINITY};
        String[] strings = {"", "AAPL", "bridge-ü-Ω-🚀"};
        byte[] bytes300 = new byte[300];
        for (int i = 0; i < bytes300.length; i++) {
            bytes300[i] = (byte) i;
        }
        byte[] encoded = avro(e -> {
            for (int i : ints) {
                e.writeInt(i);
            }
            for (long l : longs) {
                e.writeLong(l);
            }
            for (float f : floats) {
                e.writeFloat(f);
            }
            for (double d : doubles) {
                e.writeDouble(d);
            }
            e.writeBoolean(true);
            e.writeBoolean(false);
            for (String s : strings) {
                e.writeString(s);
            }
            e.writeBytes(new byte[0]);
            e.writeBytes(bytes300);
            e.writeFixed(new byte[] {7, 8, 9});
            e.writeEnum(2);
            e.writeIndex(1);
            e.writeNull();
        });

        BoundedBinaryDecoder in = decoder(encoded);

        for (int i : ints) {
            assertThat(in.readInt()).isEqualTo(i);
        }
        for (long l : longs) {
            assertThat(in.readLong()).isEqualTo(l);
        }
        for (float f : floats) {
            assertThat(Float.floatToRawIntBits(in.readFloat())).isEqualTo(Float.floatToRawIntBits(f));
        }
        for (double d : doubles) {
            assertThat(Double.doubleToRawLongBits(in.readDouble())).isEqualTo(Double.doubleToRawLongBits(d));
        }
        assertThat(in.readBoolean()).isTrue();
        assertThat(in.readBoolean()).isFalse();
        assertThat(in.readString()).isEqualTo(strings[0]);
        assertThat(in.readString(new Utf8("reused buffer")).toString()).isEqualTo(strings[1]);
        assertThat(in.readString(null).toString()).isEqualTo(strings[2]);
        assertThat(in.readBytes(null).remaining()).isZero();
        ByteBuffer b = in.readBytes(ByteBuffer.allocate(1));
        assertThat(b.remaining()).isEqualTo(300);
        assertThat(b.get(299)).isEqualTo(bytes300[299]);
        byte[] fixed = new byte[3];
        in.readFixed(fixed);
        assertThat(fixed).containsExactly(7, 8, 9);
        assertThat(in.readEnum()).isEqualTo(2);
        assertThat(in.readIndex()).isEqualTo(1);
        in.readNull();
        assertThat(in.remaining()).isZero();
    }

    private static final Schema COLLECTIONS = SchemaBuilder.record("Collections").fields()
            .name("head").type().stringType().noDefault()
            .name("list").type().array().items().stringType().noDefault()
            .name("table").type().map().values().longType().noDefault()
            .name("nested").type().array().items().array().items().intType().noDefault()
            .name("tail").type().stringType().noDefault()
            .endRecord();

    private static final Schema HEAD_AND_TAIL = SchemaBuilder.record("Collections").fields()
            .name("head").type().stringType().noDefault()
            .name("tail").type().stringType().noDefault()
            .endRecord();

    private static GenericRecord collections() {
        GenericData.Record r = new GenericData.Record(COLLECTIONS);
        r.put("head", "h");
        List<String> list = new ArrayList<>();
        Map<String, Long> table = new LinkedHashMap<>();
        List<List<Integer>> nested = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            list.add("item-" + i);
            table.put("k" + i, (long) i * 31);
            nested.add(List.of(i, -i));
        }
        r.put("list", list);
        r.put("table", table);
        r.put("nested", nested);
        r.put("tail", "t");
        return r;
    }

    /** The blocking encoder writes collections in blocks with negative counts and byte sizes: the skippable kind. */
    @Test
    void readsAndSkipsBlockedCollections() throws IOException {
        GenericRecord value = collections();
        for (boolean blocking : new boolean[] {false, true}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder encoder = blocking
                    ? new EncoderFactory().configureBlockSize(1024).blockingBinaryEncoder(out, null)
                    : EncoderFactory.get().binaryEncoder(out, null);
            new GenericDatumWriter<GenericRecord>(COLLECTIONS).write(value, encoder);
            encoder.flush();
            byte[] bytes = out.toByteArray();

            BoundedBinaryDecoder whole = decoder(bytes);
            GenericRecord read = new GenericDatumReader<GenericRecord>(COLLECTIONS).read(null, whole);
            for (String field : List.of("head", "list", "table", "nested", "tail")) {
                assertThat(plain(read.get(field))).as("blocking=" + blocking + " " + field)
                        .isEqualTo(plain(value.get(field)));
            }
            assertThat(whole.remaining()).isZero();

            BoundedBinaryDecoder skipping = decoder(bytes);
            GenericRecord headAndTail = new GenericDatumReader<GenericRecord>(COLLECTIONS, HEAD_AND_TAIL).read(null, skipping);
            assertThat(headAndTail.get("tail")).hasToString("t");
            assertThat(skipping.remaining()).isZero();
        }
    }

    @Test
    void refusesLengthsLargerThanWhatRemainsBeforeAllocating() {
        assertReason(avroLong(2_000_000_000L, "abc"), BoundedBinaryDecoder::readString, Reason.DECLARED_LENGTH_TOO_LARGE);
        assertReason(avroLong(Long.MAX_VALUE, "abc"), d -> d.readString(null), Reason.DECLARED_LENGTH_TOO_LARGE);
        assertReason(avroLong(4, "abc"), BoundedBinaryDecoder::skipString, Reason.DECLARED_LENGTH_TOO_LARGE);
        assertReason(avroLong(1L << 40, ""), d -> d.readBytes(null), Reason.DECLARED_LENGTH_TOO_LARGE);
        assertReason(avroLong(-3, "abc"), BoundedBinaryDecoder::readString, Reason.MALFORMED_BODY);
        assertReason(avroLong(1_000_000_000L, "ab"), BoundedBinaryDecoder::readArrayStart, Reason.DECLARED_LENGTH_TOO_LARGE);
        assertReason(avroLong(3, "ab"), BoundedBinaryDecoder::readMapStart, Reason.DECLARED_LENGTH_TOO_LARGE);
        assertReason(concat(avroLong(-1_000_000_000L, ""), avroLong(2, "ab")), BoundedBinaryDecoder::readArrayStart,
                Reason.DECLARED_LENGTH_TOO_LARGE);
        assertReason(concat(avroLong(-2, ""), avroLong(1_000, "ab")), BoundedBinaryDecoder::skipArray,
                Reason.DECLARED_LENGTH_TOO_LARGE);
        assertReason(concat(avroLong(-2, ""), avroLong(-5, "ab")), BoundedBinaryDecoder::skipMap, Reason.MALFORMED_BODY);
        assertReason(avroLong(Long.MIN_VALUE, ""), BoundedBinaryDecoder::arrayNext, Reason.MALFORMED_BODY);
    }

    @Test
    void refusesMalformedAndTruncatedPrimitives() {
        byte[] elevenContinuations = new byte[11];
        java.util.Arrays.fill(elevenContinuations, (byte) 0xff);
        assertReason(elevenContinuations, BoundedBinaryDecoder::readLong, Reason.MALFORMED_BODY);
        assertReason(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1},
                BoundedBinaryDecoder::readInt, Reason.MALFORMED_BODY);
        assertReason(new byte[] {(byte) 0x80, (byte) 0x80}, BoundedBinaryDecoder::readLong, Reason.TRUNCATED_BODY);
        assertReason(new byte[] {2}, BoundedBinaryDecoder::readBoolean, Reason.MALFORMED_BODY);
        assertReason(new byte[] {1, 2, 3}, BoundedBinaryDecoder::readDouble, Reason.TRUNCATED_BODY);
        assertReason(new byte[] {1, 2, 3}, BoundedBinaryDecoder::readFloat, Reason.TRUNCATED_BODY);
        assertReason(new byte[] {1, 2}, d -> d.readFixed(new byte[3]), Reason.TRUNCATED_BODY);
        assertReason(new byte[] {}, BoundedBinaryDecoder::readIndex, Reason.TRUNCATED_BODY);
    }

    @Test
    void arraysOfZeroByteItemsAreAllowedWithinABudget() throws IOException {
        Schema nulls = SchemaBuilder.record("Nulls").fields()
                .name("items").type().array().items().nullType().noDefault().endRecord();
        assertThat(BoundedBinaryDecoder.hasArraysOfEmptyItems(nulls)).isTrue();
        GenericData.Record value = new GenericData.Record(nulls);
        value.put("items", Collections.nCopies(5_000, null));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(nulls).write(value, encoder);
        encoder.flush();
        byte[] bytes = out.toByteArray();
        assertThat(bytes).hasSizeLessThan(5);

        GenericRecord read = new GenericDatumReader<GenericRecord>(nulls)
                .read(null, new BoundedBinaryDecoder(bytes, 0, bytes.length, true));
        assertThat((List<?>) read.get("items")).hasSize(5_000);

        byte[] bomb = concat(avroLong(1_000_000_000L, ""), new byte[] {0});
        BodyException e = catchThrowableOfType(BodyException.class, () -> new GenericDatumReader<GenericRecord>(nulls)
                .read(null, new BoundedBinaryDecoder(bomb, 0, bomb.length, true)));
        assertThat(e.reason).isEqualTo(Reason.DECLARED_LENGTH_TOO_LARGE);
    }

    @Test
    void knowsWhichSchemasHaveArraysOfZeroByteItems() {
        Schema empty = SchemaBuilder.record("Empty").fields().endRecord();
        Schema oneInt = SchemaBuilder.record("OneInt").fields().requiredInt("x").endRecord();
        Schema emptyFixed = SchemaBuilder.fixed("Nothing").size(0);

        assertThat(BoundedBinaryDecoder.hasArraysOfEmptyItems(Schema.createArray(empty))).isTrue();
        assertThat(BoundedBinaryDecoder.hasArraysOfEmptyItems(Schema.createArray(emptyFixed))).isTrue();
        assertThat(BoundedBinaryDecoder.hasArraysOfEmptyItems(
                Schema.createMap(Schema.createArray(Schema.create(Schema.Type.NULL))))).isTrue();
        assertThat(BoundedBinaryDecoder.hasArraysOfEmptyItems(Schema.createArray(oneInt))).isFalse();
        assertThat(BoundedBinaryDecoder.hasArraysOfEmptyItems(Schema.createMap(Schema.create(Schema.Type.NULL)))).isFalse();
        assertThat(BoundedBinaryDecoder.hasArraysOfEmptyItems(GatewayStatus.getClassSchema())).isFalse();
        assertThat(BoundedBinaryDecoder.hasArraysOfEmptyItems(Command.getClassSchema())).isFalse();
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** Utf8 to String, maps sorted, lists plain: what equality of decoded and original values needs. */
    private static Object plain(Object value) {
        if (value instanceof CharSequence s) {
            return s.toString();
        }
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> sorted = new java.util.TreeMap<>();
            m.forEach((k, v) -> sorted.put(k.toString(), plain(v)));
            return sorted;
        }
        if (value instanceof List<?> l) {
            return l.stream().map(BoundedBinaryDecoderTest::plain).toList();
        }
        return value;
    }

    private interface Read {
        void from(BoundedBinaryDecoder decoder) throws IOException;
    }

    private static void assertReason(byte[] bytes, Read read, Reason reason) {
        BodyException e = catchThrowableOfType(BodyException.class, () -> read.from(decoder(bytes)));
        assertThat(e).as("reading %s", java.util.HexFormat.of().formatHex(bytes)).isNotNull();
        assertThat(e.reason).as(e.getMessage()).isEqualTo(reason);
    }

    /** An Avro long followed by the UTF-8 bytes of {@code rest}. */
    static byte[] avroLong(long value, String rest) {
        try {
            return concat(avro(e -> e.writeLong(value)), rest.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
