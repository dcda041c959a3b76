package io.twsbridge.bridge.gateway.session;

/** Where the one Gateway session is. Only READY means connected: nothing is reported as connected before it. */
public enum SessionState {
    /** No link; the supervisor decides when to try again. */
    DISCONNECTED,
    /** TCP connect in progress. */
    CONNECTING,
    /** Hello sent; waiting for the server version, then nextValidId and managedAccounts. */
    HANDSHAKING,
    /** API started; the initial sync (positions, orders, executions, account summary) runs to its End messages. */
    SYNCING,
    /** Handshake and initial sync complete: the session serves requests. */
    READY,
    /** Linked to the Gateway, but the Gateway lost IB (1100): no orders go out until it is back. */
    DEGRADED,
    /** Shut down for good. */
    CLOSED,
    /**
     * Not a state the session enters: the bridge's own, while it is a standby instance (failover) that runs no
     * session and waits to take over. Reported in {@code /status} and ib.status.
     */
    STANDBY;

    /** True while the session has a live, synced link (READY or DEGRADED). */
    public boolean isSynced() {
        return this == READY || this == DEGRADED;
    }
}
