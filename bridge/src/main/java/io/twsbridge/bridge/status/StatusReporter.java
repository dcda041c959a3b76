package io.twsbridge.bridge.status;

import io.twsbridge.bridge.events.EventSink;
import io.twsbridge.bridge.gateway.brokertime.BrokerClock;
import io.twsbridge.bridge.gateway.session.SessionSnapshot;
import io.twsbridge.bridge.gateway.supervisor.SessionReason;
import io.twsbridge.bridge.gateway.supervisor.SupervisorStatus;
import io.twsbridge.bridge.time.EventLoop;
import io.twsbridge.schema.CircuitBreakerState;
import io.twsbridge.schema.GatewayStatus;
import io.twsbridge.schema.SessionState;
import io.twsbridge.schema.catalogue.Topic;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Publishes a GatewayStatus on every change of the supervisor's status and as a heartbeat when nothing changes,
 * so consumers of ib.status always know whether the bridge is alive and what it is doing.
 *
 * <p>Runs on the session's event loop.
 */
public final class StatusReporter {

    private final EventSink sink;
    /** The session's state as its snapshot, safe to read from any thread. */
    private final Supplier<SessionSnapshot> session;
    private final EventLoop loop;
    private final String bridgeId;
    private final Duration heartbeat;
    private final BooleanSupplier kafkaHealthy;
    private final LongSupplier quotesShed;
    private volatile SupervisorStatus last;
    private EventLoop.Timer timer;
    private volatile boolean stopped;
    /** The last status published by the loop. Event loop only. */
    private GatewayStatus lastSent;
    private final String instanceId;
    private final Supplier<Optional<BrokerClock.Reading>> brokerClock;
    /** Named in every status, so that whoever reads one can tell which process wrote it. */
    private static final ProcessIdentity PROCESS = ProcessIdentity.current();

    public StatusReporter(EventSink sink, Supplier<SessionSnapshot> session, EventLoop loop, String bridgeId,
                          Duration heartbeat, BooleanSupplier kafkaHealthy, LongSupplier quotesShed) {
        this(sink, session, loop, bridgeId, heartbeat, kafkaHealthy, quotesShed, null);
    }

    /** @param instanceId the active instance of a standby bridge, named in each status; null when it runs alone */
    public StatusReporter(EventSink sink, Supplier<SessionSnapshot> session, EventLoop loop, String bridgeId,
                          Duration heartbeat, BooleanSupplier kafkaHealthy, LongSupplier quotesShed,
                          String instanceId) {
        this(sink, session, loop, bridgeId, heartbeat, kafkaHealthy, quotesShed, instanceId, Optional::empty);
    }

    /** @param brokerClock the latest measure of the Gateway's clock against the host's ({@code BrokerClock::latest}) */
    public StatusReporter(EventSink sink, Supplier<SessionSnapshot> session, EventLoop loop, String bridgeId,
                          Duration heartbeat, BooleanSupplier kafkaHealthy, LongSupplier quotesShed,
                          String instanceId, Supplier<Optional<BrokerClock.Reading>> brokerClock) {
        this.brokerClock = brokerClock;
        this.instanceId = instanceId;
        this.quotesShed = quotesShed;
        this.sink = sink;
        this.session = session;
        this.loop = loop;
        this.bridgeId = bridgeId;
        this.heartbeat = heartbeat;
        this.kafkaHealthy = kafkaHealthy;
    }

    /** Call from the supervisor's status listener. */
    public void onStatus(SupervisorStatus status) {
        last = status;
        if (stopped) {
            return; // the supervisor still reports while the bridge shuts down; the loop may be gone already
        }
        loop.execute(this::publishIfChanged);
    }

    public void start() {
        loop.execute(this::publishNow);
    }

    /** Ends the heartbeat; nothing more is published but {@link #publishClosed}. */
    public void stop() {
        stopped = true;
        loop.execute(() -> {
            if (timer != null) {
                timer.cancel();
            }
        });
    }

    /**
     * The last status a stopping bridge writes under its key, once its Gateway session has closed: CLOSED, and
     * why. The topic is compacted on the bridge's id, so without this record it would keep the last heartbeat
     * (READY, as a rule) for good, and its consumers would take a stopped bridge for a working one.
     *
     * <p>Built and handed to the sink on the caller's thread: by now the event loop has closed. The publisher
     * flushes it before it closes. Call after {@link #stop()}.
     */
    public void publishClosed(String why) {
        stopped = true;
        Instant now = loop.clock().instant();
        sink.publish(Topic.STATUS, bridgeId, status(session.get(), last, SessionState.CLOSED, why, now, now));
    }

    /**
     * A status from the supervisor: published at once when it says something new, and otherwise left to the
     * heartbeat. The supervisor reports on every consideration (a held breaker, say, every few seconds), and a
     * record that repeats the last one to the letter but for its time tells a consumer nothing.
     */
    private void publishIfChanged() {
        if (stopped) {
            return;
        }
        // Built with the last record's time, so that equal means equal in everything but the time.
        if (lastSent != null && current(lastSent.getHeartbeatAt()).equals(lastSent)) {
            return;
        }
        publishNow();
    }

    /** Publishes the current status and starts the heartbeat period again from now. */
    private void publishNow() {
        if (stopped) {
            return;
        }
        if (timer != null) {
            timer.cancel();
        }
        GatewayStatus status = current(loop.clock().instant());
        sink.publish(Topic.STATUS, bridgeId, status);
        lastSent = status;
        timer = loop.schedule(heartbeat, this::publishNow);
    }

    private GatewayStatus current(Instant now) {
        SessionSnapshot snapshot = session.get();
        SupervisorStatus s = last;
        return status(snapshot, s, SessionState.valueOf(snapshot.state().name()),
                SessionReason.of(snapshot, s) + (s == null || s.advice().isEmpty() ? "" : " | " + s.advice()),
                s == null ? now : s.since(), now);
    }

    /** One record from one reading of the session and the supervisor, so that its fields agree. */
    private GatewayStatus status(SessionSnapshot snapshot, SupervisorStatus s, SessionState state, String reason,
                                 Instant since, Instant now) {
        // The supervisor keeps the last failure for /status; once READY it is history, and a READY record that
        // carried it would send a consumer looking for a fault that is over (it stays in the log).
        String lastError = s == null || state == SessionState.READY ? null : emptyToNull(s.lastError());
        if (!kafkaHealthy.getAsBoolean()) {
            lastError = "Kafka unreachable: events are buffered" + (lastError == null ? "" : "; " + lastError);
        }
        long shed = quotesShed.getAsLong();
        if (shed > 0) {
            lastError = shed + " quotes shed while the producer buffer was nearly full"
                    + (lastError == null ? "" : "; " + lastError);
        }
        BrokerClock.Reading clock = brokerClock.get().orElse(null);
        return GatewayStatus.newBuilder()
                .setBridgeId(bridgeId)
                .setSessionState(state)
                .setStateReason(reason)
                .setServerVersion(snapshot.serverVersion() == 0 ? null : snapshot.serverVersion())
                .setClientId(snapshot.clientId() < 0 ? null : snapshot.clientId())
                .setAccounts(snapshot.accounts())
                .setCircuitBreakerState(s == null ? CircuitBreakerState.CLOSED : CircuitBreakerState.valueOf(s.breakerState()))
                .setZombieCount(s == null ? 0 : s.zombieCount())
                .setLastError(lastError)
                .setSince(since)
                .setHeartbeatAt(now)
                .setBridgeVersion(StatusReporter.class.getPackage().getImplementationVersion())
                .setInstanceId(instanceId)
                .setHost(PROCESS.host())
                .setProcessId(PROCESS.pid())
                .setStartedAt(PROCESS.startedAt())
                .setBrokerClockSkewMillis(clock == null ? null : clock.skewMillis())
                .setBrokerClockCheckedAt(clock == null ? null : clock.checkedAt())
                .build();
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
