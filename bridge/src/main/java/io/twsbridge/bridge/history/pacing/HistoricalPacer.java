package io.twsbridge.bridge.history.pacing;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.twsbridge.bridge.time.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Decides when each historical-data request may be sent to the Gateway, so that every strategy of the bridge
 * together keeps IB's pacing rules, and no one strategy's flood holds up another's first request.
 *
 * <h2>The rules</h2>
 * IB's, counted at admission on the loop's clock, each window widened by {@code m} =
 * {@link PacingSettings#safetyMargin()}:
 * <ol>
 *   <li>At most {@link PacingSettings#maxOpen()} (IB: 50) permits outstanding, whatever the bar size.</li>
 *   <li>For {@linkplain PacedRequest#smallBars() small bars} only:
 *     <ul>
 *       <li>no admission of an {@linkplain PacedRequest#identity() identity} less than 15 s + m after the previous
 *           admission of the same identity;</li>
 *       <li>per {@linkplain PacedRequest#contractKey() contract key}, at most 5 weighted admissions in any
 *           2 s + m (IB: "6 or more within 2 seconds" is a violation);</li>
 *       <li>at most 60 weighted admissions in any 10 min + m (IB: "more than 60").</li>
 *     </ul>
 *     Weights are {@link PacedRequest#weight()}: BID_ASK counts twice. Requests for larger bars are neither
 *     checked nor counted in these three windows, as IB's rules say; they still take an open slot.</li>
 * </ol>
 * An admission counts in a window of length {@code L} from its instant {@code a} until {@code a + L}, excluded.
 *
 * <p><b>Why the margin.</b> The Gateway counts a request when it receives it, at {@code a + d}, where {@code d}
 * (the bridge's send queue, the socket, the Gateway's own timing) varies between 0 and some {@code D}. Two
 * requests admitted {@code g} apart are received at least {@code g - D} apart, and requests received within a span
 * {@code S} were admitted within {@code S + D}. So identical requests admitted 15 s + m apart arrive at least 15 s
 * apart, and if no span of 2 s + m (10 min + m) of admissions holds more than IB's count, no span of 2 s (10 min)
 * of receipts does, provided {@code D <= m}. The margin covers the variation of the delay, not the delay itself
 * (a constant delay shifts every request alike), so the default second is ample on one host and a LAN, unless the
 * bridge's outbound queue can hold a request back longer; it costs 6 % of the identical-request rate, a third of
 * the per-contract rate, and 0.2 % of the 10-minute budget.
 *
 * <h2>Fairness</h2>
 * Waiting requests are queued per {@linkplain PacedRequest#producer() producer}; producers are served round-robin:
 * the producer served last goes to the back of the rotation, and a producer that starts waiting joins it at the
 * back. Within a producer the earliest admissible request goes first (FIFO), skipping requests that cannot go now,
 * so one contract's window holds up no other contract. So that the requests skipped still get their turn, in each
 * pass over the queue every producer's first small-bars request that cannot go <em>holds</em> its weight in the
 * 10-minute window, and in its contract's window when that is what it waits for: requests later in the rotation
 * (and that producer's later ones) may only use what is left. A
 * BID_ASK request therefore never starves behind single-weight ones, and a producer behind in the rotation never
 * takes the room a producer ahead of it is waiting for.
 *
 * <p><b>The bound.</b> With {@code P} producers waiting, once a producer's first request may go by its own rules
 * (its identity, its contract's window, the 10-minute window, a free slot, the breaker), at most {@code P - 1} other
 * requests are admitted before it: each producer ahead of it in the rotation is served at most once and then goes
 * behind it, and no producer behind it can take the room it holds. In time, with no prior history and {@code P <=
 * 30} producers asking at once (so that their first requests weigh at most 60): all are admitted at once if their
 * contract keys differ, and within {@code (ceil(P / 2) - 1) x (2 s + m)} if they all share one contract key (two
 * BID_ASK per window; five single-weight ones per window, {@code ceil(P / 5) - 1} windows), so within 6 s for 5
 * producers. When another producer's flood has spent the 10-minute budget, a newcomer's first request goes as soon
 * as {@code 2P} weight has left the window, so within 10 min + m of its arrival (for {@code P <= 30}), among the
 * first {@code P} admissions then. Open slots held by slow answers and the breaker's wait add to that; the rules
 * themselves impose those waits on every client.
 *
 * <p>The queue is bounded ({@link PacingSettings#queueCapacity()}). When it is full, a newcomer displaces the
 * newest request of the producer with the most waiting, if that producer has at least two more waiting than the
 * newcomer's; otherwise the newcomer is refused. So a flood fills the queue but never shuts out another producer's
 * first request. Either refused request gets {@link PacingRefusal.Reason#QUEUE_FULL}; a request still waiting at
 * its {@link PacedRequest#expiry()} gets {@link PacingRefusal.Reason#WAIT_EXPIRED} then (a request whose expiry has
 * come is never admitted).
 *
 * <h2>The breaker</h2>
 * An error 162 "pacing violation" despite all this ({@link Permit#pacingViolation()}, {@link #onPacingViolation()})
 * means the Gateway counts more than the pacer knows (another client on the same account, a restarted bridge, IB's
 * soft throttle): the breaker opens, and nothing is admitted for {@link PacingSettings#breakerFirstWait()}; waiting
 * requests keep waiting, and expire as any other. Then one request goes as a trial (HALF_OPEN); its answer closes the
 * breaker, its own violation reopens it for the wait times {@link PacingSettings#breakerMultiplier()} (at most
 * {@link PacingSettings#breakerMaxWait()}), and a trial ended without an answer lets another go. Violations of
 * requests sent before the breaker last opened are counted but change nothing: the wait already answers them. A
 * violation within {@link #BACKOFF_MEMORY} of the breaker's last closing is the next one in a row, and waits longer;
 * after that quiet the backoff starts again. The breaker is Resilience4j's, as the Gateway connection's is, opened
 * with {@code transitionToOpenStateFor} and moved to HALF_OPEN by the pacer's own timer on the loop's clock.
 *
 * <h2>Threading</h2>
 * All state lives on the {@link EventLoop}: {@link #admit}, {@link #onPacingViolation()} and the ending methods of
 * {@link Permit} may be called from any thread and hop onto the loop (running at once when already on it). The
 * futures {@link #admit} returns complete on the loop thread, so their non-async dependants run there: keep them
 * short. A dependant may call back into the pacer (admit, end a permit): that is queued behind the current pass,
 * never re-entered. {@link #snapshot()} reads a volatile immutable copy and is safe anywhere. When nothing waiting
 * can go, one timer is set for the earliest instant something could (a window freeing, an expiry, the breaker's
 * wait ending), so nothing polls.
 */
public final class HistoricalPacer {

    private static final Logger log = LoggerFactory.getLogger(HistoricalPacer.class);

    /** IB: no identical small-bars request within 15 s. */
    public static final Duration IDENTICAL_REQUEST_WINDOW = Duration.ofSeconds(15);
    /** IB: 6 or more small-bars requests for one contract, exchange and tick type within 2 s break the rule. */
    public static final Duration CONTRACT_WINDOW = Duration.ofSeconds(2);
    /** The most weight one contract key may have in {@link #CONTRACT_WINDOW}. */
    public static final int CONTRACT_WINDOW_MAX_WEIGHT = 5;
    /** IB: more than 60 small-bars requests in any 10 minutes break the rule. */
    public static final Duration TEN_MINUTE_WINDOW = Duration.ofMinutes(10);
    /** The most weight all small-bars requests together may have in {@link #TEN_MINUTE_WINDOW}. */
    public static final int TEN_MINUTE_WINDOW_MAX_WEIGHT = 60;
    /**
     * How long after the breaker closes a new violation still counts as the next in a row. IB's longest window: a
     * violation later than that cannot come from what was sent around the previous one.
     */
    public static final Duration BACKOFF_MEMORY = TEN_MINUTE_WINDOW;

    private final PacingSettings settings;
    private final EventLoop loop;
    private final Duration identicalWindow;
    private final CircuitBreaker breaker;
    private final IntervalFunction backoff;

    // Everything below is touched on the loop only.
    /** Producers with waiting requests, the next to be served first. */
    private final ArrayDeque<ProducerQueue> rotation = new ArrayDeque<>();
    private final Map<String, ProducerQueue> queues = new HashMap<>();
    private int waitingCount;
    private final Map<String, Instant> lastAdmissionOfIdentity = new HashMap<>();
    private final Map<String, WeightedWindow> contractWindows = new HashMap<>();
    private final WeightedWindow tenMinuteWindow;
    private int openPermits;
    private long admittedTotal;
    private long refusedExpired;
    private long refusedQueueFull;
    private long violations;
    private Duration longestWait = Duration.ZERO;
    /** {@link #admittedTotal} when the breaker last opened: permits numbered up to it are covered by its wait. */
    private long admittedAtLastOpening;
    /** When the OPEN breaker's wait ends; null unless OPEN. */
    private Instant holdEnds;
    private Instant closedAt = Instant.MIN;
    private int violationsInARow;
    /** The HALF_OPEN breaker's trial request, until it ends. */
    private PacerPermit trial;
    private EventLoop.Timer recheckTimer;
    private Instant recheckAt;
    private boolean pumping;
    private boolean pumpAgain;

    private volatile PacingSnapshot snapshot;

    public HistoricalPacer(PacingSettings settings, EventLoop loop) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.loop = Objects.requireNonNull(loop, "loop");
        Duration margin = settings.safetyMargin();
        this.identicalWindow = IDENTICAL_REQUEST_WINDOW.plus(margin);
        this.tenMinuteWindow = new WeightedWindow(TEN_MINUTE_WINDOW.plus(margin), TEN_MINUTE_WINDOW_MAX_WEIGHT);
        this.backoff = IntervalFunction.ofExponentialBackoff(settings.breakerFirstWait(),
                settings.breakerMultiplier(), settings.breakerMaxWait());
        this.breaker = CircuitBreaker.of("historical-data", CircuitBreakerConfig.custom()
                // The breaker never opens by itself: only a pacing violation opens it, through the pacer.
                .slidingWindow(1, 1, CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .failureRateThreshold(100)
                .permittedNumberOfCallsInHalfOpenState(1)
                // A long answer (a year of bars) is no reason to stay open.
                .slowCallDurationThreshold(Duration.ofDays(365))
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .clock(loop.clock())
                .build());
        breaker.getEventPublisher().onStateTransition(e -> {
            if (e.getStateTransition().getFromState() != e.getStateTransition().getToState()) {
                log.warn("circuit breaker {}: {}", e.getCircuitBreakerName(), e.getStateTransition());
            }
        });
        this.snapshot = buildSnapshot();
    }

    /**
     * Asks leave to send {@code request}. The future completes with a {@link Permit} when it may be sent now, or
     * exceptionally with a {@link PacingRefusal}: {@code QUEUE_FULL} at once (or when a newcomer displaces it), or
     * {@code WAIT_EXPIRED} at the request's expiry. A caller that no longer wants it may cancel the future; it
     * then leaves the queue.
     */
    public CompletableFuture<Permit> admit(PacedRequest request) {
        Objects.requireNonNull(request, "request");
        CompletableFuture<Permit> future = new CompletableFuture<>();
        onLoop(() -> enqueue(request, future));
        future.whenComplete((permit, error) -> {
            if (future.isCancelled()) {
                onLoop(this::pump);
            }
        });
        return future;
    }

    /**
     * The Gateway answered error 162 "pacing violation" to a request no permit can be found for. Prefer
     * {@link Permit#pacingViolation()}, which knows whether the request was sent before the breaker opened. Opens
     * a CLOSED breaker, and reopens a HALF_OPEN one with the next wait; while OPEN it is only counted.
     */
    public void onPacingViolation() {
        onLoop(() -> violation(null));
    }

    /** The latest state, for status and metrics; safe from any thread. */
    public PacingSnapshot snapshot() {
        return snapshot;
    }

    /** The breaker, for metrics. */
    public CircuitBreaker circuitBreaker() {
        return breaker;
    }

    // ---- on the loop

    private void onLoop(Runnable task) {
        if (loop.inLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }

    private Instant now() {
        return loop.clock().instant();
    }

    private void enqueue(PacedRequest request, CompletableFuture<Permit> future) {
        if (future.isDone()) {
            return;
        }
        if (waitingCount >= settings.queueCapacity()) {
            pump();
        }
        Waiting displaced = null;
        if (waitingCount >= settings.queueCapacity()) {
            ProducerQueue fullest = null;
            for (ProducerQueue q : rotation) {
                if (fullest == null || q.waiting.size() > fullest.waiting.size()) {
                    fullest = q;
                }
            }
            ProducerQueue own = queues.get(request.producer());
            int ownWaiting = own == null ? 0 : own.waiting.size();
            if (fullest == null || fullest.waiting.size() < ownWaiting + 2) {
                refusedQueueFull++;
                publishSnapshot();
                future.completeExceptionally(new PacingRefusal(PacingRefusal.Reason.QUEUE_FULL, request,
                        Duration.ZERO, "historical request refused: the pacing queue is full ("
                        + settings.queueCapacity() + " waiting)"));
                return;
            }
            displaced = fullest.waiting.pollLast();
            waitingCount--;
            refusedQueueFull++;
            if (fullest.waiting.isEmpty()) {
                removeQueue(fullest);
            }
        }
        ProducerQueue queue = queues.computeIfAbsent(request.producer(), p -> {
            ProducerQueue q = new ProducerQueue(p);
            rotation.addLast(q);
            return q;
        });
        queue.waiting.addLast(new Waiting(request, future, now()));
        waitingCount++;
        if (displaced != null) {
            Duration waited = Duration.between(displaced.arrivedAt, now());
            noteWait(waited);
            displaced.future.completeExceptionally(new PacingRefusal(PacingRefusal.Reason.QUEUE_FULL,
                    displaced.request, waited, "historical request refused: the pacing queue is full ("
                    + settings.queueCapacity() + " waiting) and another producer's request took its place"));
        }
        pump();
    }

    /** Refuses what has expired, admits all that may go now, and sets the timer for the next chance. */
    private void pump() {
        if (pumping) {
            pumpAgain = true;
            return;
        }
        pumping = true;
        try {
            do {
                pumpAgain = false;
                endBreakerHoldIfOver(now());
                refuseExpired(now());
                while (admitNext(now())) {
                    // each pass admits one request, so that the rotation moves between admissions
                }
            } while (pumpAgain);
            scheduleRecheck(now());
        } finally {
            pumping = false;
        }
        publishSnapshot();
    }

    private void endBreakerHoldIfOver(Instant now) {
        if (breaker.getState() == CircuitBreaker.State.OPEN && holdEnds != null && !now.isBefore(holdEnds)) {
            holdEnds = null;
            breaker.transitionToHalfOpenState();
        }
    }

    private void refuseExpired(Instant now) {
        List<Waiting> expired = new ArrayList<>();
        for (Iterator<ProducerQueue> queuesLeft = rotation.iterator(); queuesLeft.hasNext(); ) {
            ProducerQueue queue = queuesLeft.next();
            for (Iterator<Waiting> it = queue.waiting.iterator(); it.hasNext(); ) {
                Waiting w = it.next();
                if (w.future.isDone()) {
                    it.remove();
                    waitingCount--;
                } else if (!now.isBefore(w.request.expiry())) {
                    it.remove();
                    waitingCount--;
                    expired.add(w);
                }
            }
            if (queue.waiting.isEmpty()) {
                queuesLeft.remove();
                queues.remove(queue.producer);
            }
        }
        for (Waiting w : expired) {
            refusedExpired++;
            Duration waited = Duration.between(w.arrivedAt, now);
            noteWait(waited);
            log.info("historical request of {} refused: its expiry came after {} ms waiting for pacing",
                    w.request.producer(), waited.toMillis());
            w.future.completeExceptionally(new PacingRefusal(PacingRefusal.Reason.WAIT_EXPIRED, w.request, waited,
                    "historical request refused: its expiry came after " + waited.toMillis()
                            + " ms waiting for IB's pacing"));
        }
    }

    private boolean admitNext(Instant now) {
        if (waitingCount == 0 || openPermits >= settings.maxOpen() || !breakerLetsOneGo()) {
            return false;
        }
        Waiting chosen = choose(now);
        if (chosen == null || !breaker.tryAcquirePermission()) {
            return false;
        }
        boolean isTrial = breaker.getState() == CircuitBreaker.State.HALF_OPEN;
        ProducerQueue queue = queues.get(chosen.request.producer());
        queue.waiting.remove(chosen);
        waitingCount--;
        rotation.remove(queue);
        if (queue.waiting.isEmpty()) {
            queues.remove(queue.producer);
        } else {
            rotation.addLast(queue);
        }
        PacedRequest r = chosen.request;
        if (r.smallBars()) {
            lastAdmissionOfIdentity.put(r.identity(), now);
            contractWindows.computeIfAbsent(r.contractKey(),
                    k -> new WeightedWindow(CONTRACT_WINDOW.plus(settings.safetyMargin()), CONTRACT_WINDOW_MAX_WEIGHT))
                    .add(now, r.weight());
            tenMinuteWindow.add(now, r.weight());
        }
        openPermits++;
        admittedTotal++;
        Duration waited = Duration.between(chosen.arrivedAt, now);
        noteWait(waited);
        PacerPermit permit = new PacerPermit(admittedTotal, r, now, waited);
        if (isTrial) {
            trial = permit;
            log.info("historical breaker HALF_OPEN: a trial request of {} goes after the wait", r.producer());
        }
        if (!chosen.future.complete(permit)) {
            // Cancelled while it was being chosen: its slot is free again; its windows stay counted, which errs safe.
            permit.release();
        }
        return true;
    }

    private boolean breakerLetsOneGo() {
        return switch (breaker.getState()) {
            case CLOSED -> true;
            case HALF_OPEN -> trial == null;
            default -> false;
        };
    }

    /**
     * The request to admit now: the first admissible one of the first producer in the rotation that has one, with
     * the room each producer's first blocked small-bars request holds taken out for those after it.
     */
    private Waiting choose(Instant now) {
        int heldInTenMinutes = 0;
        Map<String, Integer> heldByContract = new HashMap<>();
        for (ProducerQueue queue : rotation) {
            boolean holding = false;
            for (Waiting w : queue.waiting) {
                PacedRequest r = w.request;
                if (!r.smallBars()) {
                    return w;
                }
                boolean identityFree = identityFreeAt(r).compareTo(now) <= 0;
                boolean contractFits = contractWindow(r.contractKey()).roomAt(now)
                        >= heldByContract.getOrDefault(r.contractKey(), 0) + r.weight();
                if (identityFree && contractFits && tenMinuteWindow.roomAt(now) >= heldInTenMinutes + r.weight()) {
                    return w;
                }
                if (!holding) {
                    holding = true;
                    heldInTenMinutes += r.weight();
                    if (identityFree && !contractFits) {
                        // Only when the contract's window is what it waits for: a request waiting out its
                        // identity's 15 s would otherwise keep the contract's room from everyone that long.
                        heldByContract.merge(r.contractKey(), r.weight(), Integer::sum);
                    }
                }
            }
        }
        return null;
    }

    private Instant identityFreeAt(PacedRequest r) {
        Instant last = lastAdmissionOfIdentity.get(r.identity());
        return last == null ? Instant.MIN : last.plus(identicalWindow);
    }

    private WeightedWindow contractWindow(String contractKey) {
        WeightedWindow w = contractWindows.get(contractKey);
        return w != null ? w : WeightedWindow.EMPTY;
    }

    /** One timer for the earliest instant something may change: a window freeing, an expiry, the breaker's wait. */
    private void scheduleRecheck(Instant now) {
        forgetOldAdmissions(now);
        Instant next = null;
        if (breaker.getState() == CircuitBreaker.State.OPEN && holdEnds != null) {
            next = holdEnds;
        }
        Instant[] tenMinuteFreeAt = new Instant[PacedRequest.MAX_WEIGHT + 1];
        for (ProducerQueue queue : rotation) {
            for (Waiting w : queue.waiting) {
                next = earliest(next, w.request.expiry());
                PacedRequest r = w.request;
                if (!r.smallBars()) {
                    continue;
                }
                if (tenMinuteFreeAt[r.weight()] == null) {
                    tenMinuteFreeAt[r.weight()] = tenMinuteWindow.freeAt(now, r.weight());
                }
                Instant own = latest(latest(identityFreeAt(r), contractWindow(r.contractKey()).freeAt(now, r.weight())),
                        tenMinuteFreeAt[r.weight()]);
                // At or before now it is held back by something that has an event of its own: a full set of
                // slots (a permit's end), the breaker (its timer or its trial's end), or the room held for a
                // request ahead of it (whose own instant is later than now, and is among these).
                if (own.isAfter(now)) {
                    next = earliest(next, own);
                }
            }
        }
        if (next != null && next.equals(recheckAt)) {
            return;
        }
        if (recheckTimer != null) {
            recheckTimer.cancel();
            recheckTimer = null;
            recheckAt = null;
        }
        if (next != null) {
            Instant due = next;
            recheckAt = due;
            recheckTimer = loop.schedule(Duration.between(now, due), () -> {
                if (due.equals(recheckAt)) {
                    recheckTimer = null;
                    recheckAt = null;
                }
                pump();
            });
        }
    }

    private void forgetOldAdmissions(Instant now) {
        lastAdmissionOfIdentity.values().removeIf(at -> !now.isBefore(at.plus(identicalWindow)));
        contractWindows.values().removeIf(w -> w.isEmptyAt(now));
    }

    private void ended(PacerPermit permit, Outcome outcome) {
        openPermits--;
        if (permit == trial) {
            trial = null;
            switch (outcome) {
                case ANSWERED -> {
                    breaker.onSuccess(Duration.between(permit.admittedAt, now()).toNanos(), TimeUnit.NANOSECONDS);
                    if (breaker.getState() == CircuitBreaker.State.CLOSED) {
                        closedAt = now();
                        log.info("historical breaker CLOSED: the trial request was answered");
                    }
                }
                case UNANSWERED -> breaker.releasePermission();
                case PACING_VIOLATION -> { }
            }
        }
        if (outcome == Outcome.PACING_VIOLATION) {
            violation(permit);
        } else {
            pump();
        }
    }

    /** @param permit the request that drew the violation, or null when unknown */
    private void violation(PacerPermit permit) {
        violations++;
        Instant now = now();
        CircuitBreaker.State state = breaker.getState();
        boolean sentBeforeLastOpening = permit != null && permit.number <= admittedAtLastOpening;
        if (state == CircuitBreaker.State.OPEN || sentBeforeLastOpening) {
            log.warn("historical pacing violation {} from the Gateway, for a request sent before the breaker "
                    + "opened; the breaker stays {}", violations, state);
            pump();
            return;
        }
        if (state == CircuitBreaker.State.CLOSED && !now.isBefore(closedAt.plus(BACKOFF_MEMORY))) {
            violationsInARow = 0;
        }
        violationsInARow++;
        Duration wait = Duration.ofMillis(backoff.apply(violationsInARow));
        admittedAtLastOpening = admittedTotal;
        holdEnds = now.plus(wait);
        trial = null;
        breaker.transitionToOpenStateFor(wait);
        log.warn("historical pacing violation {} from the Gateway ({} in a row): no historical request for {} s",
                violations, violationsInARow, wait.toSeconds());
        pump();
    }

    private void noteWait(Duration waited) {
        if (waited.compareTo(longestWait) > 0) {
            longestWait = waited;
        }
    }

    private void removeQueue(ProducerQueue queue) {
        rotation.remove(queue);
        queues.remove(queue.producer);
    }

    private void publishSnapshot() {
        snapshot = buildSnapshot();
    }

    private PacingSnapshot buildSnapshot() {
        Map<String, Integer> byProducer = new HashMap<>();
        for (ProducerQueue q : rotation) {
            byProducer.put(q.producer, q.waiting.size());
        }
        PacingSnapshot.BreakerState state = switch (breaker.getState()) {
            case CLOSED -> PacingSnapshot.BreakerState.CLOSED;
            case HALF_OPEN -> PacingSnapshot.BreakerState.HALF_OPEN;
            default -> PacingSnapshot.BreakerState.OPEN;
        };
        return new PacingSnapshot(waitingCount, byProducer, openPermits, admittedTotal, refusedExpired,
                refusedQueueFull, longestWait, state, state == PacingSnapshot.BreakerState.OPEN ? holdEnds : null,
                violations);
    }

    private static Instant earliest(Instant a, Instant b) {
        return a == null || b.isBefore(a) ? b : a;
    }

    private static Instant latest(Instant a, Instant b) {
        return b.isAfter(a) ? b : a;
    }

    private enum Outcome { ANSWERED, UNANSWERED, PACING_VIOLATION }

    private record Waiting(PacedRequest request, CompletableFuture<Permit> future, Instant arrivedAt) {
    }

    private static final class ProducerQueue {
        final String producer;
        final ArrayDeque<Waiting> waiting = new ArrayDeque<>();

        ProducerQueue(String producer) {
            this.producer = producer;
        }
    }

    private final class PacerPermit implements Permit {
        /** Its place in the order of admissions, from 1. */
        private final long number;
        private final PacedRequest request;
        private final Instant admittedAt;
        private final Duration waited;
        private final AtomicBoolean ended = new AtomicBoolean();

        PacerPermit(long number, PacedRequest request, Instant admittedAt, Duration waited) {
            this.number = number;
            this.request = request;
            this.admittedAt = admittedAt;
            this.waited = waited;
        }

        @Override
        public PacedRequest request() {
            return request;
        }

        @Override
        public Instant admittedAt() {
            return admittedAt;
        }

        @Override
        public Duration waited() {
            return waited;
        }

        @Override
        public void answered() {
            end(Outcome.ANSWERED);
        }

        @Override
        public void pacingViolation() {
            end(Outcome.PACING_VIOLATION);
        }

        @Override
        public void release() {
            end(Outcome.UNANSWERED);
        }

        private void end(Outcome outcome) {
            if (ended.compareAndSet(false, true)) {
                onLoop(() -> ended(this, outcome));
            }
        }
    }

    /**
     * Weighted admissions within a sliding window: an admission at {@code a} counts until {@code a + length},
     * excluded.
     */
    private static final class WeightedWindow {
        static final WeightedWindow EMPTY = new WeightedWindow(Duration.ZERO, CONTRACT_WINDOW_MAX_WEIGHT);

        private final Duration length;
        private final int maxWeight;
        private final ArrayDeque<Instant> at = new ArrayDeque<>();
        private final ArrayDeque<Integer> weights = new ArrayDeque<>();
        private int weight;

        WeightedWindow(Duration length, int maxWeight) {
            this.length = length;
            this.maxWeight = maxWeight;
        }

        void add(Instant now, int w) {
            at.addLast(now);
            weights.addLast(w);
            weight += w;
        }

        /** The weight that may still be admitted at {@code now}. */
        int roomAt(Instant now) {
            dropOld(now);
            return maxWeight - weight;
        }

        boolean isEmptyAt(Instant now) {
            dropOld(now);
            return at.isEmpty();
        }

        /** The earliest instant, {@code now} or later, at which {@code w} more fits. */
        Instant freeAt(Instant now, int w) {
            dropOld(now);
            int excess = weight + w - maxWeight;
            if (excess <= 0) {
                return now;
            }
            Iterator<Instant> times = at.iterator();
            Iterator<Integer> ws = weights.iterator();
            while (times.hasNext()) {
                Instant t = times.next();
                excess -= ws.next();
                if (excess <= 0) {
                    return t.plus(length);
                }
            }
            throw new IllegalStateException("a weight of " + w + " never fits a window of " + maxWeight);
        }

        private void dropOld(Instant now) {
            while (!at.isEmpty() && !now.isBefore(at.peekFirst().plus(length))) {
                at.pollFirst();
                weight -= weights.pollFirst();
            }
        }
    }
}
