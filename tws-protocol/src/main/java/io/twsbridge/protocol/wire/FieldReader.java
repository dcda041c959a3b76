package io.twsbridge.protocol.wire;

import io.twsbridge.protocol.ProtocolException;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

/**
 * A cursor over the NUL-terminated text fields of one frame's payload.
 *
 * <p>Peers encode "unset" in several ways: an empty string, {@code 2147483647} (Integer.MAX_VALUE),
 * {@code 9223372036854775807} (Long.MAX_VALUE) and {@code 1.7976931348623157E308} (Double.MAX_VALUE). The
 * {@code ...OrNull} readers map all of them to {@code null}; the primitive readers map an empty field to zero,
 * as IB's clients do, and keep other values as sent. Every parse failure is a
 * {@link ProtocolException.MalformedField} naming the field's index and text.
 *
 * <p>Not thread-safe; one reader per frame.
 */
public final class FieldReader {

    private static final String INT_UNSET = String.valueOf(Integer.MAX_VALUE);
    private static final String LONG_UNSET = String.valueOf(Long.MAX_VALUE);
    private static final String DOUBLE_UNSET = String.valueOf(Double.MAX_VALUE);

    private final byte[] payload;
    private int position;
    private int fieldIndex;

    private FieldReader(byte[] payload) {
        this.payload = payload;
    }

    /**
     * A reader over {@code payload}, which must end with the NUL of its last field.
     *
     * @throws ProtocolException.TruncatedMessage when the payload is empty or lacks its final NUL
     */
    public static FieldReader of(byte[] payload) {
        if (payload.length == 0) {
            throw new ProtocolException.TruncatedMessage("empty frame");
        }
        if (payload[payload.length - 1] != 0) {
            throw new ProtocolException.TruncatedMessage("frame does not end with a NUL after its last field");
        }
        return new FieldReader(payload);
    }

    /** Index of the next field to be read, 0-based. */
    public int fieldIndex() {
        return fieldIndex;
    }

    /** True while at least one more field can be read. */
    public boolean hasMore() {
        return position < payload.length;
    }

    /** Number of fields not read yet. */
    public int remaining() {
        int count = 0;
        for (int i = position; i < payload.length; i++) {
            if (payload[i] == 0) {
                count++;
            }
        }
        return count;
    }

    /** The next field's raw text. */
    public String string() {
        int end = nextNul();
        String text = new String(payload, position, end - position, StandardCharsets.UTF_8);
        advance(end);
        return text;
    }

    /** Skips {@code count} fields. */
    public void skip(int count) {
        for (int i = 0; i < count; i++) {
            advance(nextNul());
        }
    }

    /** The next field as an int; empty is 0. Parsed straight from the bytes: the tick path reads many of these. */
    public int int32() {
        int end = nextNul();
        int i = position;
        if (i == end) {
            advance(end);
            return 0;
        }
        boolean negative = payload[i] == '-';
        if (negative) {
            i++;
        }
        if (i == end || end - i > 9) {
            return parseInt(string()); // rare: long or odd text, let the JDK parser decide
        }
        int value = 0;
        for (; i < end; i++) {
            int digit = payload[i] - '0';
            if (digit < 0 || digit > 9) {
                return parseInt(string());
            }
            value = value * 10 + digit;
        }
        advance(end);
        return negative ? -value : value;
    }

    /** The next field as an int, or null when it is empty or Integer.MAX_VALUE. */
    public Integer intOrNull() {
        String text = string();
        if (text.isEmpty() || text.equals(INT_UNSET)) {
            return null;
        }
        return parseInt(text);
    }

    /** The next field as a long; empty is 0. */
    public long int64() {
        String text = string();
        if (text.isEmpty()) {
            return 0L;
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw malformedText(text, "an integer", e);
        }
    }

    /** The next field as a double; empty is 0.0. */
    public double float64() {
        String text = string();
        if (text.isEmpty()) {
            return 0.0;
        }
        return parseDouble(text);
    }

    /** The next field as a double, or null when it is empty or Double.MAX_VALUE. */
    public Double doubleOrNull() {
        String text = string();
        if (text.isEmpty() || text.equals(DOUBLE_UNSET)) {
            return null;
        }
        double value = parseDouble(text);
        return value == Double.MAX_VALUE ? null : value;
    }

    /** The next field as an exact decimal, or null when it is empty or one of the MAX_VALUE spellings. */
    public BigDecimal decimalOrNull() {
        String text = string();
        if (text.isEmpty() || text.equals(INT_UNSET) || text.equals(LONG_UNSET) || text.equals(DOUBLE_UNSET)) {
            return null;
        }
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw malformedText(text, "a decimal number", e);
        }
    }

    /** The next field as a boolean: "1" (or any non-zero integer, or "true") is true; empty and "0" are false. */
    public boolean bool() {
        String text = string();
        if (text.isEmpty() || text.equals("0")) {
            return false;
        }
        if (text.equals("1") || text.equalsIgnoreCase("true")) {
            return true;
        }
        if (text.equalsIgnoreCase("false")) {
            return false;
        }
        return parseInt(text) != 0;
    }



    private int parseInt(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw malformedText(text, "an integer", e);
        }
    }

    private double parseDouble(String text) {
        try {
            double value = Double.parseDouble(text);
            if (text.indexOf('x') >= 0 || text.indexOf('X') >= 0 || text.endsWith("d") || text.endsWith("D")
                    || text.endsWith("f") || text.endsWith("F")) {
                // Java's parser accepts hex floats and type suffixes; no TWS peer sends those.
                throw new NumberFormatException("not a plain decimal");
            }
            return value;
        } catch (NumberFormatException e) {
            throw malformedText(text, "a number", e);
        }
    }

    private int nextNul() {
        if (position >= payload.length) {
            throw new ProtocolException.TruncatedMessage(
                    "message ended before field " + fieldIndex + " (it has " + fieldIndex + " fields)");
        }
        int i = position;
        while (payload[i] != 0) {
            i++;
        }
        return i;
    }

    private void advance(int nulIndex) {
        position = nulIndex + 1;
        fieldIndex++;
    }


    private ProtocolException.MalformedField malformedText(String text, String expected, Throwable cause) {
        String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
        String message = "field " + (fieldIndex - 1) + " is not " + expected + ": '" + shown + "'";
        return cause == null ? new ProtocolException.MalformedField(message)
                : new ProtocolException.MalformedField(message, cause);
    }
}
