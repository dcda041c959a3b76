package io.twsbridge.sim.market;

import io.twsbridge.protocol.message.Contract;

import java.math.BigDecimal;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * The simulated market: a seeded random walk of bid, ask and last per known stock.
 *
 * <p>Prices move in cents around a start price derived from the symbol, so two runs with the same seed and
 * symbols produce the same sequence. Thread-safe: every method synchronises on the market, and the walk is
 * advanced only by the market-data pump and by order handling.
 */
public final class Market {

    /** Well-known contract ids, so the simulator's AAPL looks like IB's AAPL. */
    private static final Map<String, Integer> KNOWN_CON_IDS = Map.of(
            "AAPL", 265598, "MSFT", 272093, "IBM", 8314, "SPY", 756733, "AMZN", 3691937, "TSLA", 76792991);
    private static final double TICK = 0.01;

    private final Map<String, Walk> walks = new LinkedHashMap<>();
    private final SplittableRandom random;

    public Market(List<String> symbols, long seed) {
        this.random = new SplittableRandom(seed);
        for (String raw : symbols) {
            String symbol = raw.trim().toUpperCase(Locale.ROOT);
            int conId = KNOWN_CON_IDS.getOrDefault(symbol, 1_000_000 + Math.floorMod(symbol.hashCode(), 8_000_000));
            Instrument instrument = new Instrument(conId, symbol, "NASDAQ");
            double start = 50 + Math.floorMod(symbol.hashCode(), 400) + random.nextInt(100) / 100.0;
            walks.put(symbol, new Walk(instrument, round(start)));
        }
    }

    public synchronized Collection<Instrument> instruments() {
        return walks.values().stream().map(w -> w.instrument).toList();
    }

    /**
     * The instrument a request's contract names: a stock (or unspecified security type) in USD, matched by
     * conId when the request has one, else by symbol.
     */
    public synchronized Optional<Instrument> resolve(Contract contract) {
        if (!(contract.secType().isEmpty() || contract.secType().equals("STK"))) {
            return Optional.empty();
        }
        if (!(contract.currency().isEmpty() || contract.currency().equals("USD"))) {
            return Optional.empty();
        }
        if (contract.conId() != 0) {
            return walks.values().stream().map(w -> w.instrument).filter(i -> i.conId() == contract.conId())
                    .findFirst();
        }
        Walk walk = walks.get(contract.symbol().toUpperCase(Locale.ROOT));
        return walk == null ? Optional.empty() : Optional.of(walk.instrument);
    }

    /** The current top of book, without moving it. */
    public synchronized QuoteState current(Instrument instrument) {
        return walks.get(instrument.symbol()).snapshot();
    }

    /** Moves the instrument's walk one step and returns the new top of book. */
    public synchronized QuoteState advance(Instrument instrument) {
        Walk w = walks.get(instrument.symbol());
        int steps = random.nextInt(7) - 3;          // -3..+3 cents
        w.mid = Math.max(1.0, round(w.mid + steps * TICK));
        int halfSpread = 1 + random.nextInt(2);
        w.bid = round(w.mid - halfSpread * TICK);
        w.ask = round(w.mid + halfSpread * TICK);
        w.bidSize = 100L * (1 + random.nextInt(20));
        w.askSize = 100L * (1 + random.nextInt(20));
        w.lastSize = 100L * (1 + random.nextInt(5));
        w.last = random.nextBoolean() ? w.bid : w.ask;
        w.volume += w.lastSize;
        w.sequence++;
        return w.snapshot();
    }

    /** Records a trade of the simulator's own making (a fill) in the tape. */
    public synchronized void trade(Instrument instrument, double price, BigDecimal quantity) {
        Walk w = walks.get(instrument.symbol());
        w.last = price;
        w.lastSize = quantity.longValue();
        w.volume += quantity.longValue();
    }

    private static double round(double price) {
        return Math.round(price * 100.0) / 100.0;
    }

    private static final class Walk {
        final Instrument instrument;
        final double close;
        double mid;
        double bid;
        double ask;
        double last;
        long bidSize = 500;
        long askSize = 500;
        long lastSize = 100;
        long volume = 1_000_000;
        long sequence;

        Walk(Instrument instrument, double start) {
            this.instrument = instrument;
            this.close = start;
            this.mid = start;
            this.bid = round(start - TICK);
            this.ask = round(start + TICK);
            this.last = start;
        }

        QuoteState snapshot() {
            return new QuoteState(instrument, bid, BigDecimal.valueOf(bidSize), ask, BigDecimal.valueOf(askSize), last,
                    BigDecimal.valueOf(lastSize), BigDecimal.valueOf(volume), close, sequence);
        }
    }
}
