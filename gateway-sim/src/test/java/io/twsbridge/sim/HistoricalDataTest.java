package io.twsbridge.sim;

import io.twsbridge.protocol.message.BarTime;
import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.ClientMessage.ReqHistoricalData;
import io.twsbridge.protocol.message.Contract;
import io.twsbridge.protocol.message.HistoricalBar;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.protocol.message.ServerMessage.ErrorMessage;
import io.twsbridge.protocol.message.ServerMessage.HistoricalData;
import io.twsbridge.sim.support.DrivenClock;
import io.twsbridge.sim.support.TwsTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * reqHistoricalData over a real socket, on a driven clock: Tuesday 2025-01-07 at 16:00 New York, the regular
 * session's close (the extended session is still open, so the current quote is the last price).
 */
class HistoricalDataTest extends SimulatorTestBase {

    static final ZoneId NEW_YORK = ZoneId.of("US/Eastern");
    static final Instant TUESDAY_CLOSE = Instant.parse("2025-01-07T21:00:00Z");

    private final DrivenClock clock = new DrivenClock(TUESDAY_CLOSE);

    @Test
    void oneDayOfFiveMinuteBarsIsTheRegularSessionEndingAtTheCurrentPrice() throws Exception {
        start(config().historicalLatency(Duration.ZERO), clock);
        TwsTestClient c = client(1);
        Quote quote = quote(c, "AAPL");

        HistoricalData data = bars(c, request(1, "AAPL", "", "1 D", "5 mins", true, "TRADES", 1));

        assertThat(data.bars()).hasSize(78); // 09:30 to 16:00
        assertThat(data.bars().get(0).date()).isEqualTo("20250107 09:30:00 US/Eastern");
        assertThat(data.bars().get(77).date()).isEqualTo("20250107 15:55:00 US/Eastern");
        for (int i = 0; i < data.bars().size(); i++) {
            Instant start = ((BarTime.Moment) data.bars().get(i).start(null)).instant();
            assertThat(start).isEqualTo(Instant.parse("2025-01-07T14:30:00Z").plusSeconds(300L * i));
        }
        data.bars().forEach(HistoricalDataTest::assertTradesBar);
        assertThat(data.bars().get(77).close()).isEqualTo(quote.last);
        assertThat(data.startDate()).isEqualTo("20250107 09:30:00 US/Eastern");
        assertThat(data.endDate()).isEqualTo("20250107 16:00:00 US/Eastern");

        HistoricalData again = bars(c, request(2, "AAPL", "", "1 D", "5 mins", true, "TRADES", 1));
        assertThat(again.bars()).isEqualTo(data.bars());
        HistoricalData other = bars(c, request(3, "MSFT", "", "1 D", "5 mins", true, "TRADES", 1));
        assertThat(other.bars()).extracting(HistoricalBar::close).isNotEqualTo(
                data.bars().stream().map(HistoricalBar::close).toList());
    }

    @Test
    void regularHoursOnlyOrAllHoursAndEpochDates() throws Exception {
        start(config().historicalLatency(Duration.ZERO), clock);
        TwsTestClient c = client(1);

        HistoricalData rth = bars(c, request(1, "AAPL", "", "1 D", "1 hour", true, "TRADES", 2));
        HistoricalData all = bars(c, request(2, "AAPL", "", "1 D", "1 hour", false, "TRADES", 2));

        // regular hours: 09:30 (the first bar starts at the open), 10:00 ... 15:00
        assertThat(rth.bars()).extracting(HistoricalBar::date).containsExactly(epochs("09:30", "10:00", "11:00",
                "12:00", "13:00", "14:00", "15:00"));
        // all hours, up to now (16:00): 04:00 ... 15:00
        assertThat(all.bars()).hasSize(12);
        assertThat(all.bars().get(0).date()).isEqualTo(epochs("04:00")[0]);
        assertThat(all.bars()).allSatisfy(b -> assertThat(b.date()).matches("\\d{10}"));
        // outside regular hours a tenth of the volume trades
        long preMarket = all.bars().subList(0, 5).stream().mapToLong(b -> b.volume().longValueExact()).sum();
        long regular = rth.bars().subList(1, 6).stream().mapToLong(b -> b.volume().longValueExact()).sum();
        assertThat(preMarket).isLessThan(regular / 4);
    }

    @Test
    void dailyWeeklyAndMonthlyBarsAreDatesWhateverFormatDateSays() throws Exception {
        start(config().historicalLatency(Duration.ZERO), clock);
        TwsTestClient c = client(1);

        HistoricalData year = bars(c, request(1, "AAPL", "", "1 Y", "1 day", true, "TRADES", 2));
        HistoricalData week = bars(c, request(2, "AAPL", "", "1 W", "1 hour", true, "TRADES", 1));
        HistoricalData weeks = bars(c, request(3, "AAPL", "", "3 M", "1 week", true, "TRADES", 1));
        HistoricalData months = bars(c, request(4, "AAPL", "", "1 Y", "1 month", true, "TRADES", 1));

        // a year back from Tuesday 2025-01-07 16:00: every weekday from Monday 2024-01-08 to today
        long weekdays = LocalDate.of(2024, 1, 8).datesUntil(LocalDate.of(2025, 1, 8))
                .filter(d -> d.getDayOfWeek() != DayOfWeek.SATURDAY && d.getDayOfWeek() != DayOfWeek.SUNDAY).count();
        assertThat(year.bars()).hasSize((int) weekdays);
        assertThat(year.bars().get(0).date()).isEqualTo("20240108");
        assertThat(year.bars().get(year.bars().size() - 1).date()).isEqualTo("20250107");
        year.bars().forEach(HistoricalDataTest::assertTradesBar);
        assertThat(year.bars().stream().map(HistoricalBar::date).distinct()).hasSize(year.bars().size());
        // a week of hourly bars: Wednesday to Tuesday, 7 bars a day
        assertThat(week.bars()).hasSize(5 * 7);
        assertThat(week.bars().get(0).date()).isEqualTo("20250101 09:30:00 US/Eastern");
        // weekly bars start on the first trading day of their week (the first week starts with the range)
        assertThat(weeks.bars().subList(1, weeks.bars().size())).isNotEmpty().allSatisfy(b -> assertThat(LocalDate.parse(b.date(),
                java.time.format.DateTimeFormatter.BASIC_ISO_DATE).getDayOfWeek()).isEqualTo(DayOfWeek.MONDAY));
        assertThat(months.bars()).hasSize(13); // from 2024-01-08 into January 2025
        assertThat(months.bars().get(1).date()).isEqualTo("20240201");
        // a month's bar is its days' bars merged
        List<HistoricalBar> february = year.bars().stream().filter(b -> b.date().startsWith("202402")).toList();
        HistoricalBar feb = months.bars().get(1);
        assertThat(feb.open()).isEqualTo(february.get(0).open());
        assertThat(feb.close()).isEqualTo(february.get(february.size() - 1).close());
        assertThat(feb.high()).isEqualTo(february.stream().mapToDouble(HistoricalBar::high).max().orElseThrow());
        assertThat(feb.volume()).isEqualTo(february.stream().map(HistoricalBar::volume)
                .reduce(BigDecimal.ZERO, BigDecimal::add));
    }

    @Test
    void eachTypeEndsAtItsSideOfTheQuoteAndOnlyTradesHaveVolume() throws Exception {
        start(config().historicalLatency(Duration.ZERO), clock);
        TwsTestClient c = client(1);
        Quote q = quote(c, "MSFT");

        Map<String, HistoricalBar> last = new java.util.LinkedHashMap<>();
        int id = 10;
        for (String type : List.of("TRADES", "ADJUSTED_LAST", "MIDPOINT", "BID", "ASK", "BID_ASK")) {
            List<HistoricalBar> b = bars(c, request(id++, "MSFT", "", "1800 S", "1 min", true, type, 1)).bars();
            assertThat(b).as(type).hasSize(30);
            b.forEach(bar -> assertThat(bar.low()).as(type).isLessThanOrEqualTo(Math.min(bar.open(), bar.close())));
            b.forEach(bar -> assertThat(bar.high()).as(type).isGreaterThanOrEqualTo(Math.max(bar.open(), bar.close())));
            last.put(type, b.get(b.size() - 1));
        }
        assertThat(last.get("TRADES").close()).isEqualTo(q.last);
        assertThat(last.get("ADJUSTED_LAST").close()).isEqualTo(q.last);
        assertThat(last.get("MIDPOINT").close()).isEqualTo((q.bid + q.ask) / 2);
        assertThat(last.get("BID").close()).isEqualTo(q.bid);
        assertThat(last.get("ASK").close()).isEqualTo(q.ask);
        for (String type : List.of("MIDPOINT", "BID", "ASK", "BID_ASK")) {
            assertThat(last.get(type).volume()).as(type).isEqualByComparingTo("-1");
            assertThat(last.get(type).wap()).as(type).isEqualByComparingTo("-1");
            assertThat(last.get(type).barCount()).as(type).isEqualTo(-1);
        }
        assertTradesBar(last.get("TRADES"));
    }

    @Test
    void anEndInThePastEndsThereAndAWeekendHasNoData() throws Exception {
        start(config().historicalLatency(Duration.ZERO), clock);
        TwsTestClient c = client(1);

        HistoricalData morning = bars(c, request(1, "AAPL", "20250106 10:00:00 US/Eastern", "1800 S", "5 mins", true,
                "TRADES", 1));
        HistoricalData utc = bars(c, request(2, "AAPL", "20250106-15:00:00", "1800 S", "5 mins", true, "TRADES", 1));
        ErrorMessage saturday = refusal(c, request(3, "AAPL", "20250104 12:00:00 US/Eastern", "3600 S", "1 min", true,
                "TRADES", 1));

        assertThat(morning.bars()).extracting(HistoricalBar::date).containsExactly("20250106 09:30:00 US/Eastern",
                "20250106 09:35:00 US/Eastern", "20250106 09:40:00 US/Eastern", "20250106 09:45:00 US/Eastern",
                "20250106 09:50:00 US/Eastern", "20250106 09:55:00 US/Eastern");
        assertThat(utc.bars()).isEqualTo(morning.bars());
        assertThat(saturday.code()).isEqualTo(162);
        assertThat(saturday.message()).isEqualTo(
                "Historical Market Data Service error message:HMDS query returned no data: AAPL@SMART Trades");
    }

    @ParameterizedTest(name = "{0} of {1} bars: {2}")
    @CsvSource(delimiter = ';', value = {
            "1 D;1 secs;162;Historical Market Data Service error message:Time length exceed max.",
            "60 S;1 hour;162;Historical Market Data Service error message:Time length exceed max.",
            "1 Y;1 hour;162;Historical Market Data Service error message:Time length exceed max.",
            "1 W;1 min;162;Historical Market Data Service error message:Time length exceed max.",
            "1 D;7 mins;321;Error validating request:-'bS' : cause - Historical data bar size setting is invalid. "
                    + "Legal ones are: 1 secs, 5 secs, 10 secs, 15 secs, 30 secs, 1 min, 2 mins, 3 mins, 5 mins, "
                    + "10 mins, 15 mins, 20 mins, 30 mins, 1 hour, 2 hours, 3 hours, 4 hours, 8 hours, 1 day, "
                    + "1 week, 1 month",
            "1 days;1 hour;321;Error validating request:-'bS' : cause - Historical data duration '1 days' is "
                    + "invalid: an integer, a space and S, D, W, M or Y",
    })
    void theStepTableAndTheSpellingsAreEnforced(String duration, String barSize, int code, String text)
            throws Exception {
        start(config(), clock);
        TwsTestClient c = client(1);

        ErrorMessage e = refusal(c, request(5, "AAPL", "", duration, barSize, true, "TRADES", 1));

        assertThat(e.code()).isEqualTo(code);
        assertThat(e.message()).isEqualTo(text);
    }

    @Test
    void theStepTableAllowsItsOwnRows() throws Exception {
        start(config().historicalPacing(false).historicalLatency(Duration.ZERO), clock);
        TwsTestClient c = client(1);
        String[][] rows = {{"60 S", "1 secs", "1 min"}, {"120 S", "1 secs", "2 mins"}, {"1800 S", "1 secs", "30 mins"},
                {"3600 S", "5 secs", "1 hour"}, {"14400 S", "10 secs", "3 hours"}, {"28800 S", "30 secs", "8 hours"},
                {"1 D", "1 min", "1 day"}, {"2 D", "2 mins", "1 day"}, {"1 W", "3 mins", "1 week"},
                {"1 M", "30 mins", "1 month"}, {"1 Y", "1 day", "1 month"}};
        int id = 100;
        for (String[] row : rows) {
            for (String size : List.of(row[1], row[2])) {
                assertThat(bars(c, request(id++, "AAPL", "", row[0], size, false, "MIDPOINT", 1)).bars())
                        .as("%s of %s", row[0], size).isNotEmpty();
            }
        }
    }

    @Test
    void unknownContractsTypesAndKeepUpToDateAreRefusedAsTheGatewayDoes() throws Exception {
        start(config(), clock);
        TwsTestClient c = client(1);

        ErrorMessage unknown = refusal(c, request(1, "NOPE", "", "1 D", "1 hour", true, "TRADES", 1));
        ErrorMessage noData = refusal(c, request(2, "AAPL", "", "1 D", "1 hour", true, "HISTORICAL_VOLATILITY", 1));
        ErrorMessage badType = refusal(c, request(3, "AAPL", "", "1 D", "1 hour", true, "PRICES", 1));
        ErrorMessage badEnd = refusal(c, request(4, "AAPL", "yesterday", "1 D", "1 hour", true, "TRADES", 1));
        ReqHistoricalData live = new ReqHistoricalData(5, stock("AAPL"), false, "", "1 D", "1 hour", true, "TRADES", 1,
                true, "");
        ErrorMessage keepUpToDate = refusal(c, live);

        assertThat(unknown.code()).isEqualTo(200);
        assertThat(unknown.message()).isEqualTo("No security definition has been found for the request");
        assertThat(noData.code()).isEqualTo(162);
        assertThat(noData.message()).isEqualTo(
                "Historical Market Data Service error message:No historical market data for AAPL/STK@SMART "
                        + "HISTORICAL_VOLATILITY 3600");
        assertThat(badType.code()).isEqualTo(321);
        assertThat(badEnd.code()).isEqualTo(321);
        assertThat(keepUpToDate.code()).isEqualTo(321);
        assertThat(keepUpToDate.message()).contains("keepUpToDate");
        assertThat(sim.state().historical().requests()).isEqualTo(5);
        assertThat(sim.state().historical().refused()).isEqualTo(5);
        assertThat(sim.state().historical().answered()).isZero();
    }

    @Test
    void cancelStopsAnOpenRequestAndAnUnknownIdGets366() throws Exception {
        start(config().historicalLatency(Duration.ofMinutes(5)), clock);
        TwsTestClient c = client(1);

        c.send(request(7, "AAPL", "", "1 D", "1 hour", true, "TRADES", 1));
        eventually().until(() -> sim.state().historical().open() == 1);
        c.send(new ClientMessage.CancelHistoricalData(7));
        ErrorMessage cancelled = c.await(ErrorMessage.class, e -> e.id() == 7, TIMEOUT);
        c.send(new ClientMessage.CancelHistoricalData(7));
        ErrorMessage unknown = c.await(ErrorMessage.class, e -> e.id() == 7, TIMEOUT);

        assertThat(cancelled.code()).isEqualTo(162);
        assertThat(cancelled.message()).isEqualTo(
                "Historical Market Data Service error message:API historical data query cancelled: 7");
        assertThat(unknown.code()).isEqualTo(366);
        assertThat(unknown.message()).isEqualTo("No historical data query found for ticker id:7");
        assertThat(sim.state().historical()).satisfies(h -> {
            assertThat(h.open()).isZero();
            assertThat(h.cancelled()).isEqualTo(1);
            assertThat(h.answered()).isZero();
        });
        assertThat(c.received(HistoricalData.class)).isEmpty();
    }

    @Test
    void anOpenRequestIsAnsweredAfterTheLatencyAndItsIdCannotBeReusedMeanwhile() throws Exception {
        start(config().historicalLatency(Duration.ofMillis(300)), clock);
        TwsTestClient c = client(1);

        c.send(request(8, "AAPL", "", "1 D", "1 hour", true, "TRADES", 1));
        c.send(request(8, "AAPL", "", "2 D", "1 hour", true, "TRADES", 1));

        ErrorMessage duplicate = c.await(ErrorMessage.class, e -> e.id() == 8, TIMEOUT);
        assertThat(duplicate.code()).isEqualTo(386);
        assertThat(c.await(HistoricalData.class, h -> h.reqId() == 8, TIMEOUT).bars()).hasSize(7);
        assertThat(sim.state().historical().open()).isZero();
    }

    @Test
    void headTimestampIsTheFirstSessionOf2000() throws Exception {
        start(config(), clock);
        TwsTestClient c = client(1);

        c.send(new ClientMessage.ReqHeadTimestamp(1, stock("AAPL"), false, true, "TRADES", 1));
        c.send(new ClientMessage.ReqHeadTimestamp(2, stock("AAPL"), false, true, "MIDPOINT", 2));
        c.send(new ClientMessage.ReqHeadTimestamp(3, stock("NOPE"), false, true, "TRADES", 1));

        assertThat(c.await(ServerMessage.HeadTimestamp.class, h -> h.reqId() == 1, TIMEOUT).headTimestamp())
                .isEqualTo("20000103-14:30:00");
        assertThat(c.await(ServerMessage.HeadTimestamp.class, h -> h.reqId() == 2, TIMEOUT).headTimestamp())
                .isEqualTo(Long.toString(Instant.parse("2000-01-03T14:30:00Z").getEpochSecond()));
        assertThat(c.await(ErrorMessage.class, e -> e.id() == 3, TIMEOUT).code()).isEqualTo(200);
        c.send(new ClientMessage.CancelHeadTimestamp(1)); // as ib_async sends after every answer: nothing to say
        c.send(new ClientMessage.ReqCurrentTime());
        c.await(ServerMessage.CurrentTime.class, TIMEOUT);
        assertThat(c.received(ErrorMessage.class)).noneMatch(e -> e.id() == 1);
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    record Quote(double bid, double ask, double last) {
    }

    /** The current quote, from a market-data snapshot (it does not move the market). */
    static Quote quote(TwsTestClient c, String symbol) throws Exception {
        List<ServerMessage> snapshot = reply(c, marketData(900, symbol, true), ServerMessage.TickSnapshotEnd.class);
        Map<Integer, Double> prices = only(snapshot, ServerMessage.TickPrice.class).stream()
                .collect(Collectors.toMap(ServerMessage.TickPrice::tickType, ServerMessage.TickPrice::price, (a, b) -> b));
        return new Quote(prices.get(1), prices.get(2), prices.get(4));
    }

    static ReqHistoricalData request(int reqId, String symbol, String end, String duration, String barSize,
                                     boolean rth, String type, int formatDate) {
        return new ReqHistoricalData(reqId, Contract.stock(symbol, "SMART", "USD"), false, end, duration, barSize, rth,
                type, formatDate, false, "");
    }

    /** Sends the request and returns its historicalData, failing on an error for it. */
    static HistoricalData bars(TwsTestClient c, ReqHistoricalData r) throws Exception {
        ServerMessage m = answer(c, r);
        assertThat(m).as("answer to %s", r).isInstanceOf(HistoricalData.class);
        return (HistoricalData) m;
    }

    static ErrorMessage refusal(TwsTestClient c, ReqHistoricalData r) throws Exception {
        ServerMessage m = answer(c, r);
        assertThat(m).as("answer to %s", r).isInstanceOf(ErrorMessage.class);
        return (ErrorMessage) m;
    }

    static ServerMessage answer(TwsTestClient c, ReqHistoricalData r) throws Exception {
        c.send(r);
        return c.await(ServerMessage.class, m -> m instanceof HistoricalData h && h.reqId() == r.reqId()
                || m instanceof ErrorMessage e && e.id() == r.reqId(), TIMEOUT);
    }

    static void assertTradesBar(HistoricalBar b) {
        assertThat(b.low()).as(b.date()).isLessThanOrEqualTo(Math.min(b.open(), b.close()));
        assertThat(b.high()).as(b.date()).isGreaterThanOrEqualTo(Math.max(b.open(), b.close()));
        assertThat(b.low()).as(b.date()).isPositive();
        assertThat(b.volume().signum()).as(b.date()).isPositive();
        assertThat(b.barCount()).as(b.date()).isPositive();
        assertThat(b.wap().doubleValue()).as(b.date()).isBetween(b.low(), b.high());
    }

    private static String[] epochs(String... newYorkTimes) {
        return java.util.Arrays.stream(newYorkTimes).map(t -> Long.toString(LocalDate.of(2025, 1, 7)
                .atTime(java.time.LocalTime.parse(t)).atZone(NEW_YORK).toEpochSecond())).toArray(String[]::new);
    }
}
