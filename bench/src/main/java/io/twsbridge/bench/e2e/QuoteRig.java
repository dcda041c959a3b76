package io.twsbridge.bench.e2e;

import io.twsbridge.bench.support.BenchMode;
import io.twsbridge.bench.support.BenchStack;
import io.twsbridge.bench.support.Closing;
import io.twsbridge.bench.support.ProgressWatchdog;
import io.twsbridge.bridge.app.BridgeApp;
import io.twsbridge.bridge.app.BridgeConfig;
import io.twsbridge.bridge.gateway.session.SessionState;
import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.bridge.kafka.publish.Producers;
import io.twsbridge.bridge.kafka.publish.PublishObserver;
import io.twsbridge.client.registry.SchemaRegistryClient;
import io.twsbridge.client.registry.SchemaRegistryConfig;
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
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.config.TopicConfig;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Future;
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
        return String.valueOf(Producers.config(kafka).get(ProducerConfig.CLIENT_ID_CONFIG));
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

    /**
     * Sends one SubscribeQuotes command per instrument and waits until the simulator streams every one of them;
     * {@code where} names the phase in a stall's message.
     */
    void subscribeAll(BenchStack stack, BenchMode mode, String where) throws Exception {
        StrategyCommands.forTopic(registryClient(stack), kafka.topic(Topic.COMMANDS))
                .subscribeAll(stack, kafka.bridgeId() + "-subscribe-", symbols, mode.watchdog(where + ", subscribing"));
        // The bridge requests market data at its outbound pace (45 messages/s): a subscription opens every 22 ms.
        mode.watchdog(where + ", subscribing").watch("subscription opened at the simulator", openingSnapshots::get)
                .status(() -> openingSnapshots.get() + " of " + symbols.size() + " instruments subscribed; bridge "
                        + app.gateway().session().snapshot())
                .await(() -> openingSnapshots.get() >= symbols.size());
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
                Closing.within(StrategyCommands.BRIDGE_CLOSE, "the bridge", app::close);
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

    static SchemaRegistryClient registryClient(BenchStack stack) {
        return new SchemaRegistryClient(SchemaRegistryConfig.builder(stack.registryUrl()).build());
    }

    // ---- the plain producer of the baselines ------------------------------------------------------------------

    /**
     * Exactly the producer settings the bridge publishes with ({@code Producers.config}) but the client
     * id, so the baseline differs from the bridge only in what happens before {@code send}.
     */
    static Map<String, Object> bridgeProducerSettings(KafkaSettings settings, String clientId) {
        Map<String, Object> config = new HashMap<>(Producers.config(settings));
        config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        return config;
    }

    /**
     * Ends a baseline's stopped sender thread that is still running, which happens only after a failure: a
     * {@code send()} waiting for buffer space that never frees (the producer, with the bridge's settings, blocks
     * for ever) ends when the producer is closed.
     */
    static void endSender(Thread sender, KafkaProducer<byte[], byte[]> producer) {
        if (sender.isAlive()) {
            producer.close(BenchStack.PRODUCER_CLOSE);
            Closing.join(sender, BenchStack.PRODUCER_CLOSE, "the baseline's sender");
        }
    }

    /**
     * The plain producer of a baseline, on {@code topic} created as the bridge creates its quotes topic (the same
     * partitions and cleanup policy), with {@link #bridgeProducerSettings}; before it is returned, one record of
     * {@code payloads} has been acknowledged on every partition.
     *
     * <p>Why the record: knowing every leader ({@link BenchStack#producer}) is not enough on a just-created topic.
     * The broker (Kafka 4.4) answers metadata requests from its new metadata image before its replica manager has
     * applied the new partitions, so a first produce request can still be refused with NOT_LEADER_OR_FOLLOWER;
     * with several requests in flight a later one is then appended first, and the refused one is out of sequence
     * for ever (KAFKA-15591). The baselines hung that way although an admin client had seen every leader before
     * the producer started. A single record, alone in flight on its partition until acknowledged, cannot be
     * overtaken; once it is in, the partition is led and the producer's sequence there has begun. These records
     * are written before any measuring and before a baseline's consumer seeks to the end of the topic.
     */
    static KafkaProducer<byte[], byte[]> baselineProducer(BenchStack stack, KafkaSettings settings, String topic,
                                                          String clientId, QuotePayloads payloads,
                                                          ProgressWatchdog watchdog) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, settings.partitions(), settings.replicationFactor())
                            .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG,
                                    Topic.QUOTES.cleanupPolicy().configValue()))))
                    .all().get(30, TimeUnit.SECONDS);
        }
        KafkaProducer<byte[], byte[]> producer =
                stack.producer(bridgeProducerSettings(settings, clientId), List.of(topic));
        try {
            List<Future<RecordMetadata>> first = new ArrayList<>();
            for (PartitionInfo partition : producer.partitionsFor(topic)) {
                first.add(producer.send(new ProducerRecord<>(topic, partition.partition(), payloads.keys()[0],
                        payloads.values()[0])));
            }
            StrategyCommands.awaitAcknowledged(first, watchdog);
            return producer;
        } catch (Exception | Error e) {
            producer.close(Duration.ZERO);
            throw e;
        }
    }
}
