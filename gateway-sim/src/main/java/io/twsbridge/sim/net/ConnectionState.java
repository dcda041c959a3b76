package io.twsbridge.sim.net;

/** Where a client connection is in its life. */
public enum ConnectionState {
    /** Accepted; the handshake is being read or answered. */
    HANDSHAKING,
    /** Server version sent; waiting for startApi. */
    AWAITING_START_API,
    /** startApi received; requests are served. */
    ACTIVE,
    /** Accepted while handshakes are blocked: never answered. */
    STALLED,
    /** The client left; the simulator keeps its side open (CLOSE_WAIT), holding the clientId. */
    ZOMBIE,
    /** Closed on both sides. */
    CLOSED
}
