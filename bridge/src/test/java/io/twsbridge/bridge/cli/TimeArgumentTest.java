package io.twsbridge.bridge.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The forms of a time an operator types after {@code replay --from} or {@code --until}, or {@code resend --set expiresAt=}. */
class TimeArgumentTest {

    private static final Clock NOW = Clock.fixed(Instant.parse("2026-12-07T12:00:00Z"), ZoneOffset.UTC);

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "2026-12-06T10:31:00Z        | 2026-12-06T10:31:00Z",
            "2026-12-06T10:31:00.250Z    | 2026-12-06T10:31:00.250Z",
            "2026-12-06T10:31+01:00      | 2026-12-06T09:31:00Z",
            "2026-12-06 10:31:05-05:00   | 2026-12-06T15:31:05Z",
            "2026-12-06T10:31            | 2026-12-06T10:31:00Z",
            "2026-12-06 10:31:05         | 2026-12-06T10:31:05Z",
            "2026-12-06 10:31:05.250     | 2026-12-06T10:31:05.250Z",
            "2026-12-06                  | 2026-12-06T00:00:00Z",
            "10:31                       | 2026-12-07T10:31:00Z",
            "9:05:30                     | 2026-12-07T09:05:30Z",
            "15m                         | 2026-12-07T11:45:00Z",
            "2h                          | 2026-12-07T10:00:00Z",
            "1d                          | 2026-12-06T12:00:00Z",
            "90s                         | 2026-12-07T11:58:30Z",
            "PT15M                       | 2026-12-07T11:45:00Z",
            "1796552460000               | 2026-12-06T10:21:00Z"})
    void acceptsTheFormsPeopleType(String typed, String meant) {
        assertThat(TimeArgument.parse(typed, NOW)).isEqualTo(Instant.parse(meant));
    }

    @ParameterizedTest(name = "[{index}] \'{0}\'")
    @ValueSource(strings = {"yesterday", "2026-13-01", "10:61", "2026-12-06T25:00", ""})
    void anythingElseIsRefusedNamingTheValueAndTheForms(String typed) {
        assertThatThrownBy(() -> TimeArgument.parse(typed, NOW)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("'" + typed + "' is not a time").hasMessageContaining("a while ago (15m");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "+15m                        | 2026-12-07T12:15:00Z",
            "+ 2h                        | 2026-12-07T14:00:00Z",
            "+PT90S                      | 2026-12-07T12:01:30Z",
            "2026-12-08T09:00Z           | 2026-12-08T09:00:00Z",
            "15m                         | 2026-12-07T11:45:00Z"})
    void aTimeToComeIsAlsoTypedAsHowLongFromNow(String typed, String meant) {
        assertThat(TimeArgument.parseFuture(typed, NOW)).isEqualTo(Instant.parse(meant));
    }

    @ParameterizedTest(name = "[{index}] \'{0}\'")
    @ValueSource(strings = {"+", "+tomorrow", "+2026-12-08", "+P1Y"})
    void fromNowTakesOnlyADuration(String typed) {
        assertThatThrownBy(() -> TimeArgument.parseFuture(typed, NOW)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'" + typed + "' is not a time from now; give +15m, +2h, +1d or +PT15M");
    }
}
