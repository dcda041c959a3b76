package io.twsbridge.client.serde;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.SystemLimitException;
import org.apache.avro.io.Decoder;
import org.apache.avro.util.Utf8;

/**
 * An Avro binary decoder over one byte array that never allocates more than the bytes it was given can justify.
 *
 * <p><b>Why not Avro's {@code BinaryDecoder}.</b> Avro 1.12.1's {@code BinaryDecoder} reads a length and allocates
 * it before looking at the input: a 10-byte value declaring a 2 GB string makes it allocate 2 GB
 * ({@code Utf8.setByteLength}), and an array block declaring 2<sup>31</sup> items makes the datum reader allocate an
 * {@code Object[]} of that size. The only built-in guard, the system properties
 * {@code org.apache.avro.limits.string.maxLength}, {@code ...bytes.maxLength} and
 * {@code ...collectionItems.maxLength}, is read <em>once</em>, when {@code SystemLimitException} is initialised, and
 * is global to the JVM: a library cannot set it reliably (whoever touches Avro first wins), and any limit high
 * enough for legitimate records still lets a tiny hostile value allocate that much on every read.
 *
 * <p><b>The guard.</b> Every length is checked against what actually remains before anything is allocated:
 * <ul>
 *   <li>a string, bytes or fixed longer than the remaining bytes is refused;</li>
 *   <li>an array or map block declaring more items than remaining bytes is refused, because every item takes at
 *       least one byte, unless the writer schema has arrays whose items can encode to zero bytes (null, empty
 *       records); then such blocks are allowed up to {@link #MAX_EMPTY_ITEMS} items in all;</li>
 *   <li>lengths and counts are also passed through Avro's own {@link SystemLimitException} checks, so limits an
 *       operator sets with the properties above still apply.</li>
 * </ul>
 * So a value of n bytes makes the datum reader allocate O(n) memory at most, whatever it declares. Failures are
 * {@link BodyException}s carrying a {@link WireFormatException.Reason}.
 *
 * <p>Stricter than {@code BinaryDecoder} in one more way: a boolean byte other than 0 or 1 is malformed. Not
 * thread-safe; one instance per value.
 */
final class BoundedBinaryDecoder extends Decoder {

    /** Items allowed beyond the payload size when arrays of zero-byte items exist in the writer schema. */
    static final long MAX_EMPTY_ITEMS = 1 << 16;

    private final byte[] buf;
    private final int limit;
    private final boolean arraysMayHoldEmptyItems;
    private int pos;
    private long itemBudget;

    /** A failure of the body, with the reason the deserializer reports. Cheap: no stack trace. */
    static final class BodyException extends IOException {
        private static final long serialVersionUID = 1L;

        final WireFormatException.Reason reason;

        BodyException(WireFormatException.Reason reason, String message) {
            super(message);
            this.reason = reason;
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    /**
     * @param arraysMayHoldEmptyItems {@link #hasArraysOfEmptyItems(Schema)} of the writer schema
     */
    BoundedBinaryDecoder(byte[] buf, int offset, int length, boolean arraysMayHoldEmptyItems) {
        if (offset < 0 || length < 0 || offset > buf.length - length) {
            throw new IndexOutOfBoundsException("offset " + offset + ", length " + length + " of " + buf.length);
        }
        this.buf = buf;
        this.pos = offset;
        this.limit = offset + length;
        this.arraysMayHoldEmptyItems = arraysMayHoldEmptyItems;
        this.itemBudget = length + MAX_EMPTY_ITEMS;
    }

    /** Bytes not read yet. */
    int remaining() {
        return limit - pos;
    }

    // ------------------------------------------------------------------------------------------------ primitives

    @Override
    public void readNull() {
        // zero bytes
    }

    @Override
    public boolean readBoolean() throws IOException {
        need(1, "boolean");
        int b = buf[pos++];
        if (b == 0) {
            return false;
        }
        if (b == 1) {
            return true;
        }
        throw malformed("boolean byte is " + (b & 0xff) + ", not 0 or 1");
    }

    @Override
    public int readInt() throws IOException {
        int result = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            need(1, "int");
            int b = buf[pos++] & 0xff;
            result |= (b & 0x7f) << shift;
            if (b < 0x80) {
                return (result >>> 1) ^ -(result & 1);
            }
        }
        throw malformed("int varint longer than 5 bytes");
    }

    @Override
    public long readLong() throws IOException {
        long result = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            need(1, "long");
            int b = buf[pos++] & 0xff;
            result |= (long) (b & 0x7f) << shift;
            if (b < 0x80) {
                return (result >>> 1) ^ -(result & 1);
            }
        }
        throw malformed("long varint longer than 10 bytes");
    }

    @Override
    public float readFloat() throws IOException {
        need(4, "float");
        int bits = (buf[pos] & 0xff) | (buf[pos + 1] & 0xff) << 8 | (buf[pos + 2] & 0xff) << 16
                | (buf[pos + 3] & 0xff) << 24;
        pos += 4;
        return Float.intBitsToFloat(bits);
    }

    @Override
    public double readDouble() throws IOException {
        need(8, "double");
        long bits = 0;
        for (int i = 7; i >= 0; i--) {
            bits = (bits << 8) | (buf[pos + i] & 0xff);
        }
        pos += 8;
        return Double.longBitsToDouble(bits);
    }

    @Override
    public int readEnum() throws IOException {
        return readInt();
    }

    @Override
    public int readIndex() throws IOException {
        return readInt();
    }

    // ------------------------------------------------------------------------------------------------ length-prefixed

    @Override
    public Utf8 readString(Utf8 old) throws IOException {
        int length = stringLength();
        Utf8 result = old != null ? old : new Utf8();
        result.setByteLength(length);
        System.arraycopy(buf, pos, result.getBytes(), 0, length);
        pos += length;
        return result;
    }

    @Override
    public String readString() throws IOException {
        int length = stringLength();
        String result = new String(buf, pos, length, StandardCharsets.UTF_8);
        pos += length;
        return result;
    }

    @Override
    public void skipString() throws IOException {
        int length = stringLength(); // not "pos += stringLength()": that would add to pos as it was before the length
        pos += length;
    }

    @Override
    public ByteBuffer readBytes(ByteBuffer old) throws IOException {
        int length = bytesLength();
        ByteBuffer result = ByteBuffer.allocate(length);
        result.put(buf, pos, length).flip();
        pos += length;
        return result;
    }

    @Override
    public void skipBytes() throws IOException {
        int length = bytesLength();
        pos += length;
    }

    @Override
    public void readFixed(byte[] bytes, int start, int length) throws IOException {
        need(length, "fixed");
        System.arraycopy(buf, pos, bytes, start, length);
        pos += length;
    }

    @Override
    public void skipFixed(int length) throws IOException {
        need(length, "fixed");
        pos += length;
    }

    private int stringLength() throws IOException {
        long length = declaredLength("string");
        try {
            return SystemLimitException.checkMaxStringLength(length);
        } catch (RuntimeException e) {
            throw tooLarge("string of " + length + " bytes exceeds Avro's configured limit");
        }
    }

    private int bytesLength() throws IOException {
        long length = declaredLength("bytes");
        try {
            return SystemLimitException.checkMaxBytesLength(length);
        } catch (RuntimeException e) {
            throw tooLarge("bytes of " + length + " exceed Avro's configured limit");
        }
    }

    private long declaredLength(String what) throws IOException {
        long length = readLong();
        if (length < 0) {
            throw malformed(what + " length is negative: " + length);
        }
        if (length > remaining()) {
            throw tooLarge(what + " of " + length + " bytes declared, " + remaining() + " bytes left");
        }
        return length;
    }

    // ------------------------------------------------------------------------------------------------ blocks

    @Override
    public long readArrayStart() throws IOException {
        return blockCount(false);
    }

    @Override
    public long arrayNext() throws IOException {
        return blockCount(false);
    }

    @Override
    public long skipArray() throws IOException {
        return skipBlocks(false);
    }

    @Override
    public long readMapStart() throws IOException {
        return blockCount(true);
    }

    @Override
    public long mapNext() throws IOException {
        return blockCount(true);
    }

    @Override
    public long skipMap() throws IOException {
        return skipBlocks(true);
    }

    /** A block's item count; a negative count is followed by the block's size in bytes, which is checked and ignored. */
    private long blockCount(boolean map) throws IOException {
        long count = readLong();
        if (count < 0) {
            count = negatedCount(count);
            blockSize();
        }
        checkCount(count, map);
        return count;
    }

    /** Skips whole blocks while their byte size is known; returns the count of the first block without one, or 0. */
    private long skipBlocks(boolean map) throws IOException {
        while (true) {
            long count = readLong();
            if (count >= 0) {
                checkCount(count, map);
                return count;
            }
            negatedCount(count);
            int size = blockSize();
            pos += size;
        }
    }

    private long negatedCount(long count) throws IOException {
        if (count == Long.MIN_VALUE) {
            throw malformed("block count " + count);
        }
        return -count;
    }

    private int blockSize() throws IOException {
        long size = readLong();
        if (size < 0) {
            throw malformed("block size is negative: " + size);
        }
        if (size > remaining()) {
            throw tooLarge("block of " + size + " bytes declared, " + remaining() + " bytes left");
        }
        return (int) size;
    }

    private void checkCount(long count, boolean map) throws IOException {
        if (count == 0) {
            return;
        }
        // Every map entry has a key (at least one byte); array items do too unless the items can be empty.
        if (count > remaining() && (map || !arraysMayHoldEmptyItems)) {
            throw tooLarge("block of " + count + " items declared, " + remaining() + " bytes left");
        }
        itemBudget -= count;
        if (itemBudget < 0) {
            throw tooLarge("more collection items declared than a value of this size can hold");
        }
        try {
            SystemLimitException.checkMaxCollectionLength(count);
        } catch (RuntimeException e) {
            throw tooLarge("block of " + count + " items exceeds Avro's configured limit");
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private void need(int n, String what) throws IOException {
        if (n > limit - pos) {
            throw new BodyException(WireFormatException.Reason.TRUNCATED_BODY,
                    "body ends inside a " + what + " (" + (limit - pos) + " bytes left, " + n + " needed)");
        }
    }

    private static BodyException malformed(String message) {
        return new BodyException(WireFormatException.Reason.MALFORMED_BODY, message);
    }

    private static BodyException tooLarge(String message) {
        return new BodyException(WireFormatException.Reason.DECLARED_LENGTH_TOO_LARGE, message);
    }

    // ------------------------------------------------------------------------------------------------ schema facts

    /** Whether {@code schema} has an array whose items can encode to zero bytes (null, records of only such fields). */
    static boolean hasArraysOfEmptyItems(Schema schema) {
        return hasArraysOfEmptyItems(schema, Collections.newSetFromMap(new IdentityHashMap<>()));
    }

    private static boolean hasArraysOfEmptyItems(Schema schema, Set<Schema> seen) {
        if (!seen.add(schema)) {
            return false;
        }
        switch (schema.getType()) {
            case ARRAY:
                return minEncodedSize(schema.getElementType(), Collections.newSetFromMap(new IdentityHashMap<>())) == 0
                        || hasArraysOfEmptyItems(schema.getElementType(), seen);
            case MAP:
                return hasArraysOfEmptyItems(schema.getValueType(), seen);
            case UNION:
                return schema.getTypes().stream().anyMatch(t -> hasArraysOfEmptyItems(t, seen));
            case RECORD:
                return schema.getFields().stream().anyMatch(f -> hasArraysOfEmptyItems(f.schema(), seen));
            default:
                return false;
        }
    }

    private static long minEncodedSize(Schema schema, Set<Schema> seen) {
        switch (schema.getType()) {
            case NULL:
                return 0;
            case FLOAT:
                return 4;
            case DOUBLE:
                return 8;
            case FIXED:
                return schema.getFixedSize();
            case RECORD:
                if (!seen.add(schema)) {
                    return 1; // a recursive reference goes through a union or collection: at least one byte
                }
                long sum = 0;
                for (Schema.Field field : schema.getFields()) {
                    sum += minEncodedSize(field.schema(), seen);
                }
                seen.remove(schema);
                return sum;
            default:
                return 1; // boolean, int, long, enum, string, bytes, array, map and union all take a byte at least
        }
    }
}
