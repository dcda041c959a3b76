package io.twsbridge.bench.jmh;

import io.twsbridge.bench.support.BenchMode;
import io.twsbridge.bench.support.Report;
import io.twsbridge.protocol.ServerVersion;
import java.io.File;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.Set;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.Version;

/**
 * Runs the JMH benchmarks of this package with the gc profiler and writes {@code results/<name>-raw.json} (JMH's own
 * JSON), and {@code results/<name>.md} and {@code .json} (benchmark, ops/s, ± error, B/op, and the verdicts on the
 * tick-decode target).
 *
 * <p>Defaults suit a 2-core shared machine: 3 warm-up and 5 measured iterations of 1 s, 1 fork, 1 thread. Override
 * with {@code -Dbench.jmh.warmup=N}, {@code -Dbench.jmh.measurement=N}, {@code -Dbench.jmh.forks=N} and narrow
 * with {@code -Dbench.jmh.include=<regex>}; the results directory is {@code -Dbench.results} (default
 * {@code results}).
 */
public final class JmhMain {

    private static final String ALLOC_NORM = "gc.alloc.rate.norm";
    /**
     * What "little beyond the resulting record" allows on top of the record's own bytes: room for one small
     * temporary (a boxed value or a short array), not one String per field.
     */
    private static final int ALLOCATION_SLACK_BYTES = 32;

    private JmhMain() {
    }

    /** {@code name} names the output files; {@code includes} are JMH include patterns (regexes). */
    public static void run(String name, List<String> includes) throws Exception {
        BenchMode mode = BenchMode.fromSystemProperties();
        Report report = run(name, includes, mode);
        report.write(mode.results());
        System.out.println();
        System.out.print(report.markdown());
        System.out.println();
        System.out.println("wrote " + mode.results().resolve(name + ".md").toAbsolutePath() + " and .json");
    }

    /**
     * Runs the benchmarks; JMH's own JSON goes to {@code <results>/<name>-raw.json}, the returned report holds the
     * table and the verdicts on the tick-decode target. Smoke mode: no warm-up, one 100 ms iteration, in this JVM.
     */
    public static Report run(String name, List<String> includes, BenchMode mode) throws Exception {
        exposeClassPathToForks();
        int warmup = mode.smoke() ? 0 : Integer.getInteger("bench.jmh.warmup", 3);
        int measurement = mode.smoke() ? 1 : Integer.getInteger("bench.jmh.measurement", 5);
        int forks = mode.smoke() ? 0 : Integer.getInteger("bench.jmh.forks", 1);
        TimeValue iteration = mode.smoke() ? TimeValue.milliseconds(100) : TimeValue.seconds(1);
        Files.createDirectories(mode.results());
        Path json = mode.results().resolve(name + "-raw.json").toAbsolutePath();

        ChainedOptionsBuilder options = new OptionsBuilder()
                .addProfiler(GCProfiler.class)
                .warmupIterations(warmup).warmupTime(iteration)
                .measurementIterations(measurement).measurementTime(iteration)
                .forks(forks).threads(1)
                .shouldFailOnError(true)
                .resultFormat(ResultFormatType.JSON).result(json.toString());
        String include = System.getProperty("bench.jmh.include");
        for (String pattern : include == null || include.isBlank() ? includes : List.of(include)) {
            options.include(pattern);
        }
        Collection<RunResult> runs = new Runner(options.build()).run();

        Report report = new Report(name, "Codec and serde (JMH)").smoke(mode.smoke())
                .note(String.format(Locale.ROOT, "JMH %s, %d warm-up x %s, %d measured x %s, %d fork(s), 1 thread, "
                                + "gc profiler (B/op is gc.alloc.rate.norm). Samples (newest server version %d): payloads "
                                + "%s; Confluent-wire values %s.", jmhVersion(), warmup, iteration, measurement, iteration,
                        forks, ServerVersion.MAX_SUPPORTED, CodecBenchmark.payloadSizes(), SerdeBenchmark.valueSizes()))
                .columns("benchmark", "ops/s", "± error (99.9%)", "B/op");
        Map<String, double[]> byName = new TreeMap<>();
        for (RunResult run : runs) {
            Result<?> primary = run.getPrimaryResult();
            Result<?> alloc = run.getSecondaryResults().get(ALLOC_NORM);
            String benchmark = run.getParams().getBenchmark();
            String shortName = benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1);
            double bytes = alloc == null ? Double.NaN : alloc.getScore();
            byName.put(shortName, new double[] {primary.getScore(), bytes});
            report.row(shortName, primary.getScore(), primary.getScoreError(), bytes);
        }
        for (String tick : List.of("TickPrice", "TickSize")) {
            double[] decode = byName.get("CodecBenchmark.decode" + tick);
            double[] record = byName.get("CodecBenchmark.baseline" + tick + "Record");
            if (decode == null) {
                continue;
            }
            report.verdict(tick + " frame decode >= 2 million messages/s on one thread",
                    String.format(Locale.ROOT, "%,.0f /s", decode[0]), decode[0] >= 2_000_000);
            if (record != null) {
                report.verdict(tick + " decode allocation: little beyond the resulting record (at most "
                                + ALLOCATION_SLACK_BYTES + " B more)",
                        String.format(Locale.ROOT, "%.0f B/op vs %.0f B for the record alone", decode[1], record[1]),
                        decode[1] <= record[1] + ALLOCATION_SLACK_BYTES);
            }
        }
        return report;
    }

    private static String jmhVersion() {
        return Version.getPlainVersion();
    }

    /**
     * JMH forks its measuring JVM with {@code java.class.path}. Under {@code mvn exec:java} that is Maven's own
     * launcher, and the benchmark's classes sit in the plugin's class loader instead, so hand its URLs on.
     */
    private static void exposeClassPathToForks() throws URISyntaxException {
        Set<String> entries = new LinkedHashSet<>();
        for (ClassLoader cl = Thread.currentThread().getContextClassLoader(); cl != null; cl = cl.getParent()) {
            if (cl instanceof URLClassLoader ucl) {
                for (URL url : ucl.getURLs()) {
                    if ("file".equals(url.getProtocol())) {
                        entries.add(new File(url.toURI()).getPath());
                    }
                }
            }
        }
        if (entries.isEmpty()) {
            return; // plain `java -cp ...`: java.class.path is already right
        }
        List<String> all = new ArrayList<>(entries);
        for (String e : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!e.isEmpty() && !entries.contains(e)) {
                all.add(e);
            }
        }
        System.setProperty("java.class.path", String.join(File.pathSeparator, all));
    }
}
