package io.twsbridge.bridge.gateway.supervisor;

import io.twsbridge.bridge.gateway.session.SessionSnapshot;
import io.twsbridge.bridge.gateway.session.SessionState;

/**
 * Why the Gateway session is where it is, in one sentence for people: the one rule that {@code /health/ready},
 * {@code /status} and the status topic all use, so that they never tell three different stories.
 *
 * <p>While an attempt runs or the session is connected, the session's own reason says it best. While it is
 * DISCONNECTED, the session only knows that it is not connected; the supervisor knows why no attempt is made, and
 * its causes come first, in this order: zombie sockets (nothing will be tried while they exist), the breaker's
 * hold and until when (which is when the next attempt comes), then the last failure (a client id in use among
 * them) and when the next attempt comes.
 */
public final class SessionReason {

    private SessionReason() {
    }

    public static String of(SessionSnapshot session, SupervisorStatus supervisor) {
        if (session.state() != SessionState.DISCONNECTED || supervisor == null) {
            return session.reason();
        }
        if (supervisor.zombieCount() > 0) {
            // What to do about them is the advice's to say; the status topic carries both, side by side.
            return supervisor.zombieCount() + " zombie socket(s) in CLOSE_WAIT on the Gateway's port hold the "
                    + "breaker " + supervisor.breakerState() + ": no connection attempt while they exist";
        }
        boolean held = supervisor.breakerState().equals("OPEN") || supervisor.breakerState().equals("FORCED_OPEN");
        String failure = supervisor.lastError() == null || supervisor.lastError().isEmpty() ? ""
                : "the last attempt failed (" + supervisor.lastError() + ")";
        if (held) {
            // The supervisor holds an open breaker for exactly the wait before its next attempt, so one time
            // answers both "until when" and "when next".
            return "circuit breaker " + supervisor.breakerState() + (failure.isEmpty() ? "" : " after " + failure)
                    + (supervisor.nextAttemptAt() == null ? ""
                    : "; held until " + supervisor.nextAttemptAt() + ", the next attempt");
        }
        if (!failure.isEmpty()) {
            return failure + (supervisor.nextAttemptAt() == null ? ""
                    : "; next attempt at " + supervisor.nextAttemptAt());
        }
        return session.reason();
    }
}
