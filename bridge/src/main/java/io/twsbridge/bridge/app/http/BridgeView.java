package io.twsbridge.bridge.app.http;

import io.twsbridge.bridge.gateway.supervisor.ConnectionSupervisor;

/**
 * What the management server reads from the bridge and the one thing it may change. {@link LiveBridgeView} is the
 * bridge's own; tests use a fake.
 *
 * <p>Called on the server's request threads, concurrently: implementations must be thread-safe and must not
 * block for long (a readiness probe has a timeout of its own).
 */
public interface BridgeView {

    /** Cheap: every readiness probe calls it. */
    Readiness readiness();

    /** Everything an operator needs at a glance; never a secret (no passwords, no client properties). */
    BridgeStatus status();

    /**
     * Engages ({@code true}) or releases ({@code false}) the order kill switch.
     *
     * @return the kill switch's state afterwards
     */
    boolean setKillSwitch(boolean engaged);

    /**
     * Asks for a Gateway connection attempt now ({@code POST /session/reconnect}), for when an operator has fixed
     * the cause; refused while zombie sockets exist, while an attempt runs or while the session is connected.
     */
    ConnectionSupervisor.AttemptRequest requestAttempt();
}
