package io.twsbridge.protocol.wire;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds one frame: a length prefix followed by NUL-terminated text fields.
 *
 * <p>Unset values have two spellings, and both are needed. {@link #doubleOrEmpty}/{@link #intOrEmpty} write an
 * empty field, which every known client reads as unset and which is how IB's own client sends most unset numbers
 * to a Gateway; {@link #doubleMax}/{@link #intMax} write the MAX_VALUE text, which IB's client sends only in a
 * few fields (placeOrder's discretionaryAmt or volatilityType, for example) and a Gateway sends in some replies.
 * Encoders pick the spelling field by field and say why beside the field.
 *
 * <p>Not thread-safe; one writer per frame.
 */
public final class FieldWriter {

    private static final byte[] DOUBLE_MAX_TEXT = String.valueOf(Double.MAX_VALUE).getBytes(StandardCharsets.US_ASCII);
    private static final byte[] INT_MAX_TEXT = String.valueOf(Integer.MAX_VALUE).getBytes(StandardCharsets.US_ASCII);

    private byte[] buffer;
    private int size;
    private int fieldCount;

    public FieldWriter() {
        this(128);
    }

    public FieldWriter(int initialCapacity) {
        buffer = new byte[Math.max(initialCapacity, 16)];
        size = Frames.LENGTH_PREFIX_BYTES;
    }

    /** Number of fields written so far. */
    public int fieldCount() {
        return fieldCount;
    }

    public FieldWriter string(String value) {
        if (value != null && !value.isEmpty()) {
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            ensure(bytes.length + 1);
            System.arraycopy(bytes, 0, buffer, size, bytes.length);
            size += bytes.length;
        }
        return terminate();
    }

    public FieldWriter int32(int value) {
        return ascii(Integer.toString(value));
    }

    public FieldWriter int64(long value) {
        return ascii(Long.toString(value));
    }

    /** An int, or an empty field for null. */
    public FieldWriter intOrEmpty(Integer value) {
        return value == null ? empty() : int32(value);
    }

    /** An int, or Integer.MAX_VALUE for null: the spelling of unset in the fields whose reader expects it. */
    public FieldWriter intMax(Integer value) {
        return value == null ? raw(INT_MAX_TEXT) : int32(value);
    }

    public FieldWriter float64(double value) {
        return ascii(Double.toString(value));
    }

    /** A double, or an empty field for null. */
    public FieldWriter doubleOrEmpty(Double value) {
        return value == null ? empty() : float64(value);
    }

    /** A double, or Double.MAX_VALUE for null: the spelling of unset in the fields whose reader expects it. */
    public FieldWriter doubleMax(Double value) {
        return value == null ? raw(DOUBLE_MAX_TEXT) : float64(value);
    }

    /** An exact decimal in plain notation, or an empty field for null. */
    public FieldWriter decimal(BigDecimal value) {
        return value == null ? empty() : ascii(value.toPlainString());
    }

    /** "1" or "0": clients parse booleans as integers. */
    public FieldWriter bool(boolean value) {
        ensure(2);
        buffer[size++] = (byte) (value ? '1' : '0');
        return terminate();
    }

    public FieldWriter empty() {
        ensure(1);
        return terminate();
    }

    /** The finished frame, length prefix included. The writer must not be used afterwards. */
    public byte[] toFrame() {
        int length = size - Frames.LENGTH_PREFIX_BYTES;
        Frames.checkLength(length);
        buffer[0] = (byte) (length >>> 24);
        buffer[1] = (byte) (length >>> 16);
        buffer[2] = (byte) (length >>> 8);
        buffer[3] = (byte) length;
        return Arrays.copyOf(buffer, size);
    }

    /** The finished payload without its length prefix. */
    public byte[] toPayload() {
        return Arrays.copyOfRange(buffer, Frames.LENGTH_PREFIX_BYTES, size);
    }

    private FieldWriter ascii(String text) {
        int n = text.length();
        ensure(n + 1);
        for (int i = 0; i < n; i++) {
            buffer[size++] = (byte) text.charAt(i);
        }
        return terminate();
    }

    private FieldWriter raw(byte[] bytes) {
        ensure(bytes.length + 1);
        System.arraycopy(bytes, 0, buffer, size, bytes.length);
        size += bytes.length;
        return terminate();
    }

    private FieldWriter terminate() {
        ensure(1); // an empty field writes nothing before its NUL, so this may be the only byte
        buffer[size++] = 0;
        fieldCount++;
        return this;
    }

    private void ensure(int extra) {
        if (size + extra > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, size + extra));
        }
    }
}
