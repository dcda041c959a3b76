package io.twsbridge.bridge.gateway.supervisor;

import io.twsbridge.bridge.gateway.GatewayConfig;
import io.twsbridge.bridge.gateway.session.AttemptFailure;
import io.twsbridge.bridge.gateway.session.AttemptOutcome;
import io.twsbridge.bridge.gateway.session.SessionControl;
import io.twsbridge.bridge.gateway.session.SessionListener;
import io.twsbridge.bridge.gateway.session.SessionState;
import io.twsbridge.bridge.gateway.session.SessionStateChange;
import io.twsbridge.bridge.gateway.zombie.ZombieProbe;
import io.twsbridge.bridge.time.ManualEventLoop;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The supervisor's rules with a fake session and a driven clock: hours of backoff run in milliseconds. */
class ConnectionSupervisorTest {

    private final ManualEventLoop loop = new ManualEventLoop();
    private final FakeSession session = new FakeSession();
    private final AtomicInteger zombies = new AtomicInteger();
    private final ZombieProbe probe = port -> new ZombieProbe.Result(zombies.get(), true, "fake");
    private GatewayConfig config;

    @BeforeEach
    void config() {
        config = GatewayConfig.builder().port(4002).clientId(17).failuresToOpen(3)
                .retryInitialBackoff(Duration.ofSeconds(1)).retryMaxBackoff(Duration.ofMinutes(10))
                .backoffJitter(0.0).zombieProbeInterval(Duration.ofSeconds(5)).stallHold(Duration.ofMinutes(10))
                .build();
    }

    @Test
    void failedAttemptsBackOffExponentiallyAndOpenTheBreaker() {
        session.answer = id -> failed(AttemptFailure.REFUSED);
        ConnectionSupervisor supervisor = start();

        assertThat(session.attempts).hasSize(1);
        loop.advance(Duration.ofMillis(999));
        assertThat(session.attempts).as("no retry before the first backoff").hasSize(1);
        loop.advance(Duration.ofMillis(1));
        assertThat(session.attempts).hasSize(2);
        loop.advance(Duration.ofSeconds(2));
        assertThat(session.attempts).hasSize(3);
        assertThat(supervisor.circuitBreaker().getState().name()).isEqualTo("OPEN");

        // Open: waits of 4, 8, ... 512 s, then the 10-minute cap: 15 attempts in the first hour, never a storm.
        loop.advance(Duration.ofHours(1));
        assertThat(session.attempts.size()).isBetween(14, 16);
        assertThat(supervisor.status().outcomes()).containsKey("REFUSED");
        assertThat(supervisor.status().advice()).contains("is IB Gateway running");
    }

    @Test
    void theWaitNeverExceedsTheCap() {
        session.answer = id -> failed(AttemptFailure.REFUSED);
        start();
        loop.advance(Duration.ofHours(2));
        int before = session.attempts.size();
        loop.advance(Duration.ofMinutes(10).plusSeconds(2));
        assertThat(session.attempts.size()).as("at least one attempt per capped wait").isGreaterThan(before);
    }

    @Test
    void zombiesForceTheBreakerOpenAndNoAttemptIsMadeUntilTheyAreGone() {
        zombies.set(2);
        session.answer = id -> ready(id);
        ConnectionSupervisor supervisor = start();

        loop.advance(Duration.ofHours(1));
        assertThat(session.attempts).as("no attempt while zombies exist").isEmpty();
        assertThat(supervisor.circuitBreaker().getState().name()).isEqualTo("FORCED_OPEN");
        assertThat(supervisor.status().zombieCount()).isEqualTo(2);
        assertThat(supervisor.status().advice()).contains("zombie").contains("Restart IB Gateway");

        zombies.set(0);
        loop.advance(Duration.ofSeconds(5));
        assertThat(session.attempts).as("exactly one attempt once they are gone").hasSize(1);
        assertThat(session.state).isEqualTo(SessionState.READY);
        assertThat(supervisor.circuitBreaker().getState().name()).isEqualTo("CLOSED");
    }

    @Test
    void aHandshakeStallHoldsTheBreakerOpenForTheStallHold() {
        session.answer = id -> failed(AttemptFailure.HANDSHAKE_STALL);
        ConnectionSupervisor supervisor = start();
        assertThat(session.attempts).hasSize(1);

        loop.advance(Duration.ofMinutes(9));
        assertThat(session.attempts).as("no attempt during the stall hold").hasSize(1);
        assertThat(supervisor.status().advice()).contains("never answered the handshake");
        session.answer = id -> ready(id);
        loop.advance(Duration.ofMinutes(2));
        assertThat(session.attempts).hasSize(2);
        assertThat(session.state).isEqualTo(SessionState.READY);
    }

    @Test
    void clientIdInUseMovesToTheNextFallbackId() {
        config = config.toBuilder().fallbackClientIds(List.of(18, 19)).build();
        session.answer = id -> id == 17 ? failed(AttemptFailure.CLIENT_ID_IN_USE) : ready(id);
        ConnectionSupervisor supervisor = start();
        loop.advance(Duration.ofSeconds(1));
        assertThat(session.attempts).containsExactly(17, 18);
        assertThat(supervisor.status().clientId()).isEqualTo(18);
        assertThat(session.state).isEqualTo(SessionState.READY);
    }

    @Test
    void neverTwoAttemptsAtOnce() {
        CompletableFuture<AttemptOutcome> pending = new CompletableFuture<>();
        session.answer = id -> pending;
        ConnectionSupervisor supervisor = start();
        loop.advance(Duration.ofHours(1));
        assertThat(session.attempts).hasSize(1);
        pending.complete(new AttemptOutcome.Failed(AttemptFailure.API_TIMEOUT, "slow", Duration.ofSeconds(15)));
        loop.runReady();
        assertThat(supervisor.status().lastError()).contains("API_TIMEOUT");
    }

    @Test
    void aLostLinkIsReconnectedAfterABackoff() {
        session.answer = id -> ready(id);
        start();
        assertThat(session.attempts).hasSize(1);
        session.loseLink("the Gateway closed the connection");
        loop.runReady();
        assertThat(session.attempts).as("not at once").hasSize(1);
        loop.advance(Duration.ofSeconds(1));
        assertThat(session.attempts).hasSize(2);
    }

    @Test
    void linksLostSoonAfterReadyAreRetriedEverMoreSlowlyAndALongLivedLinkStartsAgain() {
        config = GatewayConfig.builder().port(4002).clientId(17).failuresToOpen(3)
                .retryInitialBackoff(Duration.ofSeconds(1)).retryMaxBackoff(Duration.ofMinutes(10))
                .backoffJitter(0.0).zombieProbeInterval(Duration.ofSeconds(5)).stallHold(Duration.ofMinutes(10))
                .build();
        session.answer = id -> ready(id);
        start();
        List<Duration> waits = new ArrayList<>();
        for (int link = 0; link < 4; link++) {
            session.loseLink("the Gateway closed the connection");
            waits.add(timeToNextAttempt());
        }
        assertThat(waits).as("a Gateway dropping every link at once").containsExactly(
                Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8));

        loop.advance(ConnectionSupervisor.STABLE_LINK); // this link was a working session
        session.loseLink("the Gateway closed the connection");
        assertThat(timeToNextAttempt()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void anAttemptAskedForNowGoesAtOnceThroughAHeldBreaker() {
        session.answer = id -> failed(AttemptFailure.CLIENT_ID_IN_USE);
        ConnectionSupervisor supervisor = start();
        loop.advance(Duration.ofSeconds(3));
        assertThat(session.attempts).hasSize(3);
        assertThat(supervisor.circuitBreaker().getState().name()).isEqualTo("OPEN");

        session.answer = id -> ready(id); // the operator freed the client id
        CompletableFuture<ConnectionSupervisor.AttemptRequest> asked = supervisor.attemptNow("a test");
        loop.runReady();

        assertThat(asked).isCompletedWithValueMatching(ConnectionSupervisor.AttemptRequest::started);
        assertThat(asked.join().reason()).isEqualTo("attempt 4 started (breaker was OPEN)");
        assertThat(session.attempts).as("now, not after the breaker's wait").hasSize(4);
        assertThat(session.state).isEqualTo(SessionState.READY);
    }

    @Test
    void anAttemptAskedForNowIsRefusedWhileZombiesExistAndWhileConnected() {
        zombies.set(2);
        session.answer = id -> ready(id);
        ConnectionSupervisor supervisor = start();
        CompletableFuture<ConnectionSupervisor.AttemptRequest> asked = supervisor.attemptNow("a test");
        loop.runReady();
        assertThat(asked.join().started()).isFalse();
        assertThat(asked.join().reason()).isEqualTo("2 zombie socket(s) in CLOSE_WAIT on port 4002: an attempt "
                + "would not be served; restart IB Gateway first");
        assertThat(session.attempts).isEmpty();

        zombies.set(0);
        loop.advance(Duration.ofSeconds(5));
        assertThat(session.state).isEqualTo(SessionState.READY);
        asked = supervisor.attemptNow("a test");
        loop.runReady();
        assertThat(asked.join().started()).isFalse();
        assertThat(asked.join().reason()).isEqualTo("the session is READY: there is nothing to reconnect");
        assertThat(session.attempts).hasSize(1);
    }

    @Test
    void theAnnouncedNextAttemptIsTheAttemptMadeWhileTheBreakerIsHeld() {
        config = config.toBuilder().backoffJitter(0.5).build(); // the breaker's wait and the backoff differ most
        session.answer = id -> failed(AttemptFailure.REFUSED);
        ConnectionSupervisor supervisor = start();
        List<Instant> announced = new ArrayList<>(List.of(supervisor.status().nextAttemptAt())); // after attempt 1
        List<String> reasons = new ArrayList<>();
        supervisor.addStatusListener(s -> {
            if (s.nextAttemptAt() != null && (announced.isEmpty() || !announced.get(announced.size() - 1)
                    .equals(s.nextAttemptAt()))) {
                announced.add(s.nextAttemptAt());
                reasons.add(SessionReason.of(new io.twsbridge.bridge.gateway.session.SessionSnapshot(
                        SessionState.DISCONNECTED, "not connected", List.of(), 0, -1), s));
            }
        });
        loop.advance(Duration.ofHours(3));

        assertThat(supervisor.circuitBreaker().getState().name()).isEqualTo("OPEN");
        List<Instant> made = session.attemptTimes.subList(1, session.attemptTimes.size());
        assertThat(made).as("attempts after the first, in three hours").hasSizeGreaterThan(15);
        // The last announcement is for the attempt still to come; each earlier one was kept to the millisecond.
        assertThat(announced.subList(0, made.size())).as("announced next attempts").isEqualTo(made);
        assertThat(reasons.get(reasons.size() - 1)).as("the reason names the hold's end, which is the next attempt")
                .contains("circuit breaker OPEN after the last attempt failed (REFUSED: refused)")
                .endsWith("held until " + announced.get(announced.size() - 1) + ", the next attempt");
    }

    @Test
    void afterAProtocolFaultOpensTheBreakerTheAnnouncedAttemptIsStillTheOneMade() {
        // failuresToOpen 1: the fault after READY opens the breaker while the link's own backoff is the first step.
        config = config.toBuilder().failuresToOpen(1).backoffJitter(0.5).build();
        session.answer = id -> ready(id);
        ConnectionSupervisor supervisor = start();
        for (int round = 0; round < 6; round++) {
            supervisor.onProtocolFault("not TWS");
            session.loseLink("protocol fault");
            loop.runReady();
            Instant announced = supervisor.status().nextAttemptAt();
            assertThat(supervisor.circuitBreaker().getState().name()).isEqualTo("OPEN");
            int before = session.attempts.size();
            loop.advance(Duration.between(loop.clock().instant(), announced).minusMillis(1));
            assertThat(session.attempts).as("round %d: not before %s", round, announced).hasSize(before);
            loop.advance(Duration.ofMillis(1));
            assertThat(session.attemptTimes).as("round %d", round).hasSize(before + 1).last().isEqualTo(announced);
        }
    }

    @Test
    void afterAStallTheAnnouncedAttemptIsTheStallHoldsEnd() {
        session.answer = id -> failed(AttemptFailure.HANDSHAKE_STALL);
        ConnectionSupervisor supervisor = start();
        Instant stalledAt = loop.clock().instant();
        assertThat(supervisor.status().nextAttemptAt()).isEqualTo(stalledAt.plus(Duration.ofMinutes(10)));
        assertThat(supervisor.status().advice()).contains("try once more after 10 min");
        loop.advance(Duration.ofMinutes(10));
        assertThat(session.attemptTimes).containsExactly(stalledAt, stalledAt.plus(Duration.ofMinutes(10)));
    }

    @Test
    void whileZombiesHoldTheBreakerNoAttemptTimeIsAnnounced() {
        zombies.set(1);
        session.answer = id -> ready(id);
        ConnectionSupervisor supervisor = start();
        loop.advance(Duration.ofSeconds(12));
        assertThat(supervisor.status().nextAttemptAt()).as("none is due while they exist").isNull();
        assertThat(supervisor.status().breakerState()).isEqualTo("FORCED_OPEN");
    }

    /** Advances second by second until the supervisor makes its next attempt; how long that took. */
    private Duration timeToNextAttempt() {
        int before = session.attempts.size();
        loop.runReady();
        Duration waited = Duration.ZERO;
        while (session.attempts.size() == before && waited.compareTo(Duration.ofMinutes(5)) < 0) {
            loop.advance(Duration.ofMillis(500));
            waited = waited.plusMillis(500);
        }
        return waited;
    }

    private ConnectionSupervisor start() {
        ConnectionSupervisor supervisor = new ConnectionSupervisor(config, session, probe, loop);
        supervisor.start();
        loop.runReady();
        return supervisor;
    }

    private CompletableFuture<AttemptOutcome> failed(AttemptFailure f) {
        return CompletableFuture.completedFuture(new AttemptOutcome.Failed(f, f.name().toLowerCase(), Duration.ofMillis(5)));
    }

    private CompletableFuture<AttemptOutcome> ready(int id) {
        session.changeState(SessionState.READY);
        return CompletableFuture.completedFuture(new AttemptOutcome.Ready(id, 176, List.of("DU1"), Duration.ofMillis(5)));
    }

    /** A session that answers attempts as the test says and records them. */
    private final class FakeSession implements SessionControl {
        final List<Integer> attempts = new ArrayList<>();
        final List<Instant> attemptTimes = new ArrayList<>();
        final List<SessionListener> listeners = new ArrayList<>();
        java.util.function.IntFunction<CompletableFuture<AttemptOutcome>> answer;
        SessionState state = SessionState.DISCONNECTED;

        @Override
        public CompletableFuture<AttemptOutcome> connect(int clientId) {
            attempts.add(clientId);
            attemptTimes.add(loop.clock().instant());
            return answer.apply(clientId);
        }

        @Override
        public void closeLink(String reason) {
            loseLink(reason);
        }

        @Override
        public SessionState state() {
            return state;
        }

        @Override
        public List<String> accounts() {
            return state == SessionState.READY ? List.of("DU1") : List.of();
        }

        @Override
        public void addListener(SessionListener listener) {
            listeners.add(listener);
        }

        void changeState(SessionState to) {
            SessionStateChange change = new SessionStateChange(state, to, "fake", loop.clock().instant());
            state = to;
            listeners.forEach(l -> l.onStateChange(change));
        }

        void loseLink(String reason) {
            changeState(SessionState.DISCONNECTED);
            listeners.forEach(l -> l.onLinkLost(reason));
        }
    }
}
