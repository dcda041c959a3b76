package io.twsbridge.bridge.gateway.transport;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.twsbridge.bridge.gateway.GatewayService;
import io.twsbridge.protocol.wire.FieldWriter;
import io.twsbridge.protocol.wire.Handshake;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class GatewayTransportTest {

    /** What a listener does whose event loop has already shut down: refuse every hand-over. */
    private static final class RefusingListener implements GatewayLink.Listener {
        final List<String> closes = new CopyOnWriteArrayList<>();

        @Override
        public void onFrame(byte[] payload) {
            throw new RejectedExecutionException("event loop shut down");
        }

        @Override
        public void onClosed(String reason, Throwable cause) {
            closes.add(reason);
            throw new RejectedExecutionException("event loop shut down");
        }
    }

    @Test
    void aListenerThatRefusesFramesAtShutdownEndsTheReaderQuietlyAndClosesOurSide() throws Exception {
        List<Throwable> uncaught = new CopyOnWriteArrayList<>();
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(e));
        RefusingListener listener = new RefusingListener();
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            GatewayTransport transport = TcpLinks.open(server.getLocalPort(), GatewayService.outboundRateLimiter(45),
                    48, LinkPermit.ALWAYS, listener, "refused");
            try (Socket peer = server.accept()) {
                Handshake.readClientHello(peer.getInputStream());
                peer.getOutputStream().write(new FieldWriter(16).int32(176).string("now").toFrame());
                peer.getOutputStream().flush();

                // The reader hands the frame over, is refused, and closes: our side ends the stream.
                peer.setSoTimeout(5_000);
                InputStream in = peer.getInputStream();
                assertThat(in.read()).isEqualTo(-1);
            }
            transport.awaitThreads(Duration.ofSeconds(5));

            assertThat(transport.isClosed()).isTrue();
            assertThat(listener.closes).hasSize(1).allMatch(r -> r.startsWith("frame handling failed"));
            assertThat(uncaught).as("exceptions that ended the reader or writer thread").isEmpty();
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(previous);
        }
    }

    /**
     * The frame the writer holds while it waits for the pace has left the queue but not the process: a clean close
     * that looked at the queue alone would drop it (the last cancel of a shutdown, typically).
     */
    @Test
    void aFrameHeldInTheRateLimiterCountsAsUnsentThoughTheQueueIsEmpty() throws Exception {
        // One frame a minute: the second frame waits in the limiter for as long as this test needs.
        RateLimiter onePerMinute = RateLimiter.of("one-per-minute", RateLimiterConfig.custom().limitForPeriod(1)
                .limitRefreshPeriod(Duration.ofMinutes(1)).timeoutDuration(Duration.ofDays(1)).build());
        List<String> closes = new CopyOnWriteArrayList<>();
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            GatewayTransport transport = TcpLinks.open(server.getLocalPort(), onePerMinute, 48, LinkPermit.ALWAYS,
                    new GatewayLink.Listener() {
                        @Override
                        public void onFrame(byte[] payload) {
                            // the peer sends nothing
                        }

                        @Override
                        public void onClosed(String reason, Throwable cause) {
                            closes.add(reason);
                        }
                    }, "held");
            try (Socket peer = server.accept()) {
                peer.setSoTimeout(5_000);
                InputStream in = peer.getInputStream();
                Handshake.readClientHello(in);
                byte[] first = new FieldWriter(16).int32(49).int32(1).toFrame();
                byte[] second = new FieldWriter(16).int32(49).int32(1).int32(2).toFrame();

                transport.send(first);
                transport.send(second);

                assertThat(in.readNBytes(first.length)).as("the first frame takes the one permit").isEqualTo(first);
                await().atMost(Duration.ofSeconds(5)).until(() -> transport.queuedFrames() == 0);
                assertThat(transport.unsentFrames()).as("the second, in the writer's hand").isEqualTo(1);

                transport.close("test over");
                assertThat(in.read()).as("the held frame is dropped by a plain close").isEqualTo(-1);
            }
            transport.awaitThreads(Duration.ofSeconds(5));
            assertThat(closes).containsExactly("test over");
        }
    }
}
