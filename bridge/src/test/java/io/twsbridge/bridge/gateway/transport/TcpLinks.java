package io.twsbridge.bridge.gateway.transport;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.twsbridge.protocol.wire.Handshake;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Opens a started {@link GatewayTransport} to a local port through the real connector, for transport tests. */
final class TcpLinks {

    static final Handshake.ClientHello HELLO = new Handshake.ClientHello(157, 178, "");

    private TcpLinks() {
    }

    /** Waits for the connector's answer and rethrows its failure as the connector reported it. */
    static GatewayTransport open(int port, RateLimiter pace, int hardLimitPerSecond, LinkPermit permit,
                                 GatewayLink.Listener listener, String name) throws Exception {
        TcpGatewayConnector connector = new TcpGatewayConnector("127.0.0.1", port, Duration.ofSeconds(2), pace,
                hardLimitPerSecond, Duration.ofSeconds(5), permit);
        GatewayLink link;
        try {
            link = connector.open(name, HELLO, listener).link().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
        link.start();
        return (GatewayTransport) link;
    }
}
