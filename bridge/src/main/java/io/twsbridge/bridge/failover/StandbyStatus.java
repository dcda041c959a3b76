package io.twsbridge.bridge.failover;

import io.twsbridge.bridge.events.EventSink;
import io.twsbridge.schema.CircuitBreakerState;
import io.twsbridge.schema.GatewayStatus;
import io.twsbridge.schema.SessionState;
import io.twsbridge.schema.catalogue.Topic;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A standby instance's heartbeat on ib.status: sessionState STANDBY, keyed {@code bridgeId/instanceId} so that it
 * never replaces the active instance's status (keyed {@code bridgeId}). Consumers see every spare instance, and
 * when each was last alive.
 */
public final class StandbyStatus implements AutoCloseable {

    private final EventSink sink;
    private final String bridgeId;
    private final String instanceId;
    private final Duration heartbeat;
    private final Clock clock;
    private final Instant since;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "standby-status");
        t.setDaemon(true);
        return t;
    });

    public StandbyStatus(EventSink sink, String bridgeId, String instanceId, Duration heartbeat, Clock clock) {
        this.sink = sink;
        this.bridgeId = bridgeId;
        this.instanceId = instanceId;
        this.heartbeat = heartbeat;
        this.clock = clock;
        this.since = clock.instant();
    }

    /** The key of a standby's status. */
    public static String key(String bridgeId, String instanceId) {
        return bridgeId + "/" + instanceId;
    }

    public void start() {
        timer.scheduleAtFixedRate(this::publish, 0, heartbeat.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void publish() {
        sink.publish(Topic.STATUS, key(bridgeId, instanceId), GatewayStatus.newBuilder()
                .setBridgeId(bridgeId)
                .setInstanceId(instanceId)
                .setSessionState(SessionState.STANDBY)
                .setStateReason("standby instance " + instanceId + ": follows the state topics and takes over when the"
                        + " active instance is gone")
                .setAccounts(List.of())
                .setCircuitBreakerState(CircuitBreakerState.CLOSED)
                .setZombieCount(0)
                .setSince(since)
                .setHeartbeatAt(clock.instant())
                .setBridgeVersion(StandbyStatus.class.getPackage().getImplementationVersion())
                .build());
    }

    /** Stops the heartbeat; what was published stays on the topic until the instance becomes active. */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
