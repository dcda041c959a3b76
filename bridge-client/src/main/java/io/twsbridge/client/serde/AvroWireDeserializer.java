package io.twsbridge.client.serde;

import io.twsbridge.client.registry.SchemaRegistryClient;
import io.twsbridge.client.registry.SchemaRegistryException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;

import java.io.IOException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Collectors;

/**
 * Reads Confluent-wire-format values ({@link WireFormat}) into one generated record class, resolving the writer
 * schema named by the header against the class's schema, so that values written with older or newer compatible
 * versions of the schema read correctly (added optional fields take their defaults, removed ones are skipped, unknown
 * enum symbols become the enum default).
 *
 * <p><b>Failures are typed.</b> A value that cannot be read throws {@link WireFormatException} with a
 * {@link WireFormatException.Reason}: empty, too short, wrong magic byte, unknown schema id, unusable or incompatible
 * writer schema, truncated or malformed body, a declared length larger than the value, trailing bytes. Those are the
 * record's fault: dead-letter it. When the registry itself fails while fetching a writer schema the exception is a
 * {@link SchemaLookupException} instead: the record may be fine. Both are Kafka {@code SerializationException}s.
 *
 * <p><b>Hostile input.</b> The body is decoded by {@link BoundedBinaryDecoder}, which checks every declared length
 * and item count against the bytes that remain before anything is allocated, so a value of n bytes never makes this
 * class allocate much more than n bytes, whatever it declares.
 *
 * <p><b>Registry calls.</b> A writer schema is fetched once per id (the client caches it; ids registered or looked up
 * by the same client need no call) and its reader is kept. Unknown ids are not remembered, so a flood of values with
 * unknown ids costs one registry call each.
 *
 * <p><b>Threading.</b> Thread-safe. A null value deserializes to null (a tombstone).
 *
 * @param <T> the generated class every value is read as
 */
public final class AvroWireDeserializer<T extends SpecificRecord> implements Deserializer<T> {

    private final Class<T> type;
    private final SchemaRegistryClient registry;
    private final SpecificData model;
    private final Schema readerSchema;
    private final ConcurrentMap<Integer, Resolved<T>> byWriterId = new ConcurrentHashMap<>();

    /** What a writer schema id resolves to: a reader, or a permanent reason it cannot be read as {@code T}. */
    private record Resolved<T>(SpecificDatumReader<T> reader, boolean arraysMayHoldEmptyItems,
                               WireFormatException.Reason failure, String failureMessage) {}

    public AvroWireDeserializer(Class<T> type, SchemaRegistryClient registry) {
        this.type = Objects.requireNonNull(type, "type");
        this.registry = Objects.requireNonNull(registry, "registry");
        // The generated class's own model carries its logical-type conversions (decimal, timestamp-millis).
        this.model = SpecificData.getForClass(type);
        this.readerSchema = model.getSchema(type);
    }

    /** The class values are read as. */
    public Class<T> type() {
        return type;
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        return deserialize(data);
    }

    /**
     * Reads one value.
     *
     * @throws WireFormatException  when the value is not a readable {@code T}
     * @throws SchemaLookupException when the registry failed while fetching the writer schema
     */
    public T deserialize(byte[] data) {
        if (data == null) {
            return null;
        }
        if (data.length == 0) {
            throw new WireFormatException(WireFormatException.Reason.EMPTY, -1, "value has no bytes", null);
        }
        if (data.length < WireFormat.HEADER_SIZE) {
            throw new WireFormatException(WireFormatException.Reason.TOO_SHORT, -1,
                    "value has " + data.length + " bytes, fewer than the " + WireFormat.HEADER_SIZE + "-byte header", null);
        }
        if (data[0] != WireFormat.MAGIC_BYTE) {
            throw new WireFormatException(WireFormatException.Reason.WRONG_MAGIC_BYTE, -1,
                    "first byte is " + (data[0] & 0xff) + ", not the magic byte " + WireFormat.MAGIC_BYTE, null);
        }
        int id = WireFormat.readSchemaId(data);
        Resolved<T> resolved = resolve(id);
        if (resolved.failure() != null) {
            throw new WireFormatException(resolved.failure(), id, resolved.failureMessage(), null);
        }
        BoundedBinaryDecoder in = new BoundedBinaryDecoder(data, WireFormat.HEADER_SIZE,
                data.length - WireFormat.HEADER_SIZE, resolved.arraysMayHoldEmptyItems());
        T value;
        try {
            value = resolved.reader().read(null, in);
        } catch (IOException | RuntimeException e) {
            throw bodyFailure(id, e);
        }
        if (in.remaining() != 0) {
            throw new WireFormatException(WireFormatException.Reason.TRAILING_BYTES, id,
                    in.remaining() + " bytes left after a complete " + type.getSimpleName(), null);
        }
        return value;
    }

    /**
     * Reads a top-level string field of a value with the writer's own schema, without resolving it to {@code T}:
     * for a value that does not fit the reader's contract (a required field written as null, say), the caller
     * can still learn, for example, which command it was. Bounded like {@link #deserialize}; never throws.
     */
    public Optional<String> readWriterStringField(byte[] data, String field) {
        try {
            if (data == null || data.length < WireFormat.HEADER_SIZE || data[0] != WireFormat.MAGIC_BYTE) {
                return Optional.empty();
            }
            Schema writer = registry.schemaById(WireFormat.readSchemaId(data));
            if (writer.getType() != Schema.Type.RECORD || writer.getField(field) == null) {
                return Optional.empty();
            }
            BoundedBinaryDecoder in = new BoundedBinaryDecoder(data, WireFormat.HEADER_SIZE,
                    data.length - WireFormat.HEADER_SIZE, true);
            GenericRecord record =
                    new GenericDatumReader<GenericRecord>(writer)
                            .read(null, in);
            Object value = record.get(field);
            return value instanceof CharSequence cs ? Optional.of(cs.toString()) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private Resolved<T> resolve(int id) {
        Resolved<T> resolved = byWriterId.get(id);
        if (resolved != null) {
            return resolved;
        }
        if (id < 0) {
            // Registries number schemas from 0 or 1; a negative id cannot exist, so do not ask.
            return new Resolved<>(null, false, WireFormatException.Reason.UNKNOWN_SCHEMA_ID, "schema id " + id
                    + " is negative");
        }
        Schema writerSchema;
        try {
            writerSchema = registry.schemaById(id);
        } catch (SchemaRegistryException e) {
            if (e.isNotFound()) {
                // Not remembered: the id could be registered later (a registry restored from backup).
                return new Resolved<>(null, false, WireFormatException.Reason.UNKNOWN_SCHEMA_ID,
                        "the registry knows no schema " + id);
            }
            if (e.kind() == SchemaRegistryException.Kind.UNUSABLE_SCHEMA) {
                return remember(id, new Resolved<>(null, false, WireFormatException.Reason.UNUSABLE_WRITER_SCHEMA,
                        e.registryMessage()));
            }
            throw new SchemaLookupException(id, e);
        }
        return remember(id, readerFor(id, writerSchema));
    }

    private Resolved<T> readerFor(int id, Schema writerSchema) {
        if (!writerSchema.equals(readerSchema)) {
            SchemaCompatibility.SchemaPairCompatibility compatibility =
                    SchemaCompatibility.checkReaderWriterCompatibility(readerSchema, writerSchema);
            if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                String why = compatibility.getResult().getIncompatibilities().stream()
                        .map(i -> i.getType() + " at " + i.getLocation() + ": " + i.getMessage())
                        .collect(Collectors.joining("; "));
                return new Resolved<>(null, false, WireFormatException.Reason.INCOMPATIBLE_WRITER_SCHEMA,
                        "writer schema " + id + " (" + writerSchema.getFullName() + ") cannot be read as "
                                + readerSchema.getFullName() + ": " + why);
            }
        }
        SpecificDatumReader<T> reader = new SpecificDatumReader<>(writerSchema, readerSchema, model);
        return new Resolved<>(reader, BoundedBinaryDecoder.hasArraysOfEmptyItems(writerSchema), null, null);
    }

    private Resolved<T> remember(int id, Resolved<T> resolved) {
        Resolved<T> previous = byWriterId.putIfAbsent(id, resolved);
        return previous != null ? previous : resolved;
    }

    private WireFormatException bodyFailure(int id, Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof BoundedBinaryDecoder.BodyException body) {
                return new WireFormatException(body.reason, id, body.getMessage() + " (" + type.getSimpleName()
                        + ", writer schema " + id + ")", failure == body ? null : failure);
            }
        }
        return new WireFormatException(WireFormatException.Reason.MALFORMED_BODY, id, "body is not a "
                + type.getSimpleName() + " written with schema " + id + ": " + failure, failure);
    }
}
