package io.twsbridge.client.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.twsbridge.schema.Fill;
import io.twsbridge.schema.Quote;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/**
 * {@link AvroWireSerializer.DecimalWriter} writes small decimals itself instead of through Avro's
 * {@code DecimalConversion}. Its output must be Avro's, byte for byte, for every decimal, and every decimal Avro
 * rescales or rejects must still be rescaled or rejected by Avro. Both writers serialize the same records here:
 * Quote's decimals are nullable unions (converted through the model), Fill has required decimals too (converted
 * through the record's own conversions).
 */
class DecimalWriterTest {

    private static final long SEED = 20261129L;

    @Test
    void writesWhatAvroWritesForEveryKindOfDecimal() throws IOException {
        for (BigDecimal value : decimals()) {
            assertSameOutcome(Quote.newBuilder(RecordSamples.fullQuote()).setBidSize(value).setVolume(value.negate())
                    .build());
            assertSameOutcome(Fill.newBuilder(RecordSamples.fullFill()).setShares(value).setCommission(value)
                    .setCumulativeQuantity(value.negate()).build());
        }
    }

    @Test
    void valuesAvroRescalesOrRejectsGoThroughAvro() throws IOException {
        // At another scale but exact at 10: Avro rescales them. Needing rounding, or wider than decimal(38,10): Avro
        // rejects them, and so must the serializer, with Avro's exception.
        for (String text : List.of("42", "0.5", "-17.25", "0", "1.00000000001", "1E+30", "1E+28", "-0.00000000001",
                "12345678901234567890123456789", "1234567890123456789012345678")) {
            BigDecimal value = new BigDecimal(text);
            assertSameOutcome(Quote.newBuilder(RecordSamples.fullQuote()).setAskSize(value).build());
            assertSameOutcome(Fill.newBuilder(RecordSamples.fullFill()).setShares(value).build());
        }
    }

    @Test
    void theSamplesWriteAsAvroWritesThem() throws IOException {
        for (Quote quote : RecordSamples.quotes()) {
            assertSameOutcome(quote);
        }
        for (Fill fill : RecordSamples.fills()) {
            assertSameOutcome(fill);
        }
    }

    /** At scale 10, around every byte-length boundary of the unscaled value and both sides of 18 digits. */
    private static List<BigDecimal> decimals() {
        List<BigDecimal> values = new ArrayList<>();
        for (int bits = 0; bits < 64; bits++) {
            for (long delta = -2; delta <= 2; delta++) {
                long unscaled = (1L << bits) + delta;
                values.add(BigDecimal.valueOf(unscaled, 10));
                values.add(BigDecimal.valueOf(-unscaled, 10));
            }
        }
        for (long edge : new long[] {0, 1, -1, 127, 128, -128, -129, 255, 256, -256, -257, 999_999_999_999_999_999L,
                1_000_000_000_000_000_000L, -999_999_999_999_999_999L, Long.MAX_VALUE, Long.MIN_VALUE,
                Long.MIN_VALUE + 1}) {
            values.add(BigDecimal.valueOf(edge, 10));
        }
        values.add(new BigDecimal(BigInteger.TEN.pow(38).subtract(BigInteger.ONE), 10));
        values.add(new BigDecimal(BigInteger.TEN.pow(38).subtract(BigInteger.ONE).negate(), 10));
        values.add(new BigDecimal(BigInteger.valueOf(42), 10)); // built from a BigInteger: intVal kept beside it
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < 5_000; i++) {
            values.add(BigDecimal.valueOf(random.nextLong(), 10));
            values.add(BigDecimal.valueOf(random.nextLong(-1_000_000_000_000L, 1_000_000_000_000L), 10));
            values.add(new BigDecimal(new BigInteger(random.nextInt(1, 126), new Random(random.nextLong())), 10));
        }
        return values;
    }

    private static void assertSameOutcome(SpecificRecord record) throws IOException {
        SpecificData model = SpecificData.getForClass(record.getClass());
        Object avro = outcome(new SpecificDatumWriter<>(record.getSchema(), model), record);
        Object ours = outcome(new AvroWireSerializer.DecimalWriter(record.getSchema(), model), record);
        assertThat(ours).as("%s", record).isEqualTo(avro);
    }

    /** The bytes written, or the exception's class and message. */
    private static Object outcome(DatumWriter<SpecificRecord> writer, SpecificRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            writer.write(record, encoder);
        } catch (RuntimeException e) {
            return e.getClass().getName() + ": " + e.getMessage();
        }
        encoder.flush();
        return Arrays.toString(out.toByteArray());
    }
}
