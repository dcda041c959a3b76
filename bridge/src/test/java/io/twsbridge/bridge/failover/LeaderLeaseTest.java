package io.twsbridge.bridge.failover;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lease on a fake monotonic clock: held only after a confirmation, until the confirming request's send time
 * plus the duration and not a nanosecond longer; later confirmations extend it, older ones never shorten it; a
 * revocation ends it at once and the refusal says why.
 */
class LeaderLeaseTest {

    private static final Duration DURATION = Duration.ofSeconds(8);
    private static final long SECOND = 1_000_000_000L;
    private static final long MILLI = 1_000_000L;

    /** Deliberately not zero, so that nothing passes by counting from the clock's origin. */
    private final AtomicLong now = new AtomicLong(5_000 * SECOND);
    private final LeaderLease lease = new LeaderLease(DURATION, now::get);

    @Test
    void notHeldBeforeTheFirstConfirmationAndTheRefusalSaysSo() {
        assertThat(lease.holds()).isFalse();
        assertThat(lease.remaining()).isEqualTo(Duration.ZERO);
        assertThat(lease.refusal()).isEqualTo("not the active instance: this instance has not been elected");

        now.addAndGet(3_600 * SECOND);
        assertThat(lease.holds()).as("time alone grants nothing").isFalse();
    }

    @Test
    void aConfirmationHoldsUntilItsSendTimePlusTheDurationAndNotAtOrAfter() {
        long sentAt = now.get();
        now.addAndGet(300 * MILLI); // the answer came 300 ms after the request left
        lease.confirmed(sentAt);

        assertThat(lease.holds()).isTrue();
        assertThat(lease.refusal()).isNull();
        assertThat(lease.remaining()).as("counted from the send time, not the answer")
                .isEqualTo(DURATION.minusMillis(300));

        now.set(sentAt + DURATION.toNanos() - 1);
        assertThat(lease.holds()).isTrue();
        assertThat(lease.refusal()).isNull();
        assertThat(lease.remaining()).isEqualTo(Duration.ofNanos(1));

        now.set(sentAt + DURATION.toNanos());
        assertThat(lease.holds()).as("at the expiry").isFalse();
        assertThat(lease.remaining()).isEqualTo(Duration.ZERO);
        assertThat(lease.refusal()).startsWith("the leader lease expired 0 ms ago: ")
                .contains("Kafka has not confirmed this instance's leadership in time");

        now.addAndGet(250 * MILLI);
        assertThat(lease.holds()).as("after the expiry").isFalse();
        assertThat(lease.remaining()).isEqualTo(Duration.ZERO);
        assertThat(lease.refusal()).startsWith("the leader lease expired 250 ms ago");
    }

    @Test
    void aLaterConfirmationExtendsTheLeaseAndAnOlderOneNeverShortensIt() {
        long first = now.get();
        lease.confirmed(first);
        now.addAndGet(SECOND);
        long second = now.get();
        lease.confirmed(second);
        assertThat(lease.remaining()).isEqualTo(DURATION);

        // The answer to a request sent before the last confirmed one arrives late.
        now.addAndGet(SECOND);
        lease.confirmed(first);
        assertThat(lease.remaining()).as("still counted from the later request").isEqualTo(DURATION.minusSeconds(1));

        now.set(first + DURATION.toNanos());
        assertThat(lease.holds()).as("past the first confirmation's end, within the second's").isTrue();
        assertThat(lease.remaining()).isEqualTo(Duration.ofSeconds(1));
        now.set(second + DURATION.toNanos());
        assertThat(lease.holds()).isFalse();
    }

    @Test
    void aConfirmationAfterTheLeaseRanOutGrantsItAgain() {
        long first = now.get();
        lease.confirmed(first);
        now.set(first + DURATION.toNanos() + SECOND);
        assertThat(lease.holds()).isFalse();

        long renewed = now.get();
        lease.confirmed(renewed);
        assertThat(lease.holds()).isTrue();
        assertThat(lease.remaining()).isEqualTo(DURATION);
    }

    @Test
    void aRevocationEndsTheLeaseAtOnceAndTheRefusalGivesItsReason() {
        lease.confirmed(now.get());
        now.addAndGet(SECOND);
        assertThat(lease.remaining()).isEqualTo(DURATION.minusSeconds(1));

        lease.revoke("the lease partition was handed to another instance");

        assertThat(lease.holds()).isFalse();
        assertThat(lease.remaining()).as("nothing left, though the time has not run out").isEqualTo(Duration.ZERO);
        assertThat(lease.refusal())
                .isEqualTo("not the active instance: the lease partition was handed to another instance");

        lease.revoke("shutting down");
        assertThat(lease.refusal()).as("what follows a revocation does not replace its reason")
                .isEqualTo("not the active instance: the lease partition was handed to another instance");
    }

    @Test
    void aConfirmationOfARequestSentBeforeTheRevocationDoesNotBringTheLeaseBack() {
        // The elector's thread sends a renewal; meanwhile another thread resigns (the producer was fenced); then the
        // renewal's answer comes back. The leadership it confirms is the one just given up.
        lease.confirmed(now.get());
        long renewalSentAt = now.get();
        now.addAndGet(10 * MILLI);
        lease.revoke("Kafka fenced this instance's producer");
        now.addAndGet(10 * MILLI);
        lease.confirmed(renewalSentAt);

        assertThat(lease.holds()).isFalse();
        assertThat(lease.refusal()).isEqualTo("not the active instance: Kafka fenced this instance's producer");

        // A request sent after the revocation (the instance stood again and won) grants it as before.
        now.addAndGet(SECOND);
        long next = now.get();
        lease.confirmed(next);
        assertThat(lease.holds()).isTrue();
        assertThat(lease.remaining()).isEqualTo(DURATION);
    }

    @Test
    void theMonotonicClockMayWrapAround() {
        AtomicLong nearTheEnd = new AtomicLong(Long.MAX_VALUE - 2 * SECOND);
        LeaderLease wrapping = new LeaderLease(DURATION, nearTheEnd::get);
        long sentAt = nearTheEnd.get();
        wrapping.confirmed(sentAt);

        nearTheEnd.addAndGet(5 * SECOND); // overflows past Long.MAX_VALUE
        assertThat(nearTheEnd.get()).isNegative();
        assertThat(wrapping.holds()).isTrue();
        assertThat(wrapping.remaining()).isEqualTo(Duration.ofSeconds(3));

        nearTheEnd.addAndGet(3 * SECOND);
        assertThat(wrapping.holds()).isFalse();
        assertThat(wrapping.refusal()).startsWith("the leader lease expired 0 ms ago");
    }
}
