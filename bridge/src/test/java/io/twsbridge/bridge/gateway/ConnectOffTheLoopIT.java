package io.twsbridge.bridge.gateway;

import io.twsbridge.bridge.gateway.session.SessionListener;
import io.twsbridge.bridge.gateway.session.SessionState;
import io.twsbridge.bridge.gateway.session.SessionStateChange;
import io.twsbridge.bridge.gateway.zombie.ZombieProbe;
import io.twsbridge.bridge.status.StatusReporter;
import io.twsbridge.schema.GatewayStatus;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Gateway address that takes no connection: a listening socket whose accept queue is full, so the kernel drops
 * the SYN and the bridge's TCP connect hangs until its timeout. Meanwhile the status heartbeat, which runs on the
 * session's event loop, must keep its period: the connect happens on the connector's thread, not on the loop.
 */
class ConnectOffTheLoopIT {

    private static final Logger log = LoggerFactory.getLogger(ConnectOffTheLoopIT.class);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration HEARTBEAT = Duration.ofMillis(100);

    private record Beat(long nanos, String state) {
    }

    @Test
    void theStatusHeartbeatKeepsItsPeriodWhileAConnectHangs() throws Exception {
        List<Socket> filling = new ArrayList<>();
        try (ServerSocket neverAccepts = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            fillTheAcceptQueue(neverAccepts, filling);
            GatewayConfig config = GatewayConfig.builder().host("127.0.0.1").port(neverAccepts.getLocalPort())
                    .connectTimeout(CONNECT_TIMEOUT).retryInitialBackoff(Duration.ofMinutes(10)).backoffJitter(0.0)
                    .build();
            ZombieProbe none = port -> new ZombieProbe.Result(0, true, "none");
            List<Beat> beats = new CopyOnWriteArrayList<>();
            List<SessionStateChange> changes = new CopyOnWriteArrayList<>();
            try (GatewayService service = new GatewayService(config, none, Clock.systemUTC())) {
                service.session().addListener(new SessionListener() {
                    @Override
                    public void onStateChange(SessionStateChange change) {
                        changes.add(change);
                    }
                });
                StatusReporter heartbeat = new StatusReporter((topic, key, value) -> beats.add(new Beat(
                        System.nanoTime(), ((GatewayStatus) value).getSessionState().name())), service.session()::snapshot,
                        service.eventLoop(), "bridge-1", HEARTBEAT, () -> true, () -> 0L);
                heartbeat.start();
                await().atMost(Duration.ofSeconds(5)).until(() -> beats.size() >= 3);
                long connectStarted = System.nanoTime();
                service.start();

                await().atMost(CONNECT_TIMEOUT.multipliedBy(5)).until(() -> changes.stream()
                        .anyMatch(c -> c.to() == SessionState.DISCONNECTED));
                long connectEnded = System.nanoTime();
                // The session reports DISCONNECTED before the supervisor, on the same loop, counts the outcome.
                await().atMost(Duration.ofSeconds(5)).until(() -> !service.supervisor().status().outcomes().isEmpty());
                heartbeat.stop();

                List<Beat> during = beats.stream().filter(b -> b.nanos >= connectStarted && b.nanos <= connectEnded)
                        .toList();
                long maxGapMs = maxGapMillis(beats, connectStarted, connectEnded);
                log.info("connect to a port that never accepts: {} ms until it failed {}; {} heartbeats of {} ms "
                                + "meanwhile, {} of them reporting CONNECTING; longest gap between heartbeats {} ms",
                        (connectEnded - connectStarted) / 1_000_000, service.supervisor().status().outcomes(),
                        during.size(), HEARTBEAT.toMillis(),
                        during.stream().filter(b -> b.state.equals("CONNECTING")).count(), maxGapMs);

                assertThat(service.supervisor().status().outcomes()).as("the connect hung until its timeout")
                        .containsKey("CONNECT_TIMEOUT");
                assertThat(Duration.ofNanos(connectEnded - connectStarted)).isGreaterThanOrEqualTo(CONNECT_TIMEOUT);
                // A loop blocked by the connect publishes nothing while the session is CONNECTING: each heartbeat
                // that reports CONNECTING ran on the loop while the connect was still under way.
                assertThat(during).filteredOn(b -> b.state.equals("CONNECTING"))
                        .as("heartbeats published while the connect hung").hasSizeGreaterThanOrEqualTo(2);
            }
        } finally {
            for (Socket s : filling) {
                s.close();
            }
        }
    }

    /** Connects until one connect times out: from then on the kernel drops every SYN to this port. */
    private static void fillTheAcceptQueue(ServerSocket server, List<Socket> filling) throws IOException {
        for (int i = 0; i < 64; i++) {
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()), 500);
                filling.add(s);
            } catch (SocketTimeoutException full) {
                s.close();
                return;
            }
        }
        throw new IllegalStateException("the accept queue did not fill after 64 connects");
    }

    private static long maxGapMillis(List<Beat> beats, long from, long to) {
        long max = 0;
        Beat previous = null;
        for (Beat b : beats) {
            if (previous != null && b.nanos >= from && previous.nanos <= to) {
                max = Math.max(max, b.nanos - previous.nanos);
            }
            previous = b;
        }
        return max / 1_000_000;
    }
}
