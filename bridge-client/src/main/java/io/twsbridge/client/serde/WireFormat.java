package io.twsbridge.client.serde;

/**
 * The Confluent wire format of a record value: one magic byte {@code 0}, the schema id as a 4-byte big-endian
 * integer, then the Avro binary encoding of the value with that schema. Keys are plain UTF-8 strings and do not use
 * it.
 *
 * <pre>
 *   offset 0   1         5
 *          +---+---------+---------------------------+
 *          | 0 | id (BE) | Avro binary body          |
 *          +---+---------+---------------------------+
 * </pre>
 */
public final class WireFormat {

    /** The first byte of every value in this format. */
    public static final byte MAGIC_BYTE = 0;
    /** Magic byte and schema id. */
    public static final int HEADER_SIZE = 5;

    private WireFormat() {}

    /** Writes the magic byte and {@code schemaId} into {@code target[offset .. offset+5)}. */
    public static void writeHeader(byte[] target, int offset, int schemaId) {
        target[offset] = MAGIC_BYTE;
        target[offset + 1] = (byte) (schemaId >>> 24);
        target[offset + 2] = (byte) (schemaId >>> 16);
        target[offset + 3] = (byte) (schemaId >>> 8);
        target[offset + 4] = (byte) schemaId;
    }

    /** The schema id of a value whose header has been checked to be present. */
    public static int readSchemaId(byte[] value) {
        return ((value[1] & 0xff) << 24) | ((value[2] & 0xff) << 16) | ((value[3] & 0xff) << 8) | (value[4] & 0xff);
    }
}
