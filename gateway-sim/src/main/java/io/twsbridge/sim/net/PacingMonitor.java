package io.twsbridge.sim.net;

import java.util.function.LongSupplier;

/**
 * IB's message pacing as the Gateway enforces it: more than {@code limit} client messages within any one
 * second is a violation (error 100); violations in {@code violationsToDisconnect} consecutive seconds drop the
 * link.
 *
 * <p>Keeps the arrival times of the last {@code limit} messages in a ring, so each check is O(1). Used by one
 * reader thread only.
 */
public final class PacingMonitor {

    /** What a message's arrival means for the link. */
    public enum Verdict { OK, VIOLATION, DISCONNECT }

    private static final long ONE_SECOND_NANOS = 1_000_000_000L;

    private final long[] arrivals;
    private final int violationsToDisconnect;
    private final LongSupplier nanoClock;
    private int next;
    private long count;
    private long currentViolationSecond = Long.MIN_VALUE;
    private int consecutiveViolationSeconds;
    private long violations;

    public PacingMonitor(int limit, int violationsToDisconnect, LongSupplier nanoClock) {
        this.arrivals = new long[limit];
        this.violationsToDisconnect = violationsToDisconnect;
        this.nanoClock = nanoClock;
    }

    /** Records one client message and judges it. */
    public Verdict onMessage() {
        long now = nanoClock.getAsLong();
        long oldest = arrivals[next];
        boolean full = count >= arrivals.length;
        arrivals[next] = now;
        next = (next + 1) % arrivals.length;
        count++;
        if (!full || now - oldest >= ONE_SECOND_NANOS) {
            return Verdict.OK;
        }
        violations++;
        long second = Math.floorDiv(now, ONE_SECOND_NANOS);
        if (second != currentViolationSecond) {
            consecutiveViolationSeconds = second == currentViolationSecond + 1 ? consecutiveViolationSeconds + 1 : 1;
            currentViolationSecond = second;
        }
        return consecutiveViolationSeconds >= violationsToDisconnect ? Verdict.DISCONNECT : Verdict.VIOLATION;
    }

    /** Messages that broke the limit so far. */
    public long violations() {
        return violations;
    }
}
