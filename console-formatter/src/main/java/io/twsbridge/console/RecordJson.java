package io.twsbridge.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.avro.Conversions;
import org.apache.avro.Schema;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * One record as one JSON line: key, partition, offset, timestamp, headers and the value, decoded from the Confluent
 * wire format (magic byte 0, a 4-byte schema id, Avro binary) with the writer schema the id names.
 *
 * <p>Every record gets its line. One that does not decode (truncated Avro, an unknown schema id, bytes that are not
 * the wire format: most of a dead-letter topic) is printed with {@code undecodable} saying why and
 * {@code valueBase64} its bytes. Headers are {@code [{"key":…,"value":…}]}, a value that is not UTF-8 as
 * {@code valueBase64}. Decimals keep every digit and their scale; timestamps read as instants.
 */
public final class RecordJson {

    private static final byte MAGIC_BYTE = 0;
    private static final int HEADER_SIZE = 5;
    /** Decimals as numbers and times as instants, so that a person can read the line. */
    private static final GenericData READABLE = new GenericData();

    static {
        READABLE.addLogicalTypeConversion(new Conversions.DecimalConversion());
        READABLE.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
    }

    private final SchemaSource schemas;
    /** Numbers read back with every digit: a decimal must not pass through a double on its way to the line. */
    private final ObjectMapper json = JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES).build();

    public RecordJson(SchemaSource schemas) {
        this.schemas = schemas;
    }

    /** The record's line; never throws for what the record holds. */
    public String line(ConsumerRecord<byte[], byte[]> r) {
        ObjectNode out = json.createObjectNode();
        out.put("key", r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8));
        out.put("partition", r.partition());
        out.put("offset", r.offset());
        out.put("timestamp", Instant.ofEpochMilli(r.timestamp()).toString());
        ArrayNode headers = out.putArray("headers");
        for (Header h : r.headers()) {
            ObjectNode header = headers.addObject().put("key", h.key());
            Optional<String> text = utf8(h.value());
            if (h.value() == null) {
                header.putNull("value");
            } else if (text.isPresent()) {
                header.put("value", text.get());
            } else {
                header.put("valueBase64", Base64.getEncoder().encodeToString(h.value()));
            }
        }
        byte[] value = r.value();
        if (value == null) {
            out.putNull("value");
        } else if (value.length >= HEADER_SIZE && value[0] == MAGIC_BYTE) {
            int id = ByteBuffer.wrap(value, 1, 4).getInt();
            out.put("schemaId", id);
            try {
                Schema schema = schemas.byId(id);
                GenericRecord decoded = new GenericDatumReader<GenericRecord>(schema, schema, READABLE).read(null,
                        DecoderFactory.get().binaryDecoder(value, HEADER_SIZE, value.length - HEADER_SIZE, null));
                out.set("value", json.readTree(READABLE.toString(decoded)));
            } catch (Exception e) {
                out.put("undecodable", e.getClass().getSimpleName() + (e.getMessage() == null ? ""
                        : ": " + e.getMessage()));
                out.put("valueBase64", Base64.getEncoder().encodeToString(value));
            }
        } else {
            out.put("undecodable", "not in the Confluent wire format (no magic byte and schema id)");
            out.put("valueBase64", Base64.getEncoder().encodeToString(value));
        }
        try {
            return json.writeValueAsString(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree of strings and numbers did not print: " + e, e);
        }
    }

    /** The bytes as text when they are valid UTF-8 (JSON escapes any control character); empty otherwise. */
    private static Optional<String> utf8(byte[] bytes) {
        if (bytes == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }
}
