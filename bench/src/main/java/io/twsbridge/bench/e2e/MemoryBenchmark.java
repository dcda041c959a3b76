package io.twsbridge.bench.e2e;

import io.twsbridge.bench.support.BenchMode;
import io.twsbridge.bench.support.BenchStack;
import io.twsbridge.bench.support.ProgressWatchdog;
import io.twsbridge.bench.support.Report;
import io.twsbridge.schema.catalogue.Topic;
import io.twsbridge.sim.GatewaySimulator;
import io.twsbridge.sim.SimulatorConfig;
import io.twsbridge.sim.SimulatorProbe;
import io.twsbridge.testkit.BridgeProcess;
import io.twsbridge.testkit.PrometheusText;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Memory of the bridge under market data: resident set and heap of the production jar, run as its own JVM with
 * the JVM options docs/configuration.md recommends, while it streams 1,000 instruments at 10,000 ticks/s in total
 * (100 instruments at the same total rate in smoke mode).
 *
 * <p><b>Set-up.</b> The Gateway simulator knows exactly the subscribed symbols (S0001 ...) and moves each one
 * {@code 10,000 / 4 / instruments} times a second; a move is four tick messages (bid, ask, last, volume), so
 * 10,000 ticks/s in total. Two bridge processes (java -jar bridge/target/bridge.jar run) connect to it, each with
 * topics of its own: the <em>loaded</em> bridge gets one SubscribeQuotes command per instrument through its
 * commands topic, the <em>idle</em> bridge gets none and is the baseline (same JVM options, connected, READY, no
 * subscriptions), sampled at the same instants so that drift common to both (JIT, class loading) is visible.
 *
 * <p><b>Measured.</b> After the simulator lists every subscription and a warm-up of 30 s (2 s), the steady state
 * runs for 10 minutes (12 s in smoke mode). Every 10 s (2 s): VmRSS, VmHWM and Threads from /proc/&lt;pid&gt;/status,
 * the number of entries in /proc/&lt;pid&gt;/fd, and from the bridge's /metrics the heap used and committed,
 * non-heap used, direct buffers, the quotes published and shed, and the allocation and GC pause counters (which
 * show whether the heap is too small for the garbage the load makes). Every minute (6 s), a <em>checkpoint</em>:
 * the sample, then a full collection ({@code jcmd <pid> GC.run}) and the heap used right after it, which is the live
 * heap; the forced collection comes after the sample, so it never lowers the RSS that was sampled, and with a fixed
 * heap it gives no memory back to the system anyway. The achieved tick rate comes from the simulator's probe (ticks
 * queued for the bridge's socket), the quote rate from the bridge's own counter of records Kafka acknowledged.
 *
 * <p><b>Growth.</b> The run is cut into thirds; the mean RSS and the mean live heap of the first and the last
 * third are compared, and a least-squares slope (MiB per minute) over the whole run is reported beside them.
 * Growth is judged against a tolerance that allows for noise: {@value #RSS_TOLERANCE_MIB} MiB or
 * {@value #RSS_TOLERANCE_SHARE_PERCENT} % of RSS, and {@value #HEAP_TOLERANCE_MIB} MiB or
 * {@value #HEAP_TOLERANCE_SHARE_PERCENT} % of the live heap, whichever is larger.
 *
 * <p>System properties: {@code bench.bridgeJar} (default: bridge/target/bridge.jar of this repository),
 * {@code bench.memory.jvmOptions} (space-separated; default {@link #RECOMMENDED_JVM_OPTIONS}, to measure other
 * options against them), {@code bench.memory.steadySeconds} (a shorter or longer steady state).
 */
public final class MemoryBenchmark {

    /**
     * The JVM options docs/configuration.md ("JVM options") recommends for the bridge in production (see
     * {@link BridgeProcess#PRODUCTION_JVM_OPTIONS} for why each); the fixed heap is about five times the live heap
     * this scenario measures.
     */
    public static final List<String> RECOMMENDED_JVM_OPTIONS = BridgeProcess.PRODUCTION_JVM_OPTIONS;

    private static final double RSS_TARGET_MIB = 300;
    private static final double TOTAL_TICKS_PER_SECOND = 10_000;
    private static final int TICKS_PER_MOVE = 4;
    private static final int LOADED_CLIENT_ID = 17;
    private static final int IDLE_CLIENT_ID = 18;
    /** The bridge's default pace of Gateway requests; subscribing takes instruments / this many seconds. */
    private static final double GATEWAY_REQUESTS_PER_SECOND = 45;
    private static final double MIB = 1024.0 * 1024.0;
    static final int RSS_TOLERANCE_MIB = 10;
    static final int RSS_TOLERANCE_SHARE_PERCENT = 5;
    static final int HEAP_TOLERANCE_MIB = 2;
    static final int HEAP_TOLERANCE_SHARE_PERCENT = 5;
    /**
     * A timer's maximum in Micrometer covers a sliding window of at most this long (the Prometheus registry's step,
     * one minute by default, or the two-minute general default), so it can still hold pauses from start-up.
     */
    private static final int PAUSE_MAX_WINDOW_SECONDS = 120;
    /** The run counts as the scenario only if the simulator achieved this share of the nominal tick rate. */
    private static final double MIN_LOAD_SHARE = 0.9;

    private static final String NAME = "memory";
    /** The cause label of the collections {@code jcmd GC.run} forces; they are not the bridge's own. */
    private static final Map<String, String> FORCED_GC = Map.of("cause", "Diagnostic Command");
    private static final Duration GRACEFUL_STOP = Duration.ofSeconds(60);
    private static final int LOG_TAIL_LINES = 40;

    private MemoryBenchmark() {
    }

    /** Runs the scenario against {@code stack}; writes nothing itself. */
    public static Report run(BenchStack stack, BenchMode mode) throws Exception {
        Path jar = locateBridgeJar();
        List<String> jvmOptions = jvmOptions();
        int instruments = mode.pick(1000, 100);
        long steadySeconds = Long.getLong("bench.memory.steadySeconds", mode.pick(600L, 12L));
        long sampleEverySeconds = mode.pick(10L, 2L);
        // Each checkpoint runs jcmd (a JVM of its own) twice, which takes seconds on a busy machine: few in smoke mode.
        long checkpointEverySeconds = mode.pick(60L, 6L);
        long warmupSeconds = mode.pick(30L, 2L);
        double movesPerSecond = TOTAL_TICKS_PER_SECOND / TICKS_PER_MOVE / instruments;
        List<String> symbols = symbols(instruments);
        String runId = Long.toString(System.currentTimeMillis(), 36);
        Path workDir = Files.createTempDirectory("memory-bench-");
        LongAdder ticks = new LongAdder();
        List<BridgeProcess> bridges = new ArrayList<>();
        try (GatewaySimulator sim = GatewaySimulator.start(SimulatorConfig.builder().ephemeralPorts().adminPort(-1)
                .symbols(symbols).tickRate(movesPerSecond).build())) {
            sim.setProbe(new SimulatorProbe() {
                @Override
                public void ticksQueued(long connectionId, int reqId, String symbol, int count, long nanoTime) {
                    ticks.add(count);
                }
            });
            String loadedPrefix = "memory-" + runId;
            BridgeProcess loaded = BridgeProcess.runJar(jar,
                    bridgeProperties(stack, sim, loadedPrefix, LOADED_CLIENT_ID, instruments), workDir, "loaded")
                    .jvmOptions(jvmOptions).start();
            bridges.add(loaded);
            // One after the other through schema registration: the registry has refused (HTTP 409) a new subject
            // while another bridge registered the same schema under its own subject at the same moment.
            loaded.awaitManagement(Duration.ofSeconds(120));
            BridgeProcess idle = BridgeProcess.runJar(jar,
                    bridgeProperties(stack, sim, "memory-idle-" + runId, IDLE_CLIENT_ID, instruments), workDir, "idle")
                    .jvmOptions(jvmOptions).start();
            bridges.add(idle);
            loaded.awaitReady(Duration.ofSeconds(120));
            idle.awaitReady(Duration.ofSeconds(120));
            long subscribeStart = System.nanoTime();
            StrategyCommands.forTopic(QuoteRig.registryClient(stack), loadedPrefix + "." + Topic.COMMANDS.defaultName())
                    .subscribeAll(stack, "memory-subscribe-", symbols, mode.watchdog(NAME + ", subscribing"));
            awaitSubscriptions(sim, instruments, loaded, mode.watchdog(NAME + ", subscribing"));
            double subscribeSeconds = (System.nanoTime() - subscribeStart) / 1e9;
            sleepSeconds(warmupSeconds);
            Run result = measure(loaded, idle, ticks, loadedPrefix, steadySeconds, sampleEverySeconds,
                    checkpointEverySeconds, mode.watchdog(NAME + ", steady state"));
            String effectiveFlags = effectiveFlags(loaded);
            long stopStart = System.nanoTime();
            BridgeProcess.stopAll(bridges, GRACEFUL_STOP);
            double stopSeconds = (System.nanoTime() - stopStart) / 1e9;
            return report(mode, result, new Setup(jvmOptions, effectiveFlags, instruments, movesPerSecond,
                    subscribeSeconds, warmupSeconds, stopSeconds));
        } finally {
            BridgeProcess.stopAll(bridges, GRACEFUL_STOP);
            deleteRecursively(workDir);
        }
    }

    /** How the run went apart from the samples, for the report. */
    private record Setup(List<String> jvmOptions, String effectiveFlags, int instruments, double movesPerSecond,
                         double subscribeSeconds, long warmupSeconds, double stopSeconds) {
    }

    // ---------------------------------------------------------------------------------------------------------
    // The scenario

    private static List<String> symbols(int count) {
        List<String> symbols = new ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            symbols.add(String.format(Locale.ROOT, "S%04d", i));
        }
        return symbols;
    }

    /** A bridge configuration file against the stack and the simulator, every topic under {@code prefix}. */
    private static Properties bridgeProperties(BenchStack stack, GatewaySimulator sim, String prefix, int clientId,
                                               int lineLimit) {
        Properties p = new Properties();
        p.setProperty("bridge.id", prefix + "-bridge");
        p.setProperty("gateway.host", "127.0.0.1");
        p.setProperty("gateway.port", Integer.toString(sim.apiPort()));
        p.setProperty("gateway.client-id", Integer.toString(clientId));
        p.setProperty("gateway.zombie-probe", "off");
        p.setProperty("kafka.bootstrap.servers", stack.bootstrapServers());
        p.setProperty("kafka.command-group-id", prefix + "-commands");
        p.setProperty("registry.url", stack.registryUrl());
        for (Topic t : Topic.values()) {
            p.setProperty("topics." + t.name().toLowerCase(Locale.ROOT).replace('_', '-'), prefix + "." + t.defaultName());
        }
        p.setProperty("topics.subscriptions", prefix + ".ib.subscriptions");
        p.setProperty("topics.order-journal", prefix + ".ib.order-journal");
        p.setProperty("market-data.line-limit", Integer.toString(lineLimit));
        p.setProperty("http.host", "127.0.0.1");
        p.setProperty("http.port", "0");
        return p;
    }

    /**
     * Waits until the simulator lists {@code expected} subscriptions of the loaded bridge, for as long as they keep
     * coming (the bridge requests them at its pace of 45 a second).
     */
    private static void awaitSubscriptions(GatewaySimulator sim, int expected, BridgeProcess loaded,
                                           ProgressWatchdog watchdog) throws InterruptedException {
        LongSupplier count = () -> sim.state().subscriptions().stream().filter(s -> s.clientId() == LOADED_CLIENT_ID)
                .count();
        watchdog.watch("subscription listed by the simulator", count)
                .status(() -> count.getAsLong() + " of " + expected + " subscribed; bridge status: "
                        + statusJson(loaded) + "\n" + loaded.logTail(LOG_TAIL_LINES))
                .await(() -> {
                    loaded.checkAlive();
                    return count.getAsLong() >= expected;
                });
    }

    // ---------------------------------------------------------------------------------------------------------
    // Measuring

    /** What a bridge process looks like at one instant; sizes in bytes, NaN where a value was not available. */
    private record Sample(double seconds, double rss, double peakRss, int threads, int fds, double heapUsed,
                          double heapCommitted, double nonHeapUsed, double directBuffers, double quotesPublished,
                          double quotesShed, double ticks, double allocated, double gcPauses, double gcPauseSeconds,
                          double longestGcPause) {
    }

    /** The heap used right after a forced full collection. */
    private record Checkpoint(double seconds, double liveHeap) {
    }

    private record Series(List<Sample> samples, List<Checkpoint> checkpoints) {
        Sample first() {
            return samples.get(0);
        }

        Sample last() {
            return samples.get(samples.size() - 1);
        }
    }

    private record Run(Series loaded, Series idle) {
    }

    /**
     * Samples both bridges for {@code steadySeconds}; the loaded bridge's published quotes (its /metrics, at each
     * sample) and the simulator's ticks must keep moving for {@code watchdog}.
     */
    private static Run measure(BridgeProcess loaded, BridgeProcess idle, LongAdder ticks, String loadedPrefix,
                               long steadySeconds, long sampleEverySeconds, long checkpointEverySeconds,
                               ProgressWatchdog watchdog) throws Exception {
        String quotesTopic = loadedPrefix + "." + Topic.QUOTES.defaultName();
        Series loadedSeries = new Series(new ArrayList<>(), new ArrayList<>());
        Series idleSeries = new Series(new ArrayList<>(), new ArrayList<>());
        LongSupplier published = () -> loadedSeries.samples().isEmpty() ? 0
                : (long) loadedSeries.last().quotesPublished();
        watchdog.watch("quote published by the loaded bridge", published).watch("tick queued by the simulator",
                ticks::sum).status(() -> String.format(Locale.ROOT, "ticks queued %,d, quotes published %,d (at the "
                + "last sample); bridge status: %s", ticks.sum(), published.getAsLong(), statusJson(loaded)));
        long start = System.nanoTime();
        for (long at = 0; at <= steadySeconds; at += sampleEverySeconds) {
            long due = start + TimeUnit.SECONDS.toNanos(at);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait); // the sampling clock, not a synchronisation
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            loadedSeries.samples().add(sample(loaded, seconds, quotesTopic, ticks.sum()));
            idleSeries.samples().add(sample(idle, seconds, quotesTopic, 0));
            watchdog.check();
            if (at % checkpointEverySeconds == 0 || at + sampleEverySeconds > steadySeconds) {
                loadedSeries.checkpoints().add(new Checkpoint(seconds, liveHeapAfterFullGc(loaded)));
                idleSeries.checkpoints().add(new Checkpoint(seconds, liveHeapAfterFullGc(idle)));
            }
        }
        return new Run(loadedSeries, idleSeries);
    }

    /** One sample of {@code bridge}: /proc for the process, its /metrics for the JVM and the bridge. */
    private static Sample sample(BridgeProcess bridge, double seconds, String quotesTopic, double ticks)
            throws IOException, InterruptedException {
        bridge.checkAlive();
        Map<String, String> status = procStatus(bridge.pid());
        int fds;
        try (Stream<Path> entries = Files.list(Path.of("/proc", Long.toString(bridge.pid()), "fd"))) {
            fds = (int) entries.count();
        }
        PrometheusText metrics = metrics(bridge);
        return new Sample(seconds, kib(status.get("VmRSS")), kib(status.get("VmHWM")),
                Integer.parseInt(status.get("Threads").trim()), fds,
                sum(metrics.samplesWith("jvm_memory_used_bytes", Map.of("area", "heap"))),
                sum(metrics.samplesWith("jvm_memory_committed_bytes", Map.of("area", "heap"))),
                sum(metrics.samplesWith("jvm_memory_used_bytes", Map.of("area", "nonheap"))),
                sum(metrics.samplesWith("jvm_buffer_memory_used_bytes", Map.of("id", "direct"))),
                sum(metrics.samplesWith("tws_bridge_events_published_total", Map.of("topic", quotesTopic))),
                sum(metrics.samplesWith("tws_bridge_quotes_shed_total", Map.of())), ticks,
                sum(metrics.samplesWith("jvm_gc_memory_allocated_bytes_total", Map.of())),
                sum(notForced(metrics.samplesWith("jvm_gc_pause_seconds_count", Map.of()))),
                sum(notForced(metrics.samplesWith("jvm_gc_pause_seconds_sum", Map.of()))),
                notForced(metrics.samplesWith("jvm_gc_pause_seconds_max", Map.of())).stream()
                        .mapToDouble(PrometheusText.Sample::value).max().orElse(Double.NaN));
    }

    /** A full collection, then the heap used: the live heap. */
    private static double liveHeapAfterFullGc(BridgeProcess bridge) throws IOException, InterruptedException {
        bridge.jcmd("GC.run");
        return sum(metrics(bridge).samplesWith("jvm_memory_used_bytes", Map.of("area", "heap")));
    }

    /** The heap and collector flags the JVM ended up with (from {@code jcmd VM.flags}). */
    private static String effectiveFlags(BridgeProcess bridge) throws IOException, InterruptedException {
        return Arrays.stream(bridge.jcmd("VM.flags").split("\\s+"))
                .filter(f -> f.matches("-XX:[+]Use\\w+GC") || f.startsWith("-XX:MaxHeapSize=")
                        || f.startsWith("-XX:InitialHeapSize=") || f.startsWith("-XX:MinHeapSize="))
                .collect(Collectors.joining(" "));
    }

    private static String statusJson(BridgeProcess bridge) {
        return bridge.bodyOr("/status", "(no answer)");
    }

    /** The samples of a scrape alone: judging the exposition is the bridge's tests' work, not the benchmark's. */
    private static PrometheusText metrics(BridgeProcess bridge) throws IOException, InterruptedException {
        return PrometheusText.parseSamples(bridge.scrapeMetrics());
    }

    /** The sum of the samples; NaN if there is none, so that a missing metric shows as such in the report. */
    private static double sum(List<PrometheusText.Sample> samples) {
        return samples.isEmpty() ? Double.NaN : samples.stream().mapToDouble(PrometheusText.Sample::value).sum();
    }

    private static List<PrometheusText.Sample> notForced(List<PrometheusText.Sample> samples) {
        return samples.stream().filter(s -> !s.hasLabels(FORCED_GC)).toList();
    }

    private static Map<String, String> procStatus(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(l -> l.indexOf(':') > 0)
                .collect(Collectors.toMap(l -> l.substring(0, l.indexOf(':')), l -> l.substring(l.indexOf(':') + 1),
                        (a, b) -> a));
    }

    private static double kib(String value) {
        return value == null ? Double.NaN : Double.parseDouble(value.trim().split("\\s+")[0]) * 1024;
    }

    // ---------------------------------------------------------------------------------------------------------
    // The report

    private static Report report(BenchMode mode, Run run, Setup setup) {
        List<String> jvmOptions = setup.jvmOptions();
        Series loaded = run.loaded();
        Series idle = run.idle();
        double total = loaded.last().seconds() - loaded.first().seconds();
        double minutes = total / 60;
        double ticksPerSecond = (loaded.last().ticks() - loaded.first().ticks()) / total;
        double quotesPerSecond = (loaded.last().quotesPublished() - loaded.first().quotesPublished()) / total;
        double shed = loaded.last().quotesShed() - loaded.first().quotesShed();

        Report report = new Report(NAME, "Memory under market data").smoke(mode.smoke())
                .note(String.format(Locale.ROOT, "%,d instruments subscribed through SubscribeQuotes commands (%.1f s "
                                + "to subscribe at the bridge's %.0f Gateway requests/s), each moving %.2f times a second (4 "
                                + "tick messages a move: %,.0f ticks/s nominal), then %d s warm-up and %.1f min of steady "
                                + "state. The bridge is the production jar in its own JVM; the idle bridge is a second "
                                + "process with the same options, connected and READY with no subscriptions, sampled at "
                                + "the same instants.",
                        setup.instruments(), setup.subscribeSeconds(), GATEWAY_REQUESTS_PER_SECOND,
                        setup.movesPerSecond(), TOTAL_TICKS_PER_SECOND, setup.warmupSeconds(), minutes))
                .note("JVM options: `" + String.join(" ", jvmOptions) + "`"
                        + (jvmOptions.equals(RECOMMENDED_JVM_OPTIONS) ? " (the ones docs/configuration.md recommends)"
                        : " (**not** the recommended ones: " + String.join(" ", RECOMMENDED_JVM_OPTIONS) + ")")
                        + ". Effective: `" + setup.effectiveFlags() + "`.")
                .note("RSS is VmRSS, peak RSS is VmHWM (the high-water mark since the JVM started, start-up and "
                        + "subscribing included). Live heap is the heap used right after `jcmd <pid> GC.run` (a full "
                        + "collection), taken at each checkpoint after the other values were sampled. Thirds: the mean of "
                        + "the samples in the first and last third of the steady state; slope: least squares over the "
                        + "whole steady state. MiB = 2^20 bytes.")
                .columns("measure", "idle bridge, start", "idle bridge, end", "bridge, start", "bridge, end",
                        "bridge, first third", "bridge, last third", "bridge slope per min");
        seriesRow(report, "RSS MiB", loaded, idle, Sample::rss, MIB);
        report.row("peak RSS (VmHWM) MiB", idle.first().peakRss() / MIB, idle.last().peakRss() / MIB,
                loaded.first().peakRss() / MIB, loaded.last().peakRss() / MIB, Double.NaN, Double.NaN, Double.NaN);
        checkpointRow(report, loaded, idle, total);
        seriesRow(report, "heap used MiB (sampled, before GC)", loaded, idle, Sample::heapUsed, MIB);
        seriesRow(report, "heap committed MiB", loaded, idle, Sample::heapCommitted, MIB);
        seriesRow(report, "non-heap used MiB", loaded, idle, Sample::nonHeapUsed, MIB);
        seriesRow(report, "direct buffers MiB", loaded, idle, Sample::directBuffers, MIB);
        seriesRow(report, "threads", loaded, idle, Sample::threads, 1);
        seriesRow(report, "open fds", loaded, idle, Sample::fds, 1);
        report.row("ticks/s to the bridge (simulator)", 0.0, 0.0, Double.NaN, ticksPerSecond, Double.NaN, Double.NaN,
                Double.NaN);
        report.row("quotes/s published (Kafka acks)", 0.0, 0.0, Double.NaN, quotesPerSecond, Double.NaN, Double.NaN,
                Double.NaN);
        report.row("quotes shed", 0.0, 0.0, Double.NaN, shed, Double.NaN, Double.NaN, Double.NaN);
        report.row("allocation MiB/s", rate(idle, Sample::allocated) / MIB, Double.NaN,
                rate(loaded, Sample::allocated) / MIB, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        report.row("GC pauses/s (not the forced ones)", rate(idle, Sample::gcPauses), Double.NaN,
                rate(loaded, Sample::gcPauses), Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        report.row("longest GC pause ms (not the forced ones)", longestPause(idle) * 1000, Double.NaN,
                longestPause(loaded) * 1000, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        report.row("GC pause time % (not the forced ones)", rate(idle, Sample::gcPauseSeconds) * 100, Double.NaN,
                rate(loaded, Sample::gcPauseSeconds) * 100, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        report.note(timeline(loaded, idle));
        report.note(String.format(Locale.ROOT, "Rates (ticks, quotes, allocation, GC) are over the whole steady state "
                + "and sit in the end columns. The longest GC pause is Micrometer's maximum over its last %d s, so only "
                + "samples from %d s into the steady state on count (none in smoke mode). After the run both bridges got SIGTERM at once and had stopped %.1f s "
                + "later (the loaded one cancels its %,d subscriptions at the Gateway pace).", PAUSE_MAX_WINDOW_SECONDS,
                PAUSE_MAX_WINDOW_SECONDS, setup.stopSeconds(), setup.instruments()));

        double peakMib = maxOf(loaded.samples(), Sample::peakRss) / MIB;
        report.verdict("Bridge RSS <= 300 MB under the memory scenario (peak VmHWM, 1 MB taken as 1 MiB)",
                String.format(Locale.ROOT, "peak %.1f MiB (%.1f MB); %.1f MiB at the end; idle bridge %.1f MiB",
                        peakMib, peakMib * MIB / 1e6, loaded.last().rss() / MIB, idle.last().rss() / MIB),
                peakMib <= RSS_TARGET_MIB);
        double rssFirst = thirdMean(loaded.samples(), Sample::seconds, Sample::rss, total, true) / MIB;
        double rssLast = thirdMean(loaded.samples(), Sample::seconds, Sample::rss, total, false) / MIB;
        double rssTolerance = Math.max(RSS_TOLERANCE_MIB, rssFirst * RSS_TOLERANCE_SHARE_PERCENT / 100.0);
        report.verdict("No growth over the run: RSS",
                String.format(Locale.ROOT, "first third %.1f MiB, last third %.1f MiB (%+.1f MiB; tolerance "
                                + "%.1f MiB); slope %+.2f MiB/min", rssFirst, rssLast, rssLast - rssFirst, rssTolerance,
                        slopePerMinute(loaded.samples(), Sample::seconds, Sample::rss) / MIB),
                rssLast - rssFirst <= rssTolerance);
        double heapFirst = thirdMean(loaded.checkpoints(), Checkpoint::seconds, Checkpoint::liveHeap,
                total, true) / MIB;
        double heapLast = thirdMean(loaded.checkpoints(), Checkpoint::seconds, Checkpoint::liveHeap,
                total, false) / MIB;
        double heapTolerance = Math.max(HEAP_TOLERANCE_MIB, heapFirst * HEAP_TOLERANCE_SHARE_PERCENT / 100.0);
        report.verdict("No growth over the run: live heap (after a full GC)",
                String.format(Locale.ROOT, "first third %.1f MiB, last third %.1f MiB (%+.1f MiB; tolerance "
                                + "%.1f MiB); slope %+.2f MiB/min", heapFirst, heapLast, heapLast - heapFirst, heapTolerance,
                        slopePerMinute(loaded.checkpoints(), Checkpoint::seconds, Checkpoint::liveHeap) / MIB),
                heapLast - heapFirst <= heapTolerance);
        report.verdict("The run is the scenario: >= 90 % of 10,000 ticks/s reached the bridge, no quote shed",
                String.format(Locale.ROOT, "%,.0f ticks/s, %,.0f quotes/s, %,.0f shed", ticksPerSecond, quotesPerSecond,
                        shed),
                ticksPerSecond >= TOTAL_TICKS_PER_SECOND * MIN_LOAD_SHARE && shed == 0);
        return report;
    }

    /** The longest pause in the steady state: samples whose maximum window lies wholly inside it. */
    private static double longestPause(Series series) {
        return series.samples().stream().filter(s -> s.seconds() >= PAUSE_MAX_WINDOW_SECONDS)
                .mapToDouble(Sample::longestGcPause).max().orElse(Double.NaN);
    }

    /** Per second over the steady state, for a value that only grows. */
    private static double rate(Series series, ToDoubleFunction<Sample> counter) {
        return (counter.applyAsDouble(series.last()) - counter.applyAsDouble(series.first()))
                / (series.last().seconds() - series.first().seconds());
    }

    private static void seriesRow(Report report, String name, Series loaded, Series idle,
                                  ToDoubleFunction<Sample> value, double unit) {
        double seconds = loaded.last().seconds() - loaded.first().seconds();
        report.row(name, value.applyAsDouble(idle.first()) / unit, value.applyAsDouble(idle.last()) / unit,
                value.applyAsDouble(loaded.first()) / unit, value.applyAsDouble(loaded.last()) / unit,
                thirdMean(loaded.samples(), Sample::seconds, value, seconds, true) / unit,
                thirdMean(loaded.samples(), Sample::seconds, value, seconds, false) / unit,
                slopePerMinute(loaded.samples(), Sample::seconds, value) / unit);
    }

    private static void checkpointRow(Report report, Series loaded, Series idle, double seconds) {
        List<Checkpoint> l = loaded.checkpoints();
        List<Checkpoint> i = idle.checkpoints();
        report.row("live heap MiB (after a full GC)", i.get(0).liveHeap() / MIB, i.get(i.size() - 1).liveHeap() / MIB,
                l.get(0).liveHeap() / MIB, l.get(l.size() - 1).liveHeap() / MIB,
                thirdMean(l, Checkpoint::seconds, Checkpoint::liveHeap, seconds, true) / MIB,
                thirdMean(l, Checkpoint::seconds, Checkpoint::liveHeap, seconds, false) / MIB,
                slopePerMinute(l, Checkpoint::seconds, Checkpoint::liveHeap) / MIB);
    }

    /** Every sample as a markdown table, so growth can be seen, not only judged. */
    private static String timeline(Series loaded, Series idle) {
        StringBuilder t = new StringBuilder("Samples (MiB; live heap at checkpoints only):\n\n"
                + "| s | RSS | VmHWM | heap used | heap committed | live heap | threads | fds | idle RSS | idle live heap |\n"
                + "|---|---|---|---|---|---|---|---|---|---|\n");
        for (int k = 0; k < loaded.samples().size(); k++) {
            Sample s = loaded.samples().get(k);
            Sample i = idle.samples().get(k);
            t.append(String.format(Locale.ROOT, "| %.0f | %.1f | %.1f | %.1f | %.1f | %s | %d | %d | %.1f | %s |\n",
                    s.seconds(), s.rss() / MIB, s.peakRss() / MIB, s.heapUsed() / MIB, s.heapCommitted() / MIB,
                    liveHeapAt(loaded, s.seconds()), s.threads(), s.fds(), i.rss() / MIB,
                    liveHeapAt(idle, i.seconds())));
        }
        return t.toString().stripTrailing();
    }

    private static String liveHeapAt(Series series, double seconds) {
        return series.checkpoints().stream().filter(c -> c.seconds() == seconds).findFirst()
                .map(c -> String.format(Locale.ROOT, "%.1f", c.liveHeap() / MIB)).orElse("");
    }

    private static <T> double thirdMean(List<T> points, ToDoubleFunction<T> seconds, ToDoubleFunction<T> value,
                                        double total, boolean firstThird) {
        return points.stream().filter(p -> firstThird ? seconds.applyAsDouble(p) <= total / 3
                        : seconds.applyAsDouble(p) >= total * 2 / 3)
                .mapToDouble(value).average().orElse(Double.NaN);
    }

    /** Least-squares slope of {@code value} over time, per minute. */
    private static <T> double slopePerMinute(List<T> points, ToDoubleFunction<T> seconds, ToDoubleFunction<T> value) {
        double meanX = points.stream().mapToDouble(seconds).average().orElse(Double.NaN);
        double meanY = points.stream().mapToDouble(value).average().orElse(Double.NaN);
        double covariance = 0;
        double variance = 0;
        for (T p : points) {
            double dx = seconds.applyAsDouble(p) - meanX;
            covariance += dx * (value.applyAsDouble(p) - meanY);
            variance += dx * dx;
        }
        return variance == 0 ? Double.NaN : covariance / variance * 60;
    }

    private static double maxOf(List<Sample> samples, ToDoubleFunction<Sample> value) {
        return samples.stream().mapToDouble(value).max().orElse(Double.NaN);
    }

    // ---------------------------------------------------------------------------------------------------------
    // The bridge jar and its JVM options

    /** bridge/target/bridge.jar of this repository (the bench runs from bench/), or {@code -Dbench.bridgeJar}. */
    static Path locateBridgeJar() {
        String configured = System.getProperty("bench.bridgeJar");
        List<Path> candidates = configured != null ? List.of(Path.of(configured))
                : List.of(Path.of("..", "bridge", "target", "bridge.jar"), Path.of("bridge", "target", "bridge.jar"));
        return candidates.stream().filter(Files::isRegularFile).findFirst().map(p -> p.toAbsolutePath().normalize())
                .orElseThrow(() -> new IllegalStateException("the production jar bridge.jar is missing (looked at "
                        + candidates.stream().map(p -> p.toAbsolutePath().normalize().toString())
                        .collect(Collectors.joining(", ")) + "); build it at the repository root with "
                        + "`mvn -B -q install -DskipTests -Dconformance.skip=true`, or name it with -Dbench.bridgeJar=<path>"));
    }

    private static List<String> jvmOptions() {
        String configured = System.getProperty("bench.memory.jvmOptions");
        if (configured == null || configured.isBlank()) {
            return RECOMMENDED_JVM_OPTIONS;
        }
        return Arrays.stream(configured.trim().split("\\s+")).toList();
    }

    private static void sleepSeconds(long seconds) throws InterruptedException {
        TimeUnit.SECONDS.sleep(seconds); // a warm-up period of the scenario, not a synchronisation
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
