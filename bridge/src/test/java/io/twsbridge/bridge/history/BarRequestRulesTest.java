package io.twsbridge.bridge.history;

import io.twsbridge.schema.BarSize;
import io.twsbridge.schema.WhatToShow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class BarRequestRulesTest {

    @ParameterizedTest(name = "{0} of {1} is allowed: {2}")
    @CsvSource({
            // each row of IB's step table, at both ends of its range and just outside
            "60 S, SEC_1, true", "60 S, MIN_1, true", "60 S, MIN_2, false",
            "120 S, MIN_2, true", "120 S, MIN_3, false",
            "1800 S, SEC_1, true", "1800 S, MIN_30, true", "1800 S, HOUR_1, false",
            "3600 S, SEC_1, false", "3600 S, SEC_5, true", "3600 S, HOUR_1, true",
            "14400 S, SEC_5, false", "14400 S, SEC_10, true", "14400 S, HOUR_3, true", "14400 S, HOUR_4, false",
            "28800 S, SEC_15, false", "28800 S, SEC_30, true", "28800 S, HOUR_8, true",
            "1 D, SEC_30, false", "1 D, MIN_1, true", "1 D, MIN_5, true", "1 D, DAY_1, true", "1 D, WEEK_1, false",
            "2 D, MIN_1, false", "2 D, MIN_2, true",
            "1 W, MIN_2, false", "1 W, MIN_3, true", "1 W, HOUR_1, true", "1 W, WEEK_1, true",
            "1 M, MIN_20, false", "1 M, MIN_30, true", "1 M, MONTH_1, true",
            "1 Y, HOUR_8, false", "1 Y, DAY_1, true", "1 Y, MONTH_1, true",
            // between rows the stricter (next longer) row applies; beyond a year the last
            "5 D, MIN_2, false", "5 D, MIN_3, true", "300 S, SEC_1, true", "300 S, MIN_30, true",
            "5 Y, DAY_1, true", "5 Y, HOUR_1, false", "300 S, HOUR_1, false"})
    void theStepTableDecidesWhichBarSizesADurationAllows(String duration, BarSize barSize, boolean allowed) {
        assertThat(BarRequestRules.problem(duration, barSize, WhatToShow.TRADES).isEmpty()).isEqualTo(allowed);
    }

    @Test
    void aRefusalNamesTheSizesTheDurationAllows() {
        assertThat(BarRequestRules.problem("1 Y", BarSize.MIN_5, WhatToShow.TRADES)).get().asString()
                .contains("1 Y").contains("1 day to 1 month").contains("not 5 mins");
    }

    @ParameterizedTest(name = "duration ''{0}'' is not IB's form")
    @CsvSource(value = {"1D", "1 d", "0 D", "-1 D", "1 H", "1  D", "' 1 D'", "1.5 D", "'1 D '", "99999999999 S", "NULL"},
            nullValues = "NULL")
    void aDurationMustBeAnIntegerASpaceAndAUnit(String duration) {
        assertThat(BarRequestRules.problem(duration, BarSize.DAY_1, WhatToShow.TRADES)).get().asString()
                .contains("duration must be an integer, a space and S, D, W, M or Y");
    }

    @Test
    void unknownEnumsAreRefused() {
        assertThat(BarRequestRules.problem("1 D", BarSize.UNKNOWN, WhatToShow.TRADES)).get().asString()
                .contains("barSize");
        assertThat(BarRequestRules.problem("1 D", BarSize.MIN_5, WhatToShow.UNKNOWN)).get().asString()
                .contains("whatToShow");
    }

    @Test
    void everyBarSizeHasIbsSpellingAndOnlyBarsOfThirtySecondsOrLessAreSmall() {
        assertThat(BarRequestRules.wireText(BarSize.SEC_1)).isEqualTo("1 secs");
        assertThat(BarRequestRules.wireText(BarSize.MIN_1)).isEqualTo("1 min");
        assertThat(BarRequestRules.wireText(BarSize.MIN_2)).isEqualTo("2 mins");
        assertThat(BarRequestRules.wireText(BarSize.HOUR_1)).isEqualTo("1 hour");
        assertThat(BarRequestRules.wireText(BarSize.MONTH_1)).isEqualTo("1 month");
        for (BarSize b : BarSize.values()) {
            if (b != BarSize.UNKNOWN) {
                assertThat(BarRequestRules.wireText(b)).isNotBlank();
            }
        }
        assertThat(BarRequestRules.isSmall(BarSize.SEC_30)).isTrue();
        assertThat(BarRequestRules.isSmall(BarSize.MIN_1)).isFalse();
    }
}
