package io.twsbridge.bridge.gateway.session;

/** Why a connection attempt did not reach READY. Each counts as one failure for the circuit breaker. */
public enum AttemptFailure {
    /** Nothing listens at the Gateway's address (connection refused, unreachable). */
    REFUSED,
    /** The TCP connect did not finish in time. */
    CONNECT_TIMEOUT,
    /** TCP accepted, but no server-version reply in time: the remote symptom of zombie sockets. */
    HANDSHAKE_STALL,
    /** The Gateway chose a server version outside the range this bridge speaks. */
    UNSUPPORTED_VERSION,
    /** Error 326: another connection holds the client id. */
    CLIENT_ID_IN_USE,
    /** API started but nextValidId and a non-empty managedAccounts did not both arrive in time. */
    API_TIMEOUT,
    /** An initial-sync step did not reach its End message in time. */
    SYNC_TIMEOUT,
    /** The Gateway closed the link before READY. */
    LINK_DROPPED,
    /** The Gateway sent something that is not the TWS protocol. */
    PROTOCOL_ERROR,
    /** The bridge is shutting down. */
    SHUT_DOWN
}
