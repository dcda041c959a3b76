package io.twsbridge.bench.e2e;

import io.twsbridge.bench.support.BenchMode;
import io.twsbridge.bench.support.BenchStack;
import io.twsbridge.bench.support.ProgressWatchdog;
import io.twsbridge.bench.support.Report;
import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.bridge.kafka.publish.PublishObserver;
import io.twsbridge.schema.Quote;
import io.twsbridge.schema.catalogue.Topic;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * What each of Kafka's codecs costs the bridge's producer per quote, and what it saves on the wire: the measure
 * behind the default {@code kafka.compression}.
 *
 * <p><b>Values.</b> Quote values the bridge really published: a bridge on the simulator quoting N instruments (100;
 * smoke 10) at {@value #SAMPLING_MOVES_PER_SECOND} price moves per instrument per second, subscribed with
 * SubscribeQuotes commands, and the first {@value #SAMPLED_QUOTES_PER_INSTRUMENT} (smoke 16) acknowledged quotes of
 * every instrument kept ({@link QuoteSampler}), serialized as the bridge serializes them, under the bridge's keys,
 * four per key in turn as the simulator ticks ({@link QuotePayloads}). A bridge phase rather than Quote records built here:
 * the values, their timestamps and sequences are the bridge's own, which is what a codec sees.
 *
 * <p><b>Phases.</b> For every codec (none, gzip, snappy, lz4, zstd) a producer with exactly the bridge's producer
 * settings ({@code Producers.config}: acks=all, idempotent, linger, batch size, buffer) but {@code compression.type},
 * on a topic of its own created as the bridge creates its quotes topic, sends a warm-up, then the same N records
 * for every codec, from one thread, at two loads: as fast as {@code send} accepts (full batches: what a codec can
 * make of the stream) and {@value #PACED_RATE} records/s evenly spaced (the small batches of a steady feed). Per
 * phase: producer CPU (the sending thread's own CPU time, and the producer's I/O thread, which closes and so
 * finishes compressing each batch), the whole process's CPU (the in-process broker, which decompresses every batch
 * to validate it, included), the producer's {@code outgoing-byte-total} and the topic's log size on the broker over
 * the measured records, and Kafka's {@code compression-rate-avg}.
 *
 * <p><b>Rounds.</b> Every codec once per round, the order rotated from round to round (3 rounds; smoke 1), so a
 * drift of the shared machine hits every codec; the report gives medians and each codec's ratio to the default
 * codec (lz4) measured in the same run, and the spread across rounds, which is the machine's noise. Nothing is
 * asserted on the figures; the verdict says whether another codec is both cheaper and smaller than the default.
 */
public final class CompressionBenchmark {

    /** Kafka's codecs, in report order. */
    static final List<String> CODECS = List.of("none", "gzip", "snappy", "lz4", "zstd");

    private static final String NAME = "compression";
    /** Per instrument, as quote-throughput samples them: no exact repeat within a full batch. */
    private static final int SAMPLED_QUOTES_PER_INSTRUMENT = 64;
    /** 10 moves (40 ticks) per instrument per second: a busy, not a flooded, feed, as a bridge sees it. */
    private static final double SAMPLING_MOVES_PER_SECOND = 10;
    /** The rate of the steady load, the middle rate of quote-latency and the memory scenario's. */
    private static final int PACED_RATE = 10_000;
    private static final long ADMIN_TIMEOUT_SECONDS = 30;
    /** How often a wait on a latch looks at the watchdog and the sender. */
    private static final long LOOK_MILLIS = 200;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private CompressionBenchmark() {
    }

    /**
     * One load: {@code rate} records a second (0: as fast as send() accepts); {@code warmUp} records, then the
     * {@code records} measured.
     */
    private record Load(String name, String id, int rate, long warmUp, long records) {
    }

    /** What one codec measured in one round at one load. */
    private record Phase(Load load, int round, String codec, long elapsedNanos, long sendingThreadNanos,
                         long producerIoNanos, long processNanos, double wireBytes, long logBytes,
                         double compressionRate) {

        double perSecond() {
            return load.records() * 1e9 / elapsedNanos;
        }

        /** CPU µs per record of the producer's side: the thread calling send() and the producer's I/O thread. */
        double producerMicros() {
            return micros(sendingThreadNanos + producerIoNanos);
        }

        double sendingThreadMicros() {
            return micros(sendingThreadNanos);
        }

        double producerIoMicros() {
            return micros(producerIoNanos);
        }

        double processMicros() {
            return micros(processNanos);
        }

        double wireBytesPerRecord() {
            return wireBytes / load.records();
        }

        double logBytesPerRecord() {
            return (double) logBytes / load.records();
        }

        private double micros(long nanos) {
            return nanos / 1e3 / load.records();
        }
    }

    /** Sampling, then 3 rounds of every codec at both loads (smoke: 1 round of small counts). */
    public static Report run(BenchStack stack, BenchMode mode) throws Exception {
        int instruments = mode.pick(100, 10);
        int rounds = mode.pick(3, 1);
        List<Load> loads = List.of(
                new Load("full speed", "full", 0, mode.pick(150_000L, 5_000L), mode.pick(600_000L, 20_000L)),
                new Load(String.format(Locale.ROOT, "%,d/s", PACED_RATE), "paced", PACED_RATE,
                        mode.pick(10_000L, 500L), mode.pick(50_000L, 2_000L)));
        String run = "cz" + Long.toString(System.currentTimeMillis(), 36);
        // The bridge's own default, not a copy of it.
        String defaultCodec = stack.kafkaSettings(run, k -> k).compression();

        int perInstrument = mode.pick(SAMPLED_QUOTES_PER_INSTRUMENT, 16);
        QuotePayloads payloads = sample(stack, mode, run + "-sample", instruments, perInstrument);
        List<Phase> phases = new ArrayList<>();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
            int brokerId = admin.describeCluster().nodes().get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                    .iterator().next().id();
            for (int round = 1; round <= rounds; round++) {
                for (Load load : loads) {
                    for (String codec : rotated(CODECS, round - 1)) {
                        phases.add(runPhase(stack, mode, admin, brokerId, run, load, round, codec, payloads));
                    }
                }
            }
        }
        return report(mode, instruments, perInstrument, rounds, loads, defaultCodec, payloads, phases);
    }

    /** {@code list} started at its {@code by}-th element (modulo its size), the ones before it moved to the end. */
    static List<String> rotated(List<String> list, int by) {
        int shift = Math.floorMod(by, list.size());
        List<String> out = new ArrayList<>(list.subList(shift, list.size()));
        out.addAll(list.subList(0, shift));
        return out;
    }

    // ---- the values -----------------------------------------------------------------------------------------------

    private static QuotePayloads sample(BenchStack stack, BenchMode mode, String prefix, int instruments,
                                        int perInstrument) throws Exception {
        String where = NAME + ", sampling the bridge's quotes";
        QuoteSampler sampler = new QuoteSampler(instruments, perInstrument);
        try (QuoteRig rig = QuoteRig.start(stack, prefix, instruments, SAMPLING_MOVES_PER_SECOND)) {
            String quotesTopic = rig.quotesTopic();
            rig.onAcks(new PublishObserver() {
                @Override
                public void acknowledged(String topic, long elapsedNanos) {
                    // only the variant with the record is used
                }

                @Override
                public void acknowledged(String topic, SpecificRecord value, long sentAtNanos, long ackedAtNanos) {
                    if (topic.equals(quotesTopic) && sampler.wanted()) {
                        sampler.offer((Quote) value);
                    }
                }
            });
            rig.subscribeAll(stack, mode, where);
            sampler.start();
            mode.watchdog(where).watch("quote sampled", sampler::size)
                    .status(() -> sampler.size() + " of " + instruments * perInstrument + " sampled")
                    .await(sampler::full);
            return QuotePayloads.of(sampler.quotes(), QuoteRig.registryClient(stack), quotesTopic);
        }
    }

    // ---- one codec at one load ------------------------------------------------------------------------------------

    private static Phase runPhase(BenchStack stack, BenchMode mode, Admin admin, int brokerId, String run, Load load,
                                  int round, String codec, QuotePayloads payloads) throws Exception {
        String where = String.format(Locale.ROOT, "%s %s at %s, round %d", NAME, codec, load.name(), round);
        String prefix = run + "-" + codec + "-" + load.id() + "-" + round;
        KafkaSettings settings = stack.kafkaSettings(prefix, k -> k.compression(codec));
        String topic = settings.topic(Topic.QUOTES);
        String clientId = prefix + "-producer";
        long total = load.warmUp() + load.records();
        AtomicLong completed = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong endedAt = new AtomicLong();
        CountDownLatch warmedUp = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        CountDownLatch measure = new CountDownLatch(1);
        AtomicLong sendingThreadNanos = new AtomicLong(-1);
        AtomicReference<Throwable> senderFailure = new AtomicReference<>();
        Callback onAck = (metadata, error) -> {
            if (error != null) {
                failed.incrementAndGet();
            }
            long n = completed.incrementAndGet();
            if (n == load.warmUp()) {
                warmedUp.countDown();
            } else if (n == total) {
                endedAt.set(System.nanoTime());
                done.countDown();
            }
        };
        try (KafkaProducer<byte[], byte[]> producer = QuoteRig.baselineProducer(stack, settings, topic, clientId,
                payloads, mode.watchdog(where + ", first record on each partition"))) {
            Sender sends = new Sender(producer, topic, payloads, load.rate(), onAck);
            Thread sender = new Thread(() -> {
                try {
                    sends.send(load.warmUp());
                    measure.await();
                    long before = THREADS.getCurrentThreadCpuTime();
                    long inSendBefore = sends.cpuInSendNanos();
                    sends.send(load.records());
                    // Paced, the thread spends most of its time on the pacing: only its time in send() counts.
                    sendingThreadNanos.set(load.rate() > 0 ? sends.cpuInSendNanos() - inSendBefore
                            : THREADS.getCurrentThreadCpuTime() - before);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException | Error e) {
                    senderFailure.set(e);
                }
            }, "bench-sender");
            ProgressWatchdog watchdog = mode.watchdog(where).watch("acknowledgement", completed::get)
                    .status(() -> String.format(Locale.ROOT, "sent %,d, completed %,d, failed %,d%s", sends.sent(),
                            completed.get(), failed.get(), senderFailure.get() == null ? ""
                                    : "; the sender failed: " + senderFailure.get()));
            sender.start();
            try {
                await(warmedUp, watchdog, senderFailure);
                ThreadCpu cpuBefore = ThreadCpu.snapshot();
                double wireBefore = ProducerMetrics.outgoingBytes(clientId);
                long logBefore = logBytes(admin, brokerId, topic);
                long start = System.nanoTime();
                measure.countDown();
                await(done, watchdog, senderFailure);
                ThreadCpu cpuAfter = ThreadCpu.snapshot();
                double wireAfter = ProducerMetrics.outgoingBytes(clientId);
                long logAfter = logBytes(admin, brokerId, topic);
                ProducerMetrics metrics = ProducerMetrics.of(clientId);
                watchdog.await(() -> !sender.isAlive()); // its last send() has returned: its CPU time is set
                if (failed.get() > 0) {
                    throw new IllegalStateException(where + ": " + failed.get() + " of " + total + " sends failed");
                }
                Map<String, Long> cpu = cpuAfter.nanosSince(cpuBefore);
                return new Phase(load, round, codec, endedAt.get() - start, sendingThreadNanos.get(),
                        cpu.get(ThreadCpu.PRODUCER_IO), cpu.getOrDefault(ThreadCpu.PROCESS, -1L),
                        wireAfter - wireBefore, logAfter - logBefore, metrics.compressionRate());
            } finally {
                measure.countDown();
                QuoteRig.endSender(sender, producer);
            }
        }
    }

    /** Waits for {@code latch} while acknowledgements keep coming and the sender has not failed. */
    private static void await(CountDownLatch latch, ProgressWatchdog watchdog, AtomicReference<Throwable> senderFailure)
            throws InterruptedException {
        // The latch, not the watchdog's 200 ms looks, ends the wait: the measured window starts and ends on time.
        while (!latch.await(LOOK_MILLIS, TimeUnit.MILLISECONDS)) {
            if (senderFailure.get() != null) {
                throw new IllegalStateException("the sender failed", senderFailure.get());
            }
            watchdog.check();
        }
    }

    /** The size of {@code topic}'s log on the broker, all partitions. */
    private static long logBytes(Admin admin, int brokerId, String topic) throws Exception {
        Map<String, LogDirDescription> dirs = admin.describeLogDirs(List.of(brokerId)).allDescriptions()
                .get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS).get(brokerId);
        long bytes = 0;
        for (LogDirDescription dir : dirs.values()) {
            for (Map.Entry<TopicPartition, ReplicaInfo> replica : dir.replicaInfos().entrySet()) {
                if (replica.getKey().topic().equals(topic)) {
                    bytes += replica.getValue().size();
                }
            }
        }
        return bytes;
    }

    /**
     * Sends the payloads in turn, from where the last call stopped; at {@code rate} records a second evenly spaced
     * (each record due {@code 1/rate} s after the one before; the loop parks until the next is due and, waking
     * late, sends what has come due), or as fast as {@code send} accepts when the rate is 0. Paced, it also sums
     * the thread's CPU time inside {@code send} ({@link #cpuInSendNanos}): the thread's own total is then mostly
     * parking and waking, which the bridge's event loop, busy with other work between two quotes, does not pay
     * per record. Called by one thread.
     */
    private static final class Sender {
        private final KafkaProducer<byte[], byte[]> producer;
        private final String topic;
        private final byte[][] keys;
        private final byte[][] values;
        private final int rate;
        private final Callback onAck;
        private final AtomicLong sent = new AtomicLong();
        private int next;
        private long cpuInSend;

        Sender(KafkaProducer<byte[], byte[]> producer, String topic, QuotePayloads payloads, int rate,
               Callback onAck) {
            this.producer = producer;
            this.topic = topic;
            this.keys = payloads.keys();
            this.values = payloads.values();
            this.rate = rate;
            this.onAck = onAck;
        }

        void send(long count) {
            long start = System.nanoTime();
            for (long k = 0; k < count; ) {
                if (rate > 0) {
                    long now = System.nanoTime();
                    long due = start + (long) (k * 1e9 / rate);
                    if (now < due) {
                        LockSupport.parkNanos(due - now);
                        continue;
                    }
                }
                if (rate > 0) {
                    long before = THREADS.getCurrentThreadCpuTime();
                    producer.send(new ProducerRecord<>(topic, null, keys[next], values[next]), onAck);
                    cpuInSend += THREADS.getCurrentThreadCpuTime() - before;
                } else {
                    producer.send(new ProducerRecord<>(topic, null, keys[next], values[next]), onAck);
                }
                next = next + 1 == keys.length ? 0 : next + 1;
                k++;
                sent.lazySet(sent.get() + 1); // only this thread writes it
            }
        }

        long sent() {
            return sent.get();
        }

        /** Only the sending thread reads it. */
        long cpuInSendNanos() {
            return cpuInSend;
        }
    }

    // ---- the report -----------------------------------------------------------------------------------------------

    private static Report report(BenchMode mode, int instruments, int perInstrument, int rounds, List<Load> loads,
                                 String defaultCodec, QuotePayloads payloads, List<Phase> phases) {
        Report report = new Report(NAME, "Compression: producer CPU and bytes on the wire per quote, by codec")
                .smoke(mode.smoke())
                .note(String.format(Locale.ROOT, "Values: %,d Quote values the bridge published (%d instruments at "
                                + "%.0f price moves per instrument per second, the first %d acknowledged quotes of each), "
                                + "serialized as the bridge serializes them (mean %.1f bytes), under the bridge's keys, "
                                + "four per key in turn.", payloads.size(), instruments, SAMPLING_MOVES_PER_SECOND,
                        perInstrument, payloads.meanValueBytes()))
                .note(String.format(Locale.ROOT, "Per codec a producer with the bridge's producer settings "
                                + "(`Producers.config`: acks=all, idempotent, linger 5 ms, batch 128 KiB) but "
                                + "compression.type, each codec at Kafka's default level (the bridge sets none; lz4's "
                                + "default is its fast compressor), on a topic of its own; %d round(s), every codec once per round at "
                                + "each load, the order rotated each round. Loads: %s. The bridge's default is `%s`; "
                                + "the ratio columns divide by its figures (of the same round, or the medians).",
                        rounds, loads.stream().map(l -> String.format(Locale.ROOT, "%s (%,d warm-up records, then "
                                + "%,d measured)", l.name(), l.warmUp(), l.records())).collect(Collectors.joining(", ")),
                        defaultCodec))
                .note("*producer CPU µs/record*: CPU time of the thread calling send() (which appends to, and so "
                        + "compresses into, the open batch; at a paced load only its time inside send(), not the "
                        + "pacing's parking and waking) plus the producer's I/O thread (which closes each batch, "
                        + "finishing its compression, and sends it), per measured record. *whole process* adds the "
                        + "in-process broker, which decompresses every compressed batch to validate it, and GC and JIT. "
                        + "*wire bytes*: the producer's outgoing-byte-total (requests with their headers) over the "
                        + "measured records; *log bytes*: the growth of the topic's log on the broker. *compression "
                        + "rate*: Kafka's compression-rate-avg (compressed / uncompressed size of the batches). "
                        + "A consumer's decompression is not measured here.")
                .note(noise(phases, loads))
                .columns("load", "round", "codec", "records", "records/s", "producer CPU µs/record",
                        "sending thread µs/record", "producer I/O µs/record", "whole process CPU µs/record",
                        "wire bytes/record", "log bytes/record", "compression rate",
                        "producer CPU / " + defaultCodec, "wire bytes / " + defaultCodec,
                        "producer CPU spread across rounds");
        for (Load load : loads) {
            List<Phase> ofLoad = phases.stream().filter(p -> p.load().equals(load)).toList();
            for (Phase p : ofLoad) {
                Phase base = ofLoad.stream().filter(b -> b.round() == p.round() && b.codec().equals(defaultCodec))
                        .findFirst().orElseThrow();
                report.row(load.name(), String.valueOf(p.round()), p.codec(), load.records(), p.perSecond(),
                        p.producerMicros(), p.sendingThreadMicros(), p.producerIoMicros(), p.processMicros(),
                        p.wireBytesPerRecord(), p.logBytesPerRecord(), p.compressionRate(),
                        p.producerMicros() / base.producerMicros(),
                        p.wireBytesPerRecord() / base.wireBytesPerRecord(), "-");
            }
            for (String codec : CODECS) {
                Medians m = medians(ofLoad, codec);
                Medians base = medians(ofLoad, defaultCodec);
                report.row(load.name(), "median", codec, load.records(), m.perSecond(), m.producerMicros(),
                        m.sendingThreadMicros(), m.producerIoMicros(), m.processMicros(), m.wireBytes(),
                        m.logBytes(), m.compressionRate(), m.producerMicros() / base.producerMicros(),
                        m.wireBytes() / base.wireBytes(), String.format(Locale.ROOT, "%.0f %%", m.cpuSpread() * 100));
            }
            report.verdict(String.format(Locale.ROOT, "no codec both cheaper in producer CPU per quote and smaller on "
                            + "the wire than the default (`%s`) at %s (medians)", defaultCodec, load.name()),
                    measured(ofLoad, defaultCodec), undominated(ofLoad, defaultCodec));
        }
        return report;
    }

    /** The medians of one codec at one load, and the spread of its producer CPU across the rounds. */
    private record Medians(double perSecond, double producerMicros, double sendingThreadMicros,
                           double producerIoMicros, double processMicros, double wireBytes, double logBytes,
                           double compressionRate, double cpuSpread) {
    }

    private static Medians medians(List<Phase> ofLoad, String codec) {
        List<Phase> ofCodec = ofLoad.stream().filter(p -> p.codec().equals(codec)).toList();
        double cpu = median(ofCodec, Phase::producerMicros);
        return new Medians(median(ofCodec, Phase::perSecond), cpu, median(ofCodec, Phase::sendingThreadMicros),
                median(ofCodec, Phase::producerIoMicros), median(ofCodec, Phase::processMicros),
                median(ofCodec, Phase::wireBytesPerRecord), median(ofCodec, Phase::logBytesPerRecord),
                median(ofCodec, Phase::compressionRate), spread(ofCodec, Phase::producerMicros));
    }

    /** "lz4 0.91 µs, 31.2 B per quote; gzip 3.10 x the CPU, 0.81 x the bytes; ..." (medians). */
    private static String measured(List<Phase> ofLoad, String defaultCodec) {
        Medians base = medians(ofLoad, defaultCodec);
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%s %.2f µs CPU, %.1f B on the wire per quote",
                defaultCodec, base.producerMicros(), base.wireBytes()));
        for (String codec : CODECS) {
            if (!codec.equals(defaultCodec)) {
                Medians m = medians(ofLoad, codec);
                s.append(String.format(Locale.ROOT, "; %s x%.2f CPU, x%.2f bytes", codec,
                        m.producerMicros() / base.producerMicros(), m.wireBytes() / base.wireBytes()));
            }
        }
        return s.toString();
    }

    /** True when no other codec has both a lower median producer CPU and fewer median wire bytes per quote. */
    private static boolean undominated(List<Phase> ofLoad, String defaultCodec) {
        Medians base = medians(ofLoad, defaultCodec);
        return CODECS.stream().filter(c -> !c.equals(defaultCodec)).map(c -> medians(ofLoad, c))
                .noneMatch(m -> m.producerMicros() < base.producerMicros() && m.wireBytes() < base.wireBytes());
    }

    /** The machine's noise, as the widest spread across rounds of any codec's figures, per load. */
    private static String noise(List<Phase> phases, List<Load> loads) {
        List<String> parts = new ArrayList<>();
        for (Load load : loads) {
            List<Phase> ofLoad = phases.stream().filter(p -> p.load().equals(load)).toList();
            double cpu = 0;
            double bytes = 0;
            double rate = 0;
            for (String codec : CODECS) {
                List<Phase> ofCodec = ofLoad.stream().filter(p -> p.codec().equals(codec)).toList();
                cpu = Math.max(cpu, spread(ofCodec, Phase::producerMicros));
                bytes = Math.max(bytes, spread(ofCodec, Phase::wireBytesPerRecord));
                rate = Math.max(rate, spread(ofCodec, Phase::perSecond));
            }
            parts.add(String.format(Locale.ROOT, "at %s producer CPU per record up to %.0f %%, wire bytes per record "
                    + "up to %.1f %%, records/s up to %.0f %%", load.name(), cpu * 100, bytes * 100, rate * 100));
        }
        return "Noise, the widest spread across rounds of one codec's figure ((max - min) / median): "
                + String.join("; ", parts) + ". Differences smaller than that are not measured.";
    }

    /** (max - min) / median; 0 for a single round. */
    private static double spread(List<Phase> phases, ToDoubleFunction<Phase> figure) {
        double[] v = phases.stream().mapToDouble(figure).sorted().toArray();
        return v.length < 2 ? 0 : (v[v.length - 1] - v[0]) / median(phases, figure);
    }

    private static double median(List<Phase> phases, ToDoubleFunction<Phase> figure) {
        double[] v = phases.stream().mapToDouble(figure).sorted().toArray();
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}
