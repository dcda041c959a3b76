package io.twsbridge.bridge.gateway.supervisor;

import io.twsbridge.bridge.gateway.session.SessionSnapshot;
import io.twsbridge.bridge.gateway.session.SessionState;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** One reason for the session's state, the supervisor's causes first while nothing is connected. */
class SessionReasonTest {

    private static final SessionSnapshot NOT_CONNECTED =
            new SessionSnapshot(SessionState.DISCONNECTED, "not connected yet", List.of(), 0, -1);
    private static final Instant NEXT = Instant.parse("2026-12-07T10:31:00Z");

    @Test
    void zombiesComeFirstEvenWithAFailureAndANextAttemptOnRecord() {
        assertThat(SessionReason.of(NOT_CONNECTED, supervisor("FORCED_OPEN", 3, "HANDSHAKE_STALL: no answer", NEXT)))
                .isEqualTo("3 zombie socket(s) in CLOSE_WAIT on the Gateway's port hold the breaker FORCED_OPEN: "
                        + "no connection attempt while they exist");
    }

    @Test
    void aHeldBreakerSaysAfterWhatAndUntilWhen() {
        assertThat(SessionReason.of(NOT_CONNECTED, supervisor("OPEN", 0, "REFUSED: connection refused", NEXT)))
                .isEqualTo("circuit breaker OPEN after the last attempt failed (REFUSED: connection refused); "
                        + "held until 2026-12-07T10:31:00Z, the next attempt");
    }

    @Test
    void aFailureWithTheBreakerClosedNamesTheFailureAndTheNextAttempt() {
        assertThat(SessionReason.of(NOT_CONNECTED, supervisor("CLOSED", 0,
                "CLIENT_ID_IN_USE: client id 17 is already in use", NEXT)))
                .isEqualTo("the last attempt failed (CLIENT_ID_IN_USE: client id 17 is already in use); "
                        + "next attempt at 2026-12-07T10:31:00Z");
    }

    @Test
    void withNothingToAddOrWhileConnectedTheSessionSpeaksForItself() {
        assertThat(SessionReason.of(NOT_CONNECTED, supervisor("CLOSED", 0, "", null))).isEqualTo("not connected yet");
        SessionSnapshot syncing = new SessionSnapshot(SessionState.SYNCING, "initial sync running", List.of("DU1"),
                176, 17);
        assertThat(SessionReason.of(syncing, supervisor("CLOSED", 2, "REFUSED: connection refused", NEXT)))
                .isEqualTo("initial sync running");
    }

    private static SupervisorStatus supervisor(String breaker, int zombies, String lastError, Instant next) {
        return new SupervisorStatus(SessionState.DISCONNECTED, "not connected yet", breaker, zombies, true, 17,
                List.of(), lastError, 1, Map.of(), Instant.parse("2026-12-07T10:30:00Z"), next, "");
    }
}
