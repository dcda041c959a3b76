package io.twsbridge.client.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.apache.avro.Conversions;
import org.apache.avro.Schema;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/** Values as a producer with another version of a schema writes them. */
final class OtherWriters {

    private OtherWriters() {}

    /**
     * A wire-format value with schema id {@code id}, written with {@code writerSchema} from the fields of
     * {@code record} taken by name (fields the record lacks start null), then edited.
     */
    @SafeVarargs
    static byte[] write(int id, String writerSchema, SpecificRecord record, Consumer<GenericRecord>... edits) {
        Schema schema = new Schema.Parser().parse(writerSchema);
        GenericData.Record value = new GenericData.Record(schema);
        for (Schema.Field field : schema.getFields()) {
            Schema.Field own = record.getSchema().getField(field.name());
            value.put(field.pos(), own == null ? null : record.get(own.pos()));
        }
        for (Consumer<GenericRecord> edit : edits) {
            edit.accept(value);
        }
        SpecificData model = new SpecificData();
        model.addLogicalTypeConversion(new Conversions.DecimalConversion());
        model.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(ByteBuffer.allocate(WireFormat.HEADER_SIZE).put(WireFormat.MAGIC_BYTE).putInt(id).array());
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            new SpecificDatumWriter<GenericRecord>(schema, model).write(value, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
