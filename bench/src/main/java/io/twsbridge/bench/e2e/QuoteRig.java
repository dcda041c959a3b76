package io.twsbridge.bench.e2e;

import io.twsbridge.bench.support.BenchStack;
import io.twsbridge.bridge.app.BridgeApp;
import io.twsbridge.bridge.app.BridgeConfig;
import io.twsbridge.bridge.app.metrics.PublishObserver;
import io.twsbridge.bridge.gateway.session.SessionState;
import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.bridge.kafka.publish.EventPublisher;
import io.twsbridge.bridge.kafka.registry.SchemaRegistryClient;
import io.twsbridge.bridge.kafka.registry.SchemaRegistryConfig;
import io.twsbridge.bridge.kafka.serde.AvroWireSerializer;
import io.twsbridge.schema.Command;
import io.twsbridge.schema.Instrument;
import io.twsbridge.schema.SubscribeQuotes;
import io.twsbridge.schema.catalogue.RecordKeys;
import io.twsbridge.schema.catalogue.Topic;
import io.twsbridge.sim.GatewaySimulator;
import io.twsbridge.sim.SimulatorConfig;
import io.twsbridge.sim.SimulatorProbe;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What both quote benchmarks run: a simulator quoting N instruments and a bridge connected to it, the instruments
 * subscribed the way a user subscribes them (one {@code SubscribeQuotes} command each on the commands topic), plus
 * the plain producer the baselines use.
 *
 * <p>The simulator's probe and the bridge's publish observer are forwarded to whatever the benchmark installs with
 * {@link #onTicks} and {@link #onAcks}; both are called on other threads (the simulator's pump, the producer's I/O
 * thread) and must be quick.
 */
final class QuoteRig implements AutoCloseable {

    /** Tick messages the simulator sends when a subscription starts: bid, ask, last, volume, close. */
    static final int OPENING_TICKS = 5;
    /** {@code -Dbench.failover=true}: the bridge runs as the active instance of a standby pair (docs/failover.md). */
    static final String FAILOVER_PROPERTY = "bench.failover";
    /** Tick messages of one price move: bid, ask, last and the volume. */
    static final int TICKS_PER_MOVE = 4;

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    /** The bridge requests market data at its outbound pace (45 messages/s), plus a margin for a loaded machine. */
    private static final double SUBSCRIPTIONS_PER_SECOND_AT_WORST = 20;

    private final List<String> symbols;
    private final GatewaySimulator sim;
    private final KafkaSettings kafka;
    private final AtomicInteger openingSnapshots = new AtomicInteger();
    private volatile SimulatorProbe tickProbe = SimulatorProbe.NONE;
    private BridgeApp app;
    private Runnable beforeSimulatorCloses = () -> { };

    private QuoteRig(List<String> symbols, GatewaySimulator sim, KafkaSettings kafka) {
        this.symbols = symbols;
        this.sim = sim;
        this.kafka = kafka;
    }

    /** Instrument symbols S0001, S0002, ...: the simulator's market quotes any symbol it is given. */
    static List<String> symbols(int count) {
        List<String> symbols = new ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            symbols.add(String.format(Locale.ROOT, "S%04d", i));
        }
        return List.copyOf(symbols);
    }

    /**
     * Starts a simulator quoting {@code instruments} symbols at {@code movesPerSecond} price moves per instrument
     * (0: as fast as it can) and a bridge on it whose topics all start with {@code prefix}, and waits for READY.
     * Nothing is subscribed yet.
     */
    static QuoteRig start(BenchStack stack, String prefix, int instruments, double movesPerSecond) throws Exception {
        List<String> symbols = symbols(instruments);
        GatewaySimulator sim = GatewaySimulator.start(SimulatorConfig.builder().ephemeralPorts().adminPort(-1)
                .symbols(symbols).tickRate(movesPerSecond).build());
        QuoteRig rig = null;
        try {
            BridgeConfig config = stack.bridgeConfig(prefix, sim,
                    k -> k.marketDataLineLimit(Math.max(instruments, 100)), g -> g, o -> o);
            if (Boolean.getBoolean(FAILOVER_PROPERTY)) {
                // The active instance of a standby pair: the publisher writes in Kafka transactions.
                config = config.withFailover(io.twsbridge.bridge.failover.FailoverSettings.builder().enabled(true)
                        .instanceId("bench").sessionTimeout(Duration.ofSeconds(6)).leaseTopic(prefix + ".ib.leader")
                        .build());
            }
            rig = new QuoteRig(symbols, sim, config.kafka());
            QuoteRig forwarding = rig;
            sim.setProbe(new SimulatorProbe() {
                @Override
                public void ticksQueued(long connectionId, int reqId, String symbol, int ticks, long nanoTime) {
                    if (ticks == OPENING_TICKS) {
                        forwarding.openingSnapshots.incrementAndGet();
                    }
                    forwarding.tickProbe.ticksQueued(connectionId, reqId, symbol, ticks, nanoTime);
                }
            });
            rig.app = new BridgeApp(config, Clock.systemUTC());
            rig.app.start();
            rig.awaitReady();
            return rig;
        } catch (Exception | Error e) {
            if (rig != null) {
                rig.close();
            } else {
                sim.close();
            }
            throw e;
        }
    }

    BridgeApp app() {
        return app;
    }

    /** The client id of the bridge's producer, which names its metrics. */
    String producerClientId() {
        return String.valueOf(EventPublisher.producerConfig(kafka).get(ProducerConfig.CLIENT_ID_CONFIG));
    }

    String quotesTopic() {
        return kafka.topic(Topic.QUOTES);
    }

    /** Subscriptions the simulator has opened so far; more than the instruments means the link was re-established. */
    int openingSnapshots() {
        return openingSnapshots.get();
    }

    /** Hears every batch of ticks the simulator queued for the bridge (opening ones included). */
    void onTicks(SimulatorProbe probe) {
        this.tickProbe = probe;
    }

    /** Hears every acknowledged record of the bridge; replaces the bridge's metrics observer. */
    void onAcks(PublishObserver observer) {
        app.publisher().setPublishObserver(observer);
    }

    /** Sends one SubscribeQuotes command per instrument and waits until the simulator streams every one of them. */
    void subscribeAll(BenchStack stack) throws InterruptedException {
        SchemaRegistryClient registry = registryClient(stack);
        String commandsTopic = kafka.topic(Topic.COMMANDS);
        registry.register(commandsTopic + Topic.VALUE_SUBJECT_SUFFIX, Command.getClassSchema());
        AvroWireSerializer serializer = new AvroWireSerializer(registry);
        try (KafkaProducer<byte[], byte[]> producer = stack.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
            for (String symbol : symbols) {
                Command command = Command.newBuilder().setCommandId(kafka.bridgeId() + "-subscribe-" + symbol)
                        .setIssuedAt(Instant.now())
                        .setPayload(SubscribeQuotes.newBuilder().setInstrument(stock(symbol)).build()).build();
                producer.send(new ProducerRecord<>(commandsTopic,
                        RecordKeys.command(command).getBytes(StandardCharsets.UTF_8),
                        serializer.serialize(commandsTopic, command)));
            }
            producer.flush();
        }
        long timeoutNanos = TimeUnit.SECONDS.toNanos(30)
                + (long) (symbols.size() / SUBSCRIPTIONS_PER_SECOND_AT_WORST * 1e9);
        long deadline = System.nanoTime() + timeoutNanos;
        while (openingSnapshots.get() < symbols.size()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + openingSnapshots.get() + " of " + symbols.size()
                        + " instruments were subscribed within " + TimeUnit.NANOSECONDS.toSeconds(timeoutNanos) + " s");
            }
            TimeUnit.MILLISECONDS.sleep(10); // polls the simulator's count; no event to wait on
        }
    }

    /**
     * Runs {@code task} when the bridge has closed and before the simulator closes (a benchmark that holds the
     * simulator's pump back lets it go here: the bridge is gone, and the simulator waits for its pump to end).
     */
    void beforeSimulatorCloses(Runnable task) {
        this.beforeSimulatorCloses = task;
    }

    @Override
    public void close() {
        try {
            if (app != null) {
                app.close();
            }
        } finally {
            try {
                beforeSimulatorCloses.run();
            } finally {
                sim.close();
            }
        }
    }

    private void awaitReady() throws InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (!(app.ready() && app.gateway().session().state() == SessionState.READY)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the bridge did not become ready within " + READY_TIMEOUT.toSeconds()
                        + " s: " + app.gateway().session().snapshot());
            }
            TimeUnit.MILLISECONDS.sleep(10); // polls readiness, which has no listener for Kafka's half
        }
    }

    private static Instrument stock(String symbol) {
        return Instrument.newBuilder().setSymbol(symbol).setSecType("STK").setExchange("SMART").setCurrency("USD")
                .build();
    }

    static SchemaRegistryClient registryClient(BenchStack stack) {
        return new SchemaRegistryClient(SchemaRegistryConfig.builder(stack.registryUrl()).build());
    }

    // ---- the plain producer of the baselines ------------------------------------------------------------------

    /**
     * Exactly the producer settings the bridge publishes with ({@code EventPublisher.producerConfig}) but the client
     * id, so the baseline differs from the bridge only in what happens before {@code send}.
     */
    static Map<String, Object> bridgeProducerSettings(KafkaSettings settings, String clientId) {
        Map<String, Object> config = new HashMap<>(EventPublisher.producerConfig(settings));
        config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        return config;
    }

    /** Creates {@code topic} as the bridge creates its quotes topic: the same partitions and cleanup policy. */
    static void createQuotesLikeTopic(BenchStack stack, KafkaSettings settings, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, settings.partitions(), settings.replicationFactor())
                            .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG,
                                    Topic.QUOTES.cleanupPolicy().configValue()))))
                    .all().get(30, TimeUnit.SECONDS);
            // The producer's first metadata request must find every partition with its leader.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!hasLeaders(admin, topic)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("topic " + topic + " has no leader after 30 s");
                }
                TimeUnit.MILLISECONDS.sleep(50); // the new topic's metadata is on its way: nothing to wait on
            }
        }
    }

    private static boolean hasLeaders(Admin admin, String topic) throws Exception {
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                    .partitions().stream().allMatch(p -> p.leader() != null);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return false; // created, but not known to the broker's metadata yet
            }
            throw e;
        }
    }
}
