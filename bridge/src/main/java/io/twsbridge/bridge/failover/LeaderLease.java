package io.twsbridge.bridge.failover;

import io.twsbridge.bridge.gateway.transport.LinkPermit;
import io.twsbridge.bridge.kafka.publish.ProducePermit;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The active instance's right to write, to the Gateway and to Kafka, for a bounded time after Kafka last
 * confirmed it. {@link LeaderElector} renews it; the Gateway writer and the publisher ask it before every write.
 *
 * <p>Counted on the monotonic clock from when each confirming request was <em>sent</em>, never from its answer:
 * the coordinator accepted the request after that moment, so its own count runs at least as long as ours. A
 * process paused for longer than the lease (SIGSTOP, a long GC pause, a frozen VM) finds the lease expired on
 * its first instruction after it resumes, because the monotonic clock went on meanwhile.
 *
 * <p>Thread-safe; {@link #refusal()} costs two volatile reads and a clock read.
 */
public final class LeaderLease implements LinkPermit, ProducePermit {

    private final long durationNanos;
    private final LongSupplier nanoTime;
    private volatile boolean held;
    private volatile long expiresAtNanos;
    private volatile String lostBecause = "this instance has not been elected";
    /** When the lease was last revoked; meaningful once {@link #everRevoked}. */
    private long revokedAtNanos;
    private boolean everRevoked;

    /**
     * @param duration how long one confirmation keeps the lease ({@link FailoverSettings#leaseDuration()})
     * @param nanoTime the monotonic clock ({@code System::nanoTime} outside tests)
     */
    public LeaderLease(Duration duration, LongSupplier nanoTime) {
        this.durationNanos = duration.toNanos();
        this.nanoTime = nanoTime;
    }

    /**
     * Kafka confirmed the leadership on a request sent at {@code sentAtNanos}. Ignored when the request was sent
     * before the last {@link #revoke} (or in the same clock tick): its answer confirms a leadership already given
     * up, as when {@link LeaderElector#resign} runs on another thread while a renewal is in flight.
     */
    public synchronized void confirmed(long sentAtNanos) {
        if (everRevoked && sentAtNanos - revokedAtNanos <= 0) {
            return;
        }
        long until = sentAtNanos + durationNanos;
        if (!held || until - expiresAtNanos > 0) {
            expiresAtNanos = until;
        }
        held = true;
    }

    /**
     * Gone at once: revoked, lost, or given up. The first reason since the lease was last held is what
     * {@link #refusal()} says from now on; what follows a revocation (leaving the group, shutting down) does not
     * replace why it happened.
     */
    public synchronized void revoke(String reason) {
        revokedAtNanos = nanoTime.getAsLong();
        everRevoked = true;
        if (held) {
            lostBecause = reason;
        }
        held = false;
    }

    /** Whether this instance may write now. */
    public boolean holds() {
        return held && expiresAtNanos - nanoTime.getAsLong() > 0;
    }

    /** Time left, zero once expired or revoked. */
    public Duration remaining() {
        if (!held) {
            return Duration.ZERO;
        }
        return Duration.ofNanos(Math.max(0, expiresAtNanos - nanoTime.getAsLong()));
    }

    @Override
    public String refusal() {
        if (!held) {
            return "not the active instance: " + lostBecause;
        }
        long overdue = nanoTime.getAsLong() - expiresAtNanos;
        return overdue >= 0 ? "the leader lease expired " + Duration.ofNanos(overdue).toMillis()
                + " ms ago: Kafka has not confirmed this instance's leadership in time, and another may be active"
                : null;
    }
}
