package io.twsbridge.bridge.gateway;

/** What an IB error or notice code means for the bridge. Decisions are made on these, never on message text. */
public enum IbErrorCategory {
    /** Informational notice (farm status and the like): logged, never an error. */
    INFO,
    /** A warning about one request; the request may still have worked. */
    WARNING,
    /** One request or order failed; the session is fine. */
    REQUEST_FAILED,
    /** IB lost connectivity to its servers (1100): the session is degraded. */
    CONNECTIVITY_LOST,
    /** Connectivity is back but market-data subscriptions are gone (1101): subscribe again. */
    CONNECTIVITY_RESTORED_DATA_LOST,
    /** Connectivity is back and subscriptions survived (1102). */
    CONNECTIVITY_RESTORED,
    /** The client id is taken (326): this connection attempt failed. */
    CLIENT_ID_IN_USE,
    /** The pacing limit was exceeded (100): requests are coming too fast. */
    PACING_VIOLATION,
    /** The link or the API session cannot go on (e.g. unsupported version): close and let the supervisor decide. */
    FATAL
}
