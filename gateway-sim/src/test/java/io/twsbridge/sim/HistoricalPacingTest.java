package io.twsbridge.sim;

import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.ClientMessage.ReqHistoricalData;
import io.twsbridge.protocol.message.ServerMessage;
import io.twsbridge.protocol.message.ServerMessage.ErrorMessage;
import io.twsbridge.protocol.message.ServerMessage.HistoricalData;
import io.twsbridge.sim.support.DrivenClock;
import io.twsbridge.sim.support.TwsTestClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.twsbridge.sim.HistoricalDataTest.TUESDAY_CLOSE;
import static io.twsbridge.sim.HistoricalDataTest.answer;
import static io.twsbridge.sim.HistoricalDataTest.request;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * IB's historical pacing rules, enforced by the simulator on a driven clock: each rule's limit is reached exactly,
 * broken by one more request (error 162, pacing violation), and free again once its window has passed.
 */
class HistoricalPacingTest extends SimulatorTestBase {

    private static final String VIOLATION =
            "Historical Market Data Service error message:Historical data request pacing violation";

    private final DrivenClock clock = new DrivenClock(TUESDAY_CLOSE);
    private int nextId = 1;

    @Test
    void anIdenticalSmallBarRequestWithin15SecondsIsAViolation() throws Exception {
        start(config().historicalLatency(Duration.ZERO), clock);
        TwsTestClient c = client(1);

        assertAnswered(c, small("AAPL", "TRADES", "60 S"));
        clock.advance(Duration.ofMillis(14_999));
        assertViolation(c, small("AAPL", "TRADES", "60 S"));
        assertAnswered(c, small("AAPL", "TRADES", "120 S")); // not identical
        clock.advance(Duration.ofMillis(1));
        assertAnswered(c, small("AAPL", "TRADES", "60 S"));

        assertThat(sim.state().historical().pacingViolations()).isEqualTo(1);
        assertThat(sim.state().historical().requests()).isEqualTo(4);
        assertThat(sim.state().historical().answered()).isEqualTo(3);
    }

    @Test
    void aSixthRequestForOneContractExchangeAndTypeWithin2SecondsIsAViolation() throws Exception {
        start(config().historicalLatency(Duration.ZERO), clock);
        TwsTestClient c = client(1);

        for (int i = 1; i <= 5; i++) {
            assertAnswered(c, small("AAPL", "TRADES", (60 * i) + " S"));
        }
        assertViolation(c, small("AAPL", "TRADES", "360 S"));
        assertAnswered(c, small("AAPL", "MIDPOINT", "360 S")); // another type
        assertAnswered(c, small("MSFT", "TRADES", "360 S"));   // another contract
        clock.advance(Duration.ofSeconds(2));
        assertAnswered(c, small("AAPL", "TRADES", "360 S"));
    }

    @Test
    void bidAskCountsTwice() throws Exception {
        start(config().historicalLatency(Duration.ZERO), clock);
        TwsTestClient c = client(1);

        assertAnswered(c, small("AAPL", "BID_ASK", "60 S"));
        assertAnswered(c, small("AAPL", "BID_ASK", "120 S"));
        assertViolation(c, small("AAPL", "BID_ASK", "180 S")); // 6 counted within 2 s
        clock.advance(Duration.ofSeconds(2));
        for (int i = 0; i < 28; i++) { // 2 * 2 + 28 * 2 = 60 counted in 10 minutes, 3 s apart
            assertAnswered(c, small(i % 2 == 0 ? "AAPL" : "MSFT", "BID_ASK", (200 + i) + " S"));
            clock.advance(Duration.ofSeconds(3));
        }
        assertViolation(c, small("MSFT", "TRADES", "999 S")); // the 61st
    }

    @Test
    void moreThan60RequestsIn10MinutesIsAViolationUntilTheOldestLeavesTheWindow() throws Exception {
        start(config().historicalLatency(Duration.ZERO), clock);
        TwsTestClient c = client(1);
        String[] types = {"TRADES", "MIDPOINT", "BID", "ASK"};

        for (int i = 0; i < 60; i++) { // 4 series, 1 s apart: never 6 of one series in 2 s
            assertAnswered(c, small(i % 2 == 0 ? "AAPL" : "MSFT", types[i % 4], (60 + i) + " S"));
            clock.advance(Duration.ofSeconds(1));
        }
        assertViolation(c, small("AAPL", "TRADES", "1000 S"));
        clock.set(TUESDAY_CLOSE.plus(Duration.ofMinutes(10)));  // the first request leaves the window
        assertAnswered(c, small("AAPL", "TRADES", "1000 S"));
        assertViolation(c, small("AAPL", "TRADES", "1001 S"));
        assertThat(sim.state().historical().pacingViolations()).isEqualTo(2);
    }

    @Test
    void barsOfAMinuteOrMoreAreNotPaced() throws Exception {
        start(config().historicalLatency(Duration.ZERO), clock);
        TwsTestClient c = client(1);

        for (int i = 0; i < 70; i++) {
            assertAnswered(c, request(nextId++, "AAPL", "", "1 D", "1 min", true, "TRADES", 1));
        }
        assertThat(sim.state().historical().pacingViolations()).isZero();
    }

    @Test
    void withPacingOffNothingIsAViolation() throws Exception {
        start(config().historicalPacing(false).historicalLatency(Duration.ZERO), clock);
        TwsTestClient c = client(1);

        for (int i = 0; i < 70; i++) {
            assertAnswered(c, small("AAPL", "TRADES", "60 S"));
        }
        assertThat(sim.state().historical().pacing()).isFalse();
        assertThat(sim.state().historical().pacingViolations()).isZero();
    }

    @Test
    void the51stOpenRequestIsRefusedWith322() throws Exception {
        start(config().historicalLatency(Duration.ofMinutes(5)), clock);
        TwsTestClient a = client(1);
        TwsTestClient b = client(2);

        for (int i = 0; i < 25; i++) {
            a.send(request(100 + i, "AAPL", "", "1 D", "1 hour", true, "TRADES", 1));
            b.send(request(100 + i, "MSFT", "", "1 D", "1 hour", true, "TRADES", 1));
        }
        eventually().until(() -> sim.state().historical().open() == 50);
        ServerMessage refused = answer(a, request(200, "AAPL", "", "2 D", "1 hour", true, "TRADES", 1));
        a.send(new ClientMessage.CancelHistoricalData(100));
        a.await(ErrorMessage.class, e -> e.id() == 100 && e.code() == 162, TIMEOUT);
        eventually().until(() -> sim.state().historical().open() == 49);
        a.send(request(201, "AAPL", "", "2 D", "1 hour", true, "TRADES", 1));
        eventually().until(() -> sim.state().historical().open() == 50); // admitted: the freed place is taken

        assertThat(refused).isInstanceOfSatisfying(ErrorMessage.class, e -> {
            assertThat(e.code()).isEqualTo(322);
            assertThat(e.message()).isEqualTo("Error processing request:-'wd' : cause - Only 50 simultaneous API "
                    + "historical data requests allowed.");
        });
        assertThat(a.received(ErrorMessage.class)).noneMatch(e -> e.id() == 201);
        assertThat(sim.state().historical().requests()).isEqualTo(52);
    }

    private ReqHistoricalData small(String symbol, String type, String duration) {
        return request(nextId++, symbol, "", duration, "5 secs", false, type, 2);
    }

    private static void assertAnswered(TwsTestClient c, ReqHistoricalData r) throws Exception {
        assertThat(answer(c, r)).as("answer to %s", r).isInstanceOf(HistoricalData.class);
    }

    private static void assertViolation(TwsTestClient c, ReqHistoricalData r) throws Exception {
        assertThat(answer(c, r)).as("answer to %s", r).isInstanceOfSatisfying(ErrorMessage.class, e -> {
            assertThat(e.code()).isEqualTo(162);
            assertThat(e.message()).isEqualTo(VIOLATION);
        });
    }
}
