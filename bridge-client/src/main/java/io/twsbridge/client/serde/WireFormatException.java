package io.twsbridge.client.serde;

import java.util.Objects;
import org.apache.kafka.common.errors.SerializationException;

/**
 * A record value that is not a readable Confluent-wire-format Avro value for the expected type. The record itself is
 * at fault, so reading it again will fail again: a consumer dead-letters it. Compare
 * {@link SchemaLookupException}, where the registry is at fault and the record may be fine.
 */
public final class WireFormatException extends SerializationException {

    private static final long serialVersionUID = 1L;

    /** Why the value was refused. */
    public enum Reason {
        /** Zero bytes. */
        EMPTY,
        /** Fewer than the 5 header bytes. */
        TOO_SHORT,
        /** The first byte is not {@link WireFormat#MAGIC_BYTE}. */
        WRONG_MAGIC_BYTE,
        /** The header names a schema id the registry does not know. */
        UNKNOWN_SCHEMA_ID,
        /** The registry's schema for the id cannot be used: not Avro, or not parseable. */
        UNUSABLE_WRITER_SCHEMA,
        /** The writer schema cannot be read as the expected type (a record of another topic, say). */
        INCOMPATIBLE_WRITER_SCHEMA,
        /** The body ends before the value does. */
        TRUNCATED_BODY,
        /**
         * The body declares a string, bytes or collection larger than the bytes that remain could hold (or than a
         * limit set through Avro's {@code org.apache.avro.limits.*} properties). Refused before allocating it.
         */
        DECLARED_LENGTH_TOO_LARGE,
        /** The body is not a valid encoding of the writer schema (bad varint, union branch, enum symbol...). */
        MALFORMED_BODY,
        /** The value decoded completely but bytes are left over. */
        TRAILING_BYTES
    }

    private final Reason reason;
    private final int schemaId;

    WireFormatException(Reason reason, int schemaId, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.schemaId = schemaId;
    }

    /** Why the value was refused. */
    public Reason reason() {
        return reason;
    }

    /** The schema id in the header, or -1 when the header was not readable. */
    public int schemaId() {
        return schemaId;
    }
}
