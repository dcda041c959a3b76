package io.twsbridge.bridge.events;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

/** The spellings of execution times Gateways send. */
class ExecutionTimesTest {

    @Test
    void aZoneIdIsUsedWhenGivenIncludingTheOldLinkNames() {
        assertThat(ExecutionTimes.parse("20260715 09:30:00 America/New_York", ZoneOffset.UTC))
                .contains(Instant.parse("2026-07-15T13:30:00Z"));
        assertThat(ExecutionTimes.parse("20261128 09:30:00 US/Eastern", ZoneOffset.UTC))
                .contains(Instant.parse("2026-11-28T14:30:00Z"));
        assertThat(ExecutionTimes.parse("20261128 09:30:00 EST", ZoneOffset.UTC))
                .contains(Instant.parse("2026-11-28T14:30:00Z"));
    }

    @Test
    void withoutAZoneTheCallersZoneApplies() {
        assertThat(ExecutionTimes.parse("20261128  15:30:00", ZoneId.of("Europe/Zurich")))
                .contains(Instant.parse("2026-11-28T14:30:00Z"));
        assertThat(ExecutionTimes.parse("20261128 14:30:00", ZoneOffset.UTC))
                .contains(Instant.parse("2026-11-28T14:30:00Z"));
    }

    @Test
    void theDashedFormIsUtc() {
        assertThat(ExecutionTimes.parse("20261128-14:30:00", ZoneId.of("Asia/Tokyo")))
                .contains(Instant.parse("2026-11-28T14:30:00Z"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "20261128", "2026-11-28T14:30:00Z", "20261128 25:00:00",
            "20261128 09:30:00 Mars/Olympus", "20261128 09:30:00 US/Eastern extra", "yesterday 09:30:00"})
    void anythingElseIsUnreadable(String text) {
        assertThat(ExecutionTimes.parse(text, ZoneOffset.UTC)).isEmpty();
    }
}
