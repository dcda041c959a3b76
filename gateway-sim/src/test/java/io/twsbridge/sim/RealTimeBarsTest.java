package io.twsbridge.sim;

import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.ClientMessage.ReqRealTimeBars;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.protocol.message.ServerMessage.ErrorMessage;
import io.twsbridge.protocol.message.ServerMessage.RealTimeBar;
import io.twsbridge.sim.support.DrivenClock;
import io.twsbridge.sim.support.TwsTestClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** reqRealTimeBars over a real socket: one bar per 5 seconds of a driven clock, until cancelled. */
class RealTimeBarsTest extends SimulatorTestBase {

    /** Tuesday 2025-01-07, 12:00:02 New York: regular hours. */
    private static final Instant NOON = Instant.parse("2025-01-07T17:00:02Z");
    private final DrivenClock clock = new DrivenClock(NOON);

    @Test
    void aBarFollowsEachFiveSecondsOfTheClockUntilCancelled() throws Exception {
        start(config(), clock);
        TwsTestClient c = client(1);
        HistoricalDataTest.Quote quote = HistoricalDataTest.quote(c, "AAPL");

        c.send(bars(5, "AAPL", "TRADES", true));
        eventually().until(() -> sim.state().historical().realTimeBars().size() == 1);
        assertThat(c.received(RealTimeBar.class)).isEmpty();           // the first bar has not ended yet
        clock.advance(Duration.ofSeconds(3));                          // 12:00:05
        RealTimeBar first = c.await(RealTimeBar.class, b -> b.reqId() == 5, TIMEOUT);
        clock.advance(Duration.ofSeconds(5));                          // 12:00:10
        RealTimeBar second = c.await(RealTimeBar.class, b -> b.reqId() == 5, TIMEOUT);

        assertThat(first.start()).isEqualTo(Instant.parse("2025-01-07T17:00:00Z"));
        assertThat(second.start()).isEqualTo(Instant.parse("2025-01-07T17:00:05Z"));
        for (RealTimeBar b : java.util.List.of(first, second)) {
            assertThat(b.close()).isEqualTo(quote.last());              // the market has not moved
            assertThat(b.low()).isLessThanOrEqualTo(Math.min(b.open(), b.close()));
            assertThat(b.high()).isGreaterThanOrEqualTo(Math.max(b.open(), b.close()));
            assertThat(b.volume().signum()).isPositive();
            assertThat(b.count()).isPositive();
            assertThat(b.wap().doubleValue()).isBetween(b.low(), b.high());
        }

        c.send(new ClientMessage.CancelRealTimeBars(5));
        eventually().until(() -> sim.state().historical().realTimeBars().isEmpty());
        int received = c.received(RealTimeBar.class).size();
        clock.advance(Duration.ofSeconds(5));
        // the subscription is gone, so the worker has nothing left to send; nothing was in flight either:
        c.send(new ClientMessage.ReqCurrentTime());
        c.await(ServerMessage.CurrentTime.class, TIMEOUT);
        assertThat(c.received(RealTimeBar.class)).hasSize(received);
    }

    @Test
    void typesOtherThanTradesHaveNoVolumeAndTheClosedSessionSendsNothing() throws Exception {
        start(config(), clock);
        TwsTestClient c = client(1);
        HistoricalDataTest.Quote quote = HistoricalDataTest.quote(c, "MSFT");

        c.send(bars(6, "MSFT", "BID", true));
        eventually().until(() -> sim.state().historical().realTimeBars().size() == 1);
        clock.advance(Duration.ofSeconds(3));
        RealTimeBar bid = c.await(RealTimeBar.class, b -> b.reqId() == 6, TIMEOUT);

        assertThat(bid.close()).isEqualTo(quote.bid());
        assertThat(bid.volume()).isEqualByComparingTo("-1");
        assertThat(bid.count()).isEqualTo(-1);

        clock.set(Instant.parse("2025-01-07T22:00:02Z")); // 17:00: the regular session has closed
        c.send(bars(7, "MSFT", "TRADES", true));
        c.send(bars(8, "MSFT", "TRADES", false));
        eventually().until(() -> sim.state().historical().realTimeBars().size() == 3);
        clock.advance(Duration.ofSeconds(3));
        c.await(RealTimeBar.class, b -> b.reqId() == 8, TIMEOUT);     // the extended session is open
        assertThat(c.received(RealTimeBar.class)).noneMatch(b -> b.reqId() == 7);
    }

    @Test
    void badParametersGet420AndUnknownContracts200() throws Exception {
        start(config(), clock);
        TwsTestClient c = client(1);

        c.send(new ReqRealTimeBars(1, stock("AAPL"), 10, "TRADES", true, ""));
        c.send(bars(2, "AAPL", "BID_ASK", true));
        c.send(bars(3, "NOPE", "TRADES", true));

        assertThat(c.await(ErrorMessage.class, e -> e.id() == 1, TIMEOUT).code()).isEqualTo(420);
        assertThat(c.await(ErrorMessage.class, e -> e.id() == 2, TIMEOUT).message()).isEqualTo("Invalid real-time query.");
        assertThat(c.await(ErrorMessage.class, e -> e.id() == 3, TIMEOUT).code()).isEqualTo(200);
    }

    @Test
    void the61stNewSubscriptionIn10MinutesIsRefused() throws Exception {
        start(config(), clock);
        TwsTestClient c = client(1);

        for (int i = 1; i <= 60; i++) {
            c.send(bars(i, "AAPL", "MIDPOINT", true));
        }
        eventually().until(() -> sim.state().historical().realTimeBars().size() == 60);
        c.send(bars(61, "AAPL", "MIDPOINT", true));
        assertThat(c.await(ErrorMessage.class, e -> e.id() == 61, TIMEOUT).code()).isEqualTo(420);
        clock.advance(Duration.ofMinutes(10));
        c.send(bars(62, "AAPL", "MIDPOINT", true));
        eventually().until(() -> sim.state().historical().realTimeBars().size() == 61);
    }

    private static ReqRealTimeBars bars(int reqId, String symbol, String type, boolean rth) {
        return new ReqRealTimeBars(reqId, stock(symbol), 5, type, rth, "");
    }
}
