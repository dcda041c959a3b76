package io.twsbridge.bridge.events;

import io.twsbridge.bridge.time.EventLoop;
import io.twsbridge.protocol.message.Contract;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.schema.Instrument;
import io.twsbridge.schema.MarketDataType;
import io.twsbridge.schema.Quote;
import io.twsbridge.schema.catalogue.RecordKeys;
import io.twsbridge.schema.catalogue.Topic;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;

/**
 * tickPrice and tickSize to {@link Quote} snapshots: per instrument, the latest value of every field the schema
 * has, merged across ticks; a tick of a request id with no active subscription is dropped (and counted).
 *
 * <p><b>Ticks.</b> bid 1, ask 2, last 4, close 9; bidSize 0, askSize 3, lastSize 5, volume 8. The delayed ticks
 * 66..76 fill the same fields (66 bid, 67 ask, 68 last, 75 close; 69, 70, 71 the sizes, 74 volume) and mark the
 * quote DELAYED. A tickPrice of bid, ask or last carries its size too, which is taken. Other tick types (high,
 * low, open, ...) have no field and change nothing. IB's "no bid/ask" price -1 and its unset markers become null.
 *
 * <p><b>When.</b> Without conflation every tick message of a field the schema has publishes one Quote. With a window,
 * the first tick after a quiet spell starts a timer of one window; ticks during the window only merge; the timer
 * publishes the merged state once. So an instrument gets at most one Quote per window, the latest values, at
 * most one window late; a quiet instrument sets no timer.
 *
 * <p><b>Sequence.</b> Per instrument key, from 1, for the bridge run: reconnects and resubscriptions continue it,
 * so a gap downstream always means lost records. It is taken before the record is handed to the sink, so a record
 * the sink refused shows as a gap too.
 *
 * <p><b>Times.</b> gatewayTime is when the newest tick merged into the record was received (IB sends no
 * timestamp); bridgeTime is when the record was built.
 *
 * <p>Merged values survive a lost link: IB sends every field again when the subscription is renewed, and keeping
 * them avoids quotes whose fields flap to null meanwhile. Event loop only.
 */
final class QuoteEvents {

    private enum Field { BID, ASK, LAST, CLOSE, BID_SIZE, ASK_SIZE, LAST_SIZE, VOLUME }

    /** The merged state of one instrument. */
    private static final class Book {
        final String key;
        final Instrument instrument;
        Double bid;
        Double ask;
        Double last;
        Double close;
        BigDecimal bidSize;
        BigDecimal askSize;
        BigDecimal lastSize;
        BigDecimal volume;
        MarketDataType marketDataType;
        Instant gatewayTime;
        long sequence;
        boolean dirty;
        EventLoop.Timer flushTimer;

        Book(String key, Instrument instrument) {
            this.key = key;
            this.instrument = instrument;
        }
    }

    private final EventSink sink;
    private final SessionView session;
    private final Timers timers;
    private final Clock clock;
    private final EventCounters counters;
    private final Duration window;
    private final String bridgeId;
    private final Map<Contract, Book> bookByContract = new HashMap<>();
    private final Map<String, Book> bookByKey = new HashMap<>();

    QuoteEvents(EventSink sink, SessionView session, Timers timers, Clock clock, EventCounters counters,
                EventMapperConfig config) {
        this.sink = sink;
        this.session = session;
        this.timers = timers;
        this.clock = clock;
        this.counters = counters;
        this.window = config.quoteConflationWindow();
        this.bridgeId = config.bridgeId();
    }

    void onTickPrice(ServerMessage.TickPrice m, Instant receivedAt) {
        Book book = book(m.reqId());
        if (book == null) {
            return;
        }
        Field field = priceField(m.tickType());
        if (field == null) {
            counters.ignoredTick();
            return;
        }
        Double price = Values.priceOrNull(m.price());
        if (price != null && price == -1.0 && (field == Field.BID || field == Field.ASK)) {
            price = null; // IB's "no bid" / "no ask"
        }
        set(book, field, price, null);
        Field sizeField = sizeOf(field);
        if (sizeField != null && m.size() != null) {
            set(book, sizeField, null, size(m.size()));
        }
        changed(book, m.tickType(), receivedAt);
    }

    void onTickSize(ServerMessage.TickSize m, Instant receivedAt) {
        Book book = book(m.reqId());
        if (book == null) {
            return;
        }
        Field field = sizeField(m.tickType());
        if (field == null) {
            counters.ignoredTick();
            return;
        }
        set(book, field, null, m.size() == null ? null : size(m.size()));
        changed(book, m.tickType(), receivedAt);
    }

    /** IB announces the kind of data per request; it goes into the next Quote, it is not one by itself. */
    void onMarketDataType(ServerMessage.MarketDataType m) {
        Contract contract = session.contractForReqId(m.reqId()).orElse(null);
        if (contract != null) {
            bookFor(contract).marketDataType = switch (m.marketDataType()) {
                case 1 -> MarketDataType.REALTIME;
                case 2 -> MarketDataType.FROZEN;
                case 3 -> MarketDataType.DELAYED;
                case 4 -> MarketDataType.DELAYED_FROZEN;
                default -> null; // not written as UNKNOWN: the bridge never writes UNKNOWN
            };
        }
    }

    /** Publishes every instrument with unpublished ticks now (shutdown). */
    void flush() {
        for (Book book : new ArrayList<>(bookByKey.values())) {
            if (book.flushTimer != null) {
                book.flushTimer.cancel();
                book.flushTimer = null;
            }
            if (book.dirty) {
                publish(book);
            }
        }
    }

    private Book book(int reqId) {
        Contract contract = session.contractForReqId(reqId).orElse(null);
        if (contract == null) {
            counters.droppedTick();
            return null;
        }
        return bookFor(contract);
    }

    private Book bookFor(Contract contract) {
        Book book = bookByContract.get(contract);
        if (book == null) {
            Instrument instrument = Values.instrument(contract);
            book = bookByKey.computeIfAbsent(RecordKeys.instrument(instrument), key -> new Book(key, instrument));
            bookByContract.put(contract, book);
        }
        return book;
    }

    private void changed(Book book, int tickType, Instant receivedAt) {
        if (tickType >= 66 && tickType <= 76 && book.marketDataType != MarketDataType.DELAYED_FROZEN) {
            book.marketDataType = MarketDataType.DELAYED;
        }
        book.gatewayTime = receivedAt;
        book.dirty = true;
        if (window.isZero()) {
            publish(book);
        } else if (book.flushTimer == null) {
            book.flushTimer = timers.schedule(window, () -> {
                book.flushTimer = null;
                if (book.dirty) {
                    publish(book);
                }
            });
        }
    }

    /**
     * Built with the records' constructors, not their builders: this runs once per tick, and an Avro builder copies
     * the schema's field list, keeps set-flags and checks every value, about a tenth of the event loop's time when
     * saturated (mapping one tick took about 450 ns with the builders, about 220 ns without). Every field is given,
     * so the record is the one the builder made; the constructor truncates the times to milliseconds as the setters
     * do; and what the builder would refuse (a null instrument or time) cannot occur: a book has its instrument
     * from the start and its gateway time from its first tick.
     */
    private void publish(Book b) {
        b.dirty = false;
        b.sequence++;
        // The record keeps milliseconds: reading them directly spares the sub-millisecond Instant it would truncate.
        Instant bridgeTime = Instant.ofEpochMilli(clock.millis());
        Quote quote = new Quote(copyOf(b.instrument), b.bid, b.bidSize, b.ask, b.askSize, b.last, b.lastSize, b.volume,
                b.close, b.marketDataType, b.gatewayTime, bridgeTime, b.sequence, bridgeId);
        sink.publish(Topic.QUOTES, b.key, quote);
    }

    /**
     * A copy per record: the record may still be queued in the producer when the next one is built. Its fields are
     * immutable values (strings, boxed numbers), so copying the references copies the instrument, as the builder's
     * deep copy does. A field added to the schema changes the constructor and so fails the build here.
     */
    private static Instrument copyOf(Instrument i) {
        return new Instrument(i.getSymbol(), i.getSecType(), i.getExchange(), i.getCurrency(), i.getPrimaryExchange(),
                i.getConId(), i.getLastTradeDateOrContractMonth(), i.getStrike(), i.getRight(), i.getMultiplier(),
                i.getLocalSymbol(), i.getTradingClass());
    }

    private static void set(Book b, Field field, Double price, BigDecimal size) {
        switch (field) {
            case BID -> b.bid = price;
            case ASK -> b.ask = price;
            case LAST -> b.last = price;
            case CLOSE -> b.close = price;
            case BID_SIZE -> b.bidSize = size;
            case ASK_SIZE -> b.askSize = size;
            case LAST_SIZE -> b.lastSize = size;
            case VOLUME -> b.volume = size;
        }
    }

    /** A size IB sent; a negative one is an unset marker of some API versions, hence unknown. */
    private static BigDecimal size(BigDecimal size) {
        return size.signum() < 0 ? null : Values.quantity(size);
    }

    private static Field priceField(int tickType) {
        return switch (tickType) {
            case 1, 66 -> Field.BID;
            case 2, 67 -> Field.ASK;
            case 4, 68 -> Field.LAST;
            case 9, 75 -> Field.CLOSE;
            default -> null;
        };
    }

    private static Field sizeField(int tickType) {
        return switch (tickType) {
            case 0, 69 -> Field.BID_SIZE;
            case 3, 70 -> Field.ASK_SIZE;
            case 5, 71 -> Field.LAST_SIZE;
            case 8, 74 -> Field.VOLUME;
            default -> null;
        };
    }

    /** The size that a tickPrice of this price field carries. */
    private static Field sizeOf(Field priceField) {
        return switch (priceField) {
            case BID -> Field.BID_SIZE;
            case ASK -> Field.ASK_SIZE;
            case LAST -> Field.LAST_SIZE;
            default -> null;
        };
    }
}
