package io.twsbridge.protocol.message;

import java.math.BigDecimal;
import java.time.ZoneId;

/**
 * One bar of historicalData or historicalDataUpdate.
 *
 * @param date     the bar's start, as the Gateway sends it: "YYYYMMDD" for daily and longer bars, else text such
 *                 as "20250102 09:30:00 US/Eastern" (formatDate 1) or epoch seconds (formatDate 2); see
 *                 {@link #start}
 * @param volume   exact; -1 where the data has none (anything but TRADES); null when the field was empty
 * @param wap      the volume-weighted average price, exact; -1 and null as for volume
 * @param barCount the number of trades; -1 where the data has none
 */
public record HistoricalBar(String date, double open, double high, double low, double close, BigDecimal volume,
                            BigDecimal wap, int barCount) {

    public HistoricalBar {
        date = Strings.orEmpty(date);
    }

    /**
     * The bar's start as a day or an instant.
     *
     * @param zoneWhenUnnamed the zone of a date-time that names none (the Gateway's own zone)
     * @throws java.time.DateTimeException when the date has none of the Gateway's forms
     */
    public BarTime start(ZoneId zoneWhenUnnamed) {
        return BarTime.parse(date, zoneWhenUnnamed);
    }
}
