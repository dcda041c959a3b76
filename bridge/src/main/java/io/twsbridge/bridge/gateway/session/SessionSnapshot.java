package io.twsbridge.bridge.gateway.session;

import java.util.List;

/**
 * The session's state and what goes with it, read in one piece: a caller never sees READY with the previous
 * link's accounts, nor accounts without READY.
 *
 * @param accounts      empty unless the state is READY or DEGRADED
 * @param serverVersion 0 unless synced
 * @param clientId      -1 unless synced
 */
public record SessionSnapshot(SessionState state, String reason, List<String> accounts, int serverVersion,
                              int clientId) {

    public SessionSnapshot {
        accounts = List.copyOf(accounts);
    }

    /** True only when READY: connected, handshake and initial sync complete. */
    public boolean connected() {
        return state == SessionState.READY;
    }
}
