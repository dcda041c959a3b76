package io.twsbridge.bench.e2e;

import io.twsbridge.bench.support.BenchMode;
import io.twsbridge.bench.support.BenchStack;
import io.twsbridge.bench.support.Closing;
import io.twsbridge.bench.support.ProgressWatchdog;
import io.twsbridge.bench.support.Report;
import io.twsbridge.bench.support.Stats;
import io.twsbridge.bridge.app.BridgeApp;
import io.twsbridge.bridge.app.BridgeConfig;
import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.bridge.kafka.consume.CommandConsumer;
import io.twsbridge.bridge.kafka.publish.Producers;
import io.twsbridge.client.registry.SchemaRegistryClient;
import io.twsbridge.client.serde.AvroWireDeserializer;
import io.twsbridge.protocol.message.ClientMessage;
import io.twsbridge.schema.CommandResult;
import io.twsbridge.schema.CommandStatus;
import io.twsbridge.schema.catalogue.ReasonCodes;
import io.twsbridge.schema.catalogue.Topic;
import io.twsbridge.sim.GatewaySimulator;
import io.twsbridge.sim.SimulatorConfig;
import io.twsbridge.sim.SimulatorProbe;
import io.twsbridge.sim.SimulatorState;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The command path: from the moment a strategy hands a PlaceOrder command to its Kafka producer until the
 * placeOrder message arrives at the (simulated) Gateway, at 10 commands a second, evenly spaced.
 *
 * <p><b>Measured.</b> For each command, {@link System#nanoTime()} just before {@code producer.send} (the value is
 * serialized before that), and the simulator probe's time of the decoded placeOrder whose orderRef is the
 * commandId (the bridge sets orderRef from the commandId). Also the time the command's ACCEPTED
 * result is read back from the command-results topic by a plain consumer. Every order is a 1-share day limit buy
 * at $1, far below the simulated price, so it rests and no guardrail refuses it; every result is checked.
 *
 * <p><b>Baseline, in the same run.</b> The Kafka floor: the same producer sends the same bytes (same key, same
 * size) to a topic of its own, read by a plain consumer with exactly the bridge's command-consumer settings
 * ({@link CommandConsumer#consumerConfig}), at the same 10/s, interleaved half a period after each bridge
 * command so both see the same machine. A second floor adds what the bridge must do before it may send an order:
 * one write acknowledged by Kafka with the bridge's producer settings ({@link Producers#config}),
 * as the order journal's PLACING entry is; and, for comparison, the same write with linger.ms 0. The difference
 * of the percentiles is the bridge's own share.
 */
public final class CommandPathBenchmark {

    private static final String ACCOUNT = "DU111111";
    private static final String SYMBOL = "AAPL";
    /** The simulator prices its stocks between 50 and 550: a $1 bid never fills. */
    private static final double RESTING_LIMIT_PRICE = 1.0;
    private static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final String ID_HEADER = "bench-command-id";
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(30);
    private static final String NAME = "command-path";

    private CommandPathBenchmark() {
    }

    /** 600 measured commands after 50 warm-up ones (smoke: 30 after 10), each path at 10/s; writes nothing. */
    public static Report run(BenchStack stack, BenchMode mode) throws Exception {
        String prefix = "cmdpath-" + Long.toString(System.currentTimeMillis(), 36);
        PlaceOrderProbe probe = new PlaceOrderProbe();
        try (GatewaySimulator sim = GatewaySimulator.start(SimulatorConfig.builder().ephemeralPorts().adminPort(-1)
                .build())) {
            sim.setProbe(probe);
            BridgeConfig config = stack.bridgeConfig(prefix, sim, k -> k, g -> g, o -> o.enabled(true));
            BridgeApp bridge = new BridgeApp(config, Clock.systemUTC());
            try {
                StrategyCommands.startAndAwaitReady(bridge, Duration.ofSeconds(60));
                return measure(stack, mode, config, sim, probe, prefix);
            } finally {
                Closing.within(StrategyCommands.BRIDGE_CLOSE, "the bridge", bridge::close);
            }
        }
    }

    private static Report measure(BenchStack stack, BenchMode mode, BridgeConfig config, GatewaySimulator sim,
                                  PlaceOrderProbe probe, String prefix) throws Exception {
        int warmup = mode.pick(50, 10);
        int measured = mode.pick(600, 30);
        KafkaSettings floorSettings = stack.kafkaSettings(prefix + "-floor", b -> b);
        String floorJournalTopic = prefix + "-floor.ib.order-journal";
        SchemaRegistryClient registry = new SchemaRegistryClient(config.registry());
        String floorTopic = floorSettings.topic(Topic.COMMANDS);
        short replication = floorSettings.replicationFactor();
        createTopics(stack, List.of(new NewTopic(floorTopic, floorSettings.partitions(), replication),
                new NewTopic(floorJournalTopic, 1, replication)));
        // The results topic exists once the bridge has started: read it from its end.
        try (KafkaProducer<byte[], byte[]> producer = stack.producer(StrategyCommands.producerSettings(),
                List.of(config.kafka().topic(Topic.COMMANDS), floorTopic));
             ResultReader results = new ResultReader(stack, config.kafka().topic(Topic.COMMAND_RESULTS), registry);
             FloorConsumer floor = new FloorConsumer(stack, floorSettings, floorTopic, floorJournalTopic)) {
            StrategyCommands commands = StrategyCommands.forTopic(registry, config.kafka().topic(Topic.COMMANDS));
            results.start();
            floor.start();

            // Both consumers must own their partitions before anything is timed: a group join takes seconds.
            Run priming = new Run(prefix + "-prime", 1);
            send(priming, commands, producer, floorTopic, System.nanoTime(), () -> { });
            if (!awaitComplete(priming, probe, results, floor, Duration.ofSeconds(60))) {
                throw new TimeoutException("the priming command did not complete: placeOrder "
                        + probe.placedAt.containsKey(priming.bridgeId(0)) + ", result "
                        + results.receivedAt.containsKey(priming.bridgeId(0)) + ", floor "
                        + floor.eagerWrite.containsKey(priming.floorId(0)));
            }

            Run warm = new Run(prefix + "-warm", warmup);
            Run run = new Run(prefix + "-run", measured);
            // Commands go out at 10/s: their placeOrders, results and floor records must keep coming meanwhile.
            ProgressWatchdog watchdog = mode.watchdog(NAME + ", commands at 10/s")
                    .watch("placeOrder at the simulator", probe.placedAt::size)
                    .watch("command result", results.receivedAt::size).watch("floor record", floor.eagerWrite::size)
                    .status(() -> String.format(Locale.ROOT, "commands sent %,d, placeOrders %,d, results %,d, floor "
                                    + "records %,d%s", warm.sent + run.sent, probe.placedAt.size(),
                            results.receivedAt.size(), floor.eagerWrite.size(), floor.failureNote()));
            send(warm, commands, producer, floorTopic, System.nanoTime() + PERIOD_NANOS, watchdog::check);
            send(run, commands, producer, floorTopic, System.nanoTime() + PERIOD_NANOS, watchdog::check);
            awaitComplete(run, probe, results, floor, SETTLE_TIMEOUT);
            awaitComplete(warm, probe, results, floor, SETTLE_TIMEOUT);
            if (run.sendFailure.get() != null) {
                throw new IllegalStateException("the producer failed", run.sendFailure.get());
            }
            return report(mode, run, warmup, probe, results, floor, sim.state());
        }
    }

    /** One batch of commands, each sent to the bridge and, half a period later, to the floor topic. */
    private static final class Run {
        final String idPrefix;
        final int size;
        final long[] bridgeSentAt;
        final long[] floorSentAt;
        final AtomicReference<Exception> sendFailure = new AtomicReference<>();
        /** Commands sent to the bridge so far; written by the sending thread only. */
        volatile int sent;

        Run(String idPrefix, int size) {
            this.idPrefix = idPrefix;
            this.size = size;
            this.bridgeSentAt = new long[size];
            this.floorSentAt = new long[size];
        }

        String bridgeId(int i) {
            return idPrefix + "-b" + i;
        }

        String floorId(int i) {
            return idPrefix + "-f" + i;
        }
    }

    /**
     * Sends every command of {@code run} at 10/s from {@code start}, each floor record half a period later, and
     * runs {@code check} (a watchdog's) every period.
     */
    private static void send(Run run, StrategyCommands commands, KafkaProducer<byte[], byte[]> producer,
                             String floorTopic, long start, Runnable check) {
        for (int i = 0; i < run.size; i++) {
            check.run();
            long due = start + i * PERIOD_NANOS;
            ProducerRecord<byte[], byte[]> toBridge = commands.record(StrategyCommands.restingLimitBuy(run.bridgeId(i),
                    ACCOUNT, SYMBOL, 1, RESTING_LIMIT_PRICE));
            ProducerRecord<byte[], byte[]> toFloor = commands.record(floorTopic, StrategyCommands.restingLimitBuy(
                    run.floorId(i), ACCOUNT, SYMBOL, 1, RESTING_LIMIT_PRICE));
            toFloor.headers().add(ID_HEADER, run.floorId(i).getBytes(StandardCharsets.UTF_8));

            parkUntil(due);
            run.bridgeSentAt[i] = System.nanoTime();
            producer.send(toBridge, (metadata, error) -> failed(run, error));
            run.sent = i + 1;
            parkUntil(due + PERIOD_NANOS / 2);
            run.floorSentAt[i] = System.nanoTime();
            producer.send(toFloor, (metadata, error) -> failed(run, error));
        }
    }

    private static void failed(Run run, Exception error) {
        if (error != null) {
            run.sendFailure.compareAndSet(null, error);
        }
    }

    private static void parkUntil(long due) {
        long wait;
        while ((wait = due - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
        }
    }

    /**
     * Waits until every command of {@code run} has its placeOrder, result and floor write; false on timeout (the
     * report counts what is missing).
     */
    private static boolean awaitComplete(Run run, PlaceOrderProbe probe, ResultReader results, FloorConsumer floor,
                                         Duration timeout) throws InterruptedException {
        return StrategyCommands.waitUntil(() -> run.sendFailure.get() != null || complete(run, probe, results, floor),
                timeout);
    }

    private static boolean complete(Run run, PlaceOrderProbe probe, ResultReader results, FloorConsumer floor) {
        for (int i = 0; i < run.size; i++) {
            if (!probe.placedAt.containsKey(run.bridgeId(i)) || !results.receivedAt.containsKey(run.bridgeId(i))
                    || !floor.eagerWrite.containsKey(run.floorId(i))) {
                return false;
            }
        }
        return true;
    }

    private static Report report(BenchMode mode, Run run, int warmup, PlaceOrderProbe probe, ResultReader results,
                                 FloorConsumer floor, SimulatorState simState) {
        Stats floorReceive = new Stats(run.size);
        Stats floorJournal = new Stats(run.size);
        Stats floorEagerJournal = new Stats(run.size);
        Stats placeOrder = new Stats(run.size);
        Stats result = new Stats(run.size);
        Map<String, Integer> outcomes = new TreeMap<>();
        int duplicatesAtGateway = 0;
        int queuedBehindPrevious = 0;
        for (int i = 0; i < run.size; i++) {
            Long received = floor.receivedAt.get(run.floorId(i));
            addSince(floorReceive, run.floorSentAt[i], received);
            Long journalWrite = floor.journalWrite.get(run.floorId(i));
            Long eagerWrite = floor.eagerWrite.get(run.floorId(i));
            if (received != null && journalWrite != null && eagerWrite != null) {
                floorJournal.add(received + journalWrite - run.floorSentAt[i]);
                floorEagerJournal.add(received + eagerWrite - run.floorSentAt[i]);
            }
            addSince(placeOrder, run.bridgeSentAt[i], probe.placedAt.get(run.bridgeId(i)));
            addSince(result, run.bridgeSentAt[i], results.receivedAt.get(run.bridgeId(i)));
            String outcome = results.outcome.getOrDefault(run.bridgeId(i), "no result");
            outcomes.merge(outcome, 1, Integer::sum);
            int placed = simState.placeOrderCountByOrderRef().getOrDefault(run.bridgeId(i), 0);
            duplicatesAtGateway += Math.max(0, placed - 1);
            // The bridge handles one command at a time, up to IB's acknowledgement: a command sent before its
            // predecessor's result was read back may have waited behind it (read-back lags, so this over-counts).
            Long previousResult = i == 0 ? null : results.receivedAt.get(run.bridgeId(i - 1));
            if (previousResult != null && previousResult > run.bridgeSentAt[i]) {
                queuedBehindPrevious++;
            }
        }
        long pacingViolations = simState.connections().stream().mapToLong(SimulatorState.Connection::pacingViolations)
                .sum();
        int accepted = outcomes.getOrDefault(acceptedOutcome(), 0);

        Report report = new Report(NAME, "Command path: PlaceOrder command to placeOrder at the Gateway")
                .smoke(mode.smoke())
                .note(run.size + " PlaceOrder commands at 10/s, evenly spaced (after " + warmup + " warm-up commands), "
                        + "each a 1-share $1 limit buy that rests. Latency: `System.nanoTime()` just before "
                        + "`producer.send` (acks=all, idempotent, linger 0) to the simulator's receipt of the decoded "
                        + "placeOrder carrying the command's id as orderRef, on one JVM clock.")
                .note("Floor, measured in the same run and interleaved half a period after each bridge command: the "
                        + "same producer sends the same bytes and key to a topic of its own, read by a plain consumer "
                        + "with the bridge's command-consumer settings (group, read_committed, poll 200 ms). The "
                        + "second floor adds one Kafka write acknowledged with the bridge's producer settings "
                        + "(acks=all, idempotent, linger.ms 5), which the bridge must make (the order journal's "
                        + "PLACING entry) before any placeOrder; the third times the same write with linger.ms 0, made "
                        + "right after it (each write's own duration is added to the receipt time). Share rows are "
                        + "differences of the percentiles, not percentiles of differences.")
                .note("Outcomes of the measured commands: " + outcomes + "; placeOrders missing at the simulator: "
                        + (run.size - placeOrder.count()) + "; commands sent before the previous command's result "
                        + "was read back: " + queuedBehindPrevious + " (an upper bound on those that queued behind "
                        + "their predecessor: the bridge handles one command at a time up to IB's acknowledgement, so "
                        + "a stall also delays the commands after it); placeOrders received twice for one "
                        + "command: " + duplicatesAtGateway + "; pacing violations at the simulator: "
                        + pacingViolations + ".")
                .columns("path", "commands", "p50 ms", "p99 ms", "max ms");
        row(report, "floor: produce -> poll receive (bridge's consumer settings)", floorReceive);
        row(report, "floor + acknowledged journal-style write (bridge's producer settings)", floorJournal);
        row(report, "floor + the same write with linger.ms 0 (for comparison)", floorEagerJournal);
        row(report, "bridge: produce -> placeOrder at the simulator", placeOrder);
        row(report, "bridge: produce -> result read back from command-results", result);
        report.row("bridge's own share (placeOrder - floor)", placeOrder.count(),
                ms(placeOrder.percentile(50) - floorReceive.percentile(50)),
                ms(placeOrder.percentile(99) - floorReceive.percentile(99)), Double.NaN);
        report.row("bridge beyond floor + journal write", placeOrder.count(),
                ms(placeOrder.percentile(50) - floorJournal.percentile(50)),
                ms(placeOrder.percentile(99) - floorJournal.percentile(99)), Double.NaN);
        boolean clean = accepted == run.size && duplicatesAtGateway == 0 && pacingViolations == 0;
        return report.verdict("every measured PlaceOrder ACCEPTED (IB acknowledged), placed once, no pacing error",
                accepted + "/" + run.size + " accepted, " + duplicatesAtGateway + " duplicates, " + pacingViolations
                        + " pacing violations", clean);
    }

    private static void addSince(Stats stats, long start, Long end) {
        if (end != null) {
            stats.add(end - start);
        }
    }

    private static void row(Report report, String path, Stats stats) {
        report.row(path, stats.count(), ms(stats.percentile(50)), ms(stats.percentile(99)), ms(stats.max()));
    }

    private static double ms(double nanos) {
        return nanos / 1e6;
    }

    private static String acceptedOutcome() {
        return CommandStatus.ACCEPTED + "/" + ReasonCodes.OK;
    }

    /** Waits for a reader thread to end; an interrupt is kept for the caller, who is closing anyway. */
    private static void joinQuietly(Thread thread) {
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void createTopics(BenchStack stack, List<NewTopic> topics) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
        }
    }

    /** The simulator's receipt time of each placeOrder, by orderRef (the first one: duplicates are counted apart). */
    private static final class PlaceOrderProbe implements SimulatorProbe {
        final Map<String, Long> placedAt = new ConcurrentHashMap<>();

        @Override
        public void requestReceived(long connectionId, ClientMessage message, long nanoTime) {
            if (message instanceof ClientMessage.PlaceOrder p) {
                placedAt.putIfAbsent(p.order().orderRef(), nanoTime);
            }
        }
    }

    /** Reads the command-results topic from its end: when each result arrived, and its status and reason. */
    private static final class ResultReader implements AutoCloseable {
        final Map<String, Long> receivedAt = new ConcurrentHashMap<>();
        final Map<String, String> outcome = new ConcurrentHashMap<>();
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final AvroWireDeserializer<CommandResult> decoder;
        private final Thread thread;
        private volatile boolean running = true;

        ResultReader(BenchStack stack, String topic, SchemaRegistryClient registry) {
            this.consumer = stack.consumer();
            this.decoder = new AvroWireDeserializer<>(CommandResult.class, registry);
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position); // resolve the end now, before any command is sent
            this.thread = new Thread(this::readLoop, "bench-result-reader");
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        private void readLoop() {
            try {
                while (running) {
                    var records = consumer.poll(Duration.ofMillis(100));
                    long now = System.nanoTime();
                    for (ConsumerRecord<byte[], byte[]> r : records) {
                        CommandResult result = decoder.deserialize(r.value());
                        String id = result.getCommandId();
                        receivedAt.putIfAbsent(id, now);
                        outcome.putIfAbsent(id, result.getStatus() + "/" + result.getReasonCode());
                    }
                }
            } catch (WakeupException e) {
                // closing
            } finally {
                consumer.close();
            }
        }

        @Override
        public void close() {
            running = false;
            consumer.wakeup();
            joinQuietly(thread);
        }
    }

    /**
     * The floor: a plain consumer with the bridge's command-consumer settings and, on each record, one write to a
     * journal-like topic acknowledged under the bridge's producer settings, then the same write with linger.ms 0.
     * Records are handled one at a time on the consumer's thread, as the bridge handles commands.
     */
    private static final class FloorConsumer implements AutoCloseable {
        /** The bridge's command consumer polls with this timeout. */
        private static final Duration POLL = Duration.ofMillis(200);
        /** One acknowledged write takes milliseconds; this long means its records stopped flowing. */
        private static final Duration JOURNAL_WRITE_TIMEOUT = Duration.ofSeconds(30);

        final Map<String, Long> receivedAt = new ConcurrentHashMap<>();
        /** Nanoseconds from send to acknowledgement of the write made with the bridge's producer settings. */
        final Map<String, Long> journalWrite = new ConcurrentHashMap<>();
        /** The same for the write made without lingering; recorded last, so it marks a record as done. */
        final Map<String, Long> eagerWrite = new ConcurrentHashMap<>();
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final KafkaProducer<byte[], byte[]> journal;
        private final KafkaProducer<byte[], byte[]> eagerJournal;
        private final String topic;
        private final String journalTopic;
        private final Thread thread;
        private final AtomicReference<Exception> failure = new AtomicReference<>();
        private volatile boolean running = true;

        FloorConsumer(BenchStack stack, KafkaSettings settings, String topic, String journalTopic)
                throws InterruptedException, TimeoutException {
            Map<String, Object> eager = new HashMap<>(Producers.config(settings));
            eager.put(ProducerConfig.LINGER_MS_CONFIG, 0);
            eager.put(ProducerConfig.CLIENT_ID_CONFIG, settings.bridgeId() + "-eager-producer");
            this.journal = stack.producer(Producers.config(settings), List.of(journalTopic));
            try {
                this.eagerJournal = stack.producer(eager, List.of(journalTopic));
            } catch (InterruptedException | TimeoutException | RuntimeException e) {
                journal.close(Duration.ZERO);
                throw e;
            }
            this.consumer = new KafkaConsumer<>(CommandConsumer.consumerConfig(settings));
            this.topic = topic;
            this.journalTopic = journalTopic;
            this.thread = new Thread(this::readLoop, "bench-floor-consumer");
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        private void readLoop() {
            try {
                consumer.subscribe(List.of(topic));
                while (running) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                        long received = System.nanoTime();
                        Header idHeader = r.headers().lastHeader(ID_HEADER);
                        String id = new String(idHeader.value(), StandardCharsets.UTF_8);
                        receivedAt.putIfAbsent(id, received);
                        journalWrite.putIfAbsent(id, timedWrite(journal, idHeader.value(), r.value()));
                        eagerWrite.putIfAbsent(id, timedWrite(eagerJournal, idHeader.value(), r.value()));
                    }
                }
            } catch (WakeupException e) {
                // closing
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                // The floor stops; the watchdog of the sending phase names it (failureNote).
                failure.set(e);
                throw new IllegalStateException("the floor failed", e);
            } finally {
                consumer.close();
            }
        }

        /** "; the floor failed: ..." once its thread has failed, else empty: for a stall's message. */
        String failureNote() {
            Exception f = failure.get();
            return f == null ? "" : "; the floor failed: " + f;
        }

        private long timedWrite(KafkaProducer<byte[], byte[]> producer, byte[] key, byte[] value)
                throws InterruptedException, ExecutionException, TimeoutException {
            long start = System.nanoTime();
            producer.send(new ProducerRecord<>(journalTopic, key, value)).get(JOURNAL_WRITE_TIMEOUT.toMillis(),
                    TimeUnit.MILLISECONDS);
            return System.nanoTime() - start;
        }

        @Override
        public void close() {
            running = false;
            consumer.wakeup();
            joinQuietly(thread);
            journal.close(Duration.ofSeconds(5));
            eagerJournal.close(Duration.ofSeconds(5));
        }
    }
}
