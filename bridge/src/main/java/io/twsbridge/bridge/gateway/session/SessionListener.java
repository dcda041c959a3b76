package io.twsbridge.bridge.gateway.session;

import io.twsbridge.protocol.message.ServerMessage;

/**
 * Receives what the session sees. All callbacks run on the session's event loop, in order; they must not block.
 */
public interface SessionListener {

    /** Every state change, with its reason. */
    default void onStateChange(SessionStateChange change) {
    }

    /** Every decoded Gateway message, after the session has acted on it. */
    default void onMessage(ServerMessage message) {
    }

    /**
     * The synced link is being closed because the Gateway broke the protocol ({@code detail} says how); called just
     * before {@link #onLinkLost}. A fault before READY is a failed attempt instead.
     */
    default void onProtocolFault(String detail) {
    }

    /**
     * The Gateway accepted the connection and left a handshake step unanswered past its timeout ({@code kind}
     * HANDSHAKE_STALL or API_TIMEOUT), and the connection is kept open for it ({@code gateway.unanswered-connection
     * =keep}): the attempt is still under way. Called once per step left unanswered.
     */
    default void onUnanswered(AttemptFailure kind, String detail) {
    }

    /** A synced link was lost (not a failed attempt): the supervisor decides when to reconnect. */
    default void onLinkLost(String reason) {
    }
}
