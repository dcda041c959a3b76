package io.twsbridge.bridge.gateway;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.twsbridge.bridge.gateway.session.GatewaySession;
import io.twsbridge.bridge.gateway.session.ShutdownReport;
import io.twsbridge.bridge.gateway.supervisor.ConnectionSupervisor;
import io.twsbridge.bridge.gateway.transport.LinkPermit;
import io.twsbridge.bridge.gateway.transport.TcpGatewayConnector;
import io.twsbridge.bridge.gateway.zombie.ZombieProbe;
import io.twsbridge.bridge.time.EventLoop;
import io.twsbridge.bridge.time.ThreadEventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Gateway side of the bridge, wired: one event loop, one outbound rate limiter, one session and its
 * supervisor. {@link #start()} begins connecting; {@link #close()} cancels subscriptions, closes the link once the
 * writer has sent them (and everything queued before them) and stops the loop. {@link #registerShutdownHook()}
 * makes SIGTERM do the same.
 */
public final class GatewayService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GatewayService.class);
    /**
     * The longest a clean close waits for the writer to send what is queued (see {@link GatewaySession#shutdown}):
     * at the default 45 messages a second, the cancels of IB's standard 100 market-data lines take 2.3 s. It stays
     * well inside the shortest stop grace a runtime gives before SIGKILL ({@code docker stop}: 10 s), which must
     * also cover flushing to Kafka.
     */
    private static final Duration SHUTDOWN_DRAIN_MAX = Duration.ofSeconds(5);

    private final ThreadEventLoop loop;
    private final RateLimiter rateLimiter;
    private final GatewaySession session;
    private final ConnectionSupervisor supervisor;
    private volatile boolean closed;
    private volatile ShutdownReport shutdownReport;

    public GatewayService(GatewayConfig config, ZombieProbe probe, Clock clock) {
        this(config, probe, clock, LinkPermit.ALWAYS);
    }

    /** @param permit asked before every write to the Gateway: a standby bridge's leader lease */
    public GatewayService(GatewayConfig config, ZombieProbe probe, Clock clock, LinkPermit permit) {
        this.loop = new ThreadEventLoop("gateway-session", clock);
        this.rateLimiter = outboundRateLimiter(config.messagesPerSecond());
        this.session = new GatewaySession(config, loop, new TcpGatewayConnector(config.host(), config.port(),
                config.connectTimeout(), rateLimiter, config.pacingHardLimit(), config.frameTimeout(), permit));
        this.supervisor = new ConnectionSupervisor(config, session, probe, loop);
    }

    /**
     * One permit every 1/rate seconds rather than {@code rate} permits per one-second period: even spacing keeps
     * a margin against arrival jitter at the Gateway, where a per-second budget would let a full period's burst
     * at the end of one period meet another at the start of the next.
     */
    public static RateLimiter outboundRateLimiter(int messagesPerSecond) {
        return RateLimiter.of("gateway-outbound", RateLimiterConfig.custom()
                .limitForPeriod(1)
                .limitRefreshPeriod(Duration.ofNanos(1_000_000_000L / messagesPerSecond))
                .timeoutDuration(Duration.ofDays(1))
                .build());
    }

    public GatewaySession session() {
        return session;
    }

    /** The event loop that owns the session; listeners that schedule work (quote conflation) use it. */
    public EventLoop eventLoop() {
        return loop;
    }

    public ConnectionSupervisor supervisor() {
        return supervisor;
    }

    public RateLimiter rateLimiter() {
        return rateLimiter;
    }

    public void start() {
        supervisor.start();
    }

    /** On SIGTERM: the same clean close as {@link #close()}. */
    public void registerShutdownHook() {
        Runtime.getRuntime().addShutdownHook(new Thread(this::close, "gateway-shutdown"));
    }

    /** What the clean close sent the Gateway; empty until {@link #close()} has closed the link. */
    public Optional<ShutdownReport> shutdownReport() {
        return Optional.ofNullable(shutdownReport);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        supervisor.stop();
        try {
            shutdownReport = session.shutdown(SHUTDOWN_DRAIN_MAX)
                    .get(SHUTDOWN_DRAIN_MAX.toMillis() + 3_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("gateway session did not shut down cleanly: {}", e.toString());
        }
        loop.close();
    }
}
