package io.twsbridge.bridge.gateway.session;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class NoticeThrottleTest {

    private static final Instant T0 = Instant.parse("2026-11-28T14:30:00Z");

    @Test
    void eachCodeIsLoggedFirstThenOncePerIntervalWithTheRepeatsItDidNotLog() {
        NoticeThrottle throttle = new NoticeThrottle(Duration.ofMinutes(1));
        assertThat(throttle.admit(2104, T0)).isZero();
        assertThat(throttle.admit(2106, T0)).as("another code has its own entry").isZero();
        for (int i = 0; i < 500; i++) {
            assertThat(throttle.admit(2104, T0.plusMillis(i))).isEqualTo(NoticeThrottle.SUPPRESS);
        }
        assertThat(throttle.admit(2104, T0.plusSeconds(60))).as("a minute later, with the count").isEqualTo(500);
        assertThat(throttle.admit(2104, T0.plusSeconds(61))).isEqualTo(NoticeThrottle.SUPPRESS);
    }

    @Test
    void distinctCodesBeyondTheBoundShareOneEntry() {
        NoticeThrottle throttle = new NoticeThrottle(Duration.ofMinutes(1));
        for (int code = 0; code < NoticeThrottle.MAX_CODES; code++) {
            assertThat(throttle.admit(code, T0)).isZero();
        }
        // A peer inventing codes: the first beyond the bound is logged, the others count as its repeats.
        assertThat(throttle.admit(100_000, T0)).isZero();
        for (int code = 100_001; code < 110_000; code++) {
            assertThat(throttle.admit(code, T0)).isEqualTo(NoticeThrottle.SUPPRESS);
        }
        assertThat(throttle.admit(123_456, T0.plusSeconds(60))).isEqualTo(9_999);
    }
}
