package io.twsbridge.sim;

import io.twsbridge.sim.net.ClientConnection;
import io.twsbridge.sim.net.ConnectionState;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A Gateway that accepts clients and loses them again: while this lasts, every connection is closed {@code upFor}
 * after it was accepted (zero: at once, before any handshake can finish). Started with
 * {@link GatewaySimulator#startFlapping}; {@link #close()} ends it, and connections then stay up.
 *
 * <p>It also counts what a test of a client's reconnect discipline needs: connections accepted and dropped while
 * it lasted, and the most connections the simulator held at once at any accept.
 */
public final class Flapping implements AutoCloseable {

    private final Duration upFor;
    private final ScheduledExecutorService scheduler;
    private final Consumer<Flapping> onClose;
    private final List<ScheduledFuture<?>> pending = new CopyOnWriteArrayList<>();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicInteger maxLive = new AtomicInteger();
    private volatile boolean closed;

    Flapping(Duration upFor, ScheduledExecutorService scheduler, Consumer<Flapping> onClose) {
        if (upFor.isNegative()) {
            throw new IllegalArgumentException("upFor must not be negative: " + upFor);
        }
        this.upFor = upFor;
        this.scheduler = scheduler;
        this.onClose = onClose;
    }

    /** How long each connection lives. */
    public Duration upFor() {
        return upFor;
    }

    /** Connections accepted while flapping. */
    public long accepted() {
        return accepted.get();
    }

    /** Connections this flapping closed. */
    public long dropped() {
        return dropped.get();
    }

    /** The most connections the simulator held at once, counted at every accept while flapping (the new one included). */
    public int maxLiveAtAccept() {
        return maxLive.get();
    }

    /** Ends the flapping: no more drops, also of connections already scheduled for one. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        pending.forEach(f -> f.cancel(false));
        onClose.accept(this);
    }

    /** A connection that was open when the flapping began: it gets its {@code upFor} from now. */
    void adopt(ClientConnection connection) {
        scheduleDrop(connection);
    }

    /**
     * A connection accepted while flapping, before it starts; {@code live} counts every connection the simulator
     * holds, it included. False when it was dropped at once ({@code upFor} zero): it must not be started, or its
     * first reply could race the drop and the client would see a handshake this flapping promised to refuse.
     */
    boolean accepted(ClientConnection connection, int live) {
        accepted.incrementAndGet();
        maxLive.accumulateAndGet(live, Math::max);
        if (upFor.isZero() && !closed) {
            dropped.incrementAndGet();
            connection.close("flapping: dropped at accept");
            return false;
        }
        scheduleDrop(connection);
        return true;
    }

    private void scheduleDrop(ClientConnection connection) {
        if (closed) {
            return;
        }
        pending.removeIf(ScheduledFuture::isDone);
        pending.add(scheduler.schedule(() -> {
            if (!closed && connection.state() != ConnectionState.CLOSED) {
                dropped.incrementAndGet();
                connection.close("flapping: dropped " + upFor.toMillis() + " ms after it was accepted");
            }
        }, upFor.toNanos(), TimeUnit.NANOSECONDS));
    }
}
