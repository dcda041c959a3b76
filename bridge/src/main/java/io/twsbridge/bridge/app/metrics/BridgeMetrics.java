package io.twsbridge.bridge.app.metrics;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.core.registry.InMemoryRegistryStore;
import io.github.resilience4j.micrometer.tagged.CircuitBreakerMetricNames;
import io.github.resilience4j.micrometer.tagged.RateLimiterMetricNames;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedRateLimiterMetrics;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.twsbridge.bridge.events.EventCounters;
import io.twsbridge.bridge.failover.FailoverStatus;
import io.twsbridge.bridge.gateway.GatewayService;
import io.twsbridge.bridge.gateway.brokertime.BrokerClock;
import io.twsbridge.bridge.gateway.session.AttemptFailure;
import io.twsbridge.bridge.gateway.session.GatewaySession;
import io.twsbridge.bridge.gateway.session.SessionState;
import io.twsbridge.bridge.gateway.supervisor.SupervisorStatus;
import io.twsbridge.bridge.history.HistoricalBarsService;
import io.twsbridge.bridge.history.pacing.PacingSnapshot;
import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.bridge.kafka.consume.CommandObserver;
import io.twsbridge.bridge.kafka.publish.EventPublisher;
import io.twsbridge.bridge.kafka.publish.PublishObserver;
import io.twsbridge.schema.Command;
import io.twsbridge.schema.CommandStatus;
import io.twsbridge.schema.catalogue.Topic;
import org.apache.avro.Schema;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;

/**
 * The bridge's metrics, in one Prometheus registry: every meter is named {@code tws.bridge.*}, which Prometheus
 * shows as {@code tws_bridge_*} ({@code docs/metrics.md} lists them), plus the JVM's own ({@code jvm_*},
 * {@code process_*}, {@code system_*}).
 *
 * <p>Most meters read the components' own counters when scraped ({@code bind*}); nothing is counted twice. Two
 * things no component counts are fed through hooks this class implements: {@link PublishObserver} (Kafka's
 * acknowledgement latency per topic) and {@link CommandObserver} (results per command type and status).
 *
 * <p>Threading: bind everything once, at start-up, from one thread. The hooks and {@link #scrape()} may be called
 * from any thread.
 */
public final class BridgeMetrics implements PublishObserver, CommandObserver, AutoCloseable {

    /** The content type of {@link #scrape()}: Prometheus text exposition format 0.0.4. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    static final String PREFIX = "tws.bridge.";
    /** The command-type tag of a command that did not decode, or whose payload the schema does not know. */
    static final String UNKNOWN_COMMAND_TYPE = "unknown";
    /**
     * Buckets of the publish-latency histogram: from a healthy local broker (a few ms) to an outage (the producer
     * retries for days; everything beyond a minute lands in +Inf).
     */
    static final Duration[] PUBLISH_LATENCY_BUCKETS = {
            Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60)};

    private static final CircuitBreakerMetricNames BREAKER_NAMES = CircuitBreakerMetricNames.custom()
            .stateMetricName(PREFIX + "circuit.breaker.state")
            .callsMetricName(PREFIX + "circuit.breaker.calls")
            .notPermittedCallsMetricName(PREFIX + "circuit.breaker.not.permitted.calls")
            .bufferedCallsMetricName(PREFIX + "circuit.breaker.buffered.calls")
            .slowCallsMetricName(PREFIX + "circuit.breaker.slow.calls")
            .failureRateMetricName(PREFIX + "circuit.breaker.failure.rate")
            .slowCallRateMetricName(PREFIX + "circuit.breaker.slow.call.rate")
            .build();
    private static final RateLimiterMetricNames LIMITER_NAMES = RateLimiterMetricNames.custom()
            .availablePermissionsMetricName(PREFIX + "rate.limiter.available.permissions")
            .waitingThreadsMetricName(PREFIX + "rate.limiter.waiting.threads")
            .build();

    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
    /** Function counters hold their state object weakly; these keep the suppliers handed to them alive. */
    private final List<Object> retained = new CopyOnWriteArrayList<>();
    private final Set<String> commandTypes;
    private final ConcurrentMap<String, Counter> commandCounters = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Timer> publishLatency = new ConcurrentHashMap<>();

    /** A new Prometheus registry with the JVM's metrics bound. */
    public BridgeMetrics() {
        this(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    /** Binds the JVM's metrics to {@code registry}; the bridge's are bound by the {@code bind*} methods. */
    public BridgeMetrics(PrometheusMeterRegistry registry) {
        this.registry = registry;
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
        this.commandTypes = commandPayloadNames();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Every meter in the Prometheus text format ({@link #CONTENT_TYPE}). */
    public String scrape() {
        return registry.scrape();
    }

    // ---- the Gateway side ---------------------------------------------------------------------------------

    /**
     * Everything the Gateway side offers: session state, supervisor (connect attempts, zombies), circuit breaker,
     * outbound rate limiter and queue depth.
     */
    public BridgeMetrics bindGateway(GatewayService gateway) {
        GatewaySession session = gateway.session();
        bindSessionState(session::state);
        bindSupervisor(gateway.supervisor()::status);
        bindCircuitBreaker(gateway.supervisor().circuitBreaker());
        bindRateLimiter(gateway.rateLimiter());
        bindOutboundQueue(session::outboundQueueDepth);
        bindMarketDataInbox(session::ticksDropped, session::ticksQueued);
        return this;
    }

    /** Market-data messages waiting for the event loop, and those dropped because it was too far behind. */
    public BridgeMetrics bindMarketDataInbox(LongSupplier dropped, IntSupplier queued) {
        retained.add(dropped);
        functionCounter("ticks.dropped", dropped, LongSupplier::getAsLong,
                "Market-data messages dropped because the event loop was too far behind the Gateway", Map.of());
        Gauge.builder(PREFIX + "ticks.queued", queued, IntSupplier::getAsInt)
                .description("Market-data messages read from the Gateway and waiting for the event loop")
                .strongReference(true)
                .register(registry);
        return this;
    }

    /** {@code tws_bridge_session_state{state}}: 1 for the current state, 0 for every other. */
    public BridgeMetrics bindSessionState(Supplier<SessionState> state) {
        for (SessionState s : SessionState.values()) {
            Gauge.builder(PREFIX + "session.state", state, current -> current.get() == s ? 1 : 0)
                    .tag("state", s.name())
                    .description("1 for the Gateway session's current state, 0 for the others")
                    .strongReference(true)
                    .register(registry);
        }
        return this;
    }

    /**
     * Connection attempts by outcome (READY or the failure kind, each registered at 0 from the start) and the
     * zombie probe's findings, read from the supervisor's latest status.
     */
    public BridgeMetrics bindSupervisor(Supplier<SupervisorStatus> status) {
        retained.add(status);
        List<String> outcomes = new ArrayList<>();
        outcomes.add("READY");
        for (AttemptFailure f : AttemptFailure.values()) {
            outcomes.add(f.name());
        }
        for (String outcome : outcomes) {
            FunctionCounter.builder(PREFIX + "connect.attempts", status, s -> outcomeCount(s.get(), outcome))
                    .tag("outcome", outcome)
                    .description("Gateway connection attempts by outcome: READY or why the attempt failed")
                    .register(registry);
        }
        Gauge.builder(PREFIX + "zombie.sockets", status, s -> s.get() == null ? 0 : s.get().zombieCount())
                .description("CLOSE_WAIT sockets on the Gateway's port at the last probe; any holds the breaker open")
                .strongReference(true)
                .register(registry);
        Gauge.builder(PREFIX + "zombie.probe.available", status,
                        s -> s.get() == null || s.get().zombieProbeAvailable() ? 1 : 0)
                .description("1 when this host's sockets can be inspected for zombies")
                .strongReference(true)
                .register(registry);
        return this;
    }

    /**
     * Resilience4j's tagged metrics of the connect breaker (state, calls, not-permitted calls, failure rate, ...)
     * under {@code tws_bridge_circuit_breaker_*}, plus a counter of its state transitions. State names are in
     * lower case, as Resilience4j writes them ({@code closed}, {@code open}, {@code half_open},
     * {@code forced_open}).
     */
    public BridgeMetrics bindCircuitBreaker(CircuitBreaker breaker) {
        // The supervisor builds its breaker without a registry; the tagged metrics read one, so hand them a
        // registry that holds exactly that breaker.
        InMemoryRegistryStore<CircuitBreaker> store = new InMemoryRegistryStore<>();
        store.putIfAbsent(breaker.getName(), breaker);
        CircuitBreakerRegistry breakers = CircuitBreakerRegistry.custom().withRegistryStore(store).build();
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(BREAKER_NAMES, breakers).bindTo(registry);
        breaker.getEventPublisher().onStateTransition(e -> Counter.builder(PREFIX + "circuit.breaker.transitions")
                .tag("name", e.getCircuitBreakerName())
                .tag("from", e.getStateTransition().getFromState().name().toLowerCase(Locale.ROOT))
                .tag("to", e.getStateTransition().getToState().name().toLowerCase(Locale.ROOT))
                .description("State transitions of the circuit breaker")
                .register(registry)
                .increment());
        return this;
    }

    /** Resilience4j's tagged metrics of the outbound pacing limiter under {@code tws_bridge_rate_limiter_*}. */
    public BridgeMetrics bindRateLimiter(RateLimiter limiter) {
        InMemoryRegistryStore<RateLimiter> store = new InMemoryRegistryStore<>();
        store.putIfAbsent(limiter.getName(), limiter);
        RateLimiterRegistry limiters = RateLimiterRegistry.custom().withRegistryStore(store).build();
        TaggedRateLimiterMetrics.ofRateLimiterRegistry(LIMITER_NAMES, limiters).bindTo(registry);
        return this;
    }

    /** {@code tws_bridge_outbound_queue_depth}: frames waiting for the rate limiter on the Gateway link. */
    public BridgeMetrics bindOutboundQueue(IntSupplier depth) {
        Gauge.builder(PREFIX + "outbound.queue.depth", depth, IntSupplier::getAsInt)
                .description("Frames queued for the Gateway behind the rate limiter")
                .strongReference(true)
                .register(registry);
        return this;
    }

    /**
     * {@code tws_bridge_broker_clock_skew_seconds}: IB Gateway's clock minus this host's at the latest check
     * (positive: the Gateway is ahead), NaN before the first; and {@code tws_bridge_broker_clock_checks_unanswered_total}.
     */
    public BridgeMetrics bindBrokerClock(BrokerClock clock) {
        retained.add(clock);
        Gauge.builder(PREFIX + "broker.clock.skew.seconds", clock,
                        c -> c.latest().map(BrokerClock.Reading::skewSeconds).orElse(Double.NaN))
                .description("IB Gateway's clock minus this host's at the latest reqCurrentTime (positive: the Gateway"
                        + " is ahead), good to about a second; NaN before the first")
                .strongReference(true)
                .register(registry);
        functionCounter("broker.clock.checks.unanswered", clock, c -> c.status().unansweredChecks(),
                "reqCurrentTime checks the Gateway did not answer in time", Map.of());
        return this;
    }

    // ---- the Kafka side -----------------------------------------------------------------------------------

    /**
     * Records acknowledged per topic (tagged with the configured topic name), quotes shed, dead letters and
     * failed sends, read from the publisher's own counters.
     */
    public BridgeMetrics bindPublisher(EventPublisher publisher, KafkaSettings settings) {
        retained.add(publisher);
        for (Topic topic : Topic.values()) {
            if (topic == Topic.COMMANDS) {
                continue; // read, never written
            }
            functionCounter("events.published", publisher, p -> p.published(topic),
                    "Records Kafka acknowledged, per topic", Map.of("topic", settings.topic(topic)));
        }
        functionCounter("quotes.shed", publisher, EventPublisher::quotesShed,
                "Quotes dropped because Kafka was slow or unreachable (too many unacknowledged, or the buffer nearly full)",
                Map.of());
        Gauge.builder(PREFIX + "quotes.pending", publisher, EventPublisher::pendingQuotes)
                .description("Quotes sent to Kafka and not yet acknowledged")
                .strongReference(true)
                .register(registry);
        functionCounter("dead.letters", publisher, EventPublisher::deadLettered,
                "Commands copied to the dead-letter topic", Map.of());
        functionCounter("publish.errors", publisher, EventPublisher::sendErrors,
                "Records Kafka refused for good (the producer retries everything else)", Map.of());
        Gauge.builder(PREFIX + "publish.oldest.unacknowledged.seconds", publisher,
                        EventPublisher::oldestUnacknowledgedSeconds)
                .description("Age of the oldest record the producer has not acknowledged (0 when none waits)")
                .strongReference(true)
                .register(registry);
        Gauge.builder(PREFIX + "publish.stuck.partitions", publisher, p -> p.stuckPartitions().size())
                .description("Partitions whose oldest unacknowledged record has not moved on for"
                        + " kafka.stuck-partition-timeout while Kafka answered, at the watchdog's last look")
                .strongReference(true)
                .register(registry);
        functionCounter("publish.heals", publisher, EventPublisher::heals,
                "Times the producer was replaced to heal a stuck partition", Map.of());
        functionCounter("publish.records.resent", publisher, EventPublisher::recordsSentAgain,
                "Records sent again by heals of stuck partitions", Map.of());
        return this;
    }

    /**
     * A standby bridge's instance: {@code tws_bridge_failover_role{role}} (1 for the current role),
     * {@code tws_bridge_failover_lease_remaining_seconds}, {@code tws_bridge_failover_takeovers_total} and
     * {@code tws_bridge_failover_records_refused_total} (records not produced because the instance no longer led).
     */
    public BridgeMetrics bindFailover(Supplier<FailoverStatus> status,
                                      LongSupplier refused) {
        retained.add(status);
        retained.add(refused);
        for (FailoverStatus.Role r : FailoverStatus.Role.values()) {
            Gauge.builder(PREFIX + "failover.role", status, s -> s.get().role() == r ? 1 : 0)
                    .description("1 for this instance's role in the standby election, 0 for every other")
                    .tag("role", r.name())
                    .strongReference(true)
                    .register(registry);
        }
        Gauge.builder(PREFIX + "failover.lease.remaining.seconds", status, s -> s.get().leaseRemainingMs() / 1000.0)
                .description("How long the leader lease holds without another renewal; 0 unless this instance leads")
                .strongReference(true)
                .register(registry);
        functionCounter("failover.takeovers", status, s -> s.get().takeovers(),
                "Times this instance became the active one", Map.of());
        functionCounter("failover.records.refused", refused, LongSupplier::getAsLong,
                "Records not produced because this instance no longer led", Map.of());
        return this;
    }

    /** {@code tws_bridge_kafka_reachable}: 1 while the cluster answers the health check. */
    public BridgeMetrics bindKafkaReachable(BooleanSupplier reachable) {
        return flag("kafka.reachable", reachable, "1 while the Kafka cluster answers the health check");
    }

    /** {@code tws_bridge_ready}: 1 while the bridge is ready (session READY and Kafka reachable). */
    public BridgeMetrics bindReady(BooleanSupplier ready) {
        return flag("ready", ready, "1 while the Gateway session is READY and Kafka is reachable");
    }

    /**
     * {@code tws_bridge_command_consumer_stopped}: 1 once the command consumer stopped by itself (fenced by another
     * consumer with this bridge's group.instance.id): the bridge executes no command.
     */
    public BridgeMetrics bindCommandConsumerStopped(BooleanSupplier stopped) {
        return flag("command.consumer.stopped", stopped,
                "1 once the command consumer stopped by itself (fenced by another consumer with this bridge id)");
    }

    /** {@code tws_bridge_kill_switch_engaged}: 1 while every new order is refused. */
    public BridgeMetrics bindKillSwitch(BooleanSupplier engaged) {
        return flag("kill.switch.engaged", engaged, "1 while the order kill switch is engaged");
    }

    /**
     * Historical requests and their pacing, from the service's status: {@code tws_bridge_history_queue_depth},
     * {@code _open_requests}, {@code _longest_wait_seconds}, {@code _breaker_open}, and the counters
     * {@code _requests_sent_total}, {@code _served_from_recent_total}, {@code _refused_total{reason}} and
     * {@code _pacing_violations_total} (errors 162 pacing violation the Gateway answered, which should stay 0).
     */
    public BridgeMetrics bindHistory(Supplier<HistoricalBarsService.Status> status) {
        retained.add(status);
        gauge("history.queue.depth", status, s -> s.get().pacing().queueDepth(),
                "Historical requests waiting for their turn under IB's pacing");
        gauge("history.open.requests", status, s -> s.get().pacing().openPermits(),
                "Historical requests sent to the Gateway and not yet answered (IB allows 50)");
        gauge("history.longest.wait.seconds", status, s -> s.get().pacing().longestWait().toMillis() / 1000.0,
                "Longest wait of a historical request for its turn since start");
        gauge("history.breaker.open", status,
                s -> s.get().pacing().breaker() == PacingSnapshot.BreakerState.CLOSED ? 0 : 1,
                "1 while historical requests are held back after a pacing violation (open or half open)");
        functionCounter("history.requests.sent", status, s -> s.get().sent(),
                "Historical requests sent to the Gateway", Map.of());
        functionCounter("history.served.from.recent", status, s -> s.get().servedFromRecent(),
                "Historical requests answered from an identical one's bars, not sent again", Map.of());
        functionCounter("history.refused", status, s -> s.get().pacing().refusedExpired(),
                "Historical requests refused by the pacing queue, nothing sent, by reason",
                Map.of("reason", "wait_expired"));
        functionCounter("history.refused", status, s -> s.get().pacing().refusedQueueFull(),
                "Historical requests refused by the pacing queue, nothing sent, by reason",
                Map.of("reason", "queue_full"));
        functionCounter("history.pacing.violations", status, s -> s.get().pacingViolationsReceived(),
                "Errors 162 pacing violation the Gateway answered although the bridge paced the request", Map.of());
        return this;
    }

    private <T> void gauge(String name, T source, java.util.function.ToDoubleFunction<T> read, String help) {
        Gauge.builder(PREFIX + name, source, read).description(help).strongReference(true).register(registry);
    }

    /** The event mapper's anomalies: {@code tws_bridge_mapper_anomalies_total{kind}}. */
    public BridgeMetrics bindMapper(EventCounters counters) {
        retained.add(counters);
        String help = "What the event mapper dropped or could not complete, by kind";
        functionCounter("mapper.anomalies", counters, EventCounters::droppedTicks, help, Map.of("kind", "dropped_tick"));
        functionCounter("mapper.anomalies", counters, EventCounters::duplicateFillsSuppressed, help,
                Map.of("kind", "duplicate_fill"));
        functionCounter("mapper.anomalies", counters, EventCounters::fillsWithoutCommission, help,
                Map.of("kind", "fill_without_commission"));
        functionCounter("mapper.anomalies", counters, EventCounters::lateCommissionReports, help,
                Map.of("kind", "late_commission_report"));
        functionCounter("mapper.anomalies", counters, EventCounters::unparsableExecutionTimes, help,
                Map.of("kind", "unparsable_execution_time"));
        functionCounter("mapper.anomalies", counters, EventCounters::unmappableMessages, help,
                Map.of("kind", "unmappable_message"));
        return this;
    }

    // ---- hooks --------------------------------------------------------------------------------------------

    /** {@code tws_bridge_publish_latency_seconds{topic}}: send to acknowledgement, as a histogram. */
    @Override
    public void acknowledged(String topic, long elapsedNanos) {
        publishLatency.computeIfAbsent(topic, t -> Timer.builder(PREFIX + "publish.latency")
                        .tag("topic", t)
                        .description("From handing a record to the producer to Kafka's acknowledgement")
                        .serviceLevelObjectives(PUBLISH_LATENCY_BUCKETS)
                        .register(registry))
                .record(Math.max(0, elapsedNanos), TimeUnit.NANOSECONDS);
    }

    /** {@code tws_bridge_commands_total{type,status}}. */
    @Override
    public void result(String commandType, CommandStatus status) {
        String type = commandType != null && commandTypes.contains(commandType) ? commandType : UNKNOWN_COMMAND_TYPE;
        commandCounters.computeIfAbsent(type + '|' + status.name(), k -> Counter.builder(PREFIX + "commands")
                        .tag("type", type)
                        .tag("status", status.name())
                        .description("Command results by command type and status")
                        .register(registry))
                .increment();
    }

    @Override
    public void close() {
        gcMetrics.close();
        registry.close();
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    private <T> void functionCounter(String name, T source, ToLongFunction<T> read, String help,
                                     Map<String, String> tags) {
        FunctionCounter.Builder<T> b = FunctionCounter.builder(PREFIX + name, source, s -> read.applyAsLong(s))
                .description(help);
        tags.forEach(b::tag);
        b.register(registry);
    }

    private BridgeMetrics flag(String name, BooleanSupplier value, String help) {
        Gauge.builder(PREFIX + name, value, v -> v.getAsBoolean() ? 1 : 0)
                .description(help)
                .strongReference(true)
                .register(registry);
        return this;
    }

    private static double outcomeCount(SupervisorStatus status, String outcome) {
        return status == null ? 0 : status.outcomes().getOrDefault(outcome, 0L);
    }

    /** The record names of the Command payload union: the only values the command-type tag takes. */
    private static Set<String> commandPayloadNames() {
        Schema payload = Command.getClassSchema().getField("payload").schema();
        List<Schema> types = payload.getType() == Schema.Type.UNION ? payload.getTypes() : List.of(payload);
        return types.stream().filter(s -> s.getType() == Schema.Type.RECORD).map(Schema::getName)
                .collect(Collectors.toUnmodifiableSet());
    }
}
