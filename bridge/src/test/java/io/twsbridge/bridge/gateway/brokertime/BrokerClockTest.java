package io.twsbridge.bridge.gateway.brokertime;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.twsbridge.bridge.gateway.session.SessionState;
import io.twsbridge.bridge.gateway.session.SessionStateChange;
import io.twsbridge.bridge.time.ManualEventLoop;
import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.ServerMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The schedule, the one outstanding request, the skew arithmetic and the log, on a driven clock. */
class BrokerClockTest {

    private static final Duration INTERVAL = Duration.ofMinutes(1);
    private static final Duration WARN_SKEW = Duration.ofSeconds(2);

    private final ManualEventLoop loop = new ManualEventLoop();
    private final List<ClientMessage> sent = new ArrayList<>();
    private boolean linkTakesFrames = true;
    private final BrokerClock clock = new BrokerClock(m -> linkTakesFrames && sent.add(m), loop, INTERVAL, WARN_SKEW);

    private final Logger logger = (Logger) LoggerFactory.getLogger(BrokerClock.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private Level levelBefore;

    @BeforeEach
    void captureTheLog() {
        levelBefore = logger.getLevel();
        logger.setLevel(Level.INFO);
        logged.start();
        logger.addAppender(logged);
    }

    @AfterEach
    void releaseTheLog() {
        logger.detachAppender(logged);
        logger.setLevel(levelBefore);
    }

    @Test
    void asksAtReadyAndEveryIntervalAfter() {
        ready();
        assertThat(sent).containsExactly(new ClientMessage.ReqCurrentTime());

        answer(Duration.ofMillis(20), Duration.ZERO);
        loop.advance(Duration.ofSeconds(59));
        assertThat(sent).hasSize(1);
        loop.advance(Duration.ofSeconds(1));
        assertThat(sent).hasSize(2);
        answer(Duration.ofMillis(20), Duration.ZERO);
        loop.advance(INTERVAL);
        assertThat(sent).hasSize(3);
    }

    @Test
    void neverAsksAgainWhileARequestIsOpenAndAnUnansweredOneIsNotedOnceAndTheChecksGoOn() {
        ready();
        loop.advance(BrokerClock.MAX_REPLY_WAIT.minusMillis(1));
        assertThat(sent).as("no second request while the first is open").hasSize(1);
        assertThat(clock.status().unansweredChecks()).isZero();

        loop.advance(Duration.ofMillis(1));
        assertThat(clock.status().unansweredChecks()).isEqualTo(1);
        assertThat(warnings()).singleElement().asString().contains("did not answer reqCurrentTime within 10000 ms");

        loop.advance(INTERVAL.minus(BrokerClock.MAX_REPLY_WAIT));
        assertThat(sent).as("the next check goes on").hasSize(2);
        loop.advance(INTERVAL);
        assertThat(sent).hasSize(3);
        assertThat(clock.status().unansweredChecks()).isEqualTo(2);
        assertThat(warnings()).as("one WARN for a run of unanswered checks").hasSize(1);
        assertThat(clock.latest()).isEmpty();

        answer(Duration.ofMillis(5), Duration.ZERO);
        assertThat(clock.latest()).isPresent();
    }

    @Test
    void aReplyWithNoRequestOpenIsIgnored() {
        ready();
        answer(Duration.ofMillis(10), Duration.ofSeconds(3));
        BrokerClock.Reading first = clock.latest().orElseThrow();

        // A second currentTime (someone else's request, or a reply after its timeout) is not a measure.
        loop.advance(Duration.ofSeconds(5));
        clock.onMessage(new ServerMessage.CurrentTime(loop.clock().instant().getEpochSecond() + 30));
        assertThat(clock.latest()).contains(first);
    }

    @Test
    void theSkewIsTheBrokersSecondTakenAtItsMiddleMinusTheHostsMidpointRoundedToTheMillisecond() {
        Instant sent = Instant.parse("2026-11-28T14:30:00.100Z");
        Instant received = Instant.parse("2026-11-28T14:30:00.300Z");
        // The Gateway, 3 s ahead, read its clock at 14:30:03.2 and answered the whole second 14:30:03.
        BrokerClock.Reading r = BrokerClock.measure(Instant.parse("2026-11-28T14:30:03Z").getEpochSecond(), sent,
                received);
        // 14:30:03.500 - 14:30:00.200
        assertThat(r.skewMillis()).isEqualTo(3_300);
        assertThat(r.roundTripMillis()).isEqualTo(200);
        assertThat(r.checkedAt()).isEqualTo(received);
        assertThat(r.brokerTime()).isEqualTo(Instant.parse("2026-11-28T14:30:03Z"));
        assertThat(BrokerClock.measure(r.brokerTime().getEpochSecond(), sent,
                Instant.parse("2026-11-28T14:30:00.300999999Z")).checkedAt()).as("to the millisecond")
                .isEqualTo(received);

        // A Gateway behind the host: negative.
        assertThat(BrokerClock.measure(Instant.parse("2026-11-28T14:29:55Z").getEpochSecond(), sent, received)
                .skewMillis()).isEqualTo(-4_700);
        // Half a millisecond rounds up: midpoint 14:30:00.0005, broker middle 14:30:00.5.
        assertThat(BrokerClock.measure(Instant.parse("2026-11-28T14:30:00Z").getEpochSecond(),
                Instant.parse("2026-11-28T14:30:00Z"), Instant.parse("2026-11-28T14:30:00.001Z")).skewMillis())
                .isEqualTo(500);
    }

    @Test
    void aMeasureOnTheLoopUsesTheLoopsClockForSendAndReceive() {
        ready();
        Instant sentAt = loop.clock().instant();
        answer(Duration.ofMillis(400), Duration.ofSeconds(3));
        BrokerClock.Reading r = clock.latest().orElseThrow();
        assertThat(r.roundTripMillis()).isEqualTo(400);
        assertThat(r.checkedAt()).isEqualTo(sentAt.plusMillis(400));
        // Broker second: floor(14:30:03.4) = 14:30:03, middle 14:30:03.5; host midpoint 14:30:00.2.
        assertThat(r.skewMillis()).isEqualTo(3_300);
        assertThat(clock.status().beyondWarnSkew()).isTrue();
    }

    @Test
    void warnsOnceWhenTheSkewGoesBeyondTheBoundAndSaysSoWhenItIsBack() {
        ready();
        answer(Duration.ofMillis(10), Duration.ZERO);
        assertThat(warnings()).isEmpty();
        assertThat(infos()).singleElement().asString().contains("IB Gateway's clock is 0.5 s ahead of this host's");

        everyMinute(Duration.ofSeconds(3));
        everyMinute(Duration.ofSeconds(3));
        everyMinute(Duration.ofSeconds(-4));
        assertThat(warnings()).as("one WARN while the skew stays beyond the bound, either way").singleElement()
                .asString().contains("3.5 s ahead of this host's").contains("gateway.broker-clock-warn-skew (2.0 s)")
                .contains("NTP");
        assertThat(clock.status().beyondWarnSkew()).isTrue();

        everyMinute(Duration.ZERO);
        assertThat(infos()).as("back within the bound").hasSize(2).last().asString().contains("back within");
        assertThat(clock.status().beyondWarnSkew()).isFalse();
        everyMinute(Duration.ZERO);
        assertThat(infos()).as("nothing more while it stays within").hasSize(2);

        everyMinute(Duration.ofSeconds(3));
        assertThat(warnings()).as("beyond again: a new WARN").hasSize(2);
    }

    @Test
    void aClockAtTheBoundDoesNotWarnAndRecoverInTurnComingBackTakesHalfASecondLess() {
        Duration bound = Duration.ofSeconds(2);
        assertThat(BrokerClock.beyond(false, 2_000, bound)).isFalse();
        assertThat(BrokerClock.beyond(false, 2_001, bound)).isTrue();
        assertThat(BrokerClock.beyond(false, -2_001, bound)).as("either way").isTrue();
        // Once beyond, readings that IB's whole seconds scatter about the bound keep it beyond.
        assertThat(BrokerClock.beyond(true, 1_900, bound)).isTrue();
        assertThat(BrokerClock.beyond(true, -1_501, bound)).isTrue();
        assertThat(BrokerClock.beyond(true, 1_500, bound)).isFalse();
        // A bound under a second comes back at half of it.
        assertThat(BrokerClock.beyond(true, 300, Duration.ofMillis(500))).isTrue();
        assertThat(BrokerClock.beyond(true, 250, Duration.ofMillis(500))).isFalse();
    }

    @Test
    void theTimersStopWithTheLinkAndStartAgainAtTheNextReadyWhileTheLatestMeasureStays() {
        ready();
        answer(Duration.ofMillis(10), Duration.ofSeconds(1));
        BrokerClock.Reading measured = clock.latest().orElseThrow();
        loop.advance(Duration.ofSeconds(30));
        clock.onLinkLost("socket closed");
        clock.onStateChange(change(SessionState.READY, SessionState.DISCONNECTED));
        assertThat(loop.pendingTimers()).isZero();
        loop.advance(Duration.ofMinutes(5));
        assertThat(sent).hasSize(1);
        assertThat(clock.latest()).contains(measured);

        clock.onStateChange(change(SessionState.SYNCING, SessionState.READY));
        assertThat(sent).as("asked at once on the new link").hasSize(2);
    }

    @Test
    void aLinkLostWithARequestOpenLeavesNothingOpenForTheNextLink() {
        ready();
        clock.onLinkLost("socket closed");
        loop.advance(Duration.ofSeconds(20));
        assertThat(clock.status().unansweredChecks()).as("a lost link is not an unanswered check").isZero();
        clock.onStateChange(change(SessionState.SYNCING, SessionState.READY));
        assertThat(sent).hasSize(2);
    }

    @Test
    void degradedAndBackToReadyIsTheSameLinkAndKeepsItsSchedule() {
        ready();
        answer(Duration.ofMillis(10), Duration.ZERO);
        clock.onStateChange(change(SessionState.READY, SessionState.DEGRADED));
        clock.onStateChange(change(SessionState.DEGRADED, SessionState.READY));
        assertThat(sent).hasSize(1);
        loop.advance(INTERVAL);
        assertThat(sent).as("checked while degraded too: the Gateway still answers from its clock").hasSize(2);
    }

    @Test
    void aCheckTheLinkDoesNotTakeOpensNothingAndTheNextGoesOn() {
        linkTakesFrames = false;
        ready();
        assertThat(sent).isEmpty();
        loop.advance(BrokerClock.MAX_REPLY_WAIT);
        assertThat(clock.status().unansweredChecks()).isZero();
        linkTakesFrames = true;
        loop.advance(INTERVAL);
        assertThat(sent).hasSize(1);
    }

    @Test
    void aReplyThatIsNotATimeIsNotAMeasure() {
        ready();
        clock.onMessage(new ServerMessage.CurrentTime(0));
        assertThat(clock.latest()).isEmpty();
        assertThat(warnings()).singleElement().asString().contains("not a time");
    }

    @Test
    void theStatusShowsTheLatestMeasureAndTheBound() {
        assertThat(clock.status().toJson()).containsEntry("skewMillis", null).containsEntry("checkedAt", null)
                .containsEntry("warnSkewMillis", 2_000L).containsEntry("beyondWarnSkew", false);
        ready();
        answer(Duration.ofMillis(100), Duration.ofSeconds(3));
        assertThat(clock.status().toJson()).containsEntry("skewMillis", 3_450L)
                .containsEntry("checkedAt", "2026-11-28T14:30:00.100Z")
                .containsEntry("brokerTime", "2026-11-28T14:30:03Z")
                .containsEntry("roundTripMillis", 100L).containsEntry("beyondWarnSkew", true)
                .containsEntry("unansweredChecks", 0L);
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private void ready() {
        clock.onStateChange(change(SessionState.SYNCING, SessionState.READY));
        loop.runReady();
    }

    /** After {@code roundTrip}, the Gateway, {@code offset} off the host, answers with the whole second it is in. */
    private void answer(Duration roundTrip, Duration offset) {
        loop.advance(roundTrip);
        clock.onMessage(new ServerMessage.CurrentTime(loop.clock().instant().plus(offset).getEpochSecond()));
    }

    /** The next minute's check, answered 10 ms later by a Gateway {@code offset} off the host. */
    private void everyMinute(Duration offset) {
        loop.advance(INTERVAL.minusMillis(10));
        answer(Duration.ofMillis(10), offset);
    }

    private SessionStateChange change(SessionState from, SessionState to) {
        return new SessionStateChange(from, to, "test", loop.clock().instant());
    }

    private List<String> warnings() {
        return lines(Level.WARN);
    }

    private List<String> infos() {
        return lines(Level.INFO);
    }

    private List<String> lines(Level level) {
        return logged.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
    }
}
