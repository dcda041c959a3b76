package io.twsbridge.bench.e2e;

import io.twsbridge.schema.Quote;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps the first {@code perInstrument} acknowledged quotes of every instrument once started: what a benchmark's
 * plain producer sends ({@link QuotePayloads}), so its values are ones the bridge really published.
 *
 * <p>Threading: {@link #offer} is called on the producer's I/O thread (from the bridge's publish observer), the
 * rest on the benchmark's thread.
 */
final class QuoteSampler {
    private final int perInstrument;
    private final int capacity;
    private final Map<String, List<Quote>> bySymbol = new HashMap<>();
    private final List<Quote> all = new ArrayList<>();
    private volatile boolean started;
    private volatile boolean full;

    QuoteSampler(int instruments, int perInstrument) {
        this.perInstrument = perInstrument;
        this.capacity = instruments * perInstrument;
    }

    void start() {
        started = true;
    }

    /** True while sampling: after {@link #start}, until full. */
    boolean wanted() {
        return started && !full;
    }

    boolean full() {
        return full;
    }

    /** Called on the producer's I/O thread. */
    void offer(Quote quote) {
        synchronized (this) {
            List<Quote> ofSymbol = bySymbol.computeIfAbsent(quote.getInstrument().getSymbol(), s -> new ArrayList<>());
            if (ofSymbol.size() < perInstrument) {
                ofSymbol.add(quote);
                all.add(quote);
                full = all.size() >= capacity;
            }
        }
    }

    synchronized int size() {
        return all.size();
    }

    synchronized List<Quote> quotes() {
        return List.copyOf(all);
    }
}
