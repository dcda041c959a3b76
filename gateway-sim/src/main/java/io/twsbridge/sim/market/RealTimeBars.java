package io.twsbridge.sim.market;

import io.twsbridge.protocol.message.ClientMessage.ReqRealTimeBars;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.protocol.message.ServerMessage.ErrorMessage;
import io.twsbridge.sim.net.ClientConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * reqRealTimeBars subscriptions: one realtimeBar per 5 seconds of the simulator's clock, for the bar that just
 * ended, until cancelRealTimeBars.
 *
 * <p>A bar is the instrument's {@link HistoricalBars#realTimeBar 5-second bar} of the price path, ending at the
 * current quote; bars come only while the session asked for (regular hours, or 04:00-20:00) is open. The first bar
 * is the one in progress at the subscription. A worker polls the clock every {@link #POLL}, so a test that moves a
 * driven clock past a boundary gets its bar within that; after a jump of more than a few bars only the last one is
 * sent, as a Gateway does not send bars that were never live.
 *
 * <p>Refusals (420 "Invalid real-time query."): a bar size other than 5, a type other than TRADES, MIDPOINT, BID
 * or ASK, and, when pacing is on, a 61st new subscription in 10 minutes. Threading: subscribe and cancel come from
 * connection reader threads, bars leave from the worker.
 */
public final class RealTimeBars implements AutoCloseable {

    static final Duration POLL = Duration.ofMillis(20);
    private static final Logger log = LoggerFactory.getLogger(RealTimeBars.class);
    private static final Set<String> TYPES = Set.of("TRADES", "MIDPOINT", "BID", "ASK");
    private static final int MAX_CATCH_UP_BARS = 3;
    private static final int NEW_PER_TEN_MINUTES = 60;
    /** IB's error for a real-time bar subscription that a bust event deactivated. */
    public static final int BUST_EVENT = 10225;
    static final String BUST_TEXT = "Bust event occurred, current subscription is deactivated. Please resubscribe "
            + "real-time bars immediately.";

    /** One live subscription. */
    public record Subscription(ClientConnection connection, int reqId, Instrument instrument,
                               HistoricalBars.WhatToShow whatToShow, boolean regularHoursOnly) {
    }

    private record Key(long connectionId, int reqId) {
    }

    private final Market market;
    private final HistoricalBars bars;
    private final Clock clock;
    private final boolean pacing;
    private final BiConsumer<ClientConnection, ServerMessage> sent;
    private final Map<Key, Subscription> subscriptions = new ConcurrentHashMap<>();
    private final Map<Key, Long> nextStart = new ConcurrentHashMap<>();
    private final Deque<Instant> recentNew = new ArrayDeque<>();
    private final Thread worker;
    private volatile boolean running = true;
    private volatile boolean paused;

    /**
     * @param pacing whether IB's limit of 60 new subscriptions in 10 minutes applies
     * @param sent   told of every bar queued for a connection
     */
    public RealTimeBars(Market market, HistoricalBars bars, Clock clock, boolean pacing,
                        BiConsumer<ClientConnection, ServerMessage> sent) {
        this.market = market;
        this.bars = bars;
        this.clock = clock;
        this.pacing = pacing;
        this.sent = sent;
        this.worker = new Thread(this::run, "sim-real-time-bars");
        worker.setDaemon(true);
        worker.start();
    }

    public void subscribe(ClientConnection c, ReqRealTimeBars m, Instrument instrument) {
        String type = m.whatToShow().trim().toUpperCase(Locale.ROOT);
        if (m.barSize() != 5 || !TYPES.contains(type)) {
            c.send(new ErrorMessage(m.reqId(), 420, "Invalid real-time query."));
            return;
        }
        Instant now = clock.instant();
        if (pacing && !admitNew(now)) {
            c.send(new ErrorMessage(m.reqId(), 420, "Invalid real-time query."));
            return;
        }
        Key key = new Key(c.id(), m.reqId());
        nextStart.put(key, Math.floorDiv(now.getEpochSecond(), 5) * 5);
        subscriptions.put(key, new Subscription(c, m.reqId(), instrument, HistoricalBars.WhatToShow.valueOf(type),
                m.useRth()));
    }

    public void cancel(ClientConnection c, int reqId) {
        Key key = new Key(c.id(), reqId);
        subscriptions.remove(key);
        nextStart.remove(key);
    }

    public void forget(ClientConnection c) {
        subscriptions.keySet().removeIf(k -> k.connectionId() == c.id());
        nextStart.keySet().removeIf(k -> k.connectionId() == c.id());
    }

    /** Drops every subscription, as a Gateway restart or "data lost" does. */
    public void clear() {
        subscriptions.clear();
        nextStart.clear();
    }

    /**
     * A bust event: every subscription ends with error 10225 under its request id, as IB deactivates them, and
     * sends no more bars until the client subscribes again. Returns how many ended.
     */
    public int bust() {
        int ended = 0;
        for (Map.Entry<Key, Subscription> e : subscriptions.entrySet()) {
            if (subscriptions.remove(e.getKey(), e.getValue())) {
                nextStart.remove(e.getKey());
                e.getValue().connection().send(new ErrorMessage(e.getValue().reqId(), BUST_EVENT, BUST_TEXT));
                ended++;
            }
        }
        return ended;
    }

    /** While paused (IB connectivity lost) no bars are sent. */
    public void setPaused(boolean paused) {
        this.paused = paused;
    }

    public List<Subscription> subscriptions() {
        return List.copyOf(subscriptions.values());
    }

    @Override
    public void close() {
        running = false;
        worker.interrupt();
        try {
            worker.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized boolean admitNew(Instant now) {
        while (!recentNew.isEmpty() && !recentNew.peekFirst().isAfter(now.minus(Duration.ofMinutes(10)))) {
            recentNew.removeFirst();
        }
        if (recentNew.size() >= NEW_PER_TEN_MINUTES) {
            return false;
        }
        recentNew.addLast(now);
        return true;
    }

    private void run() {
        while (running) {
            try {
                Thread.sleep(POLL.toMillis()); // a poll of the (possibly driven) clock, not a wait for an event
                if (!paused) {
                    emitDue(clock.instant().getEpochSecond());
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.error("real-time bars failed", e);
            }
        }
    }

    private void emitDue(long now) {
        for (Map.Entry<Key, Subscription> e : subscriptions.entrySet()) {
            Long start = nextStart.get(e.getKey());
            if (start == null || start + 5 > now) {
                continue;
            }
            long last = Math.floorDiv(now, 5) * 5 - 5; // the last bar that has ended
            long from = Math.max(start, last - 5L * (MAX_CATCH_UP_BARS - 1));
            Subscription s = e.getValue();
            for (long t = from; t <= last; t += 5) {
                if (TradingHours.isOpen(Instant.ofEpochSecond(t), s.regularHoursOnly())) {
                    HistoricalBars.Figures f = bars.realTimeBar(s.instrument(), s.whatToShow(), t,
                            market.current(s.instrument()));
                    ServerMessage.RealTimeBar bar = new ServerMessage.RealTimeBar(s.reqId(), t, f.open(), f.high(),
                            f.low(), f.close(), f.volume(), f.wap(), f.count());
                    s.connection().send(bar);
                    sent.accept(s.connection(), bar);
                }
            }
            nextStart.replace(e.getKey(), start, last + 5);
        }
    }
}
