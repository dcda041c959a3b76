package io.twsbridge.bench.e2e;

import io.twsbridge.bench.support.BenchMode;
import io.twsbridge.bench.support.BenchStack;
import io.twsbridge.bench.support.ProgressWatchdog;
import io.twsbridge.bench.support.Report;
import io.twsbridge.bridge.kafka.publish.PublishObserver;
import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.schema.Quote;
import io.twsbridge.schema.catalogue.Topic;
import io.twsbridge.sim.SimulatorProbe;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;

/**
 * End-to-end quote throughput, next to a plain producer measured in the same run.
 *
 * <p><b>Bridge.</b> The simulator streams ticks as fast as it can (tick rate 0) for N instruments (100; smoke 10),
 * subscribed with SubscribeQuotes commands. Without conflation every tick message publishes one Quote, so the
 * bridge decodes, maps, serializes and publishes every tick to the in-process broker with the bridge's own producer
 * (acks=all, idempotent, linger 5 ms, batch 128 KiB, lz4). After a warm-up, the measured figure is the number of
 * quotes Kafka acknowledged during the window (the bridge's publish observer, on the producer's I/O thread),
 * per second. The simulator is held back whenever {@value #IN_FLIGHT_TICKS} ticks are in flight (queued by it,
 * neither acknowledged nor shed by the bridge): unchecked, it outruns the bridge without bound (see
 * {@link InFlightGate}), and the window would measure a collapse rather than a throughput.
 *
 * <p><b>Baseline.</b> A plain Kafka producer with exactly the bridge's producer settings (all but the client id)
 * sends, from one thread and as fast as {@code send} accepts them, pre-serialized Quote values the bridge really
 * published in an earlier bridge phase (so the same sizes and the same compressibility) under the bridge's keys
 * for the same instruments, four records per key in turn as the simulator ticks, to a topic with the same
 * partitions; records acknowledged per second over a window of the same length.
 *
 * <p>Bridge and baseline run one after the other, never together, in pairs whose order alternates (bridge first,
 * then baseline first, ...) so a drift of the shared machine hits both; the ratio is the median bridge figure over
 * the median baseline figure. Each phase has topics of its own. Beside the rates: the CPU each part of the process
 * used during the window (as a percentage of one core), which shows what limits the bridge.
 */
public final class QuoteThroughputBenchmark {

    /**
     * Enough distinct values that the baseline's batches hold no exact repeats, which would compress better than
     * the bridge's stream of ever-changing quotes.
     */
    private static final int SAMPLED_QUOTES_PER_INSTRUMENT = 64;
    private static final double TARGET_RATIO = 0.5;
    /** Ticks the simulator may have queued beyond what the bridge acknowledged or shed (see {@link InFlightGate}). */
    private static final long IN_FLIGHT_TICKS = 10_000;

    private static final String NAME = "quote-throughput";

    private QuoteThroughputBenchmark() {
    }

    /** What one phase measured. */
    private record Phase(int pair, String side, double ackedPerSecond, double offeredPerSecond, long shed,
                         long backlogAtEnd, Map<String, Double> cpu, ProducerMetrics producer, String remark) {

        /** CPU per acknowledged record of the thread calling send(): the bridge's event loop, the baseline's sender. */
        double sendingThreadMicrosPerRecord() {
            return microsPerRecord(side.equals("bridge") ? ThreadCpu.BRIDGE_LOOP : ThreadCpu.BENCH);
        }

        double processMicrosPerRecord() {
            return microsPerRecord(ThreadCpu.PROCESS);
        }

        private double microsPerRecord(String group) {
            return cpu.getOrDefault(group, Double.NaN) / 100 * 1e6 / ackedPerSecond;
        }
    }

    /** Three alternating bridge/baseline pairs of 20 s windows after 5 s warm-ups (smoke: one pair, 3 s after 1 s). */
    public static Report run(BenchStack stack, BenchMode mode) throws Exception {
        int instruments = mode.pick(100, 10);
        long warmUpMillis = mode.pick(5_000L, 1_000L);
        long windowMillis = mode.pick(20_000L, 3_000L);
        int pairs = mode.pick(3, 1);
        String run = "qt" + Long.toString(System.currentTimeMillis(), 36);

        List<Phase> bridge = new ArrayList<>();
        List<Phase> baseline = new ArrayList<>();
        QuotePayloads payloads = null;
        for (int pair = 1; pair <= pairs; pair++) {
            // The baseline sends what the bridge published, so the very first phase is always the bridge's.
            boolean bridgeFirst = payloads == null || pair % 2 == 1;
            if (bridgeFirst) {
                BridgeOutcome outcome = runBridge(stack, mode, run, pair, instruments, warmUpMillis, windowMillis);
                bridge.add(outcome.phase());
                payloads = outcome.payloads();
                baseline.add(runBaseline(stack, mode, run, pair, payloads, warmUpMillis, windowMillis));
            } else {
                baseline.add(runBaseline(stack, mode, run, pair, payloads, warmUpMillis, windowMillis));
                bridge.add(runBridge(stack, mode, run, pair, instruments, warmUpMillis, windowMillis).phase());
            }
        }
        return report(mode, instruments, warmUpMillis, windowMillis, pairs, payloads, bridge, baseline);
    }

    private record BridgeOutcome(Phase phase, QuotePayloads payloads) {
    }

    private static BridgeOutcome runBridge(BenchStack stack, BenchMode mode, String run, int pair, int instruments,
                                           long warmUpMillis, long windowMillis) throws Exception {
        String where = NAME + " bridge, pair " + pair;
        QuoteSampler sampler = new QuoteSampler(instruments, SAMPLED_QUOTES_PER_INSTRUMENT);
        try (QuoteRig rig = QuoteRig.start(stack, run + "-bridge-" + pair, instruments, 0)) {
            InFlightGate gate = new InFlightGate(IN_FLIGHT_TICKS, rig.app().publisher()::quotesShed);
            // Held back until the bridge is gone, so it closes without a flood behind it; then free to end.
            rig.beforeSimulatorCloses(gate::release);
            rig.onTicks(new SimulatorProbe() {
                @Override
                public void ticksQueued(long connectionId, int reqId, String symbol, int ticks, long nanoTime) {
                    // Only the pump's moves wait: the opening ticks are queued on the simulator's request reader.
                    gate.queued(ticks, ticks == QuoteRig.TICKS_PER_MOVE);
                }
            });
            String quotesTopic = rig.quotesTopic();
            rig.onAcks(new PublishObserver() {
                @Override
                public void acknowledged(String topic, long elapsedNanos) {
                    // only the variant with the record is used
                }

                /**
                 * Tells quotes by their topic, not by their record: reading the record, long out of this core's cache,
                 * on every acknowledgement cost the producer's I/O thread more than the acknowledgement itself.
                 */
                @Override
                public void acknowledged(String topic, SpecificRecord value, long sentAtNanos, long ackedAtNanos) {
                    if (topic.equals(quotesTopic)) {
                        gate.acknowledged();
                        if (sampler.wanted()) {
                            sampler.offer((Quote) value);
                        }
                    }
                }
            });
            rig.subscribeAll(stack, mode, where);
            sampler.start(); // during the warm-up, so that touching the records costs the window nothing
            ProgressWatchdog watchdog = mode.watchdog(where).watch("quote acknowledged", gate::acked)
                    .status(() -> String.format(Locale.ROOT, "ticks queued %,d, quotes acknowledged %,d, shed %,d, "
                                    + "in flight %,d", gate.queued(), gate.acked(), rig.app().publisher().quotesShed(),
                            gate.inFlight()));
            watchdog.sleep(Duration.ofMillis(warmUpMillis));
            long shedBefore = rig.app().publisher().quotesShed();
            long queuedBefore = gate.queued();
            long ackedBefore = gate.acked();
            long waitsBefore = gate.waits();
            ThreadCpu cpuBefore = ThreadCpu.snapshot();
            long start = System.nanoTime();
            watchdog.sleep(Duration.ofMillis(windowMillis));
            long elapsed = System.nanoTime() - start;
            long acked = gate.acked() - ackedBefore;
            long queuedAtEnd = gate.queued();
            long queued = queuedAtEnd - queuedBefore;
            ThreadCpu cpuAfter = ThreadCpu.snapshot();
            List<String> remarks = new ArrayList<>();
            if (gate.waits() == waitsBefore) {
                remarks.add("the in-flight limit never held the simulator back");
            }
            if (rig.openingSnapshots() > instruments) {
                remarks.add("link re-established during the run (" + rig.openingSnapshots() + " subscriptions opened)");
            }
            Phase phase = new Phase(pair, "bridge", acked * 1e9 / elapsed, queued * 1e9 / elapsed,
                    rig.app().publisher().quotesShed() - shedBefore, gate.inFlight(),
                    cpuAfter.percentOfOneCoreSince(cpuBefore), ProducerMetrics.of(rig.producerClientId()),
                    String.join("; ", remarks));
            // Every tick of the window reaches Kafka or is shed (one quote a tick): a stall too short to show in the
            // window shows here, instead of as a low figure and a close that never ends.
            watchdog.await(() -> gate.acked() + rig.app().publisher().quotesShed() >= queuedAtEnd);
            return new BridgeOutcome(phase, QuotePayloads.of(sampler.quotes(), QuoteRig.registryClient(stack),
                    rig.quotesTopic()));
        }
    }

    private static Phase runBaseline(BenchStack stack, BenchMode mode, String run, int pair, QuotePayloads payloads,
                                     long warmUpMillis, long windowMillis) throws Exception {
        String where = NAME + " baseline, pair " + pair;
        KafkaSettings settings = stack.kafkaSettings(run + "-baseline-" + pair, k -> k);
        String topic = settings.topic(Topic.QUOTES);
        AtomicLong acked = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong sent = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<RuntimeException> senderFailure = new AtomicReference<>();
        Callback onAck = (metadata, error) -> {
            if (error == null) {
                acked.incrementAndGet();
            } else {
                failed.incrementAndGet();
            }
        };
        byte[][] keys = payloads.keys();
        byte[][] values = payloads.values();
        String clientId = run + "-baseline-" + pair + "-producer";
        try (KafkaProducer<byte[], byte[]> producer = QuoteRig.baselineProducer(stack, settings, topic, clientId,
                payloads, mode.watchdog(where + ", first record on each partition"))) {
            Thread sender = new Thread(() -> {
                try {
                    int i = 0;
                    while (!stop.get()) {
                        producer.send(new ProducerRecord<>(topic, null, keys[i], values[i]), onAck);
                        sent.lazySet(sent.get() + 1); // only this thread writes it
                        i = i + 1 == keys.length ? 0 : i + 1;
                    }
                } catch (RuntimeException e) {
                    senderFailure.set(e);
                }
            }, "bench-sender");
            ProgressWatchdog watchdog = mode.watchdog(where).watch("acknowledgement", () -> acked.get() + failed.get())
                    .status(() -> String.format(Locale.ROOT, "sent %,d, acked %,d, failed %,d%s", sent.get(),
                            acked.get(), failed.get(), senderFailure.get() == null ? ""
                                    : "; the sender failed: " + senderFailure.get()));
            sender.start();
            try {
                watchdog.sleep(Duration.ofMillis(warmUpMillis));
                long ackedBefore = acked.get();
                long sentBefore = sent.get();
                ThreadCpu cpuBefore = ThreadCpu.snapshot();
                long start = System.nanoTime();
                watchdog.sleep(Duration.ofMillis(windowMillis));
                long elapsed = System.nanoTime() - start;
                long ackedInWindow = acked.get() - ackedBefore;
                long sentInWindow = sent.get() - sentBefore;
                ThreadCpu cpuAfter = ThreadCpu.snapshot();
                Phase phase = new Phase(pair, "baseline", ackedInWindow * 1e9 / elapsed, sentInWindow * 1e9 / elapsed,
                        0, sent.get() - acked.get() - failed.get(), cpuAfter.percentOfOneCoreSince(cpuBefore),
                        ProducerMetrics.of(clientId), failed.get() > 0 ? failed.get() + " sends failed" : "");
                stop.set(true);
                // Its last send() may wait for room in the buffer, which the acknowledgements make.
                watchdog.await(() -> !sender.isAlive());
                if (senderFailure.get() != null) {
                    throw new IllegalStateException("the baseline's sender failed", senderFailure.get());
                }
                // Everything sent is acknowledged before the producer closes, or the stall is named.
                watchdog.await(() -> acked.get() + failed.get() >= sent.get());
                return phase;
            } finally {
                stop.set(true);
                QuoteRig.endSender(sender, producer);
            }
        }
    }

    private static Report report(BenchMode mode, int instruments, long warmUpMillis, long windowMillis, int pairs,
                                 QuotePayloads payloads, List<Phase> bridge, List<Phase> baseline) {
        double bridgeMedian = median(bridge);
        double baselineMedian = median(baseline);
        double ratio = bridgeMedian / baselineMedian;
        Report report = new Report(NAME, "End-to-end quote throughput").smoke(mode.smoke())
                .note(String.format(Locale.ROOT, "%d instruments, simulator at full speed (tick rate 0); %d pair(s) of "
                                + "phases, bridge and baseline one after the other (never together), order alternating; "
                                + "each phase %.0f s warm-up then a %.0f s window.", instruments, pairs,
                        warmUpMillis / 1e3, windowMillis / 1e3))
                .note("**Bridge**: ticks from the simulator over the socket, decoded, mapped to Quote, serialized and "
                        + "published (acks=all, idempotent, linger 5 ms, batch 128 KiB, lz4); *acked/s* counts Quotes "
                        + "Kafka acknowledged in the window; *offered/s* is the ticks the simulator queued for the "
                        + "socket; *backlog at end* is ticks queued but neither acknowledged nor shed when the window "
                        + "ended (they wait in the simulator's queue, the socket, the event loop or the producer). The "
                        + "simulator's pump waits whenever " + IN_FLIGHT_TICKS + " ticks are in flight, until half are "
                        + "through: at full speed it produces several times faster than the bridge consumes, and "
                        + "unchecked the backlog grows without bound in the bridge's event-loop queue (the collector "
                        + "then takes the machine and the rate collapses) or, once the bridge stops reading, the "
                        + "simulator drops the link at 500,000 queued frames.")
                .note(String.format(Locale.ROOT, "**Baseline**: a plain producer with the bridge's producer settings "
                                + "(all but client.id) sending, from one thread as fast as send() accepts, %d pre-serialized "
                                + "Quote values the bridge published (mean %.1f bytes) under the bridge's keys of %d "
                                + "instruments, four per key in turn, to a topic with the same partitions; *offered/s* is "
                                + "the records handed to send().", payloads.size(), payloads.meanValueBytes(),
                        payloads.instruments()))
                .note("CPU columns: CPU time of each part's threads during the window, in % of one core (the machine "
                        + "has " + Runtime.getRuntime().availableProcessors() + "); *broker and other* is the in-process "
                        + "broker and the remaining JVM threads; *whole process* adds GC and JIT. *CPU µs/record* is "
                        + "CPU time per acknowledged record: of the thread that calls send() (the bridge's event loop, "
                        + "the baseline's sender) and of the whole process (the simulator included for the bridge); it "
                        + "depends less on what else the machine runs than the rates do.")
                .columns("pair", "side", "acked/s", "offered/s", "quotes shed", "backlog at end", "CPU % simulator",
                        "CPU % bridge reader", "CPU % bridge event loop", "CPU % producer I/O", "CPU % bench threads",
                        "CPU % broker and other", "CPU % whole process", "GC time % of wall",
                        "CPU µs/record, sending thread", "CPU µs/record, whole process", "compression rate",
                        "records per request", "remark");
        List<Phase> all = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            all.add(bridge.get(i));
            all.add(baseline.get(i));
        }
        for (Phase p : all) {
            report.row(p.pair(), p.side(), p.ackedPerSecond(), p.offeredPerSecond(), p.shed(), p.backlogAtEnd(),
                    cpu(p, ThreadCpu.SIMULATOR), cpu(p, ThreadCpu.BRIDGE_READER), cpu(p, ThreadCpu.BRIDGE_LOOP),
                    cpu(p, ThreadCpu.PRODUCER_IO), cpu(p, ThreadCpu.BENCH), cpu(p, ThreadCpu.BROKER_AND_OTHER),
                    cpu(p, ThreadCpu.PROCESS), cpu(p, ThreadCpu.GC_TIME), p.sendingThreadMicrosPerRecord(),
                    p.processMicrosPerRecord(), p.producer().compressionRate(), p.producer().recordsPerRequest(),
                    p.remark());
        }
        double bridgeCpu = median(bridge, Phase::processMicrosPerRecord);
        double baselineCpu = median(baseline, Phase::processMicrosPerRecord);
        report.row(summary("median", "bridge", bridgeMedian, bridgeCpu));
        report.row(summary("median", "baseline", baselineMedian, baselineCpu));
        report.row(summary("ratio", "bridge / baseline", ratio, bridgeCpu / baselineCpu));
        return report.verdict("end-to-end quote throughput >= 50% of the plain-producer baseline",
                String.format(Locale.ROOT, "%.0f%% (bridge %,.0f quotes/s, baseline %,.0f records/s, medians)",
                        ratio * 100, bridgeMedian, baselineMedian), ratio >= TARGET_RATIO);
    }

    /** A summary row: only the rate and the whole process's CPU per record apply. */
    private static Object[] summary(String pair, String side, double rate, double processMicrosPerRecord) {
        Object[] row = new Object[19];
        java.util.Arrays.fill(row, "-");
        row[0] = pair;
        row[1] = side;
        row[2] = rate;
        row[15] = processMicrosPerRecord;
        return row;
    }

    private static double cpu(Phase p, String group) {
        return p.cpu().getOrDefault(group, Double.NaN);
    }

    private static double median(List<Phase> phases) {
        return median(phases, Phase::ackedPerSecond);
    }

    private static double median(List<Phase> phases, ToDoubleFunction<Phase> figure) {
        double[] rates = phases.stream().mapToDouble(figure).sorted().toArray();
        int n = rates.length;
        return n % 2 == 1 ? rates[n / 2] : (rates[n / 2 - 1] + rates[n / 2]) / 2;
    }

    /**
     * Holds the simulator's market-data pump back while more than {@code limit} ticks are in flight (queued by the
     * simulator, neither acknowledged nor shed by the bridge yet), until half of them are through.
     *
     * <p>Why: at tick rate 0 the simulator produces several times faster than any consumer of its socket and never
     * waits. Left alone it outruns the bridge without bound: the backlog piles up in the bridge's event-loop queue
     * (which has no bound), the collector spends the machine copying it and the throughput collapses, or, once
     * the bridge pushes back, the simulator drops the link when its own queue reaches 500,000 frames. With the gate
     * the simulator still runs as fast as the bridge takes ticks, with a bounded amount in flight, so the window
     * measures the bridge's sustained throughput.
     *
     * <p>{@link #queued} runs on the simulator's threads (it parks only the pump), {@link #acknowledged} on the
     * producer's I/O thread.
     */
    private static final class InFlightGate {
        /** Wakes the pump now and then even without an acknowledgement: shed quotes wake nobody. */
        private static final long RECHECK_NANOS = 1_000_000;

        private final long limit;
        private final long resumeAt;
        private final LongSupplier shed;
        private final AtomicLong queued = new AtomicLong();
        private final AtomicLong acked = new AtomicLong();
        private final AtomicLong waits = new AtomicLong();
        private volatile Thread parked;
        private volatile boolean released;

        InFlightGate(long limit, LongSupplier shed) {
            this.limit = limit;
            this.resumeAt = limit / 2;
            this.shed = shed;
        }

        void queued(int ticks, boolean mayWait) {
            queued.addAndGet(ticks);
            if (!mayWait || released || inFlight() <= limit) {
                return;
            }
            waits.incrementAndGet();
            parked = Thread.currentThread();
            while (!released && inFlight() > resumeAt) {
                LockSupport.parkNanos(this, RECHECK_NANOS);
            }
            parked = null;
        }

        void acknowledged() {
            acked.incrementAndGet();
            Thread pump = parked;
            if (pump != null && inFlight() <= resumeAt) {
                LockSupport.unpark(pump);
            }
        }

        /** Lets the pump run free from now on. */
        void release() {
            released = true;
            Thread pump = parked;
            if (pump != null) {
                LockSupport.unpark(pump);
            }
        }

        long inFlight() {
            return queued.get() - acked.get() - shed.getAsLong();
        }

        long queued() {
            return queued.get();
        }

        long acked() {
            return acked.get();
        }

        long waits() {
            return waits.get();
        }
    }
}
