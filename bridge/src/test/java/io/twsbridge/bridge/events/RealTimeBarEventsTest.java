package io.twsbridge.bridge.events;

import io.twsbridge.bridge.gateway.session.BarSubscription;
import io.twsbridge.bridge.time.ManualEventLoop;
import io.twsbridge.protocol.message.Contract;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.schema.Bar;
import io.twsbridge.schema.BarSize;
import io.twsbridge.schema.WhatToShow;
import io.twsbridge.schema.catalogue.Topic;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** realtimeBar messages as Bar records on the bars topic, one per message, keyed by instrument. */
class RealTimeBarEventsTest {

    private static final int TRADES_REQ = 100_000_007;
    private static final int MIDPOINT_REQ = 100_000_008;
    /** 2026-11-30 14:30:05 UTC, a bar start as IB sends it: epoch seconds, a multiple of 5. */
    private static final long START = 1_796_049_005L;

    private final ManualEventLoop loop = new ManualEventLoop();
    private final RecordingSink sink = new RecordingSink();
    private final FakeSession session = new FakeSession();
    private final EventMapper mapper = new EventMapper(sink, session, loop, EventMapperConfig.defaults("bridge-a"));

    @Test
    void aTradesBarCarriesItsPricesExactlyItsVolumeWapAndCountAndNoCommand() {
        session.barSubscriptions.put(TRADES_REQ, new BarSubscription(Ib.AAPL, "TRADES", true));

        mapper.onMessage(new ServerMessage.RealTimeBar(TRADES_REQ, START, 189.51, 189.57, 189.5, 189.53,
                new BigDecimal("1200"), new BigDecimal("189.5342"), 17));

        assertThat(sink.keys(Topic.BARS)).containsExactly("265598");
        Bar bar = sink.values(Topic.BARS, Bar.class).get(0);
        assertThat(bar.getInstrument().getConId()).isEqualTo(265598L);
        assertThat(bar.getInstrument().getSymbol()).isEqualTo("AAPL");
        assertThat(bar.getBarSize()).isEqualTo(BarSize.SEC_5);
        assertThat(bar.getWhatToShow()).isEqualTo(WhatToShow.TRADES);
        assertThat(bar.getRegularTradingHoursOnly()).isTrue();
        assertThat(bar.getRealTimeBar()).isTrue();
        assertThat(bar.getStartTime()).isEqualTo(Instant.parse("2026-11-30T14:30:05Z"));
        assertThat(bar.getDate()).as("an intraday bar has no date").isNull();
        // IB's decimal text, not the binary approximation of its double.
        assertThat(bar.getOpen()).isEqualTo(new BigDecimal("189.5100000000"));
        assertThat(bar.getHigh()).isEqualTo(new BigDecimal("189.5700000000"));
        assertThat(bar.getLow()).isEqualTo(new BigDecimal("189.5000000000"));
        assertThat(bar.getClose()).isEqualTo(new BigDecimal("189.5300000000"));
        assertThat(bar.getVolume()).isEqualTo(new BigDecimal("1200.0000000000"));
        assertThat(bar.getWap()).isEqualTo(new BigDecimal("189.5342000000"));
        assertThat(bar.getTradeCount()).isEqualTo(17L);
        assertThat(bar.getCommandId()).isNull();
        assertThat(bar.getIndex()).isNull();
        assertThat(mapper.counters().published(Topic.BARS)).isEqualTo(1);
    }

    @Test
    void aBarOfAnotherKindHasNoVolumeWapOrCountWhereIbSendsMinusOne() {
        Contract described = Contract.stock("MSFT", "SMART", "USD");
        session.barSubscriptions.put(MIDPOINT_REQ, new BarSubscription(described, "MIDPOINT", false));

        mapper.onMessage(new ServerMessage.RealTimeBar(MIDPOINT_REQ, START, 410.1, 410.2, 410.05, 410.15,
                new BigDecimal("-1"), new BigDecimal("-1"), -1));

        Bar bar = sink.values(Topic.BARS, Bar.class).get(0);
        assertThat(sink.keys(Topic.BARS)).as("no conId yet: the description's key")
                .containsExactly("MSFT|STK|SMART|USD");
        assertThat(bar.getWhatToShow()).isEqualTo(WhatToShow.MIDPOINT);
        assertThat(bar.getRegularTradingHoursOnly()).isFalse();
        assertThat(bar.getVolume()).isNull();
        assertThat(bar.getWap()).isNull();
        assertThat(bar.getTradeCount()).isNull();
        assertThat(bar.getClose()).isEqualTo(new BigDecimal("410.1500000000"));
    }

    @Test
    void aBarOfNoActiveSubscriptionIsDroppedAndCounted() {
        mapper.onMessage(new ServerMessage.RealTimeBar(TRADES_REQ, START, 1, 1, 1, 1, BigDecimal.ONE, BigDecimal.ONE, 1));

        assertThat(sink.all()).isEmpty();
        assertThat(mapper.counters().droppedTicks()).isEqualTo(1);
    }

    @Test
    void aBarWithoutAPriceIsUnmappableAndTheNextOneIsPublished() {
        session.barSubscriptions.put(TRADES_REQ, new BarSubscription(Ib.AAPL, "TRADES", true));

        mapper.onMessage(new ServerMessage.RealTimeBar(TRADES_REQ, START, Double.MAX_VALUE, 1, 1, 1, BigDecimal.ONE,
                BigDecimal.ONE, 1));
        mapper.onMessage(new ServerMessage.RealTimeBar(TRADES_REQ, START + 5, 1, 1, 1, 1, BigDecimal.ONE,
                BigDecimal.ONE, 1));

        assertThat(mapper.counters().unmappableMessages()).isEqualTo(1);
        assertThat(sink.values(Topic.BARS, Bar.class)).extracting(Bar::getStartTime)
                .containsExactly(Instant.ofEpochSecond(START + 5));
    }

    @Test
    void anErrorUnderABarRequestIdIsThatRequestsNotAnOrdersThatSharesTheNumber() {
        mapper.onMessage(Ib.openOrder("Submitted"));
        int shared = (int) Ib.ORDER_ID;
        session.barSubscriptions.put(shared, new BarSubscription(Ib.AAPL, "TRADES", true));

        mapper.onMessage(new ServerMessage.ErrorMessage(shared, 354, "Requested market data is not subscribed"));
        assertThat(sink.keys(Topic.ORDERS)).as("the order untouched").hasSize(1);

        session.barSubscriptions.clear();
        mapper.onMessage(new ServerMessage.ErrorMessage(shared, 354, "Requested market data is not subscribed"));
        assertThat(sink.keys(Topic.ORDERS)).as("without the bar request, the same error is the order's").hasSize(2);
    }
}
