package io.twsbridge.sim.market;

import io.twsbridge.protocol.message.BarTime;
import io.twsbridge.protocol.message.ClientMessage.ReqHistoricalData;
import io.twsbridge.protocol.message.HistoricalBar;
import io.twsbridge.protocol.message.ServerMessage.HistoricalData;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The simulated market's history: the bars of a reqHistoricalData, and the 5-second bars of reqRealTimeBars.
 *
 * <p>Each instrument has a fixed {@link PricePath} (from the seed and its symbol); a request sees that path scaled
 * so that it ends at the instrument's current quote at the last moment that had trading, so the last bar of a
 * request ending now closes at the current bid, ask, midpoint or last, and two requests made at the same moment
 * of the simulator's clock with the market unchanged get the same bars. Bars follow {@link TradingHours}: regular
 * hours only, or 04:00-20:00, and never before {@link #HEAD} (the head timestamp of every instrument).
 *
 * <p>Dates, as the fact sheet describes them: intraday bars {@code "YYYYMMDD HH:MM:SS US/Eastern"} with
 * formatDate 1 and epoch seconds with formatDate 2; daily, weekly and monthly bars {@code "YYYYMMDD"} (the first
 * trading day of the bar) whatever formatDate says. Every bar is the start of its interval. Volume, WAP and count
 * are -1 except for TRADES and ADJUSTED_LAST. Pure apart from a cache of paths; thread-safe.
 */
public final class HistoricalBars {

    /** The earliest data of every instrument: the first session of 2000, 09:30 New York. */
    public static final Instant HEAD = Instant.parse("2000-01-03T14:30:00Z");

    /** The whatToShow values the simulator has data for. */
    public enum WhatToShow { TRADES, MIDPOINT, BID, ASK, BID_ASK, ADJUSTED_LAST }

    /**
     * Types IB knows that the simulator's stocks have no data of: answered as IB answers a type a contract has
     * no data for.
     */
    public static final Set<String> KNOWN_WITHOUT_DATA = Set.of("HISTORICAL_VOLATILITY", "OPTION_IMPLIED_VOLATILITY",
            "REBATE_RATE", "FEE_RATE", "YIELD_BID", "YIELD_ASK", "YIELD_BID_ASK", "YIELD_LAST", "SCHEDULE",
            "AGGTRADES");

    private static final String HMDS = "Historical Market Data Service error message:";
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyyMMdd", Locale.ROOT);
    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyyMMdd HH:mm:ss", Locale.ROOT);
    private static final int SAMPLES_PER_BAR = 30;
    private static final double HALF_SPREAD = 0.01;

    /** What a request gets: its bars, or a refusal. */
    public sealed interface Answer permits Answered, Refusal {
    }

    /** The bars, in the one message that carries them. */
    public record Answered(HistoricalData data) implements Answer {
    }

    /** A refusal, as the Gateway's error message for the request carries it. */
    public record Refusal(int code, String text) implements Answer {
    }

    /** A validated request. */
    public record Query(Instrument instrument, String exchange, Instant end, HistoricalDuration duration,
                        BarSize barSize, WhatToShow whatToShow, boolean regularHoursOnly, int formatDate) {
    }

    /** The outcome of validating a request: exactly one of the two is set. */
    public record Checked(Query query, Refusal refusal) {
    }

    /** One bar's figures; volume, WAP and count -1 where the type has none. */
    public record Figures(long start, double open, double high, double low, double close, BigDecimal volume,
                          BigDecimal wap, int count) {
    }

    private final long seed;
    private final Map<String, PricePath> paths = new ConcurrentHashMap<>();

    public HistoricalBars(long seed) {
        this.seed = seed;
    }

    /**
     * Checks a request's parameters as the Gateway does, in its order: bar size, duration, type, end time, then
     * the step table.
     *
     * @param now the simulator's clock; an end after it means now
     */
    public static Checked check(ReqHistoricalData m, Instrument instrument, Instant now) {
        BarSize barSize = BarSize.parse(m.barSizeSetting()).orElse(null);
        if (barSize == null) {
            return refused(321, "Error validating request:-'bS' : cause - Historical data bar size setting is "
                    + "invalid. Legal ones are: " + BarSize.LEGAL);
        }
        HistoricalDuration duration = HistoricalDuration.parse(m.durationStr()).orElse(null);
        if (duration == null) {
            return refused(321, "Error validating request:-'bS' : cause - Historical data duration '"
                    + m.durationStr() + "' is invalid: an integer, a space and S, D, W, M or Y");
        }
        String type = m.whatToShow().trim().toUpperCase(Locale.ROOT);
        WhatToShow what;
        try {
            what = WhatToShow.valueOf(type);
        } catch (IllegalArgumentException e) {
            if (KNOWN_WITHOUT_DATA.contains(type)) {
                return refused(162, HMDS + "No historical market data for " + instrument.symbol() + "/STK@"
                        + exchange(m) + " " + type + " " + barSize.seconds());
            }
            return refused(321, "Error validating request:-'bS' : cause - Historical data type '" + m.whatToShow()
                    + "' is invalid");
        }
        Instant end;
        try {
            end = endOf(m.endDateTime(), now);
        } catch (DateTimeException e) {
            return refused(321, "Error validating request:-'bS' : cause - End date/time '" + m.endDateTime()
                    + "' is invalid: " + e.getMessage());
        }
        if (!barSize.allows(duration)) {
            // The step table's refusal; the text is the one IB's farm sends for a range too long for the bar size
            return refused(162, HMDS + "Time length exceed max.");
        }
        return new Checked(new Query(instrument, exchange(m), end, duration, barSize, what, m.useRth(),
                m.formatDate()), null);
    }

    /**
     * The bars of a validated request, or a refusal when the range holds none.
     *
     * @param current the instrument's quote now, which the history leads up to
     * @param now     the simulator's clock
     */
    public Answer answer(int reqId, Query q, QuoteState current, Instant now) {
        Instant start = start(q);
        Instant end = q.end();
        List<Figures> figures = q.barSize().isDaily()
                ? dailyBars(q, start, end, current, now)
                : intradayBars(q, start, end, current, now);
        if (figures.isEmpty()) {
            return new Refusal(162, HMDS + "HMDS query returned no data: " + q.instrument().symbol() + "@"
                    + q.exchange() + " " + capitalised(q.whatToShow()));
        }
        List<HistoricalBar> bars = new ArrayList<>(figures.size());
        for (Figures f : figures) {
            bars.add(new HistoricalBar(date(f.start(), q), f.open(), f.high(), f.low(), f.close(), f.volume(), f.wap(),
                    f.count()));
        }
        return new Answered(new HistoricalData(reqId, rangeText(start, q.formatDate()), rangeText(end, q.formatDate()),
                bars));
    }

    /**
     * One 5-second bar of a real-time subscription, [{@code start}, {@code start + 5}), on the same path as the
     * history, ending at the current quote.
     */
    public Figures realTimeBar(Instrument instrument, WhatToShow what, long start, QuoteState current) {
        long end = start + 5;
        return bar(instrument, what, start, end, scale(instrument, current, end), end, current);
    }

    // ---- ranges ---------------------------------------------------------------------------------------------

    private static Instant endOf(String text, Instant now) {
        if (text.isBlank()) {
            return now.truncatedTo(ChronoUnit.SECONDS);
        }
        BarTime t = BarTime.parse(text, TradingHours.ZONE);
        if (!(t instanceof BarTime.Moment moment)) {
            throw new DateTimeException("a date and a time are needed");
        }
        return (moment.instant().isAfter(now) ? now : moment.instant()).truncatedTo(ChronoUnit.SECONDS);
    }

    /** Where the range starts: seconds back, N trading days (counting the end's day once it has opened), or calendar. */
    private static Instant start(Query q) {
        HistoricalDuration d = q.duration();
        ZonedDateTime end = q.end().atZone(TradingHours.ZONE);
        Instant start = switch (d.unit()) {
            case 'S' -> q.end().minusSeconds(d.amount());
            case 'D' -> tradingDaysBack(q.end(), d.amount(), q.regularHoursOnly());
            case 'W' -> end.minusWeeks(d.amount()).toInstant();
            case 'M' -> end.minusMonths(d.amount()).toInstant();
            default -> end.minusYears(d.amount()).toInstant();
        };
        return start.isBefore(HEAD) ? HEAD : start;
    }

    private static Instant tradingDaysBack(Instant end, long days, boolean rth) {
        LocalDate day = TradingHours.day(end);
        long found = 0;
        Instant start = end;
        while (found < days && TradingHours.open(day, rth).isAfter(HEAD.minus(1, ChronoUnit.DAYS))) {
            if (TradingHours.isTradingDay(day) && TradingHours.open(day, rth).isBefore(end)) {
                start = TradingHours.open(day, rth);
                found++;
            }
            day = day.minusDays(1);
        }
        return start;
    }

    // ---- bars -----------------------------------------------------------------------------------------------

    private List<Figures> intradayBars(Query q, Instant from, Instant to, QuoteState current, Instant now) {
        long size = q.barSize().seconds();
        long start = from.getEpochSecond();
        long end = to.getEpochSecond();
        long anchor = TradingHours.lastTradingMoment(now).getEpochSecond();
        double scale = scale(q.instrument(), current, anchor);
        List<Figures> out = new ArrayList<>();
        for (LocalDate day = TradingHours.day(from); !day.isAfter(TradingHours.day(to)); day = day.plusDays(1)) {
            if (!TradingHours.isTradingDay(day)) {
                continue;
            }
            long open = TradingHours.open(day, q.regularHoursOnly()).getEpochSecond();
            long close = TradingHours.close(day, q.regularHoursOnly()).getEpochSecond();
            long midnight = day.atStartOfDay(TradingHours.ZONE).toEpochSecond();
            for (long grid = midnight + Math.floorDiv(open - midnight, size) * size; grid < close; grid += size) {
                long barStart = Math.max(grid, open);
                long barEnd = Math.min(Math.min(grid + size, close), end);
                if (barStart < start || barStart >= barEnd) {
                    continue;
                }
                out.add(bar(q.instrument(), q.whatToShow(), barStart, barEnd, scale, anchor, current));
            }
        }
        return out;
    }

    private List<Figures> dailyBars(Query q, Instant from, Instant to, QuoteState current, Instant now) {
        long end = to.getEpochSecond();
        long anchor = TradingHours.lastTradingMoment(now).getEpochSecond();
        double scale = scale(q.instrument(), current, anchor);
        List<Figures> days = new ArrayList<>();
        List<LocalDate> dates = new ArrayList<>();
        for (LocalDate day = TradingHours.day(from); !day.isAfter(TradingHours.day(to)); day = day.plusDays(1)) {
            Instant open = TradingHours.open(day, q.regularHoursOnly());
            if (!TradingHours.isTradingDay(day) || open.isBefore(from) || !open.isBefore(to)) {
                continue;
            }
            long close = Math.min(TradingHours.close(day, q.regularHoursOnly()).getEpochSecond(), end);
            days.add(bar(q.instrument(), q.whatToShow(), open.getEpochSecond(), close, scale, anchor, current));
            dates.add(day);
        }
        return switch (q.barSize()) {
            case WEEK_1 -> merge(days, dates, d -> d.get(IsoFields.WEEK_BASED_YEAR) * 100L
                    + d.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
            case MONTH_1 -> merge(days, dates, d -> d.getYear() * 100L + d.getMonthValue());
            default -> days;
        };
    }

    /** Daily bars merged by week or month: first open, last close, extremes, summed volume and count. */
    private static List<Figures> merge(List<Figures> days, List<LocalDate> dates, Function<LocalDate, Long> group) {
        List<Figures> out = new ArrayList<>();
        int i = 0;
        while (i < days.size()) {
            long key = group.apply(dates.get(i));
            int j = i;
            while (j < days.size() && group.apply(dates.get(j)) == key) {
                j++;
            }
            List<Figures> part = days.subList(i, j);
            Figures first = part.get(0);
            double high = part.stream().mapToDouble(Figures::high).max().orElseThrow();
            double low = part.stream().mapToDouble(Figures::low).min().orElseThrow();
            BigDecimal volume = first.volume();
            BigDecimal wap = first.wap();
            int count = first.count();
            if (first.count() >= 0) {
                volume = part.stream().map(Figures::volume).reduce(BigDecimal.ZERO, BigDecimal::add);
                BigDecimal notional = part.stream().map(f -> f.wap().multiply(f.volume()))
                        .reduce(BigDecimal.ZERO, BigDecimal::add);
                wap = notional.divide(volume, 4, RoundingMode.HALF_UP);
                count = part.stream().mapToInt(Figures::count).sum();
            }
            out.add(new Figures(first.start(), first.open(), high, low, part.get(part.size() - 1).close(), volume, wap,
                    count));
            i = j;
        }
        return out;
    }

    /**
     * One bar of [{@code start}, {@code end}) from samples of the path; a bar that ends at {@code anchor} closes
     * at the current quote itself.
     */
    private Figures bar(Instrument instrument, WhatToShow what, long start, long end, double scale, long anchor,
                        QuoteState current) {
        PricePath path = path(instrument);
        long step = Math.max(1, (end - start) / SAMPLES_PER_BAR);
        double open = Double.NaN;
        double high = -Double.MAX_VALUE;
        double low = Double.MAX_VALUE;
        double close = 0;
        double sum = 0;
        double openAsk = 0;
        double sumAsk = 0;
        int n = 0;
        for (long t = start; ; t = Math.min(t + step, end)) {
            double mid = cents(scale * path.level(t));
            double bid = cents(mid - HALF_SPREAD);
            double ask = cents(mid + HALF_SPREAD);
            double value = switch (what) {
                case TRADES, ADJUSTED_LAST, MIDPOINT -> mid;
                case BID, BID_ASK -> bid;
                case ASK -> ask;
            };
            if (Double.isNaN(open)) {
                open = value;
                openAsk = ask;
            }
            high = Math.max(high, what == WhatToShow.BID_ASK ? ask : value);
            low = Math.min(low, value);
            close = value;
            sum += value;
            sumAsk += ask;
            n++;
            if (t >= end) {
                break;
            }
        }
        if (what == WhatToShow.BID_ASK) {
            // IB's BID_ASK bar: open the time-average bid, high the highest ask, low the lowest bid, close the
            // time-average ask
            open = cents(sum / n);
            close = cents(sumAsk / n);
            high = Math.max(high, Math.max(open, close));
            low = Math.min(low, Math.min(open, close));
        } else if (end == anchor) {
            close = switch (what) {
                case TRADES, ADJUSTED_LAST -> current.last();
                case MIDPOINT -> (current.bid() + current.ask()) / 2;
                case BID -> current.bid();
                default -> current.ask();
            };
            high = Math.max(high, close);
            low = Math.min(low, close);
        }
        if (what != WhatToShow.TRADES && what != WhatToShow.ADJUSTED_LAST) {
            BigDecimal none = BigDecimal.valueOf(-1);
            return new Figures(start, open, high, low, close, none, none, -1);
        }
        long volume = path.volume(start, Math.max(end, start + 1));
        BigDecimal wap = BigDecimal.valueOf(sum / n).setScale(4, RoundingMode.HALF_UP);
        if (wap.doubleValue() > high || wap.doubleValue() < low) {
            wap = BigDecimal.valueOf(close).setScale(4, RoundingMode.HALF_UP);
        }
        int count = (int) Math.max(1, Math.round(volume / 150.0));
        return new Figures(start, open, high, low, close, BigDecimal.valueOf(volume), wap, count);
    }

    /** The factor that makes the path's midpoint at {@code anchor} the current quote's midpoint. */
    private double scale(Instrument instrument, QuoteState current, long anchor) {
        return (current.bid() + current.ask()) / 2 / path(instrument).level(anchor);
    }

    private PricePath path(Instrument instrument) {
        return paths.computeIfAbsent(instrument.symbol(), s -> new PricePath(seed, s));
    }

    // ---- text -----------------------------------------------------------------------------------------------

    private static String date(long epochSecond, Query q) {
        if (q.barSize().isDaily()) {
            return DATE.format(Instant.ofEpochSecond(epochSecond).atZone(TradingHours.ZONE));
        }
        return rangeText(Instant.ofEpochSecond(epochSecond), q.formatDate());
    }

    private static String rangeText(Instant t, int formatDate) {
        if (formatDate == 2) {
            return Long.toString(t.getEpochSecond());
        }
        return DATE_TIME.format(t.atZone(TradingHours.ZONE)) + " " + TradingHours.ZONE.getId();
    }

    private static String capitalised(WhatToShow w) {
        String n = w.name();
        return n.charAt(0) + n.substring(1).toLowerCase(Locale.ROOT);
    }

    private static String exchange(ReqHistoricalData m) {
        return m.contract().exchange().isEmpty() ? "SMART" : m.contract().exchange();
    }

    private static double cents(double price) {
        return Math.round(price * 100.0) / 100.0;
    }

    private static Checked refused(int code, String text) {
        return new Checked(null, new Refusal(code, text));
    }
}
