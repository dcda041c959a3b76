package io.twsbridge.protocol.message;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The bar date forms of the protocol fact sheet (§7.2, "The bar date field"), each read into a day or an instant. */
class BarTimeTest {

    private static final ZoneId ZURICH = ZoneId.of("Europe/Zurich");

    @Test
    void eightDigitsAreADayWhateverFormatDateWasAsked() {
        assertThat(BarTime.parse("20261127", ZURICH)).isEqualTo(new BarTime.Day(LocalDate.of(2026, 11, 27)));
        assertThat(BarTime.parse("20240229", null)).isEqualTo(new BarTime.Day(LocalDate.of(2024, 2, 29)));
    }

    @Test
    void formatDateTwoIsEpochSeconds() {
        assertThat(BarTime.parse("1795853100", null))
                .isEqualTo(new BarTime.Moment(Instant.parse("2026-11-28T08:05:00Z")));
    }

    @ParameterizedTest(name = "''{0}'' is {1}")
    @CsvSource({
            "20250102 09:30:00 US/Eastern, 2025-01-02T14:30:00Z",    // winter: UTC-5
            "20250702 09:30:00 US/Eastern, 2025-07-02T13:30:00Z",    // summer: UTC-4
            "20250102 09:30:00 America/Chicago, 2025-01-02T15:30:00Z",
            "20250102 09:30:00 EST, 2025-01-02T14:30:00Z",           // a short id, fixed at UTC-5
            "20250102-14:30:00, 2025-01-02T14:30:00Z",               // the protocol's UTC spelling
            "20250102  09:30:00, 2025-01-02T08:30:00Z",              // older Gateways: two spaces, the Gateway's zone
            "20250102 09:30:00, 2025-01-02T08:30:00Z"})
    void formatDateOneIsADateTimeInItsZone(String text, String instant) {
        assertThat(BarTime.parse(text, ZURICH)).isEqualTo(new BarTime.Moment(Instant.parse(instant)));
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"", "   ", "abc", "2025010", "20251302", "20250132", "20250102 9:30:00 US/Eastern",
            "20250102 09:30 US/Eastern", "20250102 25:00:00 US/Eastern", "20250102 09:30:00 Mars/Olympus",
            "20250102T09:30:00", "finished-20250101-20250102"})
    void anythingElseIsATypedError(String text) {
        assertThatThrownBy(() -> BarTime.parse(text, ZURICH)).isInstanceOf(DateTimeException.class);
    }

    @Test
    void aTimeWithoutAZoneNeedsOneFromTheCaller() {
        assertThatThrownBy(() -> BarTime.parse("20250102  09:30:00", null))
                .isInstanceOf(DateTimeException.class).hasMessageContaining("names no zone");
        assertThat(BarTime.parse("20250102 09:30:00 US/Eastern", null))
                .isEqualTo(new BarTime.Moment(Instant.parse("2025-01-02T14:30:00Z")));
    }

    @Test
    void aBarReadsItsOwnStart() {
        HistoricalBar bar = new HistoricalBar("20250102 09:30:00 US/Eastern", 1, 2, 0.5, 1.5, BigDecimal.TEN,
                BigDecimal.ONE, 3);
        assertThat(bar.start(ZURICH)).isEqualTo(new BarTime.Moment(Instant.parse("2025-01-02T14:30:00Z")));
    }
}
