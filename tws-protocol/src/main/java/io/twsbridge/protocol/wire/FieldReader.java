package io.twsbridge.protocol.wire;

import io.twsbridge.protocol.ProtocolException;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A cursor over the NUL-terminated text fields of one frame's payload.
 *
 * <p>Peers encode "unset" in several ways: an empty string, {@code 2147483647} (Integer.MAX_VALUE),
 * {@code 9223372036854775807} (Long.MAX_VALUE) and {@code 1.7976931348623157E308} (Double.MAX_VALUE). The
 * {@code ...OrNull} readers map all of them to {@code null}; the primitive readers map an empty field to zero,
 * as IB's clients do, and keep other values as sent. Every parse failure is a
 * {@link ProtocolException.MalformedField} naming the field's index and text.
 *
 * <p>Numbers are parsed straight from the payload's bytes when the text is plain (an optional {@code -}, digits, an
 * optional fraction and, for doubles only, an exponent of at most three digits) and the result is provably the one the
 * JDK parser would give: ticks arrive at market-data rates, and a {@code String} per field, plus the parsers' own
 * {@code char[]}, was most of what decoding a tick allocated. Any other text ({@code +5}, {@code Infinity},
 * whitespace, more significant digits than a long or a double holds exactly, a malformed field) is handed to the JDK
 * parser as a {@code String} exactly as before, so what is accepted, what is unset and what fails is unchanged.
 *
 * <p>Not thread-safe; one reader per frame.
 */
public final class FieldReader {

    private static final String INT_UNSET = String.valueOf(Integer.MAX_VALUE);
    private static final String LONG_UNSET = String.valueOf(Long.MAX_VALUE);
    private static final String DOUBLE_UNSET = String.valueOf(Double.MAX_VALUE);
    private static final byte[] INT_UNSET_BYTES = INT_UNSET.getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LONG_UNSET_BYTES = LONG_UNSET.getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DOUBLE_UNSET_BYTES = DOUBLE_UNSET.getBytes(StandardCharsets.US_ASCII);

    /** What {@link #plainLong} returns for text it leaves to the JDK; no text of at most 18 digits parses to it. */
    static final long NOT_PLAIN_LONG = Long.MIN_VALUE;
    /** Digits a long always holds: 18 nines are below Long.MAX_VALUE, 19 may not be. */
    private static final int LONG_SAFE_DIGITS = 18;
    /** Digits an int always holds. */
    private static final int INT_SAFE_DIGITS = 9;
    /** Largest unscaled value to which one more digit can be appended without overflowing a long. */
    private static final long UNSCALED_BEFORE_DIGIT_MAX = (Long.MAX_VALUE - 9) / 10;
    /** Every integer up to 2^53 is an exact double; above it, the mantissa would be rounded before scaling. */
    private static final long EXACT_MANTISSA_MAX = 1L << 53;
    /**
     * The powers of ten that are exact doubles: 10^22 = 2^22 * 5^22 and 5^22 < 2^53, while 5^23 is not. Written as
     * literals, which the compiler rounds correctly, rather than computed by repeated multiplication.
     */
    private static final double[] EXACT_POWERS_OF_TEN = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    };

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

    /** The next field as an int; empty is 0. */
    public int int32() {
        int end = nextNul();
        if (position == end) {
            advance(end);
            return 0;
        }
        long value = plainLong(payload, position, end, INT_SAFE_DIGITS);
        if (value == NOT_PLAIN_LONG) {
            return parseInt(string()); // rare: long or odd text, let the JDK parser decide
        }
        advance(end);
        return (int) value;
    }

    /** The next field as an int, or null when it is empty or Integer.MAX_VALUE. */
    public Integer intOrNull() {
        int end = nextNul();
        if (position == end || fieldEquals(INT_UNSET_BYTES, end)) {
            advance(end);
            return null;
        }
        long value = plainLong(payload, position, end, INT_SAFE_DIGITS);
        if (value == NOT_PLAIN_LONG) {
            return parseInt(string());
        }
        advance(end);
        return (int) value;
    }

    /** The next field as a long; empty is 0. */
    public long int64() {
        int end = nextNul();
        if (position == end) {
            advance(end);
            return 0L;
        }
        long value = plainLong(payload, position, end, LONG_SAFE_DIGITS);
        if (value != NOT_PLAIN_LONG) {
            advance(end);
            return value;
        }
        String text = string();
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw malformedText(text, "an integer", e);
        }
    }

    /** The next field as a double; empty is 0.0. */
    public double float64() {
        int end = nextNul();
        if (position == end) {
            advance(end);
            return 0.0;
        }
        double value = plainDouble(payload, position, end);
        if (!Double.isNaN(value)) {
            advance(end);
            return value;
        }
        return parseDouble(string());
    }

    /** The next field as a double, or null when it is empty or Double.MAX_VALUE. */
    public Double doubleOrNull() {
        int end = nextNul();
        if (position == end) {
            advance(end);
            return null;
        }
        // A plain double is below 2^53 * 10^22, so it is never Double.MAX_VALUE: its spellings all take the slow path.
        double value = plainDouble(payload, position, end);
        if (!Double.isNaN(value)) {
            advance(end);
            return value;
        }
        String text = string();
        if (text.equals(DOUBLE_UNSET)) {
            return null;
        }
        double parsed = parseDouble(text);
        return parsed == Double.MAX_VALUE ? null : parsed;
    }

    /** The next field as an exact decimal, or null when it is empty or one of the MAX_VALUE spellings. */
    public BigDecimal decimalOrNull() {
        int end = nextNul();
        // Compared as text, as before: "2147483647" is unset, "02147483647" is a size.
        if (position == end || fieldEquals(INT_UNSET_BYTES, end) || fieldEquals(LONG_UNSET_BYTES, end)
                || fieldEquals(DOUBLE_UNSET_BYTES, end)) {
            advance(end);
            return null;
        }
        BigDecimal value = plainDecimal(payload, position, end);
        if (value != null) {
            advance(end);
            return value;
        }
        String text = string();
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw malformedText(text, "a decimal number", e);
        }
    }

    /** The next field as a boolean: "1" (or any non-zero integer, or "true") is true; empty and "0" are false. */
    public boolean bool() {
        int end = nextNul();
        // Nearly every boolean on the wire is "0", "1" or empty; those need no String.
        if (position == end || (end - position == 1 && payload[position] == '0')) {
            advance(end);
            return false;
        }
        if (end - position == 1 && payload[position] == '1') {
            advance(end);
            return true;
        }
        String text = string();
        if (text.equalsIgnoreCase("true")) {
            return true;
        }
        if (text.equalsIgnoreCase("false")) {
            return false;
        }
        return parseInt(text) != 0;
    }

    /**
     * The text in {@code [start, end)} as a long when it is an optional {@code -} and 1 to {@code maxDigits} ASCII
     * digits, else {@link #NOT_PLAIN_LONG}. With at most 18 digits the value cannot overflow, and it is what
     * {@code Long.parseLong} returns for the same text. {@code start < end}.
     */
    static long plainLong(byte[] bytes, int start, int end, int maxDigits) {
        int i = start;
        boolean negative = bytes[i] == '-';
        if (negative) {
            i++;
        }
        if (i == end || end - i > maxDigits) {
            return NOT_PLAIN_LONG;
        }
        long value = 0;
        for (; i < end; i++) {
            int digit = bytes[i] - '0';
            if (digit < 0 || digit > 9) {
                return NOT_PLAIN_LONG;
            }
            value = value * 10 + digit;
        }
        return negative ? -value : value;
    }

    /**
     * The text in {@code [start, end)} as a double when it is plain decimal text whose value one IEEE operation
     * computes exactly as {@code Double.parseDouble} would, else NaN (which no plain text yields).
     *
     * <p>The text is {@code -? digits* (. digits*)? ([eE] [+-]? d{1,3})?} with at least one mantissa digit. Its value
     * is {@code m * 10^p} with the digits as the integer {@code m}. When {@code m <= 2^53} and {@code |p| <= 22}, both
     * {@code m} and {@code 10^|p|} are exact doubles, and IEEE multiplication and division round the exact result to
     * nearest-even, which is the rounding {@code Double.parseDouble} promises; so the bits are identical. Anything else
     * (17 significant digits, Double.MAX_VALUE, tiny or huge values) is left to the JDK. {@code start < end}.
     */
    static double plainDouble(byte[] bytes, int start, int end) {
        int i = start;
        boolean negative = bytes[i] == '-';
        if (negative) {
            i++;
        }
        long mantissa = 0;
        int digits = 0;
        int fractionDigits = 0;
        boolean point = false;
        for (; i < end; i++) {
            int c = bytes[i];
            if (c >= '0' && c <= '9') {
                mantissa = mantissa * 10 + (c - '0'); // cannot overflow: mantissa <= 2^53 before this digit
                if (mantissa > EXACT_MANTISSA_MAX) {
                    return Double.NaN;
                }
                digits++;
                if (point) {
                    fractionDigits++;
                }
            } else if (c == '.' && !point) {
                point = true;
            } else {
                break;
            }
        }
        if (digits == 0) {
            return Double.NaN;
        }
        int exponent = 0;
        if (i < end) {
            int c = bytes[i++];
            if (c != 'e' && c != 'E') {
                return Double.NaN;
            }
            boolean exponentNegative = false;
            if (i < end && (bytes[i] == '-' || bytes[i] == '+')) {
                exponentNegative = bytes[i] == '-';
                i++;
            }
            if (i == end || end - i > 3) {
                return Double.NaN;
            }
            for (; i < end; i++) {
                int digit = bytes[i] - '0';
                if (digit < 0 || digit > 9) {
                    return Double.NaN;
                }
                exponent = exponent * 10 + digit;
            }
            if (exponentNegative) {
                exponent = -exponent;
            }
        }
        int power = exponent - fractionDigits;
        double value;
        if (power >= 0 && power < EXACT_POWERS_OF_TEN.length) {
            value = mantissa * EXACT_POWERS_OF_TEN[power];
        } else if (power < 0 && -power < EXACT_POWERS_OF_TEN.length) {
            value = mantissa / EXACT_POWERS_OF_TEN[-power];
        } else {
            return Double.NaN;
        }
        return negative ? -value : value; // "-0.0" is -0.0, as Double.parseDouble has it
    }

    /**
     * The text in {@code [start, end)} as a decimal when it is {@code -? digits* (. digits*)?} with at least one digit
     * and its digits fit a long, else null. The unscaled value and the scale (the number of fraction digits) are
     * those {@code new BigDecimal(String)} gives the same text, so the two are {@code equals}, scale included.
     * {@code start < end}.
     */
    static BigDecimal plainDecimal(byte[] bytes, int start, int end) {
        int i = start;
        boolean negative = bytes[i] == '-';
        if (negative) {
            i++;
        }
        long unscaled = 0;
        int digits = 0;
        int scale = 0;
        boolean point = false;
        for (; i < end; i++) {
            int c = bytes[i];
            if (c >= '0' && c <= '9') {
                if (unscaled > UNSCALED_BEFORE_DIGIT_MAX) {
                    return null;
                }
                unscaled = unscaled * 10 + (c - '0');
                digits++;
                if (point) {
                    scale++;
                }
            } else if (c == '.' && !point) {
                point = true;
            } else {
                return null;
            }
        }
        if (digits == 0) {
            return null;
        }
        return BigDecimal.valueOf(negative ? -unscaled : unscaled, scale);
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

    /** True when the current field, ending at {@code end}, is exactly {@code text}. */
    private boolean fieldEquals(byte[] text, int end) {
        return Arrays.equals(payload, position, end, text, 0, text.length);
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
