package io.twsbridge.bridge.events;

import io.twsbridge.schema.catalogue.Topic;
import io.twsbridge.schema.support.Decimals;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An {@link EventSink} that keeps what it is given, after proving each record is publishable: of the topic's
 * value class, every decimal at scale 10, and unchanged through Avro binary (what the Kafka serializer writes).
 * So every test that publishes also tests serialization.
 */
final class RecordingSink implements EventSink {

    record Published(Topic topic, String key, SpecificRecord value) {
    }

    private final List<Published> published = new ArrayList<>();
    RuntimeException failNext;

    @Override
    public void publish(Topic topic, String key, SpecificRecord value) {
        if (failNext != null) {
            RuntimeException e = failNext;
            failNext = null;
            throw e;
        }
        assertThat(value.getClass()).as("value class of %s", topic).isEqualTo(topic.valueClass().orElseThrow());
        assertDecimalsAtScale10(value, value.getSchema().getName());
        assertThat(roundTrip(value)).as("%s through Avro binary", value.getSchema().getName()).isEqualTo(value);
        published.add(new Published(topic, key, value));
    }

    List<Published> all() {
        return List.copyOf(published);
    }

    <T extends SpecificRecord> List<T> values(Topic topic, Class<T> type) {
        return published.stream().filter(p -> p.topic() == topic).map(p -> type.cast(p.value())).toList();
    }

    List<String> keys(Topic topic) {
        return published.stream().filter(p -> p.topic() == topic).map(Published::key).toList();
    }

    void clear() {
        published.clear();
    }

    /** Writes {@code record} as Avro binary with its class's own data model (decimal and timestamp conversions) and reads it back. */
    static <T extends SpecificRecord> T roundTrip(T record) {
        @SuppressWarnings("unchecked")
        Class<T> type = (Class<T>) record.getClass();
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            new SpecificDatumWriter<>(type).write(record, encoder);
            encoder.flush();
            return new SpecificDatumReader<>(type).read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void assertDecimalsAtScale10(SpecificRecord record, String path) {
        for (Schema.Field field : record.getSchema().getFields()) {
            Object value = record.get(field.pos());
            if (value instanceof BigDecimal d) {
                assertThat(d.scale()).as("scale of %s.%s (%s)", path, field.name(), d).isEqualTo(Decimals.SCALE);
            } else if (value instanceof SpecificRecord nested) {
                assertDecimalsAtScale10(nested, path + "." + field.name());
            }
        }
    }
}
