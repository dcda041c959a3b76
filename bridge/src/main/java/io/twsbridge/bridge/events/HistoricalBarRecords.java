package io.twsbridge.bridge.events;

import io.twsbridge.protocol.message.BarTime;
import io.twsbridge.protocol.message.HistoricalBar;
import io.twsbridge.schema.Bar;
import io.twsbridge.schema.BarSize;
import io.twsbridge.schema.Instrument;
import io.twsbridge.schema.WhatToShow;
import io.twsbridge.schema.support.Decimals;

import java.math.BigDecimal;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A bar of a historicalData answer as the {@code Bar} record of the bars topic. Prices become exact decimals from
 * the shortest text of IB's doubles; IB's markers for "none" (volume and WAP of -1, a count of -1, as IB sends them
 * for MIDPOINT, BID and ASK) become null. Daily and longer bars are dated: their start is the start of the date in
 * the instrument's zone.
 */
public final class HistoricalBarRecords {

    /** What every bar of one answer shares. */
    public record Request(Instrument instrument, BarSize barSize, WhatToShow whatToShow,
                          boolean regularTradingHoursOnly, String commandId, ZoneId zone) {
    }

    private HistoricalBarRecords() {
    }

    /**
     * @param index position of the bar in its answer, 0 for the oldest
     * @throws java.time.DateTimeException when the bar's date has none of the Gateway's forms
     */
    public static Bar of(Request request, HistoricalBar bar, int index) {
        ZoneId zone = request.zone() == null ? ZoneOffset.UTC : request.zone();
        BarTime start = bar.start(zone);
        Bar.Builder b = Bar.newBuilder()
                .setInstrument(request.instrument())
                .setBarSize(request.barSize())
                .setWhatToShow(request.whatToShow())
                .setRegularTradingHoursOnly(request.regularTradingHoursOnly())
                .setOpen(price(bar.open()))
                .setHigh(price(bar.high()))
                .setLow(price(bar.low()))
                .setClose(price(bar.close()))
                .setVolume(sizeOrNull(bar.volume()))
                .setWap(sizeOrNull(bar.wap()))
                .setTradeCount(bar.barCount() < 0 ? null : (long) bar.barCount())
                .setCommandId(request.commandId())
                .setIndex(index)
                .setRealTimeBar(false);
        if (start instanceof BarTime.Day d) {
            b.setDate(d.date()).setStartTime(d.date().atStartOfDay(zone).toInstant());
        } else {
            b.setStartTime(((BarTime.Moment) start).instant());
        }
        return b.build();
    }

    private static BigDecimal price(double value) {
        return Decimals.fromDouble(value);
    }

    /** IB sends -1 where a bar type has no volume or WAP. */
    private static BigDecimal sizeOrNull(BigDecimal value) {
        return value == null || value.signum() < 0 ? null : Values.quantity(value);
    }
}
