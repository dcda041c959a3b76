package io.twsbridge.protocol.wire;

import io.twsbridge.protocol.ProtocolException;
import io.twsbridge.protocol.codec.ServerMessageCodec;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.protocol.message.ServerMessage.TickPrice;
import io.twsbridge.protocol.message.ServerMessage.TickSize;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The number readers parse plain text straight from the bytes and hand everything else to the JDK parsers. Both
 * paths must give exactly what the reader gave when it built a {@code String} for every field: the same value (bit
 * for bit for doubles, scale included for decimals), the same unset spellings and the same
 * {@link ProtocolException.MalformedField} message. {@link Reference} spells out that earlier behaviour on the
 * field's text, and every input here is read by every reader and compared with it.
 */
class FieldReaderNumbersTest {

    private static final long SEED = 20261129L;

    /** Spellings the peers use, edge values of each type, and text the JDK accepts that the fast paths must not. */
    private static final List<String> EDGE_TEXTS = List.of(
            "", "0", "-0", "00", "0.0", "-0.0", "0.", ".0", ".", "-", "-.", "+", "+0", "+5", "--5", "5-",
            "1", "-1", "7", "10", "189.42", "-189.42", "0.01", "0.1", "0.2", "0.3", "1234567.5", "0.00012345",
            "300", "00012", "-00012.500", "5.", ".5", "-.5", "1.2.3", "..5", "1,5", " 5", "5 ", "\t5",
            "2147483647", "02147483647", "+2147483647", "2147483648", "-2147483648", "-2147483649", "999999999",
            "1000000000", "-999999999",
            "9223372036854775807", "09223372036854775807", "9223372036854775808", "-9223372036854775808",
            "-9223372036854775809", "999999999999999999", "1000000000000000000", "-999999999999999999",
            "1.7976931348623157E308", "1.7976931348623157e308", "1.7976931348623158E308", "1.8E308", "-1.7976931348623157E308",
            "4.9E-324", "2.2250738585072014E-308", "2.2250738585072011E-308",
            "Infinity", "-Infinity", "+Infinity", "NaN", "-NaN", "infinity", "inf",
            "9007199254740992", "9007199254740993", "9007199254740991", "-9007199254740993", "9007199254740992.0",
            "900719925474099.3", "0.9007199254740993", "9007199254740992e22", "9007199254740993e22",
            "1e22", "1e23", "1e-22", "1e-23", "1E5", "1e+5", "1e-5", "1.0E-5", "1.0E7", "1.5e3", "1.e5", ".5e1",
            "1e", "1e+", "1e-", "e5", ".e5", "1e5.5", "1e1000", "1e0100", "1e-400", "0e999", "0e9999", "1E-0",
            "0x10", "0x1p3", "0X1P3", "5d", "5D", "5f", "5F", "5.0d", "1e5f", "true", "false", "TRUE", "False", "yes",
            "123456789012345678", "1234567890123456789", "12345678901234567890", "0.1234567890123456789",
            "0.30000000000000004", "3.141592653589793", "2.718281828459045", "1.0000000000000002",
            "0.000000000000000000001", "0.0000000000000000000001", "0.00000000000000000000001",
            "100000000000000000000000", "1000000000000000000000000.0",
            "x7!", "twelve", "\u0661\u0662", "\u00e9", "5\u00e9", "\ufffd");

    // ------------------------------------------------------------------------------------------------ the readers

    /** Each reader under test, applied to a reader positioned on the field. */
    private enum Kind {
        INT32(FieldReader::int32, Reference::int32),
        INT_OR_NULL(FieldReader::intOrNull, Reference::intOrNull),
        INT64(FieldReader::int64, Reference::int64),
        FLOAT64(FieldReader::float64, Reference::float64),
        DOUBLE_OR_NULL(FieldReader::doubleOrNull, Reference::doubleOrNull),
        DECIMAL_OR_NULL(FieldReader::decimalOrNull, Reference::decimalOrNull),
        BOOL(FieldReader::bool, Reference::bool);

        final Function<FieldReader, Object> read;
        final Function<String, Object> reference;

        Kind(Function<FieldReader, Object> read, Function<String, Object> reference) {
            this.read = read;
            this.reference = reference;
        }
    }

    /** A parse failure, by its message; two outcomes agree when both fail with the same message. */
    private record Failure(String message) {
    }

    /** A double by its bits, so that -0.0 and 0.0 differ and a NaN equals itself. */
    private record Bits(long bits) {
        static Object of(Object value) {
            return value instanceof Double d ? new Bits(Double.doubleToRawLongBits(d)) : value;
        }
    }

    // ------------------------------------------------------------------------------------------------ tests

    @Test
    void edgeSpellingsReadAsTheyDidThroughAString() {
        for (String text : EDGE_TEXTS) {
            assertEveryReaderAgrees(text);
        }
    }

    @Test
    void randomPlainAndAlmostPlainTextReadsAsItDidThroughAString() {
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < 60_000; i++) {
            assertEveryReaderAgrees(randomNumberText(random));
        }
    }

    @Test
    void doublesAsPeersWriteThemAreBitIdenticalToDoubleParseDouble() {
        SplittableRandom random = new SplittableRandom(SEED + 1);
        int fast = 0;
        int total = 0;
        for (int i = 0; i < 100_000; i++) {
            List<String> texts = List.of(
                    Double.toString(random.nextLong(0, 100_000_000) / 100.0),                  // prices in cents
                    Double.toString(random.nextLong(0, 1_000_000_000) / 10_000.0),             // FX, 4 decimals
                    Double.toString(random.nextDouble() * Math.pow(10, random.nextInt(-12, 30))),
                    Double.toString(Double.longBitsToDouble(random.nextLong())),                // any double at all
                    String.format(Locale.ROOT, "%.2f", random.nextDouble(-1e6, 1e6)),
                    BigDecimal.valueOf(random.nextLong(), random.nextInt(-5, 25)).toString());
            for (String text : texts) {
                total++;
                fast += assertDoubleAgrees(text) ? 1 : 0;
            }
        }
        // The property above is only worth something if most peer-style text really takes the fast path.
        assertThat(fast).as("texts parsed from the bytes, of %d", total).isGreaterThan(total / 2);
    }

    @Test
    void roundingAtTheEdgesOfTheExactRangeMatchesDoubleParseDouble() {
        // Mantissas at and just below 2^53, scaled by every power the fast path takes: here one ulp of error, or a
        // wrong tie break, would show.
        SplittableRandom random = new SplittableRandom(SEED + 2);
        long top = 1L << 53;
        for (int power = -24; power <= 24; power++) {
            for (long m = top - 300; m <= top + 3; m++) {
                assertDoubleAgrees(m + "e" + power);
                assertDoubleAgrees(insertPoint(Long.toString(m), random));
            }
            for (int i = 0; i < 2_000; i++) {
                long m = random.nextLong(1, top + 1);
                assertDoubleAgrees(m + "E" + power);
                assertDoubleAgrees("-" + m + "e" + power);
            }
        }
    }

    @Test
    void decimalsAsPeersWriteThemEqualNewBigDecimalScaleIncluded() {
        SplittableRandom random = new SplittableRandom(SEED + 3);
        for (int i = 0; i < 40_000; i++) {
            BigDecimal small = BigDecimal.valueOf(random.nextLong(-1_000_000_000_000L, 1_000_000_000_000L),
                    random.nextInt(0, 12));
            BigDecimal large = new BigDecimal(new BigInteger(random.nextInt(1, 130), new java.util.Random(random.nextLong())),
                    random.nextInt(0, 30));
            for (String text : List.of(small.toPlainString(), large.toPlainString(), large.negate().toPlainString(),
                    Long.toString(random.nextLong()), Long.toString(random.nextLong(0, 1000)))) {
                assertReaderAgrees(Kind.DECIMAL_OR_NULL, text);
                assertReaderAgrees(Kind.INT64, text);
            }
        }
    }

    @Test
    void plainTextTakesTheFastPathAndTheRestIsLeftToTheJdk() {
        assertThat(fastDouble("189.42")).isEqualTo(189.42);
        assertThat(fastDouble("1.0E-5")).isEqualTo(1.0E-5);
        assertThat(Double.doubleToRawLongBits(fastDouble("-0.0"))).isEqualTo(Double.doubleToRawLongBits(-0.0));
        assertThat(fastDouble("9007199254740992")).isEqualTo(9007199254740992.0);
        for (String jdkOnly : List.of("1.7976931348623157E308", "Infinity", "NaN", "+5", " 5", "9007199254740993",
                "1e23", "1e-23", "1e1000", "5d", "0x10", "1e", "-", ".", "1.2.3")) {
            assertThat(fastDouble(jdkOnly)).as(jdkOnly).isNaN();
        }

        assertThat(fastDecimal("1234567.5")).isEqualTo(new BigDecimal("1234567.5"));
        assertThat(fastDecimal("-0.00")).isEqualTo(new BigDecimal("-0.00"));
        assertThat(fastDecimal("922337203685477580")).isEqualTo(new BigDecimal("922337203685477580"));
        for (String jdkOnly : List.of("9223372036854775807", "99999999999999999999", "1E+3", "+5", "-", ".", "1.2.3")) {
            assertThat(fastDecimal(jdkOnly)).as(jdkOnly).isNull();
        }

        assertThat(fastLong("-123456789012345678", 18)).isEqualTo(-123456789012345678L);
        assertThat(fastLong("1234567890123456789", 18)).isEqualTo(FieldReader.NOT_PLAIN_LONG);
        assertThat(fastLong("+1", 18)).isEqualTo(FieldReader.NOT_PLAIN_LONG);
    }

    @Test
    void aTickDecodesWithoutTextPerField() {
        // Before parsing from the bytes, a tickPrice decode allocated about 288 B and a tickSize about 184 B: a
        // String per number plus the parsers' char[]. Now it is the reader, the record and its BigDecimal (about
        // 104 B and 88 B with compressed oops, even interpreted). The bounds leave room for other object layouts.
        ServerMessageCodec codec = new ServerMessageCodec(178);
        byte[] price = payloadOf(codec, new TickPrice(42, 1, 189.42, new BigDecimal("300"), 3));
        byte[] size = payloadOf(codec, new TickSize(42, 8, new BigDecimal("1234567.5")));
        assertThat(bytesPerDecode(codec, price)).as("B per tickPrice decode").isLessThan(160);
        assertThat(bytesPerDecode(codec, size)).as("B per tickSize decode").isLessThan(136);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static void assertEveryReaderAgrees(String text) {
        for (Kind kind : Kind.values()) {
            assertReaderAgrees(kind, text);
        }
    }

    /** Reads {@code text} as the second field of a frame, so that error messages name field 1. */
    private static void assertReaderAgrees(Kind kind, String text) {
        FieldReader r = FieldReader.of(("lead\0" + text + "\0next\0").getBytes(StandardCharsets.UTF_8));
        assertThat(r.string()).isEqualTo("lead");
        Object actual;
        try {
            actual = Bits.of(kind.read.apply(r));
        } catch (ProtocolException.MalformedField e) {
            actual = new Failure(e.getMessage());
        }
        Object expected = Bits.of(kind.reference.apply(text));
        assertThat(actual).as("%s of '%s'", kind, text).isEqualTo(expected);
        if (expected instanceof BigDecimal d) {
            assertThat(((BigDecimal) actual).scale()).as("scale of '%s'", text).isEqualTo(d.scale());
        }
        // Whatever the outcome, the cursor is past the field, as string() left it.
        assertThat(r.fieldIndex()).isEqualTo(2);
        assertThat(r.string()).isEqualTo("next");
    }

    /** True when the fast path took {@code text}. */
    private static boolean assertDoubleAgrees(String text) {
        assertReaderAgrees(Kind.FLOAT64, text);
        assertReaderAgrees(Kind.DOUBLE_OR_NULL, text);
        double fast = fastDouble(text);
        if (Double.isNaN(fast)) {
            return false;
        }
        assertThat(Double.doubleToRawLongBits(fast)).as("bits of '%s'", text)
                .isEqualTo(Double.doubleToRawLongBits(Double.parseDouble(text)));
        return true;
    }

    private static double fastDouble(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return FieldReader.plainDouble(bytes, 0, bytes.length);
    }

    private static BigDecimal fastDecimal(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return FieldReader.plainDecimal(bytes, 0, bytes.length);
    }

    private static long fastLong(String text, int maxDigits) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return FieldReader.plainLong(bytes, 0, bytes.length, maxDigits);
    }

    /** Number-like text: mostly plain, sometimes with a sign, exponent, leading zeros, many digits or a stray byte. */
    private static String randomNumberText(SplittableRandom random) {
        StringBuilder b = new StringBuilder();
        int sign = random.nextInt(10);
        if (sign < 3) {
            b.append('-');
        } else if (sign == 3) {
            b.append('+');
        }
        if (random.nextInt(5) == 0) {
            b.append("0".repeat(random.nextInt(1, 4)));
        }
        b.append(digits(random, random.nextInt(0, random.nextBoolean() ? 6 : 22)));
        if (random.nextInt(10) < 6) {
            b.append('.').append(digits(random, random.nextInt(0, random.nextBoolean() ? 5 : 26)));
        }
        if (random.nextInt(5) == 0) {
            b.append(random.nextBoolean() ? 'e' : 'E');
            int s = random.nextInt(3);
            b.append(s == 0 ? "" : s == 1 ? "-" : "+");
            b.append(digits(random, random.nextInt(0, 5)));
        }
        if (random.nextInt(20) == 0) {
            String junk = " x.e-+dDfFE0\u00e9";
            b.insert(random.nextInt(b.length() + 1), junk.charAt(random.nextInt(junk.length())));
        }
        return b.toString();
    }

    private static String digits(SplittableRandom random, int count) {
        char[] chars = new char[count];
        for (int i = 0; i < count; i++) {
            chars[i] = (char) ('0' + random.nextInt(10));
        }
        return new String(chars);
    }

    private static String insertPoint(String digits, SplittableRandom random) {
        int at = random.nextInt(digits.length() + 1);
        return digits.substring(0, at) + "." + digits.substring(at);
    }

    private static byte[] payloadOf(ServerMessageCodec codec, ServerMessage message) {
        byte[] frame = codec.encode(message);
        byte[] payload = Arrays.copyOfRange(frame, Frames.LENGTH_PREFIX_BYTES, frame.length);
        assertThat(codec.decode(payload)).isEqualTo(message);
        return payload;
    }

    private static long bytesPerDecode(ServerMessageCodec codec, byte[] payload) {
        int n = 20_000;
        List<ServerMessage> keep = new ArrayList<>(n); // sized up front, so that the loop itself allocates nothing
        for (int i = 0; i < n; i++) {
            keep.add(codec.decode(payload));
        }
        keep.clear();
        long before = allocatedBytes();
        for (int i = 0; i < n; i++) {
            keep.add(codec.decode(payload));
        }
        long after = allocatedBytes();
        assertThat(keep).hasSize(n);
        return (after - before) / n;
    }

    private static long allocatedBytes() {
        java.lang.management.ThreadMXBean bean = java.lang.management.ManagementFactory.getThreadMXBean();
        if (bean instanceof com.sun.management.ThreadMXBean sun) {
            return sun.getThreadAllocatedBytes(Thread.currentThread().getId());
        }
        return 0;
    }

    // ------------------------------------------------------------------------------------------------ reference

    /** The readers as they were when every field became a String first; outcomes are values or {@link Failure}s. */
    private static final class Reference {

        private static final String INT_UNSET = String.valueOf(Integer.MAX_VALUE);
        private static final String LONG_UNSET = String.valueOf(Long.MAX_VALUE);
        private static final String DOUBLE_UNSET = String.valueOf(Double.MAX_VALUE);

        static Object int32(String text) {
            return text.isEmpty() ? (Object) 0 : parseInt(text);
        }

        static Object intOrNull(String text) {
            return text.isEmpty() || text.equals(INT_UNSET) ? null : parseInt(text);
        }

        static Object int64(String text) {
            if (text.isEmpty()) {
                return 0L;
            }
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException e) {
                return failure(text, "an integer");
            }
        }

        static Object float64(String text) {
            return text.isEmpty() ? (Object) 0.0 : parseDouble(text);
        }

        static Object doubleOrNull(String text) {
            if (text.isEmpty() || text.equals(DOUBLE_UNSET)) {
                return null;
            }
            Object value = parseDouble(text);
            return Double.valueOf(Double.MAX_VALUE).equals(value) ? null : value;
        }

        static Object decimalOrNull(String text) {
            if (text.isEmpty() || text.equals(INT_UNSET) || text.equals(LONG_UNSET) || text.equals(DOUBLE_UNSET)) {
                return null;
            }
            try {
                return new BigDecimal(text);
            } catch (NumberFormatException e) {
                return failure(text, "a decimal number");
            }
        }

        static Object bool(String text) {
            if (text.isEmpty() || text.equals("0")) {
                return false;
            }
            if (text.equals("1") || text.equalsIgnoreCase("true")) {
                return true;
            }
            if (text.equalsIgnoreCase("false")) {
                return false;
            }
            Object value = parseInt(text);
            return value instanceof Integer i ? (Object) (i != 0) : value;
        }

        private static Object parseInt(String text) {
            try {
                return Integer.parseInt(text);
            } catch (NumberFormatException e) {
                return failure(text, "an integer");
            }
        }

        private static Object parseDouble(String text) {
            try {
                double value = Double.parseDouble(text);
                if (text.indexOf('x') >= 0 || text.indexOf('X') >= 0 || text.endsWith("d") || text.endsWith("D")
                        || text.endsWith("f") || text.endsWith("F")) {
                    return failure(text, "a number");
                }
                return value;
            } catch (NumberFormatException e) {
                return failure(text, "a number");
            }
        }

        private static Failure failure(String text, String expected) {
            String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
            return new Failure("field 1 is not " + expected + ": '" + shown + "'");
        }
    }
}
