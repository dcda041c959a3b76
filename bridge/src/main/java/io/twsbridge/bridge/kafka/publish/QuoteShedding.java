package io.twsbridge.bridge.kafka.publish;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;

/**
 * Which quotes go to the producer and which are shed. A newer quote of the same instrument supersedes an older
 * one, so quotes give way first: before the producer's buffer fills, so that fills, order updates and command
 * results keep the remaining room, and before the quotes on their way fill the heap.
 *
 * <p>Heap, not only the buffer, bounds the quotes in flight: each one queued or unacknowledged keeps its value and
 * callback on the heap beside the bytes that {@code buffer.memory} counts, so quotes are also shed once
 * {@value #MAX_PENDING_QUOTES} are on their way. At market-data rates a broker outage would otherwise fill a small
 * heap long before the buffer (a 128 MiB bridge at 10,000 quotes/s within seconds).
 *
 * <p>Thread-safe: quotes are admitted on the event loop and settled on the producer's I/O thread.
 */
final class QuoteShedding {

    private static final Logger log = LoggerFactory.getLogger(QuoteShedding.class);
    /** Quotes are shed once less than this share of the producer's buffer is free. */
    private static final double FREE_SHARE = 0.25;
    /**
     * Quotes on their way (queued for the producer or awaiting Kafka's acknowledgement) beyond which new quotes are
     * shed: two seconds at 10,000 quotes/s and ~10 MiB of heap; far above what a healthy broker leaves in flight.
     */
    static final int MAX_PENDING_QUOTES = 20_000;

    private final long bufferBytes;
    /** The producer's free buffer in bytes, NaN while unknown. */
    private final DoubleSupplier bufferAvailableBytes;
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicLong shed = new AtomicLong();

    QuoteShedding(long bufferBytes, DoubleSupplier bufferAvailableBytes) {
        this.bufferBytes = bufferBytes;
        this.bufferAvailableBytes = bufferAvailableBytes;
    }

    /** Whether a new quote goes on its way; if so it counts as pending until {@link #settled()}. */
    boolean admit(boolean publisherClosed) {
        if (pending.get() >= MAX_PENDING_QUOTES || bufferNearlyFull() || publisherClosed) {
            long n = shed.incrementAndGet();
            if (n == 1 || n % 10_000 == 0) {
                log.warn("Kafka unreachable or slow ({} quotes on their way): {} quotes shed so far", pending.get(), n);
            }
            return false;
        }
        pending.incrementAndGet();
        return true;
    }

    /** A quote on its way was acknowledged, failed, or was refused. */
    void settled() {
        pending.decrementAndGet();
    }

    /** Quotes a heal did not send again, since newer ones follow: they count as shed. */
    void droppedByHeal(long quotes) {
        if (quotes > 0) {
            shed.addAndGet(quotes);
        }
    }

    int pending() {
        return pending.get();
    }

    long shed() {
        return shed.get();
    }

    private boolean bufferNearlyFull() {
        return bufferAvailableBytes.getAsDouble() < bufferBytes * FREE_SHARE; // false while NaN
    }
}
