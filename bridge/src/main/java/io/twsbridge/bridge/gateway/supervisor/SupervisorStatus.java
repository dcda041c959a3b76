package io.twsbridge.bridge.gateway.supervisor;

import io.twsbridge.bridge.gateway.session.SessionState;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What an operator needs to know about the Gateway link, in one immutable snapshot.
 *
 * @param breakerState     CLOSED, OPEN, HALF_OPEN or FORCED_OPEN (zombies)
 * @param zombieCount      CLOSE_WAIT sockets on the Gateway's port at the last probe
 * @param attempts         connection attempts since start
 * @param outcomes         attempts by outcome (READY or the failure kind)
 * @param nextAttemptAt    when the next connection attempt is made (the end of the backoff and of any breaker
 *                         hold); null when connected, stopped, an attempt is under way or zombies hold the breaker
 * @param advice           what the operator should do, empty when nothing
 */
public record SupervisorStatus(
        SessionState sessionState,
        String sessionReason,
        String breakerState,
        int zombieCount,
        boolean zombieProbeAvailable,
        int clientId,
        List<String> accounts,
        String lastError,
        long attempts,
        Map<String, Long> outcomes,
        Instant since,
        Instant nextAttemptAt,
        String advice) {

    public SupervisorStatus {
        accounts = List.copyOf(accounts);
        outcomes = Map.copyOf(outcomes);
    }
}
