package io.twsbridge.bridge.gateway.transport;

import java.util.function.LongSupplier;

/**
 * The hard cap behind the rate limiter: never more than {@code limit} messages in any sliding second, which is
 * how the Gateway measures its pacing rule.
 *
 * <p>Why both: the Resilience4j rate limiter sets an even pace (45 a second by default), but the handshake's
 * requests skip the pace, so in a connection's first second the two together could exceed the limit. This guard
 * removes that edge: it remembers the send times of the last {@code limit} messages and holds a message until
 * the oldest of them is a second old.
 *
 * <p>Used by the writer thread only.
 */
final class SlidingWindowGuard {

    /** Waits for the given number of nanoseconds; the writer parks, tests advance a clock. */
    interface Waiter {
        void waitNanos(long nanos) throws InterruptedException;
    }

    private static final long WINDOW_NANOS = 1_000_000_000L;

    private final long[] sendTimes;
    private final LongSupplier nanoClock;
    private final Waiter waiter;
    private int next;
    private long sent;

    SlidingWindowGuard(int limit, LongSupplier nanoClock, Waiter waiter) {
        this.sendTimes = new long[limit];
        this.nanoClock = nanoClock;
        this.waiter = waiter;
    }

    /** Blocks until one more message fits in the window, then records it as sent. */
    void acquire() throws InterruptedException {
        if (sent >= sendTimes.length) {
            long oldest = sendTimes[next];
            long wait;
            while ((wait = oldest + WINDOW_NANOS - nanoClock.getAsLong()) > 0) {
                waiter.waitNanos(wait);
            }
        }
        sendTimes[next] = nanoClock.getAsLong();
        next = (next + 1) % sendTimes.length;
        sent++;
    }
}
