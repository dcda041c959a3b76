package io.twsbridge.bridge.gateway.supervisor;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.twsbridge.bridge.gateway.GatewayConfig;
import io.twsbridge.bridge.gateway.session.AttemptFailure;
import io.twsbridge.bridge.gateway.session.AttemptOutcome;
import io.twsbridge.bridge.gateway.session.SessionControl;
import io.twsbridge.bridge.gateway.session.SessionListener;
import io.twsbridge.bridge.gateway.session.SessionState;
import io.twsbridge.bridge.gateway.session.SessionStateChange;
import io.twsbridge.bridge.gateway.zombie.ZombieProbe;
import io.twsbridge.bridge.time.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The only code that decides to connect to the Gateway.
 *
 * <p>Rules, in order, each time it considers an attempt:
 * <ol>
 *   <li>At most one attempt at a time, and none while a link exists.</li>
 *   <li>Zombies (CLOSE_WAIT sockets on the Gateway's port) force the circuit breaker open: no attempt while any
 *       exist; they are counted again every {@code zombieProbeInterval}, and once gone the breaker goes half-open
 *       for exactly one attempt.</li>
 *   <li>The breaker must grant permission. It opens after {@code failuresToOpen} consecutive failed attempts;
 *       half-open allows one attempt. A handshake stall (the remote symptom of zombies) holds it open for
 *       {@code stallHold}.</li>
 *   <li>After each failed attempt the next one waits an exponentially growing, jittered backoff capped at
 *       {@code retryMaxBackoff}, so there is never a tight retry loop. While the breaker is open it is held for
 *       exactly that wait (or the stall hold): the supervisor, not the breaker, owns the hold, so that the time it
 *       announces ({@code nextAttemptAt}, the log, the session reason) is the time of the attempt.</li>
 *   <li>A synced link closed for a protocol fault (the Gateway sent something that is not TWS) is recorded as a
 *       failure. The wait before the next attempt doubles with each synced link in a row lost within a minute
 *       of READY ({@code retryMaxBackoff} if shorter), fault or plain drop: a peer that reaches READY and then breaks the
 *       protocol or drops the link every time is retried ever more slowly, never at a fixed pace.</li>
 * </ol>
 * The breaker is driven through its asynchronous API ({@code tryAcquirePermission}, {@code onSuccess},
 * {@code onError}) with the event loop's clock.
 *
 * <p>Threading: everything runs on the {@link EventLoop}.
 */
public final class ConnectionSupervisor implements SessionListener {

    private static final Logger log = LoggerFactory.getLogger(ConnectionSupervisor.class);
    /** How soon an open breaker is asked again should it refuse after its hold; a safety net, not the rule. */
    private static final Duration MAX_BREAKER_POLL = Duration.ofSeconds(1);
    private static final Duration ZOMBIE_REMINDER = Duration.ofMinutes(1);

    private final GatewayConfig config;
    private final SessionControl session;
    private final ZombieProbe probe;
    private final EventLoop loop;
    private final CircuitBreaker breaker;
    private final IntervalFunction backoff;
    private final List<Integer> clientIds;
    private final List<Consumer<SupervisorStatus>> statusListeners = new CopyOnWriteArrayList<>();
    private final Map<String, Long> outcomes = new TreeMap<>();

    private volatile SupervisorStatus status;
    private int clientIdIndex;
    private boolean started;
    private boolean stopped;
    private boolean attemptInFlight;
    private int consecutiveFailures;
    /**
     * A link READY this long (or {@code retryMaxBackoff}, if shorter) was a working session: its loss is a new
     * incident, retried after the first backoff step, not the next step of a flapping Gateway.
     */
    static final Duration STABLE_LINK = Duration.ofMinutes(1);
    /**
     * Synced links in a row lost within {@link #STABLE_LINK} of READY (a protocol fault or a plain drop); sets
     * the backoff step of the next attempt.
     */
    private int shortLivedLinksInARow;
    /** The protocol fault that is closing the current link, until its loss is handled; null otherwise. */
    private String pendingFault;
    private Instant readyAt;
    private long attempts;
    private int zombieCount;
    private boolean probeAvailable = true;
    private String lastError = "";
    private String advice = "";
    private SessionState sessionState = SessionState.DISCONNECTED;
    private String sessionReason = "not started";
    private Instant since;
    private Instant nextAttemptAt;
    /** When the supervisor's hold of an OPEN breaker ends; null when the breaker is not held OPEN. */
    private Instant breakerHoldEnds;
    private EventLoop.Timer timer;
    private int lastLoggedZombies;
    private Instant lastZombieLog = Instant.MIN;

    public ConnectionSupervisor(GatewayConfig config, SessionControl session, ZombieProbe probe, EventLoop loop) {
        this.config = config;
        this.session = session;
        this.probe = probe;
        this.loop = loop;
        this.backoff = IntervalFunction.ofExponentialRandomBackoff(config.retryInitialBackoff(), 2.0,
                config.backoffJitter(), config.retryMaxBackoff());
        this.breaker = CircuitBreaker.of("gateway-connect", CircuitBreakerConfig.custom()
                .slidingWindow(config.failuresToOpen(), config.failuresToOpen(),
                        CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .failureRateThreshold(100)
                .permittedNumberOfCallsInHalfOpenState(1)
                // Never used: every opening is followed at once by transitionToOpenStateFor with the supervisor's
                // own wait (see holdBreakerFor), so there is one wait, and it is the one announced.
                .waitIntervalFunctionInOpenState(backoff)
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .recordException(e -> true)
                .clock(loop.clock())
                .build());
        breaker.getEventPublisher().onStateTransition(e -> {
            if (e.getStateTransition().getFromState() != e.getStateTransition().getToState()) {
                log.warn("circuit breaker {}: {}", e.getCircuitBreakerName(), e.getStateTransition());
            }
        });
        List<Integer> ids = new ArrayList<>();
        ids.add(config.clientId());
        ids.addAll(config.fallbackClientIds());
        this.clientIds = List.copyOf(ids);
        this.since = loop.clock().instant();
        session.addListener(this);
        publish();
    }

    /** The breaker, for metrics and tests. */
    public CircuitBreaker circuitBreaker() {
        return breaker;
    }

    public SupervisorStatus status() {
        return status;
    }

    public void addStatusListener(Consumer<SupervisorStatus> listener) {
        statusListeners.add(listener);
    }

    /** Begins supervising: the first attempt is considered at once. */
    public void start() {
        loop.execute(() -> {
            if (!started) {
                started = true;
                considerAttempt();
            }
        });
    }

    /** Stops making attempts. The session's own shutdown closes the link. */
    public void stop() {
        loop.execute(() -> {
            stopped = true;
            cancelTimer();
            nextAttemptAt = null;
            publish();
        });
    }

    /** What came of an operator's request for an attempt now. */
    public record AttemptRequest(boolean started, String reason) {
    }

    /**
     * An operator's request for a connection attempt now, instead of after the backoff or the breaker's wait: for
     * when the cause is fixed (a client id freed after a 326, a remote Gateway restarted). Refused while zombie
     * sockets exist, since an attempt would not be served and could add another, while an attempt is under way,
     * and while the session is not DISCONNECTED. A held breaker lets this one attempt through (HALF_OPEN), and its
     * outcome counts as any other.
     */
    public CompletableFuture<AttemptRequest> attemptNow(String askedBy) {
        CompletableFuture<AttemptRequest> answer = new CompletableFuture<>();
        loop.execute(() -> answer.complete(decideAttemptNow(askedBy)));
        return answer;
    }

    private AttemptRequest decideAttemptNow(String askedBy) {
        if (stopped || !started) {
            return new AttemptRequest(false, "the supervisor is not running");
        }
        if (attemptInFlight || session.state() != SessionState.DISCONNECTED) {
            return new AttemptRequest(false, "the session is " + session.state()
                    + (attemptInFlight ? ": an attempt is under way" : ": there is nothing to reconnect"));
        }
        ZombieProbe.Result zombies = probe.count(config.port());
        if (zombies.available() && zombies.count() > 0) {
            return new AttemptRequest(false, zombies.count() + " zombie socket(s) in CLOSE_WAIT on port "
                    + config.port() + ": an attempt would not be served; restart IB Gateway first");
        }
        CircuitBreaker.State held = breaker.getState();
        if (held == CircuitBreaker.State.OPEN || held == CircuitBreaker.State.FORCED_OPEN) {
            breaker.transitionToHalfOpenState();
            breakerHoldEnds = null;
        }
        log.warn("connection attempt now, asked by {} (breaker was {})", askedBy, held);
        cancelTimer();
        considerAttempt();
        return attemptInFlight
                ? new AttemptRequest(true, "attempt " + attempts + " started (breaker was " + held + ")")
                : new AttemptRequest(false, "the breaker refused the attempt (" + breaker.getState() + ")");
    }

    /**
     * Closes the current link on an operator's request; the normal rules then decide when to reconnect. Beware:
     * a Gateway that leaves zombies on disconnect will block the reconnect until it is restarted.
     */
    public void reconnect(String reason) {
        session.closeLink("operator asked to reconnect: " + reason);
    }

    // ---- the decision -----------------------------------------------------------------------------------------

    private void considerAttempt() {
        timer = null;
        nextAttemptAt = null;
        if (stopped || attemptInFlight || session.state() != SessionState.DISCONNECTED) {
            return;
        }
        ZombieProbe.Result zombies = probe.count(config.port());
        probeAvailable = zombies.available();
        zombieCount = zombies.count();
        if (zombies.available() && zombies.count() > 0) {
            holdForZombies(zombies);
            return;
        }
        lastLoggedZombies = 0;
        if (breaker.getState() == CircuitBreaker.State.FORCED_OPEN) {
            log.warn("zombies on port {} are gone; allowing one connection attempt", config.port());
            advice = "";
            breaker.transitionToHalfOpenState();
        }
        if (breaker.getState() == CircuitBreaker.State.OPEN && breakerHoldEnds != null
                && !loop.clock().instant().isBefore(breakerHoldEnds)) {
            // The hold is over: one attempt, as the breaker itself would allow one a moment later.
            breaker.transitionToHalfOpenState();
        }
        if (breaker.getState() != CircuitBreaker.State.OPEN) {
            breakerHoldEnds = null;
        }
        if (!breaker.tryAcquirePermission()) {
            Duration poll = config.retryInitialBackoff().compareTo(MAX_BREAKER_POLL) < 0
                    ? config.retryInitialBackoff() : MAX_BREAKER_POLL;
            scheduleConsideration(untilHoldEnds(poll), false);
            publish();
            return;
        }
        attemptInFlight = true;
        attempts++;
        int id = clientIds.get(clientIdIndex);
        Instant startedAt = loop.clock().instant();
        log.info("connection attempt {} to {}:{} as client {} (breaker {})", attempts, config.host(), config.port(),
                id, breaker.getState());
        publish();
        session.connect(id).whenComplete((outcome, error) -> loop.execute(() -> {
            AttemptOutcome result = outcome != null ? outcome : new AttemptOutcome.Failed(AttemptFailure.PROTOCOL_ERROR,
                    "attempt failed: " + error, Duration.between(startedAt, loop.clock().instant()));
            onOutcome(result);
        }));
    }

    private void onOutcome(AttemptOutcome outcome) {
        attemptInFlight = false;
        long elapsedNanos = outcome.elapsed().toNanos();
        if (outcome instanceof AttemptOutcome.Ready) {
            breaker.onSuccess(elapsedNanos, TimeUnit.NANOSECONDS);
            consecutiveFailures = 0;
            count("READY");
            advice = "";
            log.info("connection attempt {} succeeded: READY in {} ms", attempts, outcome.elapsed().toMillis());
            publish();
            return;
        }
        AttemptOutcome.Failed failed = (AttemptOutcome.Failed) outcome;
        count(failed.failure().name());
        if (failed.failure() == AttemptFailure.SHUT_DOWN) {
            publish();
            return;
        }
        consecutiveFailures++;
        lastError = failed.failure() + ": " + failed.detail();
        Duration wait = failed.failure() == AttemptFailure.HANDSHAKE_STALL ? config.stallHold()
                : backoffFor(consecutiveFailures);
        recordFailure(elapsedNanos, failed, wait);
        log.warn("connection attempt {} failed ({}): {}", attempts, failed.failure(), failed.detail());
        switch (failed.failure()) {
            case CLIENT_ID_IN_USE -> {
                if (clientIds.size() > 1) {
                    clientIdIndex = (clientIdIndex + 1) % clientIds.size();
                    log.warn("client id in use; the next attempt uses client id {}", clientIds.get(clientIdIndex));
                }
                advice = "Client id in use (" + failed.detail() + "): another API client, or a zombie socket, "
                        + "holds it. Configure gateway.fallback-client-ids or free the id.";
            }
            case HANDSHAKE_STALL -> {
                advice = "The Gateway accepted the connection but never answered the handshake: zombie sockets "
                        + "on the Gateway are the usual cause. Restart IB Gateway (log in again with 2FA). The "
                        + "bridge will try once more after " + config.stallHold().toMinutes() + " min.";
                log.error("HANDSHAKE STALL at {}:{}: {}", config.host(), config.port(), advice);
            }
            case REFUSED, CONNECT_TIMEOUT -> advice = "Nothing answers at " + config.host() + ":" + config.port()
                    + ": is IB Gateway running, logged in, with the API enabled on that port?";
            default -> advice = "";
        }
        scheduleConsideration(untilHoldEnds(wait), true);
        publish();
    }

    private Duration backoffFor(int failuresInARow) {
        Long millis = backoff.apply(failuresInARow);
        return millis == null ? config.retryInitialBackoff() : Duration.ofMillis(millis);
    }

    /**
     * Tells the breaker of a failure; if that opens it, it is held OPEN for {@code wait}, the wait before the next
     * attempt, rather than for a wait of its own that nobody is told about. A handshake stall holds it open even
     * when it did not open by count: with a local Gateway the next probe would see the zombies, with a remote one
     * the stall is all there is to see.
     */
    private void recordFailure(long elapsedNanos, AttemptOutcome.Failed failed, Duration wait) {
        breaker.onError(elapsedNanos, TimeUnit.NANOSECONDS, new GatewayAttemptException(failed));
        if (breaker.getState() == CircuitBreaker.State.OPEN || failed.failure() == AttemptFailure.HANDSHAKE_STALL) {
            holdBreakerFor(wait);
        }
    }

    private void holdBreakerFor(Duration hold) {
        breaker.transitionToOpenStateFor(hold);
        breakerHoldEnds = loop.clock().instant().plus(hold);
    }

    /** {@code wait}, or longer if the breaker is held beyond it: the attempt comes when both are over. */
    private Duration untilHoldEnds(Duration wait) {
        if (breakerHoldEnds == null) {
            return wait;
        }
        Duration hold = Duration.between(loop.clock().instant(), breakerHoldEnds);
        return hold.compareTo(wait) > 0 ? hold : wait;
    }

    private void holdForZombies(ZombieProbe.Result zombies) {
        if (breaker.getState() != CircuitBreaker.State.FORCED_OPEN) {
            breaker.transitionToForcedOpenState();
        }
        advice = zombies.count() + " zombie socket(s) in CLOSE_WAIT on port " + config.port()
                + ": no connection attempt is made while they exist. Restart IB Gateway (log in again with 2FA) "
                + "to clear them.";
        Instant now = loop.clock().instant();
        // Loud, but not a log flood: on every change of the count, and as a reminder once a minute.
        if (zombies.count() != lastLoggedZombies || !now.isBefore(lastZombieLog.plus(ZOMBIE_REMINDER))) {
            log.error("ZOMBIES: {}", advice);
            lastLoggedZombies = zombies.count();
            lastZombieLog = now;
        }
        scheduleConsideration(config.zombieProbeInterval(), false);
        // No attempt is due while they exist; when they are gone is for the Gateway's restart to say.
        nextAttemptAt = null;
        publish();
    }

    private void scheduleConsideration(Duration delay, boolean afterFailure) {
        cancelTimer();
        if (stopped) {
            return;
        }
        nextAttemptAt = loop.clock().instant().plus(delay);
        timer = loop.schedule(delay, this::considerAttempt);
        if (afterFailure) {
            log.info("next connection attempt at {} (in {} ms; breaker {})", nextAttemptAt, delay.toMillis(),
                    breakerHoldEnds == null ? breaker.getState() : breaker.getState() + " until " + breakerHoldEnds);
        }
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    // ---- session events -------------------------------------------------------------------------------------

    @Override
    public void onStateChange(SessionStateChange change) {
        if (change.to() == SessionState.READY && !change.from().isSynced()) {
            // Taken from the state change, which comes in order with the link's frames; the attempt's outcome is
            // handed over later and may arrive after a fault that followed READY at once.
            readyAt = change.at();
        }
        sessionState = change.to();
        sessionReason = change.reason();
        since = change.at();
        publish();
    }

    @Override
    public void onUnanswered(AttemptFailure kind, String detail) {
        lastError = kind + " (connection kept open): " + detail;
        advice = kind == AttemptFailure.HANDSHAKE_STALL
                ? "The Gateway accepted the connection but does not answer the handshake: zombie sockets on the "
                + "Gateway are the usual cause. The bridge keeps the connection open (closing it would add a zombie) "
                + "and makes no other attempt; restart IB Gateway (log in again with 2FA): the restart closes it and "
                + "the bridge connects again."
                : "The Gateway answered the server version but not the API start (no nextValidId/managedAccounts): a "
                + "Gateway still logging in, waiting for someone to accept the API connection in its window, or "
                + "blocked by zombies. The bridge keeps the connection open and waits; accept the connection, finish "
                + "the login, or restart IB Gateway.";
        log.error("{} at {}:{}: {}", kind == AttemptFailure.HANDSHAKE_STALL ? "HANDSHAKE STALL" : "API START UNANSWERED",
                config.host(), config.port(), advice);
        publish();
    }

    @Override
    public void onProtocolFault(String detail) {
        pendingFault = detail;
    }

    @Override
    public void onLinkLost(String reason) {
        lastError = "link lost: " + reason;
        Instant now = loop.clock().instant();
        // A link that was a working session (see STABLE_LINK) starts a new count; one lost sooner doubles the wait
        // before the next attempt, so a Gateway that drops every link soon after READY (each time a full sync and
        // a resubscription) is retried ever more slowly, never at a fixed pace.
        Duration stable = config.retryMaxBackoff().compareTo(STABLE_LINK) < 0 ? config.retryMaxBackoff() : STABLE_LINK;
        boolean longLived = readyAt == null || !now.isBefore(readyAt.plus(stable));
        shortLivedLinksInARow = longLived ? 1 : shortLivedLinksInARow + 1;
        int attempt = shortLivedLinksInARow;
        Duration wait = backoffFor(attempt);
        if (pendingFault != null) {
            lastError = "PROTOCOL_ERROR after READY: " + pendingFault;
            recordFailure(0, new AttemptOutcome.Failed(AttemptFailure.PROTOCOL_ERROR, pendingFault, Duration.ZERO),
                    wait);
            pendingFault = null;
            log.warn("gateway link closed for a protocol fault ({} short-lived link(s) in a row); reconnecting under "
                    + "the supervisor's rules", shortLivedLinksInARow);
        } else {
            log.warn("gateway link lost ({}; {} short-lived link(s) in a row); reconnecting under the supervisor's "
                    + "rules", reason, longLived ? 0 : shortLivedLinksInARow);
        }
        scheduleConsideration(untilHoldEnds(wait), true);
        publish();
    }

    private void count(String outcome) {
        outcomes.merge(outcome, 1L, Long::sum);
    }

    private void publish() {
        SupervisorStatus s = new SupervisorStatus(sessionState, sessionReason, breaker.getState().name(), zombieCount,
                probeAvailable, clientIds.get(clientIdIndex), session.accounts(), lastError, attempts, outcomes, since,
                nextAttemptAt, advice);
        status = s;
        for (Consumer<SupervisorStatus> listener : statusListeners) {
            listener.accept(s);
        }
    }

    /** The failure the breaker records for a failed attempt. */
    static final class GatewayAttemptException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        GatewayAttemptException(AttemptOutcome.Failed failed) {
            super(failed.failure() + ": " + failed.detail(), null, false, false);
        }
    }
}
