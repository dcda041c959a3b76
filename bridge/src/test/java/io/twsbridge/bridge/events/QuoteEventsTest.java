package io.twsbridge.bridge.events;

import io.twsbridge.bridge.time.ManualEventLoop;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.schema.MarketDataType;
import io.twsbridge.schema.Quote;
import io.twsbridge.schema.catalogue.Topic;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Quotes merged from ticks, numbered per instrument, and conflated on a driven clock. */
class QuoteEventsTest {

    private static final int AAPL_REQ = 7;
    private static final int MSFT_REQ = 8;

    private final ManualEventLoop loop = new ManualEventLoop();
    private final Instant start = loop.clock().instant();
    private final RecordingSink sink = new RecordingSink();
    private final FakeSession session = new FakeSession();

    @BeforeEach
    void subscriptions() {
        session.subscriptions.put(AAPL_REQ, Ib.AAPL);
        session.subscriptions.put(MSFT_REQ, Ib.MSFT);
    }

    @Test
    void ticksAreMergedIntoFullSnapshotsOnePerTickMessageNumberedFromOne() {
        EventMapper mapper = mapper(Duration.ZERO);
        // What the simulator sends when a subscription starts (MarketDataFeed.subscribe).
        mapper.onMessage(new ServerMessage.TickReqParams(AAPL_REQ, 0.01, "9c0001", 3));
        mapper.onMessage(new ServerMessage.MarketDataType(AAPL_REQ, 1));
        mapper.onMessage(new ServerMessage.TickPrice(AAPL_REQ, 1, 189.50, new BigDecimal("3"), 0));
        mapper.onMessage(new ServerMessage.TickPrice(AAPL_REQ, 2, 189.52, new BigDecimal("2"), 0));
        loop.advance(Duration.ofMillis(5));
        mapper.onMessage(new ServerMessage.TickPrice(AAPL_REQ, 4, 189.51, new BigDecimal("1"), 0));
        mapper.onMessage(new ServerMessage.TickSize(AAPL_REQ, 8, new BigDecimal("123456")));
        mapper.onMessage(new ServerMessage.TickPrice(AAPL_REQ, 9, 188.00, null, 0));
        mapper.onMessage(new ServerMessage.TickSize(AAPL_REQ, 0, new BigDecimal("7")));

        List<Quote> quotes = sink.values(Topic.QUOTES, Quote.class);
        assertThat(sink.keys(Topic.QUOTES)).hasSize(6).containsOnly("265598");
        assertThat(quotes).extracting(Quote::getSequence).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);

        Quote first = quotes.get(0);
        assertThat(first.getBid()).isEqualTo(189.50);
        assertThat(first.getBidSize()).isEqualTo(new BigDecimal("3.0000000000"));
        assertThat(first.getAsk()).as("not reported yet").isNull();
        assertThat(first.getMarketDataType()).isEqualTo(MarketDataType.REALTIME);
        assertThat(first.getInstrument().getConId()).isEqualTo(265598L);
        assertThat(first.getBridgeId()).isEqualTo("bridge-a");
        assertThat(first.getGatewayTime()).isEqualTo(start);

        Quote last = quotes.get(5);
        assertThat(last.getBid()).isEqualTo(189.50);
        assertThat(last.getBidSize()).as("tickSize after tickPrice").isEqualTo(new BigDecimal("7.0000000000"));
        assertThat(last.getAsk()).isEqualTo(189.52);
        assertThat(last.getAskSize()).isEqualTo(new BigDecimal("2.0000000000"));
        assertThat(last.getLast()).isEqualTo(189.51);
        assertThat(last.getLastSize()).isEqualTo(new BigDecimal("1.0000000000"));
        assertThat(last.getVolume()).isEqualTo(new BigDecimal("123456.0000000000"));
        assertThat(last.getClose()).isEqualTo(188.00);
        assertThat(last.getGatewayTime()).isEqualTo(start.plusMillis(5));
        assertThat(last.getBridgeTime()).isEqualTo(start.plusMillis(5));
        assertThat(loop.pendingTimers()).as("no timer without conflation").isZero();
    }

    @Test
    void eachInstrumentHasItsOwnSequence() {
        EventMapper mapper = mapper(Duration.ZERO);
        mapper.onMessage(new ServerMessage.TickPrice(AAPL_REQ, 1, 189.50, null, 0));
        mapper.onMessage(new ServerMessage.TickPrice(MSFT_REQ, 1, 410.10, null, 0));
        mapper.onMessage(new ServerMessage.TickPrice(AAPL_REQ, 2, 189.52, null, 0));

        assertThat(sink.keys(Topic.QUOTES)).containsExactly("265598", "272093", "265598");
        assertThat(sink.values(Topic.QUOTES, Quote.class)).extracting(Quote::getSequence).containsExactly(1L, 1L, 2L);
    }

    @Test
    void aResubscriptionUnderANewRequestIdContinuesTheInstrumentsStateAndSequence() {
        EventMapper mapper = mapper(Duration.ZERO);
        mapper.onMessage(new ServerMessage.TickPrice(AAPL_REQ, 1, 189.50, null, 0));
        session.subscriptions.remove(AAPL_REQ);      // the link dropped
        session.subscriptions.put(31, Ib.AAPL);      // requested again after READY
        mapper.onMessage(new ServerMessage.TickPrice(31, 2, 189.52, null, 0));

        Quote quote = sink.values(Topic.QUOTES, Quote.class).get(1);
        assertThat(quote.getSequence()).isEqualTo(2);
        assertThat(quote.getBid()).isEqualTo(189.50);
        assertThat(quote.getAsk()).isEqualTo(189.52);
    }

    @Test
    void ticksWithoutSubscriptionAreDroppedAndTicksWithoutAFieldAreIgnored() {
        EventMapper mapper = mapper(Duration.ZERO);
        mapper.onMessage(new ServerMessage.TickPrice(99, 1, 10.0, null, 0));
        mapper.onMessage(new ServerMessage.TickSize(99, 8, BigDecimal.TEN));
        mapper.onMessage(new ServerMessage.TickPrice(AAPL_REQ, 6, 191.0, null, 0));   // high
        mapper.onMessage(new ServerMessage.TickPrice(AAPL_REQ, 14, 188.2, null, 0));  // open

        assertThat(sink.all()).isEmpty();
        assertThat(mapper.counters().droppedTicks()).isEqualTo(2);
        assertThat(mapper.counters().ignoredTicks()).isEqualTo(2);
    }

    @Test
    void delayedTicksFillTheSameFieldsAndMarkTheQuoteDelayed() {
        EventMapper mapper = mapper(Duration.ZERO);
        mapper.onMessage(new ServerMessage.MarketDataType(AAPL_REQ, 3));
        mapper.onMessage(new ServerMessage.TickPrice(AAPL_REQ, 66, 189.40, new BigDecimal("4"), 0));
        mapper.onMessage(new ServerMessage.TickPrice(AAPL_REQ, 67, 189.45, new BigDecimal("5"), 0));
        mapper.onMessage(new ServerMessage.TickPrice(AAPL_REQ, 68, 189.41, new BigDecimal("1"), 0));
        mapper.onMessage(new ServerMessage.TickSize(AAPL_REQ, 74, new BigDecimal("9000")));
        mapper.onMessage(new ServerMessage.TickPrice(AAPL_REQ, 75, 188.0, null, 0));
        mapper.onMessage(new ServerMessage.TickPrice(MSFT_REQ, 66, 410.0, null, 0));

        List<Quote> quotes = sink.values(Topic.QUOTES, Quote.class);
        Quote aapl = quotes.get(4);
        assertThat(aapl.getBid()).isEqualTo(189.40);
        assertThat(aapl.getBidSize()).isEqualTo(new BigDecimal("4.0000000000"));
        assertThat(aapl.getAsk()).isEqualTo(189.45);
        assertThat(aapl.getAskSize()).isEqualTo(new BigDecimal("5.0000000000"));
        assertThat(aapl.getLast()).isEqualTo(189.41);
        assertThat(aapl.getLastSize()).isEqualTo(new BigDecimal("1.0000000000"));
        assertThat(aapl.getVolume()).isEqualTo(new BigDecimal("9000.0000000000"));
        assertThat(aapl.getClose()).isEqualTo(188.0);
        assertThat(aapl.getMarketDataType()).isEqualTo(MarketDataType.DELAYED);
        assertThat(quotes.get(5).getMarketDataType()).as("no announcement, but the tick is delayed")
                .isEqualTo(MarketDataType.DELAYED);
    }

    @Test
    void noBidOrAskAndUnsetMarkersAreNull() {
        EventMapper mapper = mapper(Duration.ZERO);
        mapper.onMessage(new ServerMessage.TickPrice(AAPL_REQ, 1, -1.0, BigDecimal.ZERO, 0));
        mapper.onMessage(new ServerMessage.TickPrice(AAPL_REQ, 2, Double.MAX_VALUE, null, 0));
        mapper.onMessage(new ServerMessage.TickSize(AAPL_REQ, 8, new BigDecimal("-1")));

        Quote quote = sink.values(Topic.QUOTES, Quote.class).get(2);
        assertThat(quote.getBid()).isNull();
        assertThat(quote.getBidSize()).isEqualTo(new BigDecimal("0E-10"));
        assertThat(quote.getAsk()).isNull();
        assertThat(quote.getVolume()).isNull();
    }

    @Test
    void conflationPublishesTheLatestMergedStateOncePerWindow() {
        Duration window = Duration.ofMillis(100);
        EventMapper mapper = mapper(window);

        mapper.onMessage(new ServerMessage.TickPrice(AAPL_REQ, 1, 189.50, new BigDecimal("3"), 0));
        loop.advance(Duration.ofMillis(10));
        mapper.onMessage(new ServerMessage.TickPrice(AAPL_REQ, 2, 189.53, new BigDecimal("2"), 0));
        loop.advance(Duration.ofMillis(10));
        mapper.onMessage(new ServerMessage.TickPrice(AAPL_REQ, 1, 189.51, new BigDecimal("6"), 0));
        loop.advance(Duration.ofMillis(79));
        assertThat(sink.all()).as("nothing before the window ends").isEmpty();

        loop.advance(Duration.ofMillis(1));
        List<Quote> quotes = sink.values(Topic.QUOTES, Quote.class);
        assertThat(quotes).hasSize(1);
        Quote first = quotes.get(0);
        assertThat(first.getBid()).isEqualTo(189.51);
        assertThat(first.getBidSize()).isEqualTo(new BigDecimal("6.0000000000"));
        assertThat(first.getAsk()).isEqualTo(189.53);
        assertThat(first.getSequence()).isEqualTo(1);
        assertThat(first.getGatewayTime()).as("the newest tick's receipt").isEqualTo(start.plusMillis(20));
        assertThat(first.getBridgeTime()).isEqualTo(start.plusMillis(100));
        assertThat(loop.pendingTimers()).as("a quiet instrument keeps no timer").isZero();

        loop.advance(Duration.ofMillis(50));
        mapper.onMessage(new ServerMessage.TickPrice(AAPL_REQ, 4, 189.52, new BigDecimal("1"), 0));
        loop.advance(Duration.ofMillis(99));
        assertThat(sink.values(Topic.QUOTES, Quote.class)).hasSize(1);
        loop.advance(Duration.ofMillis(1));

        quotes = sink.values(Topic.QUOTES, Quote.class);
        assertThat(quotes).hasSize(2);
        assertThat(quotes.get(1).getSequence()).isEqualTo(2);
        assertThat(quotes.get(1).getLast()).isEqualTo(189.52);
        assertThat(quotes.get(1).getBid()).as("still merged with earlier ticks").isEqualTo(189.51);
        assertThat(quotes.get(1).getBridgeTime()).isEqualTo(start.plusMillis(250));

        loop.advance(Duration.ofSeconds(5));
        assertThat(sink.values(Topic.QUOTES, Quote.class)).as("no quote without a tick").hasSize(2);
    }

    @Test
    void conflationIsPerInstrument() {
        EventMapper mapper = mapper(Duration.ofMillis(100));
        double[] aaplBids = {189.50, 189.51, 189.52, 189.53, 189.54};
        double[] msftBids = {410.00, 410.01, 410.02, 410.03, 410.04};
        for (int i = 0; i < aaplBids.length; i++) {
            mapper.onMessage(new ServerMessage.TickPrice(AAPL_REQ, 1, aaplBids[i], null, 0));
            mapper.onMessage(new ServerMessage.TickPrice(MSFT_REQ, 1, msftBids[i], null, 0));
            loop.advance(Duration.ofMillis(10));
        }
        loop.advance(Duration.ofMillis(50));

        assertThat(sink.keys(Topic.QUOTES)).containsExactlyInAnyOrder("265598", "272093");
        assertThat(sink.values(Topic.QUOTES, Quote.class)).extracting(Quote::getBid)
                .containsExactlyInAnyOrder(189.54, 410.04);
    }

    @Test
    void flushPublishesConflatedQuotesAtOnce() {
        EventMapper mapper = mapper(Duration.ofSeconds(1));
        mapper.onMessage(new ServerMessage.TickPrice(AAPL_REQ, 1, 189.50, null, 0));

        mapper.flush();

        assertThat(sink.keys(Topic.QUOTES)).containsExactly("265598");
        loop.advance(Duration.ofSeconds(2));
        assertThat(sink.keys(Topic.QUOTES)).as("the cancelled timer publishes nothing more").hasSize(1);
    }

    private EventMapper mapper(Duration window) {
        return new EventMapper(sink, session, loop,
                EventMapperConfig.defaults("bridge-a").withQuoteConflationWindow(window));
    }
}
