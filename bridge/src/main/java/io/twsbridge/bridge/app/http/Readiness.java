package io.twsbridge.bridge.app.http;

import io.twsbridge.bridge.gateway.session.SessionState;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether the bridge can do its work, and if not, why: every unmet condition is named.
 *
 * @param reasons empty exactly when ready
 */
public record Readiness(boolean ready, List<String> reasons) {

    public Readiness {
        reasons = List.copyOf(reasons);
        if (ready != reasons.isEmpty()) {
            throw new IllegalArgumentException("ready must be true exactly when there are no reasons: " + reasons);
        }
    }

    /**
     * The bridge's rule, the same as the command consumer's: ready only while the Gateway session is READY (not
     * DEGRADED: orders would wait) and Kafka answers.
     */
    public static Readiness of(SessionState sessionState, String sessionReason, boolean kafkaReachable) {
        return of(sessionState, sessionReason, kafkaReachable, null);
    }

    /**
     * As {@link #of(SessionState, String, boolean)}, and not ready either once the command consumer has stopped by
     * itself: a bridge that executes no command is not ready, however healthy its session.
     *
     * @param commandConsumerStopped why the command consumer stopped (fenced, say); null while it runs
     */
    public static Readiness of(SessionState sessionState, String sessionReason, boolean kafkaReachable,
                               String commandConsumerStopped) {
        List<String> reasons = new ArrayList<>();
        if (sessionState != SessionState.READY) {
            reasons.add("Gateway session is " + sessionState
                    + (sessionReason == null || sessionReason.isBlank() ? "" : ": " + sessionReason));
        }
        if (!kafkaReachable) {
            reasons.add("Kafka is unreachable: events are buffered in the producer, commands wait");
        }
        if (commandConsumerStopped != null) {
            reasons.add("the command consumer " + commandConsumerStopped);
        }
        return new Readiness(reasons.isEmpty(), reasons);
    }
}
