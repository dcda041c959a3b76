package io.twsbridge.schema.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.twsbridge.schema.Position;
import io.twsbridge.schema.Instrument;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import org.apache.avro.AvroTypeException;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

/** What decimal(38,10) accepts, and what Avro does with a BigDecimal of another scale. */
class DecimalsTest {

    @Test
    void exactKeepsTheAmountAtScaleTen() {
        assertThat(Decimals.exact("0.00012345")).isEqualTo(new BigDecimal("0.0001234500"));
        assertThat(Decimals.exact(new BigDecimal("100"))).isEqualTo(new BigDecimal("100.0000000000"));
        assertThat(Decimals.exact("-3").scale()).isEqualTo(10);
        assertThat(Decimals.exact("999999999999999999999999999.9999999999").precision()).isEqualTo(37);
    }

    @Test
    void exactRefusesToRoundOrOverflow() {
        assertThatThrownBy(() -> Decimals.exact("0.000000000001")).isInstanceOf(ArithmeticException.class);
        assertThatThrownBy(() -> Decimals.exact("1e28")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void doublesAreTakenAtTheirShortestDecimalForm() {
        assertThat(Decimals.fromDouble(0.1)).isEqualTo(new BigDecimal("0.1000000000"));
        assertThat(Decimals.fromDouble(436.65183333333337)).isEqualTo(new BigDecimal("436.6518333333"));
        assertThat(Decimals.rounded(new BigDecimal("0.00000000005"))).isEqualTo(new BigDecimal("0E-10"));
        assertThatThrownBy(() -> Decimals.fromDouble(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Decimals.fromDouble(Double.MAX_VALUE)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void avroWritesOtherScalesOnlyWhenNothingIsLostAndReadsBackScaleTen() throws IOException {
        Position shortScale = position(new BigDecimal("12.5"));
        Position back = roundTrip(shortScale);
        assertThat(back.getQuantity()).isEqualByComparingTo("12.5").isEqualTo(new BigDecimal("12.5000000000"));
        assertThat(back).isNotEqualTo(shortScale);

        assertThatThrownBy(() -> roundTrip(position(new BigDecimal("0.000000000001"))))
                .isInstanceOf(AvroTypeException.class)
                .hasMessageContaining("scale");
        assertThatThrownBy(() -> roundTrip(position(new BigDecimal("1e28"))))
                .isInstanceOf(AvroTypeException.class)
                .hasMessageContaining("precision");

        Position exact = position(Decimals.exact("12.5"));
        assertThat(roundTrip(exact)).isEqualTo(exact);
    }

    private static Position position(BigDecimal quantity) {
        return Position.newBuilder()
                .setAccount("U1234567")
                .setInstrument(Instrument.newBuilder()
                        .setSymbol("ETH")
                        .setSecType("CRYPTO")
                        .setExchange("PAXOS")
                        .setCurrency("USD")
                        .build())
                .setQuantity(quantity)
                .setAverageCost(Decimals.exact("3120.5"))
                .setUpdatedAt(Instant.parse("2025-06-02T14:30:05Z"))
                .build();
    }

    private static Position roundTrip(Position position) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<>(Position.class).write(position, encoder);
        encoder.flush();
        return new SpecificDatumReader<>(Position.class)
                .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
    }
}
