package io.twsbridge.bridge.gateway.session;

import io.twsbridge.protocol.message.ServerMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds the market-data frames that wait for the event loop; every other frame always gets through.
 *
 * <p>The socket reader hands each frame to the event loop and goes on reading. When the loop falls behind (it
 * blocks while the producer waits for Kafka, or the Gateway sends faster than the bridge can publish) ticks
 * would pile up without end and take the heap. A tick that waits behind tens of thousands of others is stale,
 * and a later one for the same instrument supersedes it, so past {@link #MAX_QUEUED} queued market-data frames
 * new ones are dropped and counted. Order, execution, account and error messages are never dropped: they are
 * rare and each one matters.
 *
 * <p>Thread-safe: {@link #admit} runs on the reader thread, {@link #taken} on the event loop; the reader parses a
 * frame's message id once ({@link #isMarketData}) and carries the answer to both.
 */
final class MarketDataInbox {

    private static final Logger log = LoggerFactory.getLogger(MarketDataInbox.class);

    /** About 8 MiB of queued frames and tasks; at 10,000 ticks/s, five seconds of backlog. */
    static final int MAX_QUEUED = 50_000;

    /** Market-data messages the Gateway streams, the modelled ones and those the session skips alike. */
    private static final int TICK_OPTION_COMPUTATION = 21;
    private static final int TICK_GENERIC = 45;
    private static final int TICK_STRING = 46;
    private static final int TICK_EFP = 47;

    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();

    /**
     * Whether a market-data frame (see {@link #isMarketData}) may be queued for the event loop; false drops it.
     * An admitted frame must be reported {@link #taken} when the loop picks it up. Other frames are not asked
     * about: they always go through.
     */
    boolean admit() {
        if (queued.incrementAndGet() <= MAX_QUEUED) {
            return true;
        }
        queued.decrementAndGet();
        long n = dropped.incrementAndGet();
        if (n == 1 || n % 100_000 == 0) {
            log.warn("the event loop is {} market-data messages behind the Gateway (Kafka slow or unreachable?): "
                    + "{} ticks dropped so far; orders, executions and account messages are never dropped",
                    MAX_QUEUED, n);
        }
        return false;
    }

    /** The event loop took an admitted market-data frame off the queue. */
    void taken() {
        queued.decrementAndGet();
    }

    /** Market-data frames dropped since start. */
    long dropped() {
        return dropped.get();
    }

    /** Market-data frames waiting for the event loop now. */
    int queued() {
        return queued.get();
    }

    /**
     * Reads the message id, field 0, straight from the payload's leading ASCII digits; a payload that does not
     * start with a short number (the server-version reply is one, and never a tick id) is not market data.
     */
    static boolean isMarketData(byte[] payload) {
        int id = 0;
        int i = 0;
        for (; i < payload.length && i < 4 && payload[i] >= '0' && payload[i] <= '9'; i++) {
            id = id * 10 + (payload[i] - '0');
        }
        if (i == 0 || i == 4 || i >= payload.length || payload[i] != 0) {
            return false;
        }
        return switch (id) {
            case ServerMessage.Id.TICK_PRICE, ServerMessage.Id.TICK_SIZE, TICK_OPTION_COMPUTATION, TICK_GENERIC,
                 TICK_STRING, TICK_EFP -> true;
            default -> false;
        };
    }
}
