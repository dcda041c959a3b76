package io.twsbridge.sim.net;

import io.twsbridge.protocol.message.ClientMessage;

import java.time.Duration;

/**
 * What a {@link ClientConnection} needs from the simulator that owns it. Called on the connection's reader
 * thread.
 */
public interface ConnectionHost {

    /** Highest server version offered. */
    int maxServerVersion();

    /** Current wait before the server-version reply. */
    Duration handshakeDelay();

    /** Current wait between startApi and the accounts/next-id answer. */
    Duration apiDelay();

    /** True when new handshakes must go unanswered (zombies present and the fault is on). */
    boolean handshakesBlocked();

    /** True when a client's departure must leave the simulator's socket open. */
    boolean zombieOnDisconnect();

    /** Binds {@code clientId} to the connection; false when another connection (zombies included) holds it. */
    boolean claimClientId(int clientId, ClientConnection connection);

    /** The client finished startApi: send it the session's opening messages. */
    void onApiStarted(ClientConnection connection);

    /** A decoded request of an API-started client. */
    void onMessage(ClientConnection connection, ClientMessage message);

    /** The client left but the socket is kept open on purpose. */
    void onZombie(ClientConnection connection);

    /** The connection is closed and gone. */
    void onClosed(ClientConnection connection);
}
