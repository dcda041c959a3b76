package io.twsbridge.sim.market;

import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.sim.net.ClientConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Market-data subscriptions and the pump thread that streams them.
 *
 * <p>Every subscribed instrument's random walk moves {@code tickRate} times a second (as fast as the machine
 * allows when the rate is 0); each move goes to every subscription of the instrument as tickPrice bid, ask and
 * last (each with its size) and a tickSize for the volume, and to the broker so resting orders can fill.
 *
 * <p>Threading: subscribe and cancel come from connection reader threads; one pump thread moves prices.
 */
public final class MarketDataFeed implements AutoCloseable {

    /** Tick types, as the protocol numbers them. */
    public static final int BID_SIZE = 0;
    public static final int BID = 1;
    public static final int ASK = 2;
    public static final int ASK_SIZE = 3;
    public static final int LAST = 4;
    public static final int LAST_SIZE = 5;
    public static final int VOLUME = 8;
    public static final int CLOSE = 9;

    private static final Logger log = LoggerFactory.getLogger(MarketDataFeed.class);
    private static final long MAX_CATCH_UP_NANOS = 1_000_000_000L;

    /** One client's request for one instrument. */
    public record Subscription(ClientConnection connection, int reqId, Instrument instrument) {
    }

    private final Market market;
    private final Consumer<QuoteState> onQuote;
    private final TickListener tickListener;
    private final long intervalNanos;
    private final Map<Instrument, List<Subscription>> byInstrument = new ConcurrentHashMap<>();
    private final Map<Instrument, Long> nextDue = new ConcurrentHashMap<>();
    private final Map<ClientConnection, Integer> marketDataType = new ConcurrentHashMap<>();
    private final Thread pump;
    private final Object wakeUp = new Object();
    private volatile boolean running = true;
    private volatile boolean paused;

    /** Told when one subscription's ticks of one move were queued for its connection. */
    @FunctionalInterface
    public interface TickListener {
        TickListener NONE = (connection, reqId, symbol, ticks, nanoTime) -> { };

        void ticksQueued(ClientConnection connection, int reqId, String symbol, int ticks, long nanoTime);
    }

    public MarketDataFeed(Market market, double tickRate, Consumer<QuoteState> onQuote) {
        this(market, tickRate, onQuote, TickListener.NONE);
    }

    public MarketDataFeed(Market market, double tickRate, Consumer<QuoteState> onQuote, TickListener tickListener) {
        this.market = market;
        this.onQuote = onQuote;
        this.tickListener = tickListener;
        this.intervalNanos = tickRate <= 0 ? 0 : (long) (1_000_000_000L / tickRate);
        this.pump = new Thread(this::pumpLoop, "sim-market-data-pump");
        pump.setDaemon(true);
        pump.start();
    }

    public void setMarketDataType(ClientConnection c, int type) {
        marketDataType.put(c, type);
    }

    /** Starts streaming (or sends one snapshot) for a request. */
    public void subscribe(ClientConnection c, int reqId, Instrument instrument, boolean snapshot) {
        c.send(new ServerMessage.TickReqParams(reqId, 0.01, "9c0001", 3));
        c.send(new ServerMessage.MarketDataType(reqId, marketDataType.getOrDefault(c, 1)));
        QuoteState q = market.current(instrument);
        c.send(new ServerMessage.TickPrice(reqId, BID, q.bid(), q.bidSize(), 0));
        c.send(new ServerMessage.TickPrice(reqId, ASK, q.ask(), q.askSize(), 0));
        c.send(new ServerMessage.TickPrice(reqId, LAST, q.last(), q.lastSize(), 0));
        c.send(new ServerMessage.TickSize(reqId, VOLUME, q.volume()));
        c.send(new ServerMessage.TickPrice(reqId, CLOSE, q.close(), null, 0));
        tickListener.ticksQueued(c, reqId, instrument.symbol(), 5, System.nanoTime());
        if (snapshot) {
            c.send(new ServerMessage.TickSnapshotEnd(reqId));
            return;
        }
        byInstrument.computeIfAbsent(instrument, i -> new CopyOnWriteArrayList<>())
                .add(new Subscription(c, reqId, instrument));
        nextDue.putIfAbsent(instrument, System.nanoTime() + intervalNanos);
        wake();
    }

    public void cancel(ClientConnection c, int reqId) {
        byInstrument.values().forEach(list -> list.removeIf(s -> s.connection() == c && s.reqId() == reqId));
    }

    public void forget(ClientConnection c) {
        byInstrument.values().forEach(list -> list.removeIf(s -> s.connection() == c));
        marketDataType.remove(c);
    }

    /** Drops every subscription, as a Gateway restart or a "data lost" reconnection to IB does. */
    public void clear() {
        byInstrument.clear();
    }

    /** While paused (IB connectivity lost) prices do not move and nothing streams. */
    public void setPaused(boolean paused) {
        this.paused = paused;
        wake();
    }

    public List<Subscription> subscriptions() {
        List<Subscription> all = new ArrayList<>();
        byInstrument.values().forEach(all::addAll);
        return all;
    }

    @Override
    public void close() {
        running = false;
        wake();
        try {
            pump.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public boolean pumpAlive() {
        return pump.isAlive();
    }

    private void wake() {
        synchronized (wakeUp) {
            wakeUp.notifyAll();
        }
    }

    private void pumpLoop() {
        try {
            while (running) {
                if (paused || byInstrument.values().stream().allMatch(List::isEmpty)) {
                    synchronized (wakeUp) {
                        wakeUp.wait(100);
                    }
                    continue;
                }
                long now = System.nanoTime();
                long earliest = Long.MAX_VALUE;
                for (Map.Entry<Instrument, List<Subscription>> e : byInstrument.entrySet()) {
                    if (e.getValue().isEmpty()) {
                        continue;
                    }
                    earliest = Math.min(earliest, step(e.getKey(), e.getValue(), now));
                }
                if (intervalNanos > 0 && earliest != Long.MAX_VALUE) {
                    long wait = earliest - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(this, Math.min(wait, 100_000_000L));
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("market-data pump failed", e);
        }
    }

    /** Emits the updates due for one instrument; returns when its next update is due. */
    private long step(Instrument instrument, List<Subscription> subs, long now) {
        if (intervalNanos == 0) {
            emit(instrument, subs);
            return now;
        }
        long due = nextDue.getOrDefault(instrument, now);
        if (now - due > MAX_CATCH_UP_NANOS) {
            due = now; // after a stall, resume at the rate instead of bursting to catch up
        }
        while (due <= now) {
            emit(instrument, subs);
            due += intervalNanos;
        }
        nextDue.put(instrument, due);
        return due;
    }

    private void emit(Instrument instrument, List<Subscription> subs) {
        QuoteState q = market.advance(instrument);
        for (Subscription s : subs) {
            ClientConnection c = s.connection();
            int id = s.reqId();
            c.send(new ServerMessage.TickPrice(id, BID, q.bid(), q.bidSize(), 0));
            c.send(new ServerMessage.TickPrice(id, ASK, q.ask(), q.askSize(), 0));
            c.send(new ServerMessage.TickPrice(id, LAST, q.last(), q.lastSize(), 0));
            c.send(new ServerMessage.TickSize(id, VOLUME, q.volume()));
            tickListener.ticksQueued(c, id, instrument.symbol(), 4, System.nanoTime());
        }
        onQuote.accept(q);
    }
}
