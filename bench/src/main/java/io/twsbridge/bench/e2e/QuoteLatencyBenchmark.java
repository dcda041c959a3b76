package io.twsbridge.bench.e2e;

import io.twsbridge.bench.support.BenchMode;
import io.twsbridge.bench.support.BenchStack;
import io.twsbridge.bench.support.Closing;
import io.twsbridge.bench.support.ProgressWatchdog;
import io.twsbridge.bench.support.Report;
import io.twsbridge.bench.support.Stats;
import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.bridge.kafka.publish.PublishObserver;
import io.twsbridge.client.serde.AvroWireDeserializer;
import io.twsbridge.schema.Quote;
import io.twsbridge.schema.catalogue.Topic;
import io.twsbridge.sim.SimulatorProbe;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.ObjLongConsumer;

/**
 * End-to-end quote latency at fixed tick rates, next to a plain producer's send-to-ack latency at the same rate,
 * measured in the same run.
 *
 * <p><b>Bridge.</b> For each rate R (1k, 10k and 50k ticks/s; smoke: 10k only) the simulator quotes N instruments
 * (100; smoke 10) at R / (4 N) price moves per second each (a move is four tick messages), subscribed with
 * SubscribeQuotes commands. Every tick message publishes one Quote whose {@code sequence} counts from 1 per
 * instrument, so the k-th tick the simulator queued for an instrument is the Quote with sequence k: that ties the
 * time the simulator queued a tick for its socket (its probe, just after the move's four ticks were queued) to the
 * time Kafka acknowledged the bridge's Quote (the bridge's publish observer, on the producer's I/O thread) and to
 * the time a consumer (no group, every partition assigned, at the end of the topic before the window, decoding each
 * value) received it. Measured: every tick queued during the window (after a warm-up); ticks whose Quote is not
 * acknowledged or received within a drain period after the window are counted, not hidden.
 *
 * <p><b>Baseline.</b> A plain producer with exactly the bridge's producer settings (all but the client id) sends
 * R records/s, evenly spaced by a pacing loop on {@link System#nanoTime()}, to a topic with the same partitions:
 * Quote values the bridge published in the phase just before, pre-serialized, under the bridge's keys, four per
 * key in turn. Measured: from just before {@code send} to the acknowledgement callback, and to the same kind of
 * consumer receiving it. The bridge and its baselines run one after the other, never together.
 *
 * <p><b>Second baseline, for reading the first.</b> The simulator queues a move's four ticks at once, so the bridge's
 * records reach its producer in groups of four with one key, not one by one. A second plain producer sends the same
 * records in such groups (R / 4 groups a second, evenly spaced), to show how much that shape alone changes a
 * producer's latency (its batches and its 5 ms linger see different arrivals). The target is judged against the
 * evenly spaced baseline, as the issue defines it.
 */
public final class QuoteLatencyBenchmark {

    private static final int[] RATES = {1_000, 10_000, 50_000};
    private static final int VERDICT_RATE = 10_000;
    private static final String BRIDGE = "bridge";
    private static final String BASELINE = "baseline";
    private static final String BASELINE_IN_MOVES = "baseline, moves of 4";
    private static final double TARGET_P99_FACTOR = 1.5;
    /** Distinct values for the baseline to send, so its batches do not compress better than the bridge's. */
    private static final int SAMPLED_QUOTES_PER_INSTRUMENT = 64;
    /** Room for the ticks of the subscription phase, which has no fixed length, in the per-instrument arrays. */
    private static final long SUBSCRIBING_SLACK_MILLIS = 30_000;
    /** One poll (100 ms) and KafkaConsumer's own close, which waits up to 30 s. */
    private static final Duration CONSUMER_CLOSE = Duration.ofSeconds(40);
    private static final String NAME = "quote-latency";

    private QuoteLatencyBenchmark() {
    }

    /** What one phase measured; latencies in nanoseconds. */
    private record Phase(int rate, String side, Stats toAck, Stats toSend, Stats toConsumer, long inWindow,
                         long notAcked, long notReceived, double achievedPerSecond, long shed, long stampedLate,
                         Map<String, Double> cpu, Stats wakeUpDelay, String remark) {
    }

    /** Per rate: bridge then baseline, 5 s warm-up, 20 s window, up to 5 s drain (smoke: 10k only, 1 s, 2 s, 1 s). */
    public static Report run(BenchStack stack, BenchMode mode) throws Exception {
        int instruments = mode.pick(100, 10);
        long warmUpMillis = mode.pick(5_000L, 1_000L);
        long windowMillis = mode.pick(20_000L, 2_000L);
        long drainMillis = mode.pick(5_000L, 1_000L);
        int[] rates = mode.smoke() ? new int[]{VERDICT_RATE} : RATES;
        String run = "ql" + Long.toString(System.currentTimeMillis(), 36);
        Timing timing = new Timing(warmUpMillis, windowMillis, drainMillis);

        List<Phase> phases = new ArrayList<>();
        for (int rate : rates) {
            BridgeOutcome bridge = runBridge(stack, mode, run + "-bridge-" + rate, instruments, rate, timing);
            phases.add(bridge.phase());
            phases.add(runBaseline(stack, mode, run + "-baseline-" + rate, rate, 1, bridge.payloads(), timing));
            phases.add(runBaseline(stack, mode, run + "-moves-" + rate, rate, QuoteRig.TICKS_PER_MOVE,
                    bridge.payloads(), timing));
        }
        return report(mode, instruments, timing, phases);
    }

    private record Timing(long warmUpMillis, long windowMillis, long drainMillis) {
        long totalMillis() {
            return warmUpMillis + windowMillis + drainMillis;
        }
    }

    private record BridgeOutcome(Phase phase, QuotePayloads payloads) {
    }

    // ---- the bridge ---------------------------------------------------------------------------------------------

    private static BridgeOutcome runBridge(BenchStack stack, BenchMode mode, String prefix, int instruments, int rate,
                                           Timing timing) throws Exception {
        String where = String.format(Locale.ROOT, "%s bridge at %,d ticks/s", NAME, rate);
        double movesPerSecond = rate / (double) (QuoteRig.TICKS_PER_MOVE * instruments);
        int ticksPerInstrument = (int) Math.ceil(movesPerSecond * QuoteRig.TICKS_PER_MOVE
                * (timing.totalMillis() + SUBSCRIBING_SLACK_MILLIS) / 1e3) + 1_024;
        TickTimes times = new TickTimes(QuoteRig.symbols(instruments), ticksPerInstrument);
        List<Quote> sample = new ArrayList<>();
        AtomicBoolean sampling = new AtomicBoolean();
        Phase phase;
        QuotePayloads payloads;
        try (QuoteRig rig = QuoteRig.start(stack, prefix, instruments, movesPerSecond)) {
            rig.onTicks(new SimulatorProbe() {
                @Override
                public void ticksQueued(long connectionId, int reqId, String symbol, int ticks, long nanoTime) {
                    times.queued(symbol, ticks, nanoTime);
                }
            });
            rig.onAcks(new PublishObserver() {
                @Override
                public void acknowledged(String topic, long elapsedNanos) {
                    // only the variant with the record is used
                }

                @Override
                public void acknowledged(String topic, SpecificRecord value, long sentAtNanos, long ackedAtNanos) {
                    if (value instanceof Quote quote) {
                        times.acked(quote.getInstrument().getSymbol(), quote.getSequence(), sentAtNanos, ackedAtNanos);
                        if (sampling.get()) {
                            synchronized (sample) {
                                sample.add(quote);
                                sampling.set(sample.size() < instruments * SAMPLED_QUOTES_PER_INSTRUMENT);
                            }
                        }
                    }
                }
            });
            rig.subscribeAll(stack, mode, where);
            AvroWireDeserializer<Quote> quotes =
                    new AvroWireDeserializer<>(Quote.class, QuoteRig.registryClient(stack));
            // Consuming from the warm-up on, so the consumer is as warm as the bridge when the window starts.
            try (ConsumerThread consumer = ConsumerThread.start(stack, rig.quotesTopic(), (record, receivedAt) -> {
                Quote quote = quotes.deserialize(record.value());
                times.received(quote.getInstrument().getSymbol(), quote.getSequence(), receivedAt);
            })) {
                ProgressWatchdog watchdog = mode.watchdog(where).watch("quote acknowledged", times::acks)
                        .watch("quote consumed", times::receipts)
                        .status(() -> String.format(Locale.ROOT, "ticks queued %,d, quotes acknowledged %,d, "
                                        + "consumed %,d, shed %,d%s", times.queuedTicks(), times.acks(),
                                times.receipts(), rig.app().publisher().quotesShed(), consumer.failureNote()));
                watchdog.sleep(Duration.ofMillis(timing.warmUpMillis()));
                sampling.set(true);
                long shedBefore = rig.app().publisher().quotesShed();
                ThreadCpu cpuBefore = ThreadCpu.snapshot();
                long windowStart = System.nanoTime();
                Stats wakeUpDelay;
                try (WakeUpDelay delay = WakeUpDelay.start()) {
                    watchdog.sleep(Duration.ofMillis(timing.windowMillis()));
                    wakeUpDelay = delay.lateness();
                }
                long windowEnd = System.nanoTime();
                long queuedAtEnd = times.queuedTicks();
                ThreadCpu cpuAfter = ThreadCpu.snapshot();
                long shed = rig.app().publisher().quotesShed() - shedBefore;
                long drainDeadline = windowEnd + TimeUnit.MILLISECONDS.toNanos(timing.drainMillis());
                while (System.nanoTime() < drainDeadline && !times.allSeen(windowStart, windowEnd)) {
                    TimeUnit.MILLISECONDS.sleep(50); // polls the arrays the other threads fill
                }
                consumer.check();
                String remark = rig.openingSnapshots() > instruments ? "link re-established during the run ("
                        + rig.openingSnapshots() + " subscriptions opened)" : "";
                phase = times.phase(rate, windowStart, windowEnd, shed, cpuAfter.percentOfOneCoreSince(cpuBefore),
                        wakeUpDelay, remark);
                // What the drain did not see is counted in the report; but a bridge whose acknowledgements stopped
                // altogether fails here, by name, rather than with figures of a stalled run.
                watchdog.await(() -> times.acks() + rig.app().publisher().quotesShed() >= queuedAtEnd);
            }
            synchronized (sample) {
                payloads = QuotePayloads.of(sample, QuoteRig.registryClient(stack), rig.quotesTopic());
            }
        }
        return new BridgeOutcome(phase, payloads);
    }

    /**
     * Per instrument and Quote sequence: when the simulator queued the tick, when Kafka acknowledged its Quote and
     * when the consumer received it ({@link System#nanoTime()}, 0 for not yet). One instrument's ticks are queued by
     * one thread at a time (the connection's reader for the opening ticks, then the pump), acknowledgements arrive
     * on the producer's I/O thread and receipts on the consumer's thread.
     */
    private static final class TickTimes {
        private final Map<String, Integer> indexOfSymbol = new HashMap<>();
        private final AtomicIntegerArray queuedCount;
        private final AtomicLongArray[] queued;
        private final AtomicLongArray[] sent;
        private final AtomicLongArray[] acked;
        private final AtomicLongArray[] received;
        private final AtomicLong overflow = new AtomicLong();
        private final AtomicLong acks = new AtomicLong();
        private final AtomicLong receipts = new AtomicLong();

        TickTimes(List<String> symbols, int ticksPerInstrument) {
            queuedCount = new AtomicIntegerArray(symbols.size());
            queued = new AtomicLongArray[symbols.size()];
            sent = new AtomicLongArray[symbols.size()];
            acked = new AtomicLongArray[symbols.size()];
            received = new AtomicLongArray[symbols.size()];
            for (int i = 0; i < symbols.size(); i++) {
                indexOfSymbol.put(symbols.get(i), i);
                // index = sequence, which starts at 1
                queued[i] = new AtomicLongArray(ticksPerInstrument + 1);
                sent[i] = new AtomicLongArray(ticksPerInstrument + 1);
                acked[i] = new AtomicLongArray(ticksPerInstrument + 1);
                received[i] = new AtomicLongArray(ticksPerInstrument + 1);
            }
        }

        void queued(String symbol, int ticks, long at) {
            Integer i = indexOfSymbol.get(symbol);
            if (i == null) {
                return;
            }
            int first = queuedCount.get(i) + 1;
            for (int sequence = first; sequence < first + ticks; sequence++) {
                if (sequence < queued[i].length()) {
                    queued[i].set(sequence, at);
                } else {
                    overflow.incrementAndGet();
                }
            }
            queuedCount.set(i, first + ticks - 1);
        }

        void acked(String symbol, long sequence, long sentAt, long at) {
            store(sent, symbol, sequence, sentAt);
            store(acked, symbol, sequence, at);
            acks.incrementAndGet();
        }

        void received(String symbol, long sequence, long at) {
            store(received, symbol, sequence, at);
            receipts.incrementAndGet();
        }

        /** Quotes acknowledged so far, of any tick (the progress a stall is judged by). */
        long acks() {
            return acks.get();
        }

        long receipts() {
            return receipts.get();
        }

        long queuedTicks() {
            long total = 0;
            for (int i = 0; i < queuedCount.length(); i++) {
                total += queuedCount.get(i);
            }
            return total;
        }

        private void store(AtomicLongArray[] times, String symbol, long sequence, long at) {
            Integer i = indexOfSymbol.get(symbol);
            if (i != null && sequence > 0 && sequence < times[i].length()) {
                times[i].set((int) sequence, at);
            }
        }

        /** True when every tick queued in the window has been acknowledged and received. */
        boolean allSeen(long windowStart, long windowEnd) {
            for (int i = 0; i < queued.length; i++) {
                int count = Math.min(queuedCount.get(i), queued[i].length() - 1);
                for (int sequence = 1; sequence <= count; sequence++) {
                    long q = queued[i].get(sequence);
                    boolean waiting = acked[i].get(sequence) == 0 || received[i].get(sequence) == 0;
                    if (q >= windowStart && q < windowEnd && waiting) {
                        return false;
                    }
                }
            }
            return true;
        }

        Phase phase(int rate, long windowStart, long windowEnd, long shed, Map<String, Double> cpu, Stats wakeUpDelay,
                    String remark) {
            Stats toAck = new Stats(1 << 16);
            Stats toSend = new Stats(1 << 16);
            Stats toConsumer = new Stats(1 << 16);
            long inWindow = 0;
            long notAcked = 0;
            long notReceived = 0;
            long stampedLate = 0;
            for (int i = 0; i < queued.length; i++) {
                int count = Math.min(queuedCount.get(i), queued[i].length() - 1);
                for (int sequence = 1; sequence <= count; sequence++) {
                    long q = queued[i].get(sequence);
                    if (q < windowStart || q >= windowEnd) {
                        continue;
                    }
                    inWindow++;
                    long a = acked[i].get(sequence);
                    long r = received[i].get(sequence);
                    // The probe stamps a move after queueing its ticks: when the pump thread is descheduled in
                    // between, a tick can come back before its stamp. Such ticks are counted and left out.
                    if (a != 0 && a < q || r != 0 && r < q) {
                        stampedLate++;
                        continue;
                    }
                    if (a == 0) {
                        notAcked++;
                    } else {
                        toAck.add(a - q);
                        toSend.add(sent[i].get(sequence) - q);
                    }
                    if (r == 0) {
                        notReceived++;
                    } else {
                        toConsumer.add(r - q);
                    }
                }
            }
            String fullRemark = overflow.get() == 0 ? remark
                    : (remark.isEmpty() ? "" : remark + "; ") + overflow.get()
                    + " ticks beyond the arrays, not measured";
            return new Phase(rate, BRIDGE, toAck, toSend, toConsumer, inWindow, notAcked, notReceived,
                    inWindow * 1e9 / (windowEnd - windowStart), shed, stampedLate, cpu, wakeUpDelay, fullRemark);
        }
    }

    // ---- the baseline -------------------------------------------------------------------------------------------

    /** {@code recordsPerSend} 1: evenly spaced records; 4: four records of one key at once, as a price move. */
    private static Phase runBaseline(BenchStack stack, BenchMode mode, String prefix, int rate, int recordsPerSend,
                                     QuotePayloads payloads, Timing timing)
            throws Exception {
        String side = recordsPerSend == 1 ? BASELINE : BASELINE_IN_MOVES;
        String where = String.format(Locale.ROOT, "%s %s at %,d records/s", NAME, side, rate);
        KafkaSettings settings = stack.kafkaSettings(prefix, k -> k);
        String topic = settings.topic(Topic.QUOTES);
        int capacity = (int) Math.min(Integer.MAX_VALUE - 8, (long) rate * (timing.totalMillis() + 5_000) / 1_000);
        SendTimes times = new SendTimes(capacity, settings.partitions());
        AvroWireDeserializer<Quote> quotes = new AvroWireDeserializer<>(Quote.class, QuoteRig.registryClient(stack));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> senderFailure = new AtomicReference<>();
        String clientId = prefix + "-producer";
        try (KafkaProducer<byte[], byte[]> producer = QuoteRig.baselineProducer(stack, settings, topic, clientId,
                payloads, mode.watchdog(where + ", first record on each partition"));
             ConsumerThread consumer = ConsumerThread.start(stack, topic, (record, receivedAt) -> {
                 quotes.deserialize(record.value()); // decoded like the bridge's, so the consumer works alike
                 times.received(record.partition(), record.offset(), receivedAt);
             })) {
            Thread sender = new Thread(() -> {
                try {
                    pacedSend(producer, topic, payloads, rate, recordsPerSend, times, stop);
                } catch (RuntimeException e) {
                    senderFailure.set(e);
                }
            }, "bench-sender");
            ProgressWatchdog watchdog = mode.watchdog(where).watch("acknowledgement", times::acks)
                    .watch("record consumed", times::receipts)
                    .status(() -> String.format(Locale.ROOT, "sent %,d, acknowledged %,d, consumed %,d%s%s",
                            times.sentCount(), times.acks(), times.receipts(), senderFailure.get() == null ? ""
                                    : "; the sender failed: " + senderFailure.get(), consumer.failureNote()));
            sender.start();
            Phase phase;
            try {
                watchdog.sleep(Duration.ofMillis(timing.warmUpMillis()));
                ThreadCpu cpuBefore = ThreadCpu.snapshot();
                long windowStart = System.nanoTime();
                Stats wakeUpDelay;
                try (WakeUpDelay delay = WakeUpDelay.start()) {
                    watchdog.sleep(Duration.ofMillis(timing.windowMillis()));
                    wakeUpDelay = delay.lateness();
                }
                long windowEnd = System.nanoTime();
                ThreadCpu cpuAfter = ThreadCpu.snapshot();
                long drainDeadline = windowEnd + TimeUnit.MILLISECONDS.toNanos(timing.drainMillis());
                while (System.nanoTime() < drainDeadline && !times.allSeen(windowStart, windowEnd)) {
                    TimeUnit.MILLISECONDS.sleep(50); // polls the arrays the other threads fill
                }
                phase = times.phase(rate, side, windowStart, windowEnd, cpuAfter.percentOfOneCoreSince(cpuBefore),
                        wakeUpDelay);
                stop.set(true);
                // Its last send() may wait for room in the buffer, which the acknowledgements make.
                watchdog.await(() -> !sender.isAlive());
                // Every record sent is acknowledged and consumed before the producer closes, or the stall is named.
                watchdog.await(() -> times.acks() >= times.sentCount() && times.receipts() >= times.sentCount());
            } finally {
                stop.set(true);
                QuoteRig.endSender(sender, producer);
            }
            if (senderFailure.get() != null) {
                throw new IllegalStateException("the baseline's sender failed", senderFailure.get());
            }
            consumer.check();
            return phase;
        }
    }

    /**
     * Sends {@code rate} records a second until stopped, {@code recordsPerSend} at a time: each group is due
     * {@code recordsPerSend/rate} s after the one before; the loop parks until the next is due and, when it wakes
     * late (the park's granularity is tens of microseconds), sends what has come due, so the rate holds on average
     * without a sleep per record. The payloads come in runs of four per key, so a group of four is one key's.
     */
    private static void pacedSend(KafkaProducer<byte[], byte[]> producer, String topic, QuotePayloads payloads,
                                  int rate, int recordsPerSend, SendTimes times, AtomicBoolean stop) {
        byte[][] keys = payloads.keys();
        byte[][] values = payloads.values();
        double groupIntervalNanos = 1e9 * recordsPerSend / rate;
        long start = System.nanoTime();
        long sent = 0;
        while (!stop.get() && sent + recordsPerSend <= times.capacity()) {
            long due = start + (long) (sent / recordsPerSend * groupIntervalNanos);
            long now = System.nanoTime();
            if (now < due) {
                LockSupport.parkNanos(due - now);
                continue;
            }
            for (int i = 0; i < recordsPerSend; i++, sent++) {
                int index = (int) sent;
                int payload = (int) (sent % keys.length);
                times.sent(index, System.nanoTime());
                producer.send(new ProducerRecord<>(topic, null, keys[payload], values[payload]), (metadata, error) -> {
                    if (error == null) {
                        times.acked(index, metadata.partition(), metadata.offset(), System.nanoTime());
                    }
                });
            }
        }
    }

    /**
     * Per record of the baseline: when it was handed to {@code send}, when it was acknowledged, and, by partition
     * and offset (the consumer's only handle), which record it was and when the consumer received it.
     */
    private static final class SendTimes {
        private final AtomicLongArray sent;
        private final AtomicLongArray acked;
        private final AtomicLongArray[] recordAtOffset;
        private final AtomicLongArray[] receivedAtOffset;
        private final AtomicLong sentCount = new AtomicLong();
        private final AtomicLong acks = new AtomicLong();
        private final AtomicLong receipts = new AtomicLong();

        SendTimes(int capacity, int partitions) {
            sent = new AtomicLongArray(capacity);
            acked = new AtomicLongArray(capacity);
            recordAtOffset = new AtomicLongArray[partitions];
            receivedAtOffset = new AtomicLongArray[partitions];
            for (int p = 0; p < partitions; p++) {
                // a new topic, so offsets start at 0; one partition could get every record
                recordAtOffset[p] = new AtomicLongArray(capacity);
                receivedAtOffset[p] = new AtomicLongArray(capacity);
            }
        }

        int capacity() {
            return sent.length();
        }

        void sent(int index, long at) {
            sent.set(index, at);
            sentCount.set(index + 1L);
        }

        void acked(int index, int partition, long offset, long at) {
            acked.set(index, at);
            acks.incrementAndGet();
            if (offset < recordAtOffset[partition].length()) {
                recordAtOffset[partition].set((int) offset, index + 1L); // 0 stays "unknown"
            }
        }

        void received(int partition, long offset, long at) {
            if (offset < receivedAtOffset[partition].length()) {
                receivedAtOffset[partition].set((int) offset, at);
            }
            receipts.incrementAndGet();
        }

        long sentCount() {
            return sentCount.get();
        }

        /** Records acknowledged so far (the progress a stall is judged by). */
        long acks() {
            return acks.get();
        }

        long receipts() {
            return receipts.get();
        }

        boolean allSeen(long windowStart, long windowEnd) {
            long received = 0;
            long inWindow = 0;
            for (int i = 0; i < sentCount.get(); i++) {
                long s = sent.get(i);
                if (s >= windowStart && s < windowEnd) {
                    inWindow++;
                    if (acked.get(i) == 0) {
                        return false;
                    }
                }
            }
            for (int p = 0; p < recordAtOffset.length; p++) {
                for (int offset = 0; offset < recordAtOffset[p].length(); offset++) {
                    long index = recordAtOffset[p].get(offset);
                    if (index == 0) {
                        continue;
                    }
                    long s = sent.get((int) index - 1);
                    if (s >= windowStart && s < windowEnd && receivedAtOffset[p].get(offset) != 0) {
                        received++;
                    }
                }
            }
            return received == inWindow;
        }

        Phase phase(int rate, String side, long windowStart, long windowEnd, Map<String, Double> cpu,
                    Stats wakeUpDelay) {
            Stats toAck = new Stats(1 << 16);
            Stats toConsumer = new Stats(1 << 16);
            long inWindow = 0;
            long notAcked = 0;
            for (int i = 0; i < sentCount.get(); i++) {
                long s = sent.get(i);
                if (s < windowStart || s >= windowEnd) {
                    continue;
                }
                inWindow++;
                long a = acked.get(i);
                if (a == 0) {
                    notAcked++;
                } else {
                    toAck.add(a - s);
                }
            }
            for (int p = 0; p < recordAtOffset.length; p++) {
                for (int offset = 0; offset < recordAtOffset[p].length(); offset++) {
                    long index = recordAtOffset[p].get(offset);
                    long r = receivedAtOffset[p].get(offset);
                    if (index == 0 || r == 0) {
                        continue;
                    }
                    long s = sent.get((int) index - 1);
                    if (s >= windowStart && s < windowEnd) {
                        toConsumer.add(r - s);
                    }
                }
            }
            return new Phase(rate, side, toAck, new Stats(0), toConsumer, inWindow, notAcked,
                    inWindow - toConsumer.count(),
                    inWindow * 1e9 / (windowEnd - windowStart), 0, 0, cpu, wakeUpDelay, "");
        }
    }

    // ---- the consumer -------------------------------------------------------------------------------------------

    /**
     * A consumer on its own thread, every partition of a topic assigned and positioned at the end before it starts,
     * handing each record with the time its poll returned.
     */
    private static final class ConsumerThread implements AutoCloseable {
        private final Thread thread;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        private ConsumerThread(KafkaConsumer<byte[], byte[]> consumer,
                               ObjLongConsumer<ConsumerRecord<byte[], byte[]>> onRecord) {
            this.thread = new Thread(() -> {
                try (consumer) {
                    while (!stop.get()) {
                        var records = consumer.poll(Duration.ofMillis(100));
                        long receivedAt = System.nanoTime();
                        for (ConsumerRecord<byte[], byte[]> r : records) {
                            onRecord.accept(r, receivedAt);
                        }
                    }
                } catch (RuntimeException e) {
                    failure.set(e);
                }
            }, "bench-consumer");
        }

        static ConsumerThread start(BenchStack stack, String topic,
                                    ObjLongConsumer<ConsumerRecord<byte[], byte[]>> onRecord) {
            KafkaConsumer<byte[], byte[]> consumer = stack.consumer();
            try {
                List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                        .map(p -> new TopicPartition(topic, p.partition())).toList();
                consumer.assign(partitions);
                consumer.seekToEnd(partitions);
                partitions.forEach(consumer::position); // the seek is lazy: resolve it now, before the window
            } catch (RuntimeException e) {
                consumer.close();
                throw e;
            }
            ConsumerThread t = new ConsumerThread(consumer, onRecord);
            t.thread.start();
            return t;
        }

        /** "; the consumer failed: ..." when it failed, else empty: for a stall's message. */
        String failureNote() {
            Throwable f = failure.get();
            return f == null ? "" : "; the consumer failed: " + f;
        }

        /** Throws what the consumer thread failed with, if it failed. */
        void check() {
            if (failure.get() != null) {
                throw new IllegalStateException("the consumer failed", failure.get());
            }
        }

        /** Stops the thread and waits for it (one poll and the consumer's close), which closes the consumer. */
        @Override
        public void close() {
            stop.set(true);
            Closing.join(thread, CONSUMER_CLOSE, "the consumer thread");
        }
    }

    /**
     * How late a thread wakes from a 1 ms park while a window runs: the machine's scheduling delay, which every
     * hand-over between threads pays. The bridge's path hands each tick over several times more than the baseline's
     * (simulator pump to its socket writer, the bridge's socket reader, its event loop), so on a busy machine this
     * delay, not the bridge's own work, can set its tail.
     */
    private static final class WakeUpDelay implements AutoCloseable {
        private static final long PARK_NANOS = 1_000_000;

        private final Stats lateness = new Stats(1 << 15);
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread;

        private WakeUpDelay() {
            thread = new Thread(() -> {
                while (!stop.get()) {
                    long start = System.nanoTime();
                    LockSupport.parkNanos(PARK_NANOS);
                    lateness.add(Math.max(0, System.nanoTime() - start - PARK_NANOS));
                }
            }, "bench-wake-up-delay");
            thread.setDaemon(true);
        }

        static WakeUpDelay start() {
            WakeUpDelay delay = new WakeUpDelay();
            delay.thread.start();
            return delay;
        }

        Stats lateness() {
            return lateness;
        }

        @Override
        public void close() {
            stop.set(true);
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the thread ends within one park anyway
            }
        }
    }

    // ---- the report ---------------------------------------------------------------------------------------------

    private static Report report(BenchMode mode, int instruments, Timing timing, List<Phase> phases) {
        Report report = new Report(NAME, "End-to-end quote latency at fixed tick rates").smoke(mode.smoke())
                .note(String.format(Locale.ROOT, "%d instruments; per rate the bridge phase, then the baseline phase "
                                + "(never together); each %.0f s warm-up, a %.0f s window, up to %.0f s for the window's "
                                + "records to be acknowledged and consumed.", instruments, timing.warmUpMillis() / 1e3,
                        timing.windowMillis() / 1e3, timing.drainMillis() / 1e3))
                .note("**Bridge**: the simulator ticks at the rate (R / (4 N) moves per instrument per second, four "
                        + "tick messages a move); each tick's Quote is found by instrument and sequence. *to ack*: from "
                        + "the simulator queueing the tick for its socket (just after the move's four ticks were "
                        + "queued) to Kafka's acknowledgement of the Quote (acks=all, the bridge's producer); *to "
                        + "consumer*: to a consumer's poll returning it; *to send()*: to the bridge calling the "
                        + "producer's send() (after serializing), the part of the path that is the bridge's own. "
                        + "*achieved/s*: ticks queued in the window; "
                        + "*not acked*: ticks of the window whose Quote was not acknowledged by the end of the drain "
                        + "(shed, or still queued); *shed*: quotes the bridge dropped for a nearly full producer buffer.")
                .note("**Baseline**: a plain producer with the bridge's producer settings (all but client.id) sending "
                        + "the same Quote values (pre-serialized, the bridge's keys) at the rate, evenly spaced; *to "
                        + "ack*: from just before send() to the callback; *to consumer*: to the same kind of consumer's "
                        + "poll returning it. **Baseline, moves of 4**: the same, but four records of one key at once, "
                        + "R / 4 times a second, the shape in which the simulator's ticks reach the bridge's producer; "
                        + "it shows how much that shape alone changes the producer's latency. The target is judged "
                        + "against the evenly spaced baseline.")
                .note("*wake-up delay*: how late a thread woke from a 1 ms park during the window, a measure of how "
                        + "busy the machine was: each of the bridge path's extra hand-overs between threads (simulator "
                        + "pump to socket writer, socket to the bridge's reader, reader to event loop) can pay it.")
                .columns("rate/s", "side", "achieved/s", "measured", "not acked", "shed", "to ack p50 ms",
                        "to ack p99 ms", "to ack p99.9 ms", "to send() p50 ms", "to send() p99 ms",
                        "to consumer p50 ms", "to consumer p99 ms",
                        "to consumer p99.9 ms", "p99 to ack, bridge / baseline",
                        "p99 to ack, bridge / baseline in moves", "CPU % bridge event loop",
                        "CPU % whole process", "GC time % of wall", "wake-up delay p50 ms", "wake-up delay p99 ms",
                        "remark");
        Map<Integer, Double> baselineP99 = new HashMap<>();
        Map<Integer, Double> movesP99 = new HashMap<>();
        for (Phase p : phases) {
            if (p.side().equals(BASELINE)) {
                baselineP99.put(p.rate(), p.toAck().percentile(99));
            } else if (p.side().equals(BASELINE_IN_MOVES)) {
                movesP99.put(p.rate(), p.toAck().percentile(99));
            }
        }
        for (Phase p : phases) {
            boolean bridge = p.side().equals(BRIDGE);
            double ratio = bridge ? p.toAck().percentile(99) / baselineP99.get(p.rate()) : Double.NaN;
            double ratioToMoves = bridge ? p.toAck().percentile(99) / movesP99.get(p.rate()) : Double.NaN;
            String remark = p.stampedLate() == 0 ? p.remark()
                    : (p.remark().isEmpty() ? "" : p.remark() + "; ") + p.stampedLate()
                    + " ticks back before the simulator's probe stamped them, left out";
            report.row(p.rate(), p.side(), p.achievedPerSecond(), (long) p.toAck().count(), p.notAcked(), p.shed(),
                    millis(p.toAck(), 50), millis(p.toAck(), 99), millis(p.toAck(), 99.9), millis(p.toSend(), 50),
                    millis(p.toSend(), 99), millis(p.toConsumer(), 50),
                    millis(p.toConsumer(), 99), millis(p.toConsumer(), 99.9), ratio, ratioToMoves,
                    p.cpu().getOrDefault(ThreadCpu.BRIDGE_LOOP, Double.NaN),
                    p.cpu().getOrDefault(ThreadCpu.PROCESS, Double.NaN),
                    p.cpu().getOrDefault(ThreadCpu.GC_TIME, Double.NaN), millis(p.wakeUpDelay(), 50),
                    millis(p.wakeUpDelay(), 99), remark);
        }
        Phase bridge = phases.stream().filter(p -> p.rate() == VERDICT_RATE && p.side().equals(BRIDGE)).findFirst()
                .orElseThrow();
        double bridgeP99 = bridge.toAck().percentile(99);
        double limit = TARGET_P99_FACTOR * baselineP99.get(VERDICT_RATE);
        // Ticks that never got an acknowledgement would have the worst latencies: a run that lost more than 1% of its
        // window cannot pass on the p99 of the rest.
        boolean complete = bridge.notAcked() <= bridge.inWindow() / 100;
        return report.verdict(
                "p99 tick-to-ack latency at 10k ticks/s <= 1.5 x the plain producer's p99 at the same rate",
                String.format(Locale.ROOT, "bridge p99 %.2f ms vs baseline p99 %.2f ms: %.2f x%s", bridgeP99 / 1e6,
                        baselineP99.get(VERDICT_RATE) / 1e6, bridgeP99 / baselineP99.get(VERDICT_RATE),
                        complete ? "" : " (" + bridge.notAcked() + " ticks of the window never acknowledged)"),
                complete && bridgeP99 <= limit);
    }

    private static double millis(Stats stats, double percentile) {
        return stats.percentile(percentile) / 1e6;
    }
}
