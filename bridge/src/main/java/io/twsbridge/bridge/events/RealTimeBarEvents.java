package io.twsbridge.bridge.events;

import io.twsbridge.bridge.gateway.session.BarSubscription;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.schema.Bar;
import io.twsbridge.schema.BarSize;
import io.twsbridge.schema.Instrument;
import io.twsbridge.schema.WhatToShow;
import io.twsbridge.schema.catalogue.RecordKeys;
import io.twsbridge.schema.catalogue.Topic;
import io.twsbridge.schema.support.Decimals;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * realtimeBar to {@link Bar} on {@link Topic#BARS}, one record per message, keyed by the instrument key as every bar
 * is: {@code barSize} SEC_5, {@code realTimeBar} true, no commandId and no index (the bar belongs to its
 * subscription, not to a command), {@code startTime} the epoch second IB gave. A bar of a request id with no active
 * subscription (one just cancelled) is dropped and counted with the dropped ticks.
 *
 * <p><b>Numbers.</b> The prices arrive as doubles parsed from IB's decimal text; their shortest decimal form is that
 * text, so {@link Decimals#fromDouble} keeps what IB sent. Volume and WAP arrive exact. IB gives volume, WAP and
 * count for TRADES only and sends -1 for the other kinds: those become null. A price IB left unset (its
 * {@code Double.MAX_VALUE} marker, or no number) makes the bar unmappable, since a bar's prices are required.
 * Event loop only.
 */
final class RealTimeBarEvents {

    private final EventSink sink;
    private final SessionView session;
    private final EventCounters counters;

    RealTimeBarEvents(EventSink sink, SessionView session, EventCounters counters) {
        this.sink = sink;
        this.session = session;
        this.counters = counters;
    }

    void onRealTimeBar(ServerMessage.RealTimeBar m) {
        BarSubscription subscription = session.barSubscriptionForReqId(m.reqId()).orElse(null);
        if (subscription == null) {
            counters.droppedTick();
            return;
        }
        boolean trades = subscription.whatToShow().equals(WhatToShow.TRADES.name());
        Instrument instrument = Values.instrument(subscription.contract());
        Bar bar = Bar.newBuilder()
                .setInstrument(instrument)
                .setBarSize(BarSize.SEC_5)
                .setWhatToShow(WhatToShow.valueOf(subscription.whatToShow()))
                .setRegularTradingHoursOnly(subscription.regularTradingHoursOnly())
                .setStartTime(Instant.ofEpochSecond(m.startEpochSeconds()))
                .setDate(null)
                .setOpen(price(m.open(), "open"))
                .setHigh(price(m.high(), "high"))
                .setLow(price(m.low(), "low"))
                .setClose(price(m.close(), "close"))
                .setVolume(trades ? amountOrNull(m.volume()) : null)
                .setWap(trades ? amountOrNull(m.wap()) : null)
                .setTradeCount(trades && m.count() >= 0 ? Long.valueOf(m.count()) : null)
                .setCommandId(null)
                .setIndex(null)
                .setRealTimeBar(true)
                .build();
        sink.publish(Topic.BARS, RecordKeys.instrument(instrument), bar);
    }

    private static BigDecimal price(double value, String field) {
        Double price = Values.priceOrNull(value);
        if (price == null) {
            throw new IllegalArgumentException("real-time bar without a " + field + " price (" + value + ")");
        }
        return Decimals.fromDouble(price);
    }

    /** IB's -1 (and any negative value) means "none". */
    private static BigDecimal amountOrNull(BigDecimal value) {
        return value == null || value.signum() < 0 ? null : Values.quantity(value);
    }
}
