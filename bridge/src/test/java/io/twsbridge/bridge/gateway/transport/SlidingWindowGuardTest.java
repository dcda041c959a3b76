package io.twsbridge.bridge.gateway.transport;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The hard pacing cap, with a driven clock: never more than the limit in any sliding second. */
class SlidingWindowGuardTest {

    private long now = 5_000_000_000L;
    private final List<Long> waits = new ArrayList<>();
    private final SlidingWindowGuard guard = new SlidingWindowGuard(48, () -> now, nanos -> {
        waits.add(nanos);
        now += nanos;
    });

    @Test
    void aBurstUpToTheLimitGoesAtOnce() throws InterruptedException {
        for (int i = 0; i < 48; i++) {
            guard.acquire();
        }
        assertThat(waits).isEmpty();
    }

    @Test
    void theNextMessageWaitsUntilTheOldestIsASecondOld() throws InterruptedException {
        for (int i = 0; i < 48; i++) {
            guard.acquire();
            now += 1_000_000; // 1 ms apart
        }
        guard.acquire();
        // the first went at t0, now is t0 + 48 ms: the 49th waits 952 ms
        assertThat(waits).containsExactly(952_000_000L);
    }

    @Test
    void noSlidingSecondEverHoldsMoreThanTheLimit() throws InterruptedException {
        List<Long> sent = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            guard.acquire();
            sent.add(now);
            now += (i % 7 == 0) ? 40_000_000 : 100_000; // bursts and pauses
        }
        for (int i = 48; i < sent.size(); i++) {
            assertThat(sent.get(i) - sent.get(i - 48)).as("message %d vs %d", i, i - 48)
                    .isGreaterThanOrEqualTo(1_000_000_000L);
        }
    }
}
