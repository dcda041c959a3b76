package io.twsbridge.bridge.app.metrics;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.twsbridge.bridge.events.EventMapper;
import io.twsbridge.bridge.events.EventMapperConfig;
import io.twsbridge.bridge.events.SessionView;
import io.twsbridge.bridge.gateway.GatewayService;
import io.twsbridge.bridge.gateway.session.SessionState;
import io.twsbridge.bridge.gateway.supervisor.SupervisorStatus;
import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.bridge.kafka.publish.EventPublisher;
import io.twsbridge.bridge.time.ManualEventLoop;
import io.twsbridge.protocol.message.Contract;
import io.twsbridge.schema.CommandStatus;
import io.twsbridge.testkit.PrometheusText;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A {@link BridgeMetrics} with every binding on fakes and plain values that tests change. */
public final class MetricsFixture implements AutoCloseable {

    public final AtomicReference<SessionState> state = new AtomicReference<>(SessionState.READY);
    public final AtomicReference<SupervisorStatus> supervisor = new AtomicReference<>(supervisorStatus(0, Map.of()));
    public final CircuitBreaker breaker = CircuitBreaker.of("gateway-connect", CircuitBreakerConfig.ofDefaults());
    public final RateLimiter limiter = GatewayService.outboundRateLimiter(45);
    public final AtomicInteger queueDepth = new AtomicInteger();
    public final java.util.concurrent.atomic.AtomicLong ticksDropped = new java.util.concurrent.atomic.AtomicLong();
    public final AtomicInteger ticksQueued = new AtomicInteger();
    public final KafkaSettings kafka = KafkaSettings.builder().build();
    public final MockProducer<byte[], byte[]> producer =
            new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    public final EventPublisher publisher =
            new EventPublisher(kafka, producer, (topic, record) -> new byte[] {1}, Clock.systemUTC());
    public final EventMapper mapper = new EventMapper((topic, key, value) -> { }, new SessionView() {
        @Override
        public Optional<Contract> contractForReqId(int reqId) {
            return Optional.empty();
        }

        @Override
        public Optional<io.twsbridge.bridge.gateway.session.BarSubscription> barSubscriptionForReqId(int reqId) {
            return Optional.empty();
        }

        @Override
        public int clientId() {
            return 17;
        }
    }, new ManualEventLoop(), EventMapperConfig.defaults("bridge-1"));
    public final AtomicBoolean kafkaReachable = new AtomicBoolean(true);
    public final AtomicBoolean ready = new AtomicBoolean(true);
    public final AtomicBoolean killSwitch = new AtomicBoolean();
    public final BridgeMetrics metrics = new BridgeMetrics();
    /** A broker clock on a driven loop; {@link #brokerClockLoop} and the link's answers drive it. */
    public final ManualEventLoop brokerClockLoop = new ManualEventLoop();
    public final io.twsbridge.bridge.gateway.brokertime.BrokerClock brokerClock =
            new io.twsbridge.bridge.gateway.brokertime.BrokerClock(m -> true, brokerClockLoop,
                    java.time.Duration.ofMinutes(1), java.time.Duration.ofSeconds(2));

    /** A standby bridge's instance, as {@code BridgeApp.failoverStatus()} reports it. */
    public final java.util.concurrent.atomic.AtomicReference<io.twsbridge.bridge.failover.FailoverStatus> failover =
            new java.util.concurrent.atomic.AtomicReference<>(new io.twsbridge.bridge.failover.FailoverStatus("a",
                    io.twsbridge.bridge.failover.FailoverStatus.Role.STANDBY, java.time.Instant.EPOCH, 0, "joined", 0, -1));
    public final java.util.concurrent.atomic.AtomicLong refused = new java.util.concurrent.atomic.AtomicLong();
    public final AtomicReference<io.twsbridge.bridge.history.HistoricalBarsService.Status> history =
            new AtomicReference<>(new io.twsbridge.bridge.history.HistoricalBarsService.Status(
                    new io.twsbridge.bridge.history.pacing.PacingSnapshot(3, Map.of("strategy-a", 3), 2, 40, 5, 1,
                            java.time.Duration.ofMillis(2500),
                            io.twsbridge.bridge.history.pacing.PacingSnapshot.BreakerState.CLOSED, null, 0),
                    42, 7, 0, 2));

    public MetricsFixture() {
        metrics.bindSessionState(state::get)
                .bindSupervisor(supervisor::get)
                .bindCircuitBreaker(breaker)
                .bindRateLimiter(limiter)
                .bindOutboundQueue(queueDepth::get)
                .bindMarketDataInbox(ticksDropped::get, ticksQueued::get)
                .bindPublisher(publisher, kafka)
                .bindKafkaReachable(kafkaReachable::get)
                .bindReady(ready::get)
                .bindKillSwitch(killSwitch::get)
                .bindCommandConsumerStopped(() -> false)
                .bindMapper(mapper.counters())
                .bindFailover(failover::get, refused::get)
                .bindHistory(history::get)
                .bindBrokerClock(brokerClock);
    }

    /** Feeds every hook once and moves the breaker once, so every lazily created meter exists. */
    public MetricsFixture exerciseHooks() {
        metrics.acknowledged("ib.fills", TimeUnit.MILLISECONDS.toNanos(3));
        metrics.result("PlaceOrder", CommandStatus.COMPLETED);
        breaker.transitionToOpenState();
        return this;
    }

    public PrometheusText scrape() {
        return PrometheusText.parse(metrics.scrape());
    }

    public static SupervisorStatus supervisorStatus(int zombies, Map<String, Long> outcomes) {
        long attempts = outcomes.values().stream().mapToLong(Long::longValue).sum();
        return new SupervisorStatus(SessionState.READY, "synced", "CLOSED", zombies, true, 17, List.of("DU111111"),
                "", attempts, outcomes, Instant.parse("2026-11-28T14:30:00Z"), null, "");
    }

    /** The {@code tws_bridge_*} family names {@code docs/metrics.md} documents (in its first table column). */
    public static Set<String> documentedFamilies() throws java.io.IOException {
        Path docs = Path.of("..", "docs", "metrics.md");
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("^\\| `(tws_bridge_[a-z0-9_]+)`", Pattern.MULTILINE).matcher(Files.readString(docs));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    @Override
    public void close() {
        metrics.close();
        publisher.close();
    }
}
