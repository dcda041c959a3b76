package io.twsbridge.bridge.gateway.transport;

import io.twsbridge.protocol.wire.Handshake;

import java.util.concurrent.CompletableFuture;

/**
 * Opens links to the Gateway for the session, without ever blocking the caller.
 *
 * <p>A TCP connect to a Gateway that does not answer can take the whole connect timeout. The session runs on the
 * event loop that also runs every timer, the status heartbeat and queued subscribe requests, so the connect and
 * the hello happen elsewhere (a thread of the connector's own, for {@link TcpGatewayConnector}) and only their
 * outcome comes back.
 */
public interface GatewayConnector {

    /**
     * Begins opening a link named {@code name}: a TCP connect, then the {@code hello}. Returns at once.
     *
     * @param listener receives the link's frames once it is {@linkplain GatewayLink#start() started}
     */
    Attempt open(String name, Handshake.ClientHello hello, GatewayLink.Listener listener);

    /** One link being opened. */
    interface Attempt {
        /**
         * Completes with the link, not yet started, once the hello is written; or with the exception that
         * prevented it: {@link java.net.SocketTimeoutException} for a connect that timed out,
         * {@link GatewayTransport.NotPermittedException} when the permit refused, another
         * {@link java.io.IOException} when nothing could be reached. Completed from a thread of the connector.
         */
        CompletableFuture<GatewayLink> link();

        /**
         * Gives the attempt up, from any thread: a connect under way is aborted, and a link that opens anyway is
         * closed at once, so nothing is left open on either side. Idempotent.
         */
        void abandon(String reason);
    }
}
