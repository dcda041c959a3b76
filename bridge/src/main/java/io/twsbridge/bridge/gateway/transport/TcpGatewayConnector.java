package io.twsbridge.bridge.gateway.transport;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.twsbridge.protocol.wire.Handshake;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Opens {@link GatewayTransport}s over TCP. Each attempt runs on a short-lived daemon thread of its own: attempts
 * are seconds apart at the least (the supervisor's backoff), so a pool would only add a lifecycle to manage.
 */
public final class TcpGatewayConnector implements GatewayConnector {

    private static final Logger log = LoggerFactory.getLogger(TcpGatewayConnector.class);

    private final String host;
    private final int port;
    private final Duration connectTimeout;
    private final RateLimiter rateLimiter;
    private final int hardLimitPerSecond;
    private final Duration frameTimeout;
    private final LinkPermit permit;

    /**
     * @param rateLimiter        sets the outbound pace; shared by every link of the process
     * @param hardLimitPerSecond never more frames than this in any sliding second
     * @param frameTimeout       a frame must arrive whole within this time of its first byte
     * @param permit             asked before the hello and before every frame: a refusal closes the link with
     *                           nothing more written
     */
    public TcpGatewayConnector(String host, int port, Duration connectTimeout, RateLimiter rateLimiter,
                               int hardLimitPerSecond, Duration frameTimeout, LinkPermit permit) {
        this.host = host;
        this.port = port;
        this.connectTimeout = connectTimeout;
        this.rateLimiter = rateLimiter;
        this.hardLimitPerSecond = hardLimitPerSecond;
        this.frameTimeout = frameTimeout;
        this.permit = permit;
    }

    @Override
    public Attempt open(String name, Handshake.ClientHello hello, GatewayLink.Listener listener) {
        TcpAttempt attempt = new TcpAttempt();
        Thread connecting = new Thread(() -> attempt.run(name, hello, listener), name + "-connect");
        connecting.setDaemon(true);
        connecting.start();
        return attempt;
    }

    /**
     * One attempt. The socket and the transport are guarded by the attempt's monitor, so that an
     * {@link #abandon} from the event loop and the connecting thread never both miss what the other made.
     */
    private final class TcpAttempt implements Attempt {
        private final CompletableFuture<GatewayLink> link = new CompletableFuture<>();
        private Socket socket;
        private GatewayTransport opened;
        private String abandoned;

        @Override
        public CompletableFuture<GatewayLink> link() {
            return link;
        }

        @Override
        public void abandon(String reason) {
            Socket connecting;
            GatewayTransport made;
            synchronized (this) {
                if (abandoned != null) {
                    return;
                }
                abandoned = reason;
                connecting = socket;
                made = opened;
            }
            if (made != null) {
                made.close("attempt abandoned: " + reason);
            } else if (connecting != null) {
                closeQuietly(connecting); // the blocked connect ends with a SocketException
            }
            link.completeExceptionally(new IOException("attempt abandoned: " + reason));
        }

        void run(String name, Handshake.ClientHello hello, GatewayLink.Listener listener) {
            try {
                link.complete(connect(name, hello, listener));
            } catch (IOException | RuntimeException e) {
                link.completeExceptionally(e);
            }
        }

        private GatewayTransport connect(String name, Handshake.ClientHello hello, GatewayLink.Listener listener)
                throws IOException {
            String refused = permit.refusal();
            if (refused != null) {
                throw new GatewayTransport.NotPermittedException(refused);
            }
            Socket s = new Socket();
            synchronized (this) {
                if (abandoned != null) {
                    throw new IOException("attempt abandoned: " + abandoned);
                }
                socket = s;
            }
            GatewayTransport transport;
            try {
                s.setTcpNoDelay(true);
                s.connect(new InetSocketAddress(host, port), (int) connectTimeout.toMillis());
                OutputStream out = s.getOutputStream();
                refused = permit.refusal(); // the connect itself may have taken seconds
                if (refused != null) {
                    throw new GatewayTransport.NotPermittedException(refused);
                }
                WireTrace.text("->", "API\\0 v" + hello.minVersion() + ".." + hello.maxVersion());
                out.write(Handshake.encodeClientHello(hello));
                out.flush();
                transport = new GatewayTransport(s, rateLimiter, hardLimitPerSecond, frameTimeout, listener, name,
                        permit);
            } catch (IOException | RuntimeException e) {
                closeQuietly(s);
                throw e;
            }
            synchronized (this) {
                if (abandoned == null) {
                    opened = transport;
                    return transport;
                }
            }
            transport.close("attempt abandoned: " + abandoned);
            throw new IOException("attempt abandoned: " + abandoned);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            log.debug("closing a gateway socket being connected", e);
        }
    }
}
