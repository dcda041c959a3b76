package io.twsbridge.bridge.gateway.brokertime;

import io.twsbridge.bridge.gateway.GatewayConfig;
import io.twsbridge.bridge.gateway.session.SessionListener;
import io.twsbridge.bridge.gateway.session.SessionStateChange;
import io.twsbridge.bridge.time.EventLoop;
import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.protocol.message.ServerMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * How far IB Gateway's clock is from this host's: the bridge asks reqCurrentTime when the session becomes synced and
 * every {@code gateway.broker-clock-check-interval} after, and keeps the latest skew and when it was measured.
 *
 * <p><b>The arithmetic.</b> {@code skew = brokerTime - hostMidpoint}, where {@code hostMidpoint} is halfway between
 * handing the request to the link and reading the reply, on the event loop's clock. Positive means the Gateway is
 * ahead; a host time plus the skew is the broker's time. IB's reply is a whole epoch second, the second its clock
 * was in (a clock read in whole seconds drops the fraction), so the broker's time is taken as the middle of that
 * second ({@code epochSeconds * 1000 + 500} ms) and the difference is rounded to the nearest millisecond. The reply's
 * one-second resolution puts the true skew within ±0.5 s of the figure, plus half the round trip (which the
 * {@link Reading} carries, and which includes any wait behind the outbound pace): call it ±1 s.
 *
 * <p><b>One request at a time.</b> currentTime carries no request id, so a reply can only be matched by its type.
 * At most one request is outstanding: a check that finds one still open sends nothing. A reply not received within
 * {@link #MAX_REPLY_WAIT} (or the check interval, if shorter) is noted (WARN once per run of such checks, counted in
 * {@link Status#unansweredChecks()}) and the next check goes on as planned. A reply with no request outstanding
 * (one that came after its timeout, or one asked for by someone else) is ignored. A late reply that comes after the
 * next request went out is taken for that request's answer; its time was read when the Gateway answered, so the
 * figure stays within the same bound.
 *
 * <p><b>The log.</b> When the skew first goes beyond {@code gateway.broker-clock-warn-skew} (in either direction)
 * the bridge logs one WARN, and one INFO when it is back within it, by half a second ({@link #beyond}): never a
 * WARN every minute, even for a clock that sits at the bound. Each link's first measure is logged at INFO.
 *
 * <p>Threading: the listener callbacks and timers run on the session's event loop. {@link #latest()} and
 * {@link #status()} may be called from any thread (immutable values in volatile fields). Timers stop when the link
 * is lost; the latest measure stays, with the time it was taken.
 */
public final class BrokerClock implements SessionListener {

    private static final Logger log = LoggerFactory.getLogger(BrokerClock.class);

    /** The longest wait for a currentTime reply; the Gateway answers at once from its own clock. */
    public static final Duration MAX_REPLY_WAIT = Duration.ofSeconds(10);

    /** How far a measure may be off by IB's whole-second answer alone: half a second either way. */
    static final Duration RESOLUTION = Duration.ofMillis(500);

    /**
     * One measure.
     *
     * @param skewMillis      the Gateway's clock minus this host's, in milliseconds (positive: the Gateway is ahead)
     * @param checkedAt       when the reply was read, host time, to the millisecond
     * @param brokerTime      the whole second the Gateway reported
     * @param roundTripMillis from handing the request to the link to reading the reply
     */
    public record Reading(long skewMillis, Instant checkedAt, Instant brokerTime, long roundTripMillis) {

        public double skewSeconds() {
            return skewMillis / 1000.0;
        }
    }

    /**
     * What {@code /status} shows.
     *
     * @param latest           the latest measure; null before the first
     * @param warnSkew         the bound beyond which the bridge warns
     * @param beyondWarnSkew   whether the latest measure is beyond it
     * @param unansweredChecks checks whose reply did not come in time, since start
     */
    public record Status(Reading latest, Duration warnSkew, boolean beyondWarnSkew, long unansweredChecks) {

        /** The {@code brokerClock} object of {@code GET /status}, keys in a fixed order. */
        public Map<String, Object> toJson() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("skewMillis", latest == null ? null : latest.skewMillis());
            json.put("checkedAt", latest == null ? null : latest.checkedAt().toString());
            json.put("brokerTime", latest == null ? null : latest.brokerTime().toString());
            json.put("roundTripMillis", latest == null ? null : latest.roundTripMillis());
            json.put("warnSkewMillis", warnSkew.toMillis());
            json.put("beyondWarnSkew", beyondWarnSkew);
            json.put("unansweredChecks", unansweredChecks);
            return json;
        }
    }

    private final Predicate<ClientMessage> send;
    private final EventLoop loop;
    private final Duration interval;
    private final Duration warnSkew;
    private final Duration replyWait;

    // Event loop only.
    private boolean running;
    /** When the outstanding request was handed to the link; null when none is outstanding. */
    private Instant sentAt;
    private EventLoop.Timer nextCheck;
    private EventLoop.Timer replyDeadline;
    /** Checks in a row whose reply did not come; the first of a run is logged. */
    private int missedInARow;
    private boolean firstOfLink;

    // Written on the event loop, read from any thread.
    private volatile Reading latest;
    private volatile boolean beyond;
    private volatile long unanswered;

    /**
     * @param send     {@code GatewaySession::send}: false when there is no synced link
     * @param loop     the session's event loop, whose clock is the host's
     * @param interval how often to check while synced
     * @param warnSkew the skew, either way, beyond which the bridge warns
     */
    public BrokerClock(Predicate<ClientMessage> send, EventLoop loop, Duration interval, Duration warnSkew) {
        this.send = send;
        this.loop = loop;
        this.interval = interval;
        this.warnSkew = warnSkew;
        this.replyWait = interval.compareTo(MAX_REPLY_WAIT) < 0 ? interval : MAX_REPLY_WAIT;
    }

    /** With {@code gateway.broker-clock-check-interval} and {@code gateway.broker-clock-warn-skew}. */
    public BrokerClock(Predicate<ClientMessage> send, EventLoop loop, GatewayConfig config) {
        this(send, loop, config.brokerClockCheckInterval(), config.brokerClockWarnSkew());
    }

    /** The latest measure; empty before the first. Any thread. */
    public Optional<Reading> latest() {
        return Optional.ofNullable(latest);
    }

    /** The latest measure with the bound and the unanswered checks. Any thread. */
    public Status status() {
        return new Status(latest, warnSkew, beyond, unanswered);
    }

    // ---- the session's events (event loop) -------------------------------------------------------------------

    @Override
    public void onStateChange(SessionStateChange change) {
        if (change.to().isSynced()) {
            if (!running) { // READY after DEGRADED is the same link: its schedule goes on
                running = true;
                firstOfLink = true;
                check();
            }
        } else {
            stop();
        }
    }

    @Override
    public void onLinkLost(String reason) {
        stop();
    }

    @Override
    public void onMessage(ServerMessage message) {
        if (message instanceof ServerMessage.CurrentTime m) {
            onCurrentTime(m.epochSeconds());
        }
    }

    // ---- checks ----------------------------------------------------------------------------------------------

    private void check() {
        nextCheck = null;
        if (!running) {
            return;
        }
        if (sentAt == null) { // else the last request is still open: one at a time
            Instant now = loop.clock().instant();
            if (send.test(new ClientMessage.ReqCurrentTime())) {
                sentAt = now;
                replyDeadline = loop.schedule(replyWait, this::replyMissed);
            } else {
                log.debug("broker clock check not sent: no synced link");
            }
        }
        // After the reply's deadline: with a wait as long as the interval, the deadline runs first, and this check
        // finds the request closed.
        nextCheck = loop.schedule(interval, this::check);
    }

    private void replyMissed() {
        replyDeadline = null;
        if (sentAt == null) {
            return;
        }
        sentAt = null;
        unanswered++;
        if (missedInARow++ == 0) {
            log.warn("IB Gateway did not answer reqCurrentTime within {} ms; the broker clock skew stays at its last "
                    + "measure ({}) and the next check is in {} s", replyWait.toMillis(), describeLatest(),
                    interval.toSeconds());
        }
    }

    private void onCurrentTime(long epochSeconds) {
        Instant sent = sentAt;
        if (sent == null) {
            log.debug("currentTime {} with no check outstanding, ignored", epochSeconds);
            return;
        }
        sentAt = null;
        if (replyDeadline != null) {
            replyDeadline.cancel();
            replyDeadline = null;
        }
        missedInARow = 0;
        if (epochSeconds <= 0) {
            log.warn("IB Gateway answered reqCurrentTime with {}, not a time; the skew is not measured", epochSeconds);
            return;
        }
        Instant received = loop.clock().instant();
        record(measure(epochSeconds, sent, received));
    }

    /**
     * {@code brokerTime - hostMidpoint}, with the broker's whole second taken at its middle, rounded to the nearest
     * millisecond.
     */
    static Reading measure(long epochSeconds, Instant sent, Instant received) {
        Duration roundTrip = Duration.between(sent, received);
        Instant hostMidpoint = sent.plus(roundTrip.dividedBy(2));
        Instant brokerMiddle = Instant.ofEpochSecond(epochSeconds, 500_000_000);
        long skewMillis = Math.round(Duration.between(hostMidpoint, brokerMiddle).toNanos() / 1e6);
        return new Reading(skewMillis, received.truncatedTo(ChronoUnit.MILLIS), Instant.ofEpochSecond(epochSeconds),
                roundTrip.toMillis());
    }

    private void record(Reading r) {
        latest = r;
        boolean beyondNow = beyond(beyond, r.skewMillis(), warnSkew);
        if (beyondNow && !beyond) {
            log.warn("IB Gateway's clock is {}, beyond gateway.broker-clock-warn-skew ({} s): times stamped by the "
                    + "broker and by the bridge disagree; fix the time synchronisation (NTP) of this host or of the "
                    + "Gateway's machine", describe(r), seconds(warnSkew));
        } else if (!beyondNow && beyond) {
            log.info("IB Gateway's clock is back within gateway.broker-clock-warn-skew ({} s): {}", seconds(warnSkew),
                    describe(r));
        } else if (firstOfLink) {
            log.info("IB Gateway's clock is {}", describe(r));
        }
        beyond = beyondNow;
        firstOfLink = false;
    }

    /**
     * Whether a skew of {@code skewMillis} counts as beyond {@code bound}, for a clock that was (or was not) beyond it
     * at the last measure. Going beyond takes more than the bound; coming back takes {@link #RESOLUTION} less than
     * it (half of it for a bound under a second), since IB answers in whole seconds and a skew near the bound reads
     * up to half a second either side of it: without the gap a clock sitting at the bound would WARN and INFO in
     * turn every check.
     */
    static boolean beyond(boolean wasBeyond, long skewMillis, Duration bound) {
        long b = bound.toMillis();
        long limit = wasBeyond ? Math.max(b / 2, b - RESOLUTION.toMillis()) : b;
        return Math.abs(skewMillis) > limit;
    }

    private void stop() {
        running = false;
        sentAt = null;
        if (nextCheck != null) {
            nextCheck.cancel();
            nextCheck = null;
        }
        if (replyDeadline != null) {
            replyDeadline.cancel();
            replyDeadline = null;
        }
    }

    private String describeLatest() {
        Reading r = latest;
        return r == null ? "none yet" : describe(r) + " at " + r.checkedAt();
    }

    /** "3.3 s ahead of this host's (+/-0.5 s, round trip 2 ms)". */
    private static String describe(Reading r) {
        String way = r.skewMillis() >= 0 ? "ahead of" : "behind";
        return String.format(Locale.ROOT, "%.1f s %s this host's (+/-0.5 s, round trip %d ms)",
                Math.abs(r.skewSeconds()), way, r.roundTripMillis());
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f", d.toMillis() / 1000.0);
    }
}
