package io.twsbridge.bridge.app.config;

import io.twsbridge.bridge.app.config.Values.InvalidValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ValuesTest {

    @ParameterizedTest
    @CsvSource({
            "PT5S, 5000",
            "pt5s, 5000",
            "PT0.2S, 200",
            "PT10M, 600000",
            "P1D, 86400000",
            "5s, 5000",
            "5 s, 5000",
            "200ms, 200",
            "200MS, 200",
            "10m, 600000",
            "10min, 600000",
            "2h, 7200000",
            "1d, 86400000",
            "0, 0",
            "0s, 0",
            "-5s, -5000",
    })
    void durationsInIsoAndSimpleForms(String text, long millis) throws InvalidValue {
        assertThat(Values.duration(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5", "5x", "s", "five seconds", "PT", "P5", "1.5s", "10 minutes"})
    void durationsThatDoNotParse(String text) {
        assertThatThrownBy(() -> Values.duration(text)).isInstanceOf(InvalidValue.class)
                .hasMessageContaining("duration");
    }

    @Test
    void durationsAreWrittenInTheShortestSimpleForm() {
        assertThat(Values.format(Duration.ZERO)).isEqualTo("0");
        assertThat(Values.format(Duration.ofMillis(200))).isEqualTo("200ms");
        assertThat(Values.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(Values.format(Duration.ofSeconds(5))).isEqualTo("5s");
        assertThat(Values.format(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(Values.format(Duration.ofMinutes(10))).isEqualTo("10m");
        assertThat(Values.format(Duration.ofHours(2))).isEqualTo("2h");
        assertThat(Values.format(Duration.ofDays(3))).isEqualTo("3d");
        assertThat(Values.format(Duration.ofNanos(500))).isEqualTo("PT0.0000005S");
    }

    @Test
    void writtenDurationsReadBack() throws InvalidValue {
        for (Duration d : List.of(Duration.ZERO, Duration.ofMillis(7), Duration.ofSeconds(61), Duration.ofMinutes(90),
                Duration.ofHours(25), Duration.ofNanos(1234), Duration.ofSeconds(-5))) {
            assertThat(Values.duration(Values.format(d))).isEqualTo(d);
        }
    }

    @Test
    void sizesInBytesOrBinaryUnits() throws InvalidValue {
        assertThat(Values.size("1048576")).isEqualTo(1_048_576L);
        assertThat(Values.size("512KiB")).isEqualTo(512L * 1024);
        assertThat(Values.size("64 MiB")).isEqualTo(64L * 1024 * 1024);
        assertThat(Values.size("1gib")).isEqualTo(1024L * 1024 * 1024);
        assertThat(Values.formatSize(64L * 1024 * 1024)).isEqualTo("64MiB");
        assertThat(Values.formatSize(1536)).isEqualTo("1536");
        assertThat(Values.formatSize(3L * 1024 * 1024 * 1024)).isEqualTo("3GiB");
        assertThatThrownBy(() -> Values.size("64MB")).isInstanceOf(InvalidValue.class);
        assertThatThrownBy(() -> Values.size("-1")).isInstanceOf(InvalidValue.class);
        assertThatThrownBy(() -> Values.size("99999999999GiB")).hasMessage("is too large");
    }

    @Test
    void listsAreCommaSeparatedTrimmedAndSkipEmptyItems() throws InvalidValue {
        assertThat(Values.list("a, b,,c ")).containsExactly("a", "b", "c");
        assertThat(Values.list("")).isEmpty();
        assertThat(Values.set("AAPL, MSFT, AAPL")).containsExactly("AAPL", "MSFT");
        assertThat(Values.integers("18, 19")).containsExactly(18, 19);
        assertThat(Values.integers("")).isEmpty();
        assertThatThrownBy(() -> Values.integers("18, x")).isInstanceOf(InvalidValue.class)
                .hasMessageContaining("'x' is not one");
        assertThat(Values.join(List.of(1, 2, 3))).isEqualTo("1,2,3");
    }

    @Test
    void scalars() throws InvalidValue {
        assertThat(Values.bool("TRUE")).isTrue();
        assertThat(Values.bool("false")).isFalse();
        assertThatThrownBy(() -> Values.bool("yes")).hasMessage("is not true or false");
        assertThat(Values.integer("-1")).isEqualTo(-1);
        assertThatThrownBy(() -> Values.integer("4002.0")).hasMessage("is not an integer");
        assertThat(Values.decimal("0.25")).isEqualTo(0.25);
        assertThatThrownBy(() -> Values.decimal("NaN")).hasMessage("is not a number");
        assertThat(Values.number("1e3").toPlainString()).isEqualTo("1000");
        assertThatThrownBy(() -> Values.shortInteger("40000")).isInstanceOf(InvalidValue.class);
    }

    @Test
    void suggestionsAreCloseKeysOnly() {
        List<String> keys = List.of("gateway.host", "gateway.port", "http.host");
        assertThat(Suggestions.closest("gatway.host", keys)).contains("gateway.host");
        assertThat(Suggestions.closest("GATEWAY.PORT", keys)).contains("gateway.port");
        assertThat(Suggestions.closest("http.hots", keys)).contains("http.host");
        assertThat(Suggestions.closest("something.else", keys)).isEmpty();
    }
}
