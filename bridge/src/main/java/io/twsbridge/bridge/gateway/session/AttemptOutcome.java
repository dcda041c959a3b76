package io.twsbridge.bridge.gateway.session;

import java.time.Duration;
import java.util.List;

/** How one connection attempt ended. */
public sealed interface AttemptOutcome {

    /** How long the attempt took, from the TCP connect to its end. */
    Duration elapsed();

    /** The session reached READY. */
    record Ready(int clientId, int serverVersion, List<String> accounts, Duration elapsed) implements AttemptOutcome {
        public Ready {
            accounts = List.copyOf(accounts);
        }
    }

    /** The attempt failed; {@code detail} says what the bridge saw. */
    record Failed(AttemptFailure failure, String detail, Duration elapsed) implements AttemptOutcome {
    }
}
